/** Error texts shared by the account pages. */
import type { Messages } from './i18n.js';

/** Why an account form was not taken; every one lets the user try again. */
export type AccountError =
  | 'wrong_password'
  | 'locked_out'
  | 'reauthenticate'
  | 'unsupported'
  | 'too_short'
  | 'too_long'
  | 'is_username'
  | 'mismatch'
  | 'invalid_email'
  | 'rate_limited'
  | 'csrf';

/** Length limits of new passwords, shown as a hint and used in messages. */
export interface PasswordLimits {
  minLength: number;
  maxLength: number;
}

export function accountErrorMessage(m: Messages, error: AccountError, limits: PasswordLimits, retryAfter?: number): string {
  switch (error) {
    case 'wrong_password':
      return m.accountErrorWrongPassword;
    case 'locked_out':
    case 'rate_limited':
      return m.errorLockedOut(retryAfter);
    case 'reauthenticate':
      return m.accountErrorReauthenticate;
    case 'unsupported':
      return m.accountErrorUnsupported;
    case 'too_short':
      return m.accountErrorTooShort(limits.minLength);
    case 'too_long':
      return m.accountErrorTooLong(limits.maxLength);
    case 'is_username':
      return m.accountErrorIsUsername;
    case 'mismatch':
      return m.accountErrorMismatch;
    case 'invalid_email':
      return m.accountErrorEmail;
    case 'csrf':
      return m.errorCsrf;
  }
}
