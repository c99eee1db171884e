/** The one way client authentication fails: invalid_client (RFC 6749 §5.2). */
import { InvalidClient } from '../errors.js';

/** The public description of every failure that could reveal which client ids exist. */
export const CLIENT_AUTH_FAILED = 'client authentication failed';

/**
 * The challenge sent with every invalid_client. RFC 6749 §5.2 requires it when
 * the client used the Authorization header and allows it otherwise; sending
 * it always keeps the answer independent of how the client authenticated.
 */
export const CLIENT_AUTH_CHALLENGE = 'Basic realm="gatehouse"';

/**
 * An invalid_client error with a generic public description and the real
 * reason in the private `detail` (logged, never sent).
 *
 * @example
 * throw clientAuthFailed('unknown client id');
 */
export function clientAuthFailed(detail: string, description = CLIENT_AUTH_FAILED): InvalidClient {
  const err = new InvalidClient(description, detail);
  err.headers = { ...err.headers, 'www-authenticate': CLIENT_AUTH_CHALLENGE };
  return err;
}
