/**
 * Account self-service of one provider (docs/account.md): what the account
 * pages (ui/routes/account*.ts) call. Made once per provider with its mailer;
 * the flows live in their own modules (registration, password-reset,
 * account-actions).
 */
import type { ProviderContext } from '../context.js';
import { hashPassword } from '../users/password-hash.js';
import type { AccountMail, MailLocale } from './mail-templates.js';
import { createMailer, type Mailer } from './mailer.js';

export interface AccountDeps {
  ctx: ProviderContext;
  /** Absent without the `email` section: registration and reset are then off. */
  mailer?: Mailer;
  /** argon2id hashing of new passwords (users/password-hash.ts); a parameter so tests can count the work done. */
  hash: (password: string) => Promise<string>;
  /** Absolute URLs of the pages the mailed links open. */
  urls: { verify: string; reset: string; resetRequest: string };
  /** What the user store supports: false disables the flows that need it. */
  features: AccountFeatures;
}

export interface AccountFeatures {
  registration: boolean;
  passwordReset: boolean;
  changePassword: boolean;
  deletion: boolean;
}

/**
 * The flows on or off, from configuration and the user store's abilities; a
 * flow configured on but impossible is logged at startup, once, with why.
 */
export function accountFeatures(ctx: ProviderContext): AccountFeatures {
  const { account, email } = ctx.config;
  const store = ctx.users.store;
  const off = (setting: string, why: string) => ctx.logger.warn({ setting }, `${setting} is on but disabled: ${why}`);
  let registration = account.registration && email !== undefined;
  if (registration && !store.createUser) {
    off('account.registration', 'the user store cannot create users (implement UserStore.createUser, docs/account.md)');
    registration = false;
  }
  let passwordReset = account.passwordReset && email !== undefined;
  if (passwordReset && !store.setPasswordHash) {
    off('account.passwordReset', 'the user store cannot set passwords (implement UserStore.setPasswordHash, docs/account.md)');
    passwordReset = false;
  }
  let deletion = account.deletion;
  if (deletion && !store.deleteUser) {
    off('account.deletion', 'the user store cannot delete users (implement UserStore.deleteUser, docs/account.md)');
    deletion = false;
  }
  return { registration, passwordReset, deletion, changePassword: store.setPasswordHash !== undefined };
}

/**
 * @example
 * const deps = createAccountDeps(ctx, { verify: `${issuer}/ui/account/verify`, reset: `${issuer}/ui/account/reset/confirm`, resetRequest: `${issuer}/ui/account/reset` });
 */
export function createAccountDeps(ctx: ProviderContext, urls: AccountDeps['urls'], hash: AccountDeps['hash'] = hashPassword): AccountDeps {
  const mailer = ctx.config.email ? createMailer(ctx.config.email, ctx.logger) : undefined;
  return { ctx, mailer, hash, urls, features: accountFeatures(ctx) };
}

/**
 * Whether the account's password and existence are Gatehouse's to change:
 * not for configured test users (`users[]` in the config file), whose
 * password lives in configuration.
 */
export function managedHere(deps: AccountDeps, subjectId: string): boolean {
  return !deps.ctx.config.users.some((u) => u.subjectId === subjectId);
}

/**
 * Sends a mail without holding up the answer: the page says the same
 * whatever was (or was not) sent, and answers as fast in every case.
 */
export function sendLater(deps: AccountDeps, to: string, mail: AccountMail): void {
  const { mailer } = deps;
  if (!mailer) return;
  deps.ctx.background.run(async () => {
    await mailer.send(to, mail);
  });
}

/** Email addresses as usernames: trimmed, lower case, one @, no spaces, at most 254 characters (RFC 5321 §4.5.3.1.3). */
export function normalizeEmail(input: string | undefined): string | undefined {
  const value = input?.trim().toLowerCase();
  if (!value || value.length > 254) return undefined;
  return /^[^\s@<>()",;:\\]+@[^\s@<>()",;:\\]+\.[^\s@<>()",;:\\]+$/.test(value) ? value : undefined;
}

/** A link token as mailed: 32 random bytes, base64url (tokens/handles.ts). */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const linkWith = (url: string, token: string, locale: MailLocale) => `${url}?token=${token}${locale === 'en' ? '' : `&ui_locales=${locale}`}`;
