/**
 * The issuer's signing keys: the JWKS is fetched on first use, again when it
 * is older than `maxAge`, and again when a token names a `kid` it does not
 * hold (key rotation), at most once per `refetchInterval` so tokens with
 * made-up key ids cannot make the API hammer the authorization server.
 * Concurrent callers share one fetch. A failed refresh keeps the old keys.
 */
import { importJWK, type JWK } from 'jose';
import { fetchJsonObject, UpstreamError, type FetchLimits } from './outbound-fetch.js';
import { invalidToken } from './refusal.js';
import type { JwsAlgorithm } from './types.js';

export interface JwksSourceOptions {
  uri: () => Promise<string>;
  limits: FetchLimits;
  clock: () => number;
  maxAge: number;
  refetchInterval: number;
}

/** kty and curve each algorithm needs (RFC 7518 §3, RFC 8037 §3.1). */
function keyFits(jwk: JWK, alg: JwsAlgorithm): boolean {
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return false;
  if (alg.startsWith('RS') || alg.startsWith('PS')) return jwk.kty === 'RSA';
  if (alg === 'ES256') return jwk.kty === 'EC' && jwk.crv === 'P-256';
  if (alg === 'ES384') return jwk.kty === 'EC' && jwk.crv === 'P-384';
  if (alg === 'ES512') return jwk.kty === 'EC' && jwk.crv === 'P-521';
  return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
}

export class JwksSource {
  private keys: JWK[] = [];
  private fetchedAt = -Infinity;
  private pending?: Promise<void>;
  private lastLoadFailed = false;
  private imported = new Map<string, Promise<CryptoKey | Uint8Array>>();
  /** Number of JWKS fetches so far (tests and metrics). */
  fetches = 0;

  constructor(private readonly o: JwksSourceOptions) {}

  /** The key for a JWS header, refetching the JWKS for an unknown kid when allowed. */
  async key(kid: string | undefined, alg: JwsAlgorithm): Promise<CryptoKey | Uint8Array> {
    const now = this.o.clock();
    // After a failed fetch, retry at most once a second.
    if (now - this.fetchedAt >= this.o.maxAge || (this.lastLoadFailed && now - this.fetchedAt >= 1)) await this.refresh(this.keys.length > 0);
    let jwk = this.find(kid, alg);
    if (!jwk && kid !== undefined && this.o.clock() - this.fetchedAt >= this.o.refetchInterval) {
      await this.refresh(true);
      jwk = this.find(kid, alg);
    }
    if (!jwk && this.lastLoadFailed) throw new UpstreamError('the issuer keys could not be fetched');
    if (!jwk) throw invalidToken(kid === undefined ? 'the token has no kid and the issuer has several keys' : 'the token is signed with an unknown key');
    const id = `${alg}|${JSON.stringify(jwk)}`;
    let key = this.imported.get(id);
    if (!key) {
      key = importJWK(jwk, alg);
      this.imported.set(id, key);
      key.catch(() => this.imported.delete(id));
    }
    try {
      return await key;
    } catch {
      throw invalidToken('the issuer key for this token cannot be used');
    }
  }

  private find(kid: string | undefined, alg: JwsAlgorithm): JWK | undefined {
    const fitting = this.keys.filter((k) => keyFits(k, alg) && (kid === undefined || k.kid === kid));
    return kid === undefined ? (fitting.length === 1 ? fitting[0] : undefined) : fitting[0];
  }

  /** Fetches the JWKS; with `tolerant`, a failure keeps the keys held so far. */
  private async refresh(tolerant: boolean): Promise<void> {
    this.pending ??= this.load()
      .then(
        () => void (this.lastLoadFailed = false),
        (err: unknown) => {
          this.lastLoadFailed = true;
          throw err;
        },
      )
      .finally(() => (this.pending = undefined));
    try {
      await this.pending;
    } catch (err) {
      if (!tolerant) throw err;
    }
  }

  private async load(): Promise<void> {
    // Counted as a fetch attempt even when it fails, so failures are rate-limited too.
    this.fetchedAt = this.o.clock();
    this.fetches++;
    const uri = await this.o.uri();
    const doc = await fetchJsonObject(this.o.limits, uri, { headers: { accept: 'application/jwk-set+json, application/json' } });
    if (!Array.isArray(doc.keys)) throw new UpstreamError(`${uri}: no keys array`);
    const keys = doc.keys.filter((k): k is JWK => typeof k === 'object' && k !== null && typeof (k as JWK).kty === 'string');
    this.keys = keys;
    const live = new Set(keys.map((k) => JSON.stringify(k)));
    for (const id of this.imported.keys()) if (!live.has(id.slice(id.indexOf('|') + 1))) this.imported.delete(id);
  }
}
