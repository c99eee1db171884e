/**
 * Reference tokens by RFC 7662 introspection. The API authenticates with
 * client_secret_basic (RFC 6749 §2.3.1). Answers are cached by the token's
 * SHA-256 for at most `cacheTtl` seconds and never past the token's `exp`
 * (RFC 7662 §4: a cached answer must not outlive the token); so a revoked
 * token is refused at the latest `cacheTtl` seconds after revocation. The
 * cache is bounded; concurrent requests for one token share one call.
 */
import { createHash } from 'node:crypto';
import { BoundedCache } from './bounded-cache.js';
import { fetchJsonObject, UpstreamError, type FetchLimits } from './outbound-fetch.js';
import { invalidToken } from './refusal.js';
import { checkClaims, type ClaimRules } from './token-claims.js';
import type { AccessTokenInfo, IntrospectionOptions } from './types.js';

type Answer = { active: false } | { active: true; claims: Record<string, unknown> };

export interface IntrospectorOptions {
  options: IntrospectionOptions;
  endpoint: () => Promise<string>;
  limits: FetchLimits;
  clock: () => number;
  cacheSize: number;
}

const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

export class Introspector {
  private readonly cache: BoundedCache<Answer>;
  private readonly pending = new Map<string, Promise<Answer>>();
  private readonly ttl: number;
  /** Number of introspection calls so far. */
  calls = 0;

  constructor(private readonly o: IntrospectorOptions) {
    this.cache = new BoundedCache(o.cacheSize);
    this.ttl = o.options.cacheTtl ?? 60;
  }

  /** Validates a token by introspection; `format` says how it was presented. */
  async verify(token: string, rules: ClaimRules, format: 'jwt' | 'reference'): Promise<Omit<AccessTokenInfo, 'scheme'>> {
    const answer = await this.answer(token);
    if (!answer.active) throw invalidToken('the token is not active');
    // RFC 7662 §2.2: iss is optional; the answer comes from the configured issuer's endpoint.
    const c: Record<string, unknown> = { iss: rules.issuer, ...answer.claims };
    // A refresh token is never accepted by an API (RFC 7662 §2.2 token_type).
    if (c.token_type !== undefined && (typeof c.token_type !== 'string' || !['bearer', 'dpop'].includes(c.token_type.toLowerCase()))) {
      throw invalidToken('the token is not an access token');
    }
    const info = checkClaims(c, rules, this.o.clock(), false);
    return { ...info, token, format };
  }

  private answer(token: string): Promise<Answer> {
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = this.cache.get(key, this.o.clock());
    if (cached) return Promise.resolve(cached);
    let p = this.pending.get(key);
    if (!p) {
      p = this.call(token).then((a) => {
        const now = this.o.clock();
        const exp = a.active && typeof a.claims.exp === 'number' ? a.claims.exp : Infinity;
        const until = Math.min(now + this.ttl, exp);
        if (until > now) this.cache.set(key, a, until);
        return a;
      });
      p.finally(() => this.pending.delete(key)).catch(() => undefined);
      this.pending.set(key, p);
    }
    return p;
  }

  private async call(token: string): Promise<Answer> {
    this.calls++;
    const endpoint = await this.o.endpoint();
    const doc = await fetchJsonObject(this.o.limits, endpoint, {
      method: 'POST',
      headers: {
        authorization: basic(this.o.options.clientId, this.o.options.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    });
    if (typeof doc.active !== 'boolean') throw new UpstreamError(`${endpoint}: no active member`);
    return doc.active ? { active: true, claims: doc } : { active: false };
  }
}
