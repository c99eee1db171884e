/** The built-in token_endpoint_auth_methods, registered by name (OIDC Core §9). */
import type { ClientAuthMethod } from '../context.js';
import type { OutboundSettings } from '../net/index.js';
import { createClientJwksCache } from './client-jwks-cache.js';
import { clientSecretBasic } from './client-secret-basic.js';
import { clientSecretJwt } from './client-secret-jwt.js';
import { clientSecretPost } from './client-secret-post.js';
import { none } from './none.js';
import { createPrivateKeyJwt } from './private-key-jwt.js';

/**
 * Form parameters the built-in methods read; endpoints add them to the
 * parameters they accept (RFC 6749 §2.3.1, RFC 7523 §2.2).
 */
export const CLIENT_AUTH_PARAMETERS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const;

/**
 * A fresh map of the built-in methods for one provider instance; the
 * private_key_jwt JWKS cache belongs to the map built here and fetches
 * within the `outbound` limits. Extra methods are added with
 * `methods.set(name, method)`.
 *
 * @example
 * const ctx: ProviderContext = { ...rest, clientAuthMethods: createClientAuthMethods() };
 */
export function createClientAuthMethods(outbound?: OutboundSettings): Map<string, ClientAuthMethod> {
  const methods: ClientAuthMethod[] = [clientSecretBasic, clientSecretPost, clientSecretJwt, createPrivateKeyJwt(createClientJwksCache({ outbound })), none];
  return new Map(methods.map((m) => [m.name, m]));
}
