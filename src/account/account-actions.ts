/**
 * What a signed-in user does on the account page: change the password,
 * end a session, revoke an application, delete the account. Each takes the
 * browser's live session; the page checked its CSRF token.
 */
import { endSessions, querySessions, revokeClientGrant } from '../sessions/session-admin.js';
import type { Session } from '../sessions/session-service.js';
import { checkNewPassword, type PasswordProblem } from './password-policy.js';
import { managedHere, type AccountDeps } from './account-service.js';

export type ChangePasswordOutcome = 'changed' | 'unsupported' | 'wrong_password' | 'locked_out' | PasswordProblem;

/**
 * The current password is checked as a sign-in is (lockout and rate limits
 * apply); optionally every other session of the user ends.
 */
export async function changePassword(
  deps: AccountDeps,
  session: Session,
  input: { current: string; password: string; confirmation: string; endOthers: boolean; ip?: string },
): Promise<ChangePasswordOutcome> {
  const { ctx } = deps;
  const store = ctx.users.store;
  const user = await ctx.users.findBySubject(session.subjectId);
  if (!user || !store.setPasswordHash || !managedHere(deps, user.subjectId)) return 'unsupported';
  const login = await ctx.users.login(user.username, input.current, input.ip);
  if (!login.ok) return login.reason === 'locked_out' || login.reason === 'rate_limited' ? 'locked_out' : 'wrong_password';
  if (login.user.subjectId !== user.subjectId) return 'wrong_password';
  const problem = checkNewPassword(ctx.config.account.passwordPolicy, input.password, input.confirmation, user.username);
  if (problem) return problem;
  if (!(await store.setPasswordHash(user.subjectId, await deps.hash(input.password)))) return 'unsupported';
  await ctx.stores.accountLinks.deleteResetsOf(user.subjectId);
  if (input.endOthers) await endOtherSessions(deps, session);
  ctx.logger.info({ subjectId: user.subjectId }, 'password changed');
  return 'changed';
}

/** Ends every session of the user but this browser's; the number ended. */
export async function endOtherSessions(deps: AccountDeps, session: Session): Promise<number> {
  let n = 0;
  for (const s of await querySessions(deps.ctx, { subjectId: session.subjectId })) {
    if (s.sid !== session.payload.sid) n += (await endSessions(deps.ctx, { subjectId: session.subjectId, sid: s.sid })).length;
  }
  return n;
}

/** Ends one session of the user, named by its sid (another user's sid ends nothing). */
export async function endSessionOfUser(deps: AccountDeps, session: Session, sid: string): Promise<boolean> {
  return (await endSessions(deps.ctx, { subjectId: session.subjectId, sid })).length > 0;
}

export type DeleteOutcome = 'deleted' | 'unsupported' | 'reauthenticate' | 'wrong_password' | 'locked_out';

/**
 * Deletes the account after re-authentication: the password again, or a
 * sign-in at most `account.reauthenticationMaxAge` seconds old (OIDC Core
 * §3.1.2.1 max_age semantics on the session's auth_time). Everything the
 * user holds goes first, through the revocation helpers: each client's
 * consent and tokens, then every session (with back-channel logout), then
 * pending reset links, then the user.
 */
export async function deleteAccount(deps: AccountDeps, session: Session, input: { password?: string; ip?: string }): Promise<DeleteOutcome> {
  const { ctx } = deps;
  const store = ctx.users.store;
  const user = await ctx.users.findBySubject(session.subjectId);
  if (!deps.features.deletion || !store.deleteUser || !user || !managedHere(deps, user.subjectId)) return 'unsupported';
  if (input.password) {
    const login = await ctx.users.login(user.username, input.password, input.ip);
    if (!login.ok) return login.reason === 'locked_out' || login.reason === 'rate_limited' ? 'locked_out' : 'wrong_password';
  } else if (ctx.clock.now() - session.payload.authTime > ctx.config.account.reauthenticationMaxAge) {
    return 'reauthenticate';
  }
  const subjectId = user.subjectId;
  const clients = new Set(await ctx.stores.grants.clientsHolding(subjectId, 0));
  for (const s of await querySessions(ctx, { subjectId })) for (const c of s.clients) clients.add(c.clientId);
  for (const clientId of clients) await revokeClientGrant(ctx, subjectId, clientId);
  await endSessions(ctx, { subjectId });
  await ctx.stores.accountLinks.deleteResetsOf(subjectId);
  if (!(await store.deleteUser(subjectId))) return 'unsupported';
  // Its TOTP secret, recovery codes and passkeys go with it (docs/mfa.md).
  await ctx.mfa?.deleteAll(subjectId);
  ctx.logger.info({ subjectId }, 'account deleted');
  return 'deleted';
}
