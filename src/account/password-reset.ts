/**
 * Password reset by an emailed link (`account.passwordReset`): the request
 * page answers the same whether the address has an account; the link is
 * single-use, short-lived (`account.resetLifetime`) and stored as a hash;
 * a reset ends every session of the user. Requests are rate limited per
 * client address and per email address.
 */
import { createHash } from 'node:crypto';
import { endSessions } from '../sessions/session-admin.js';
import { handleId, newHandle } from '../tokens/handles.js';
import { clearLockout } from '../users/lockout.js';
import { accountMails, type MailLocale } from './mail-templates.js';
import { checkNewPassword, type PasswordProblem } from './password-policy.js';
import { LINK_TOKEN, linkWith, normalizeEmail, sendLater, type AccountDeps } from './account-service.js';
import type { LinkState } from './registration.js';

export type ResetRequestOutcome = { ok: true } | { ok: false; problem: 'invalid_email' } | { ok: false; problem: 'rate_limited'; retryAfter: number };

/** Rate limits first (per client address, then per address asked for), then a link for a known, active account. */
export async function requestPasswordReset(deps: AccountDeps, input: { email: string; ip?: string; locale: MailLocale }): Promise<ResetRequestOutcome> {
  const { ctx } = deps;
  const email = normalizeEmail(input.email);
  if (!email) return { ok: false, problem: 'invalid_email' };
  const { requestsPerIp, resetPerEmail, resetLifetime } = ctx.config.account;
  const limits = ctx.rateLimits;
  const perIp = limits ? await limits.check('account-ip', input.ip, requestsPerIp, 'account') : 0;
  // The counter's key is a hash: the limiter's store holds no addresses.
  const perEmail =
    limits && perIp === 0 ? await limits.check('reset-email', createHash('sha256').update(email).digest('base64url'), resetPerEmail, 'account') : 0;
  const wait = Math.max(perIp, perEmail);
  if (wait > 0) return { ok: false, problem: 'rate_limited', retryAfter: wait };
  const user = await ctx.users.findByUsername(email);
  if (user?.isActive && deps.features.passwordReset) {
    const token = newHandle();
    const now = ctx.clock.now();
    await ctx.stores.accountLinks.addReset(handleId(token), user.subjectId, now, now + resetLifetime);
    sendLater(deps, email, accountMails(input.locale).reset(ctx.config.ui.productName, linkWith(deps.urls.reset, token, input.locale), resetLifetime));
  }
  return { ok: true };
}

/** Whether a reset link can still be used (the form is shown only for a usable one). */
export async function resetLinkState(deps: AccountDeps, token: string | undefined): Promise<LinkState> {
  if (!token || !LINK_TOKEN.test(token)) return 'invalid';
  const rec = await deps.ctx.stores.accountLinks.findReset(handleId(token));
  if (!rec || rec.consumedAt !== undefined) return 'invalid';
  return rec.expiresAt <= deps.ctx.clock.now() ? 'expired' : 'valid';
}

export type ResetOutcome = 'done' | 'invalid' | 'expired' | PasswordProblem;

/**
 * Sets the new password through a reset link: the policy is checked before
 * the link is used (a refused password leaves it usable); then the link is
 * consumed (once), the password set, and every session of the user ended.
 */
export async function resetPassword(deps: AccountDeps, input: { token: string | undefined; password: string; confirmation: string }): Promise<ResetOutcome> {
  const { ctx } = deps;
  const { token } = input;
  const store = ctx.users.store;
  if (!token || !LINK_TOKEN.test(token) || !store.setPasswordHash) return 'invalid';
  const id = handleId(token);
  const pending = await ctx.stores.accountLinks.findReset(id);
  const user = pending?.subjectId ? await ctx.users.findBySubject(pending.subjectId) : undefined;
  if (!pending || !user) return 'invalid';
  const problem = checkNewPassword(ctx.config.account.passwordPolicy, input.password, input.confirmation, user.username);
  if (problem) return problem;
  const passwordHash = await deps.hash(input.password);
  const now = ctx.clock.now();
  const rec = await ctx.stores.accountLinks.consumeReset(id, now);
  if (!rec) return 'invalid';
  if (rec.expiresAt <= now) return 'expired';
  if (!(await store.setPasswordHash(user.subjectId, passwordHash))) return 'invalid';
  await ctx.stores.accountLinks.deleteResetsOf(user.subjectId);
  await clearLockout(ctx.stores.lockouts, user.username);
  // Whoever knew the old password is signed out everywhere.
  await endSessions(ctx, { subjectId: user.subjectId });
  ctx.logger.info({ subjectId: user.subjectId }, 'password reset');
  return 'done';
}
