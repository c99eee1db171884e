/**
 * The public key a response is encrypted to: the client's (or API resource's)
 * JWK Set, inline or from its jwksUri through the provider's client JWKS
 * cache (client-auth/client-jwks-cache.ts: outbound limits, caching), and in
 * it the key for the JWE alg (config/encryption-jwk.ts).
 */
import { importJWK, type JSONWebKeySet, type JWK, type RemoteJWKSet } from 'jose';
import { selectEncryptionJwk } from '../config/encryption-jwk.js';
import type { JweAlgorithm } from '../config/response-crypto-schema.js';
import type { ProviderContext } from '../context.js';
import { InvalidClientMetadata } from '../errors.js';
import type { Client } from '../model/types.js';

/** Whoever receives the encrypted response: a client, or an API resource calling introspection. */
export interface EncryptionKeyHolder {
  /** Cache key: the client id, or `resource:<name>`. */
  id: string;
  jwks?: { keys: Record<string, unknown>[] };
  jwksUri?: string;
}

export interface EncryptionKey {
  key: CryptoKey | Uint8Array;
  kid?: string;
}

/** The remote set of a jwksUri, fetched when missing or stale. */
async function remoteKeys(ctx: ProviderContext, holder: EncryptionKeyHolder, uri: string, alg: JweAlgorithm): Promise<JWK | undefined> {
  // The cache reads only the id and key sources of what it is given.
  const set = ctx.clientJwks?.get({ clientId: holder.id, jwksUri: uri } as Client) as Partial<RemoteJWKSet> | undefined;
  if (!set?.jwks || !set.reload) throw new InvalidClientMetadata('the client jwks_uri cannot be read here');
  try {
    if (!set.fresh) await set.reload();
    let jwk = selectEncryptionJwk(set.jwks()?.keys ?? [], alg);
    // A key the cached set lacks may have been added since: refetch once, outside the cooldown.
    if (!jwk && !set.coolingDown) {
      await set.reload();
      jwk = selectEncryptionJwk(set.jwks()?.keys ?? [], alg);
    }
    return jwk;
  } catch (err) {
    throw new InvalidClientMetadata('the client jwks_uri could not be fetched', `${uri}: ${(err as Error).message}`);
  }
}

/**
 * The key to encrypt to for `alg`. Throws invalid_client_metadata (RFC 7591
 * §3.2.2) when the holder has no usable key: none registered, the jwksUri
 * unreachable, or no key of the right type and use.
 *
 * @example
 * const { key, kid } = await encryptionKey(ctx, { id: client.clientId, jwks: client.jwks, jwksUri: client.jwksUri }, 'RSA-OAEP-256');
 */
export async function encryptionKey(ctx: ProviderContext, holder: EncryptionKeyHolder, alg: JweAlgorithm): Promise<EncryptionKey> {
  // Inline keys win over a URI, as for private_key_jwt.
  let jwk: JWK | undefined;
  if (holder.jwks) jwk = selectEncryptionJwk(holder.jwks.keys as JSONWebKeySet['keys'], alg);
  else if (holder.jwksUri) jwk = await remoteKeys(ctx, holder, holder.jwksUri, alg);
  else throw new InvalidClientMetadata('the client asks for encrypted responses but has no jwks or jwks_uri');
  if (!jwk) throw new InvalidClientMetadata(`the client's JWK Set has no public key for ${alg}`);
  try {
    return { key: await importJWK(jwk, alg), kid: jwk.kid };
  } catch (err) {
    throw new InvalidClientMetadata(`the client's ${alg} key cannot be used`, (err as Error).message);
  }
}

/** The key holder of a client. */
export function clientKeyHolder(client: Client): EncryptionKeyHolder {
  return { id: client.clientId, jwks: client.jwks, jwksUri: client.jwksUri };
}
