/**
 * The password check of the password grant (RFC 6749 §4.3.2): the resource
 * owner's credentials through the password validator extension point, with
 * the same soft lockout and per-username ceiling as the login page, and each
 * failure mapped to the answer the login page gives.
 *
 * RFC 6749 §4.3.2: "the authorization server MUST protect the endpoint
 * against brute force attacks (e.g., using rate-limitation or generating
 * alerts)". The default validator goes through the user service's login,
 * which applies both; a host's validator is wrapped in them here.
 */
import type { ProviderContext } from '../context.js';
import { InvalidGrant, OAuthError } from '../errors.js';
import type { Client } from '../model/types.js';
import type { PasswordFailureReason, PasswordValidationResult, ResourceOwnerPasswordValidator } from '../extensions/password-validator.js';
import { createLockout, type Lockout } from '../users/lockout.js';

export type PasswordCheck = Extract<PasswordValidationResult, { ok: true }>;

/** The per-username ceiling reached: 429 with Retry-After, as the login page and the route limits answer. */
class TooManyAttempts extends OAuthError {
  readonly error = 'temporarily_unavailable' as const;
  override readonly status = 429;
}

/**
 * The OAuth error of a failed check. Unknown user and wrong password give one
 * answer (no enumeration). A lockout is invalid_grant with status 400 like a
 * wrong password; its description says to wait, as the login page does; the
 * lockout is kept per username and address for unknown usernames too, so it
 * tells nothing about the account either.
 */
export function passwordFailure(reason: PasswordFailureReason | undefined, retryAfter: number | undefined): OAuthError {
  switch (reason) {
    case 'locked_out':
      return new InvalidGrant('too many failed sign-in attempts; try again later');
    case 'rate_limited': {
      const err = new TooManyAttempts('too many sign-in attempts for this username; try again later');
      err.headers = { 'retry-after': String(Math.max(1, retryAfter ?? 1)) };
      return err;
    }
    case 'inactive':
      // Only after a correct password (the user service's rule), as on the login page.
      return new InvalidGrant('the user account is not active');
    default:
      return new InvalidGrant('invalid username or password');
  }
}

function lockoutOf(ctx: ProviderContext): Lockout {
  const { lockoutThreshold, lockoutDuration, lockoutMaxDuration } = ctx.config.authentication;
  return createLockout(ctx.stores.lockouts, { threshold: lockoutThreshold, duration: lockoutDuration, maxDuration: lockoutMaxDuration });
}

/** A host's validator inside the soft lockout and the per-username ceiling, in the order the user service's login uses. */
async function protectedValidate(
  ctx: ProviderContext,
  validator: ResourceOwnerPasswordValidator,
  input: { username: string; password: string; client: Client; address: string | undefined },
): Promise<PasswordValidationResult> {
  const lockout = lockoutOf(ctx);
  const { username, address } = input;
  const { lockedFor, recorded } = await lockout.status(username, address, ctx.clock.now());
  if (lockedFor > 0) return { ok: false, reason: 'locked_out', retryAfter: lockedFor };
  const wait = ctx.rateLimits ? await ctx.rateLimits.loginUsername(username) : 0;
  if (wait > 0) return { ok: false, reason: 'rate_limited', retryAfter: wait };
  const result = await validator.validate(input);
  if (!result.ok) {
    const lockedNow = await lockout.recordFailure(username, address, ctx.clock.now());
    return lockedNow > 0 ? { ok: false, reason: 'locked_out', retryAfter: lockedNow } : result;
  }
  if (recorded) await lockout.reset(username, address);
  return result;
}

/**
 * Checks the resource owner's credentials; the validator's result, or the
 * OAuth error to answer. Emits the login events the login page emits.
 *
 * @example
 * const { subjectId, amr } = await checkPassword(ctx, { username, password, client, address: req.ip, requestId: req.requestId });
 */
export async function checkPassword(
  ctx: ProviderContext,
  input: { username: string; password: string; client: Client; address: string | undefined; requestId?: string },
): Promise<PasswordCheck> {
  const validator = ctx.extensions.passwordValidator;
  if (!validator) throw new InvalidGrant('the password grant has no password validator');
  const { username, password, client, address, requestId } = input;
  const args = { username, password, client, address };
  const result = validator.appliesLoginProtection ? await validator.validate(args) : await protectedValidate(ctx, validator, args);
  const clientId = client.clientId;
  if (!result.ok) {
    // The ceiling's refusal is a rate limit (its own event), not an attempt at the password.
    if (result.reason !== 'rate_limited') {
      ctx.events({ type: 'user_login_failure', username: username.slice(0, 256), reason: result.reason ?? 'invalid_credentials', clientId, requestId });
    }
    throw passwordFailure(result.reason, result.retryAfter);
  }
  // Only failed attempts stay counted against the username's ceiling (as after a login on the page).
  if (ctx.rateLimits) await ctx.rateLimits.loginSucceeded(undefined, username);
  ctx.events({ type: 'user_login_success', username: username.slice(0, 256), subjectId: result.subjectId, clientId, requestId });
  return result;
}
