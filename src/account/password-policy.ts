/**
 * The policy of new passwords (`account.passwordPolicy`), after NIST SP
 * 800-63B §5.1.1.2: a minimum length, a generous maximum, no composition
 * rules, and not the account's own name or address.
 */
import type { PasswordPolicy } from '../config/account-schema.js';

/** Why a new password is refused. */
export type PasswordProblem = 'too_short' | 'too_long' | 'is_username' | 'mismatch';

/**
 * @example
 * checkNewPassword(policy, 'short', 'short', 'ada@example.com'); // 'too_short'
 */
export function checkNewPassword(policy: PasswordPolicy, password: string, confirmation: string | undefined, username?: string): PasswordProblem | undefined {
  // Length in code points, so a password of emoji is not counted twice.
  const length = Array.from(password).length;
  if (length < policy.minLength) return 'too_short';
  if (length > policy.maxLength) return 'too_long';
  if (policy.rejectUsername && username && password.trim().toLowerCase() === username.toLowerCase()) return 'is_username';
  if (confirmation !== undefined && confirmation !== password) return 'mismatch';
  return undefined;
}
