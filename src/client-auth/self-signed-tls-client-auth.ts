/**
 * self_signed_tls_client_auth (RFC 8705 §2.2): the client authenticates with
 * a (typically self-signed) certificate registered in its JWK Set (`jwks`
 * inline or `jwks_uri`, §2.2.2): the certificate's public key must be the key
 * of one of the client's JWKs. No chain is built or checked.
 */
import { createPublicKey, type JsonWebKey, type KeyObject, type X509Certificate } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import type { ClientAuthMethod } from '../context.js';
import { single } from '../core/params.js';
import type { Client } from '../model/types.js';
import { clientAuthFailed } from './client-auth-failure.js';
import type { ClientJwksCache } from './client-jwks-cache.js';
import { CLIENT_ID_LIMIT } from './client-secret-post.js';
import { presentedWithCertificate } from './tls-client-auth.js';

/** The resolver jose's createRemoteJWKSet returns also exposes its last fetched set and a reload. */
interface RemoteSet {
  jwks?: () => JSONWebKeySet | undefined;
  reload?: () => Promise<void>;
}

async function clientKeys(client: Client, cache: ClientJwksCache): Promise<JWK[]> {
  if (client.jwks) return client.jwks.keys;
  const remote = cache.get(client) as RemoteSet | undefined;
  if (!remote?.jwks) return [];
  if (remote.jwks() === undefined) await remote.reload?.();
  return remote.jwks()?.keys ?? [];
}

function keyOf(jwk: JWK): KeyObject | undefined {
  // Only public keys: a JWK with a private part is never a registration of a public certificate key.
  if (jwk.d !== undefined || (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP')) return undefined;
  try {
    return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/** True when one of `keys` is the certificate's public key. */
export function certificateKeyRegistered(cert: X509Certificate, keys: readonly JWK[]): boolean {
  return keys.some((jwk) => keyOf(jwk)?.equals(cert.publicKey) === true);
}

/**
 * Builds the method around the provider's client JWKS cache (the one private_key_jwt uses).
 *
 * @example
 * methods.set('self_signed_tls_client_auth', createSelfSignedTlsClientAuth(cache));
 */
export function createSelfSignedTlsClientAuth(cache: ClientJwksCache): ClientAuthMethod {
  return {
    name: 'self_signed_tls_client_auth',
    presented: presentedWithCertificate,
    clientId: (req) => single(req.body, 'client_id', CLIENT_ID_LIMIT),
    async verify(req, client) {
      const cert = req.clientCertificate;
      if (!cert) throw clientAuthFailed('self_signed_tls_client_auth: no client certificate', 'client authentication requires a client certificate');
      const now = Date.now();
      if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) {
        throw clientAuthFailed('self_signed_tls_client_auth: the client certificate is not valid now');
      }
      let keys: JWK[];
      try {
        keys = await clientKeys(client, cache);
      } catch (err) {
        throw clientAuthFailed(`self_signed_tls_client_auth: client jwks unusable: ${(err as Error).message}`);
      }
      if (!certificateKeyRegistered(cert, keys)) throw clientAuthFailed('self_signed_tls_client_auth: the certificate key is not in the client jwks');
    },
  };
}
