/**
 * none: a public client identifies itself with client_id only (OIDC Core §9,
 * RFC 6749 §2.1). Whether the client may do so is the orchestrator's check
 * (`client.authMethods` has 'none'); a secret sent by a public client selects
 * client_secret_post/basic instead, which such a client is not allowed.
 */
import type { ClientAuthMethod } from '../context.js';
import { single } from '../core/params.js';
import { CLIENT_ID_LIMIT, hasParam } from './client-secret-post.js';

/**
 * The none method. Any request with a client_id presents it; the
 * orchestrator uses it only when no credential-bearing method is presented.
 *
 * @example
 * // grant_type=authorization_code&client_id=spa&code=...&code_verifier=...
 * methods.set(none.name, none);
 */
export const none: ClientAuthMethod = {
  name: 'none',
  presented: (req) => hasParam(req, 'client_id'),
  clientId: (req) => single(req.body, 'client_id', CLIENT_ID_LIMIT),
  async verify() {
    // Nothing to verify: a public client has no credentials (RFC 6749 §2.1).
  },
};
