/** The built-in token_endpoint_auth_methods, registered by name (OIDC Core §9). */
import type { ClientAuthMethod } from '../context.js';
import type { OutboundSettings } from '../net/index.js';
import { createClientJwksCache, type ClientJwksCache } from './client-jwks-cache.js';
import { clientSecretBasic } from './client-secret-basic.js';
import { clientSecretJwt } from './client-secret-jwt.js';
import { clientSecretPost } from './client-secret-post.js';
import { none } from './none.js';
import { createPrivateKeyJwt } from './private-key-jwt.js';
import { createSelfSignedTlsClientAuth } from './self-signed-tls-client-auth.js';
import { tlsClientAuth } from './tls-client-auth.js';

/**
 * Form parameters the built-in methods read; endpoints add them to the
 * parameters they accept (RFC 6749 §2.3.1, RFC 7523 §2.2).
 */
export const CLIENT_AUTH_PARAMETERS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const;

/**
 * A fresh map of the built-in methods for one provider instance; the
 * private_key_jwt JWKS cache belongs to the map built here and fetches
 * within the `outbound` limits. Extra methods are added with
 * `methods.set(name, method)`. Pass `jwks` to share the provider's cache
 * (ctx.clientJwks) with the other users of client keys. With `mtls` the
 * RFC 8705 methods (tls_client_auth, self_signed_tls_client_auth) are added.
 *
 * @example
 * const ctx: ProviderContext = { ...rest, clientAuthMethods: createClientAuthMethods() };
 */
export function createClientAuthMethods(outbound?: OutboundSettings, jwks?: ClientJwksCache, mtls = false): Map<string, ClientAuthMethod> {
  const keys = jwks ?? createClientJwksCache({ outbound });
  const methods: ClientAuthMethod[] = [clientSecretBasic, clientSecretPost, clientSecretJwt, createPrivateKeyJwt(keys), none];
  if (mtls) methods.splice(4, 0, tlsClientAuth, createSelfSignedTlsClientAuth(keys));
  return new Map(methods.map((m) => [m.name, m]));
}
