/**
 * A bounded cache of JWT access tokens whose signature this provider has
 * already verified, so a token presented again (userinfo, introspection)
 * skips the RSA/ECDSA verification. It caches only the outcome of a
 * successful verification; every use still checks expiry, that the signing
 * key is still published and the revocation store (see lookup-token.ts).
 */
import type { ProviderContext } from '../context.js';

/** Default number of entries: about 10-20 MB with typical access tokens. */
export const VERIFIED_JWT_CACHE_SIZE = 10_000;

export interface VerifiedJwt {
  /** The verified claim set (frozen: callers share it). */
  claims: Readonly<Record<string, unknown>>;
  /** kid of the key that verified it, and that key, to notice when it is no longer published. */
  kid: string;
  key: CryptoKey;
  /** The token's exp: the entry is dropped then. */
  exp: number;
}

export interface VerifiedJwtCache {
  /** The entry for exactly this token string, when present and not expired at `now`. */
  get(token: string, now: number): VerifiedJwt | undefined;
  /** Remembers a verified token (ignored when already expired); evicts the oldest entry when full. */
  set(token: string, entry: VerifiedJwt, now: number): void;
  readonly size: number;
}

/**
 * A FIFO-bounded map (a Map iterates in insertion order, so the first key is
 * the oldest entry). Keyed by the whole token string: a hit requires the
 * identical header, payload and signature that were verified.
 *
 * @example
 * const cache = createVerifiedJwtCache(1000);
 * cache.set(token, { claims, kid, key, exp: claims.exp }, now);
 * cache.get(token, now)?.claims.sub;
 */
export function createVerifiedJwtCache(maxEntries = VERIFIED_JWT_CACHE_SIZE): VerifiedJwtCache {
  const entries = new Map<string, VerifiedJwt>();
  return {
    get(token, now) {
      const entry = entries.get(token);
      if (entry && entry.exp <= now) {
        entries.delete(token);
        return undefined;
      }
      return entry;
    },
    set(token, entry, now) {
      if (maxEntries <= 0 || entry.exp <= now) return;
      if (entries.has(token)) entries.delete(token);
      else if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(token, { ...entry, claims: Object.freeze(entry.claims) });
    },
    get size() {
      return entries.size;
    },
  };
}

/** The cache of one provider instance (created by createGatehouse). */
export function verifiedJwtCache(ctx: ProviderContext): VerifiedJwtCache {
  return ctx.verifiedJwts;
}
