/**
 * client_secret_post: client_id and client_secret in the form body
 * (RFC 6749 §2.3.1, OIDC Core §9). Clients SHOULD prefer Basic; servers
 * MAY support this.
 */
import type { ClientAuthMethod } from '../context.js';
import { InvalidRequest } from '../errors.js';
import { single } from '../core/params.js';
import type { InternalRequest } from '../core/types.js';
import { verifyClientSecret } from './verify-client-secret.js';

/** Largest accepted client_id (the configuration allows 200 characters). */
export const CLIENT_ID_LIMIT = 200;
const SECRET_LIMIT = 4096;

/** Does a form parameter carry a non-empty value? (RFC 6749 §3.1: empty means omitted.) */
export function hasParam(req: InternalRequest, name: string): boolean {
  return req.body.get(name)?.some((v) => v !== '') ?? false;
}

/**
 * The client_secret_post method.
 *
 * @example
 * // grant_type=client_credentials&client_id=app&client_secret=s3cret
 * methods.set(clientSecretPost.name, clientSecretPost);
 */
export const clientSecretPost: ClientAuthMethod = {
  name: 'client_secret_post',
  presented: (req) => hasParam(req, 'client_secret'),
  clientId: (req) => single(req.body, 'client_id', CLIENT_ID_LIMIT),
  async verify(req, client, ctx) {
    const secret = single(req.body, 'client_secret', SECRET_LIMIT);
    if (secret === undefined) throw new InvalidRequest('missing required parameter: client_secret');
    verifyClientSecret(client, secret, ctx.clock.now());
  },
};
