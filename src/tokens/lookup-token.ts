/**
 * Resolves a token presented to introspection or revocation: a JWT access
 * token (verified with our published keys), a reference access token or a
 * refresh token (looked up by the hash of the handle). Verified JWTs are
 * remembered per provider (verified-jwt-cache.ts), so a token presented again
 * costs no signature check.
 */
import { compactVerify, decodeProtectedHeader } from 'jose';
import type { ProviderContext } from '../context.js';
import type { StoredRecord } from '../stores/types.js';
import type { ReferenceTokenPayload } from './access-token.js';
import { isCompactJws } from './compact-jws.js';
import { handleId } from './handles.js';
import { verifiedJwtCache, type VerifiedJwt } from './verified-jwt-cache.js';
import type { RefreshTokenPayload } from './refresh-token-record.js';

export type FoundToken =
  | { type: 'access_token'; format: 'jwt'; claims: Record<string, unknown>; active: boolean }
  | { type: 'access_token'; format: 'reference'; claims: Record<string, unknown>; active: boolean; record: StoredRecord<ReferenceTokenPayload> }
  | { type: 'refresh_token'; claims: Record<string, unknown>; active: boolean; record: StoredRecord<RefreshTokenPayload> };

const decoder = new TextDecoder();

/** The verified claims of one of our JWT access tokens, or undefined when it is not one (or does not verify). */
async function verifyJwt(ctx: ProviderContext, token: string, now: number, hit: VerifiedJwt | undefined): Promise<Record<string, unknown> | undefined> {
  const cache = verifiedJwtCache(ctx);
  // A hit is the same token string we verified; the key must still be published (not removed by rotation).
  if (hit && ctx.keys.publicKey(hit.kid) === hit.key) return hit.claims;
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(token);
    if (header.typ !== 'at+jwt') return undefined;
    kid = header.kid;
  } catch {
    return undefined;
  }
  const key = kid ? ctx.keys.publicKey(kid) : undefined;
  if (!key || !kid) return undefined;
  let claims: Record<string, unknown>;
  try {
    const { payload } = await compactVerify(token, key);
    claims = JSON.parse(decoder.decode(payload)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (claims.iss !== ctx.issuer) return undefined;
  // Only successful verifications are remembered, until the token's exp.
  if (typeof claims.exp === 'number') cache.set(token, { claims, kid, key, exp: claims.exp }, now);
  return claims;
}

async function lookupJwt(ctx: ProviderContext, token: string, now: number, hit: VerifiedJwt | undefined): Promise<FoundToken | undefined> {
  const claims = await verifyJwt(ctx, token, now, hit);
  if (!claims) return undefined;
  const exp = typeof claims.exp === 'number' ? claims.exp : 0;
  const nbf = typeof claims.nbf === 'number' ? claims.nbf : 0;
  let active = exp > now && nbf <= now + 60;
  // Revocation is read from the shared store on every use, cached signature or not, so it
  // takes effect at once and on every node (RFC 7009 §2, RFC 7662 §2.2).
  if (active && typeof claims.jti === 'string') {
    active = !(await ctx.stores.revocations.isJtiRevoked(claims.jti));
  }
  return { type: 'access_token', format: 'jwt', claims, active };
}

async function lookupHandle(ctx: ProviderContext, token: string, now: number, hint?: string): Promise<FoundToken | undefined> {
  const id = handleId(token);
  const order = hint === 'refresh_token' ? (['refresh_token', 'reference_token'] as const) : (['reference_token', 'refresh_token'] as const);
  for (const kind of order) {
    if (kind === 'reference_token') {
      const rec = await ctx.stores.referenceTokens.find(id);
      if (rec) return { type: 'access_token', format: 'reference', claims: rec.payload.claims, active: rec.expiresAt > now, record: rec };
    } else {
      const rec = await ctx.stores.refreshTokens.find(id);
      if (rec) {
        const p = rec.payload;
        const claims: Record<string, unknown> = {
          iss: ctx.issuer,
          sub: rec.subjectId,
          client_id: rec.clientId,
          scope: p.scopes.join(' '),
          iat: rec.createdAt,
          exp: rec.expiresAt,
        };
        if (p.audiences.length) claims.aud = p.audiences.length === 1 ? p.audiences[0] : p.audiences;
        return { type: 'refresh_token', claims, active: rec.expiresAt > now && rec.consumedAt === undefined, record: rec };
      }
    }
  }
  return undefined;
}

/** Finds a token of any kind we issue; `hint` only orders the search (RFC 7009 §2.1, RFC 7662 §2.1). */
export async function lookupToken(ctx: ProviderContext, token: string, hint?: string): Promise<FoundToken | undefined> {
  const now = ctx.clock.now();
  // A token verified before is a JWT (the cache is keyed by the exact string, which passed
  // the canonical-form check then): no scan. Any other JWT must be canonical compact JWS.
  const hit = ctx.verifiedJwts.get(token, now);
  if (hit || isCompactJws(token)) return lookupJwt(ctx, token, now, hit);
  if (token.includes('.')) return undefined;
  if (token.length > 200) return undefined;
  return lookupHandle(ctx, token, now, hint);
}
