/**
 * Per-client JWK Sets for private_key_jwt, owned by one provider instance:
 * inline `jwks` become a local set, `jwksUri` a remote set that jose caches
 * (10 minutes) and refetches at most every 30 s on an unknown kid.
 */
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Client } from '../model/types.js';

/** Remote JWKS cache options (jose `createRemoteJWKSet`). Milliseconds. */
export const REMOTE_JWKS_OPTIONS = { cacheMaxAge: 600_000, cooldownDuration: 30_000, timeoutDuration: 5_000 };

export interface ClientJwksCache {
  /** The key resolver for a client; undefined when the client has neither jwks nor jwksUri. Throws on an invalid inline JWKS. */
  get(client: Client): JWTVerifyGetKey | undefined;
}

/**
 * A cache keyed by client id. An entry is rebuilt when the client's key
 * source changes (a reloaded configuration yields new `jwks` objects or a new
 * URI), so stale keys do not linger.
 *
 * @example
 * const cache = createClientJwksCache();
 * await jwtVerify(assertion, cache.get(client)!, options);
 */
export function createClientJwksCache(): ClientJwksCache {
  const entries = new Map<string, { source: object | string; keys: JWTVerifyGetKey }>();
  return {
    get(client) {
      // Inline keys win over a URI when both are configured.
      const source: object | string | undefined = client.jwks ?? client.jwksUri;
      if (source === undefined) {
        entries.delete(client.clientId);
        return undefined;
      }
      const cached = entries.get(client.clientId);
      if (cached?.source === source) return cached.keys;
      const keys =
        typeof source === 'string'
          ? createRemoteJWKSet(new URL(source), REMOTE_JWKS_OPTIONS)
          : createLocalJWKSet(source as JSONWebKeySet);
      entries.set(client.clientId, { source, keys });
      return keys;
    },
  };
}
