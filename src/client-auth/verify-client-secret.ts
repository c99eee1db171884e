/** Shared-secret check used by client_secret_basic and client_secret_post (RFC 6749 §2.3.1). */
import type { Client } from '../model/types.js';
import { clientAuthFailed } from './client-auth-failure.js';
import { hasUsableSecret, matchesExpiredSecret, matchesSecret } from './secrets.js';

/**
 * Throws invalid_client unless `presented` matches one of the client's
 * unexpired secrets. "client secret expired" is only said to a caller who
 * presented the (expired) secret itself; everyone else gets the generic message.
 *
 * @example
 * verifyClientSecret(client, 'se:cr%et+', ctx.clock.now());
 */
export function verifyClientSecret(client: Client, presented: string, now: number): void {
  const secrets = client.clientSecrets;
  if (matchesSecret(secrets, presented, now)) return;
  if (matchesExpiredSecret(secrets, presented, now)) {
    throw clientAuthFailed('the presented client secret has expired', 'client secret expired');
  }
  throw clientAuthFailed(hasUsableSecret(secrets, now) ? 'wrong client secret' : 'wrong client secret (and every secret of the client has expired)');
}
