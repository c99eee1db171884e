/**
 * The resource owner password validator (IdentityServer's
 * IResourceOwnerPasswordValidator), for the password grant (RFC 6749 §4.3,
 * grants/password-grant.ts). The default checks the credentials against the
 * user store through Gatehouse's login (lockout included); around a host's
 * validator the grant applies the same lockout and per-username limit.
 */
import type { UserService } from '../model/types.js';
import type { Client } from '../model/types.js';

export interface PasswordValidationContext {
  username: string;
  password: string;
  client: Client;
  /** The client address of the token request (the soft lockout's key with the username); undefined when unknown. */
  address?: string;
}

/** Why a password check failed, as the login reports it (model/types.ts LoginResult). */
export type PasswordFailureReason = 'invalid_credentials' | 'locked_out' | 'rate_limited' | 'inactive';

export type PasswordValidationResult =
  | { ok: true; subjectId: string; claims?: Record<string, unknown>; amr?: string[] }
  | { ok: false; error?: 'invalid_grant'; description?: string; reason?: PasswordFailureReason; retryAfter?: number };

/**
 * @example
 * const resourceOwnerPasswordValidator: ResourceOwnerPasswordValidator = {
 *   async validate({ username, password }) {
 *     const user = await legacyDirectory.bind(username, password);
 *     return user ? { ok: true, subjectId: user.id } : { ok: false, description: 'invalid username or password' };
 *   },
 * };
 */
export interface ResourceOwnerPasswordValidator {
  validate(context: PasswordValidationContext): Promise<PasswordValidationResult>;
  /**
   * True when `validate` applies Gatehouse's soft lockout and per-username
   * limit itself (the default does, through the login). Otherwise the password
   * grant applies them around it.
   */
  appliesLoginProtection?: boolean;
}

/** The default: the user store through the login (lockout, inactive users refused). */
export function userServicePasswordValidator(users: UserService): ResourceOwnerPasswordValidator {
  return {
    appliesLoginProtection: true,
    async validate({ username, password, address }) {
      const result = await users.login(username, password, address);
      return result.ok
        ? { ok: true, subjectId: result.user.subjectId, amr: ['pwd'] }
        : { ok: false, error: 'invalid_grant', description: 'invalid username or password', reason: result.reason, retryAfter: result.retryAfter };
    },
  };
}
