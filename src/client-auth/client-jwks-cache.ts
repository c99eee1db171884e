/**
 * Per-client JWK Sets for private_key_jwt, owned by one provider instance:
 * inline `jwks` become a local set, `jwksUri` a remote set that jose caches
 * (10 minutes) and refetches at most every 30 s on an unknown kid. Remote
 * sets are fetched through the shared outbound client (src/net): time and
 * size limits, no redirects, and the address rules of the client's policy.
 */
import { createLocalJWKSet, createRemoteJWKSet, customFetch, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Client } from '../model/types.js';
import { createOutboundFetch, DEFAULT_MAX_BYTES, readLimited, trustedPolicy, type OutboundPolicy, type OutboundSettings } from '../net/index.js';

/** Remote JWKS cache options (jose `createRemoteJWKSet`). Milliseconds. */
export const REMOTE_JWKS_OPTIONS = { cacheMaxAge: 600_000, cooldownDuration: 30_000, timeoutDuration: 5_000 };

export interface ClientJwksCache {
  /** The key resolver for a client; undefined when the client has neither jwks nor jwksUri. Throws on an invalid inline JWKS. */
  get(client: Client): JWTVerifyGetKey | undefined;
}

export interface ClientJwksCacheOptions {
  /** The configured `outbound` limits (timeout, maxBytes). */
  outbound?: OutboundSettings;
  /**
   * The outbound policy for a client's jwksUri. Default: trusted (configured
   * clients' URIs are the operator's); dynamically registered clients get the
   * strict policy (`strictPolicy(outbound)`).
   */
  policyFor?: (client: Client) => OutboundPolicy;
}

/** A jose customFetch that goes through the outbound client and hands jose the size-checked body. */
function jwksFetch(policy: OutboundPolicy) {
  const fetchOut = createOutboundFetch(policy);
  return async (url: string, init: { headers: Headers; signal: AbortSignal }): Promise<Response> => {
    const res = await fetchOut(url, { headers: init.headers, signal: init.signal });
    const body = await readLimited(res, policy.maxBytes ?? DEFAULT_MAX_BYTES, init.signal);
    return new Response(res.status === 204 || res.status === 205 ? null : body, { status: res.status, headers: res.headers });
  };
}

/**
 * A cache keyed by client id. An entry is rebuilt when the client's key
 * source changes (a reloaded configuration yields new `jwks` objects or a new
 * URI), so stale keys do not linger.
 *
 * @example
 * const cache = createClientJwksCache({ outbound: config.outbound });
 * await jwtVerify(assertion, cache.get(client)!, options);
 */
export function createClientJwksCache(options: ClientJwksCacheOptions = {}): ClientJwksCache {
  const policyFor = options.policyFor ?? (() => trustedPolicy(options.outbound));
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
      let keys: JWTVerifyGetKey;
      if (typeof source === 'string') {
        const policy = policyFor(client);
        keys = createRemoteJWKSet(new URL(source), {
          ...REMOTE_JWKS_OPTIONS,
          ...(policy.timeoutMs !== undefined ? { timeoutDuration: policy.timeoutMs } : {}),
          [customFetch]: jwksFetch(policy),
        });
      } else {
        keys = createLocalJWKSet(source as JSONWebKeySet);
      }
      entries.set(client.clientId, { source, keys });
      return keys;
    },
  };
}
