/**
 * Self-registration with email verification (`account.registration`). The
 * answer never tells whether an address has an account: a new address gets a
 * verification link, a known one a mail to its owner, and both requests do
 * the same work before answering (one argon2id hash, one user lookup, one
 * mail handed to the background).
 */
import { handleId, newHandle } from '../tokens/handles.js';
import { checkNewPassword, type PasswordProblem } from './password-policy.js';
import { accountMails, type MailLocale } from './mail-templates.js';
import { LINK_TOKEN, linkWith, normalizeEmail, sendLater, type AccountDeps } from './account-service.js';

export type RegistrationProblem = 'invalid_email' | PasswordProblem;

export interface RegistrationInput {
  email: string;
  password: string;
  confirmation: string;
  locale: MailLocale;
}

/** Accepts a registration: `{ ok: true }` for a new and a known address alike. */
export async function requestRegistration(deps: AccountDeps, input: RegistrationInput): Promise<{ ok: true } | { ok: false; problem: RegistrationProblem }> {
  const { ctx } = deps;
  const email = normalizeEmail(input.email);
  if (!email) return { ok: false, problem: 'invalid_email' };
  const problem = checkNewPassword(ctx.config.account.passwordPolicy, input.password, input.confirmation, email);
  if (problem) return { ok: false, problem };
  // Hashed before the lookup, whatever it finds: the known address costs what a new one does.
  const passwordHash = await deps.hash(input.password);
  const existing = await ctx.users.findByUsername(email);
  const mails = accountMails(input.locale);
  const product = ctx.config.ui.productName;
  if (existing) {
    const reset = deps.features.passwordReset ? `${deps.urls.resetRequest}${input.locale === 'en' ? '' : `?ui_locales=${input.locale}`}` : undefined;
    sendLater(deps, email, mails.alreadyRegistered(product, reset));
    return { ok: true };
  }
  const token = newHandle();
  const now = ctx.clock.now();
  const lifetime = ctx.config.account.verificationLifetime;
  await ctx.stores.accountLinks.addRegistration(handleId(token), { username: email, email, passwordHash }, now, now + lifetime);
  sendLater(deps, email, mails.verify(product, linkWith(deps.urls.verify, token, input.locale), lifetime));
  return { ok: true };
}

export type LinkState = 'valid' | 'invalid' | 'expired';

/** Whether a verification link can still be used (the page asks before its button consumes it). */
export async function registrationLinkState(deps: AccountDeps, token: string | undefined): Promise<LinkState> {
  if (!token || !LINK_TOKEN.test(token)) return 'invalid';
  const rec = await deps.ctx.stores.accountLinks.findRegistration(handleId(token));
  if (!rec || rec.consumedAt !== undefined) return 'invalid';
  return rec.expiresAt <= deps.ctx.clock.now() ? 'expired' : 'valid';
}

/**
 * Uses a verification link (once): creates the account with the verified
 * address. 'invalid' when the link is unknown, used, or its address got an
 * account meanwhile.
 */
export async function confirmRegistration(deps: AccountDeps, token: string | undefined): Promise<'created' | 'invalid' | 'expired'> {
  const { ctx } = deps;
  const store = ctx.users.store;
  if (!token || !LINK_TOKEN.test(token) || !store.createUser) return 'invalid';
  const now = ctx.clock.now();
  const rec = await ctx.stores.accountLinks.consumeRegistration(handleId(token), now);
  if (!rec) return 'invalid';
  if (rec.expiresAt <= now) return 'expired';
  const { username, email, passwordHash } = rec.payload;
  const user = await store.createUser({ username, passwordHash, claims: { email, email_verified: true } });
  if (!user) return 'invalid';
  ctx.logger.info({ subjectId: user.subjectId }, 'account registered');
  return 'created';
}
