/**
 * The resource owner password validator (IdentityServer's
 * IResourceOwnerPasswordValidator), for the password grant (RFC 6749 §4.3).
 * The grant itself is not built yet; this is its seam. The default checks
 * the credentials against the user store through Gatehouse's login (lockout
 * included).
 */
import type { UserService } from '../model/types.js';
import type { Client } from '../model/types.js';

export interface PasswordValidationContext {
  username: string;
  password: string;
  client: Client;
}

export type PasswordValidationResult =
  { ok: true; subjectId: string; claims?: Record<string, unknown>; amr?: string[] } | { ok: false; error?: 'invalid_grant'; description?: string };

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
}

/** The default: the user store through the login (lockout, inactive users refused). */
export function userServicePasswordValidator(users: UserService): ResourceOwnerPasswordValidator {
  return {
    async validate({ username, password }) {
      const result = await users.login(username, password);
      return result.ok
        ? { ok: true, subjectId: result.user.subjectId, amr: ['pwd'] }
        : { ok: false, error: 'invalid_grant', description: 'invalid username or password' };
    },
  };
}
