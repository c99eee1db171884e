/**
 * Grant-family revocation: marking a JWT access token or a whole grant family
 * revoked, finding what a family issued, and the check a redemption makes
 * when a revocation raced it (RFC 6749 §4.1.2 and §10.5, RFC 7009 §2.1,
 * RFC 9700 §4.14.2). Used by the grants, the revocation endpoint and logout.
 */
import { createHash } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import { InvalidGrant } from '../errors.js';
import type { RefreshTokenRecord } from '../stores/typed/index.js';

/** Seconds a revoked_jti record outlives the token it revokes (clock skew at resource servers). */
const REVOKED_JTI_SLACK = 60;
/** Seconds a revoked_grant marker lives: longer than any redemption still in flight. */
const REVOKED_GRANT_MARKER = 300;

/**
 * The jti of the access token issued when a stored record (an authorization
 * code) is redeemed: base64url SHA-256 over a label and the record's storage
 * id, cut to 22 characters (132 bits, as long as a random jti). Each record is
 * redeemed at most once (atomic consume), so the jti is unique; and a replay
 * can recompute it to revoke that token without the redemption storing it.
 * The storage id is itself a hash of the handle, so the jti reveals nothing usable.
 *
 * @example
 * const jti = derivedJti('authorization_code', codeRecord.id);
 */
export function derivedJti(label: string, recordId: string): string {
  return createHash('sha256').update(`gatehouse.jti\u0000${label}\u0000${recordId}`).digest('base64url').slice(0, 22);
}

/** Marks a JWT access token revoked so introspection (lookupToken) reports it inactive. */
export async function revokeJwtAccessToken(ctx: ProviderContext, jti: string, exp: number, clientId?: string): Promise<void> {
  const now = ctx.clock.now();
  if (exp + REVOKED_JTI_SLACK <= now) return;
  await ctx.stores.revocations.revokeJti(jti, clientId, now, exp + REVOKED_JTI_SLACK);
}

/**
 * Marks a grant family revoked before its records are deleted. A redemption
 * that raced the revocation (it consumed the code or refresh token first, and
 * stores its new tokens after the deletion) checks the marker when done and
 * revokes what it issued: {@link grantRevokedMeanwhile}.
 */
export async function markGrantRevoked(ctx: ProviderContext, grantId: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.stores.revocations.revokeGrant(grantId, now, now + REVOKED_GRANT_MARKER);
}

/**
 * Revokes the JWT access tokens issued from what a user's grants with a
 * client have stored, or from one grant (family) of them: the one issued with
 * each refresh token (the code redemption's with the first), and the one of
 * each redeemed code record still stored (grants without refresh tokens).
 * Returns the refresh tokens found, for the caller to delete their families.
 *
 * @example
 * const tokens = await revokeIssuedJwts(ctx, rec.subjectId, rec.clientId, rec.grantId);
 */
export async function revokeIssuedJwts(ctx: ProviderContext, subjectId: string, clientId: string, grantId?: string): Promise<RefreshTokenRecord[]> {
  const filter = { subjectId, clientId, grantId };
  const tokens = await ctx.stores.refreshTokens.findMany(filter);
  const seen = new Set<string>();
  const revoke = async (jwt: { jti: string; exp: number } | undefined) => {
    if (!jwt || seen.has(jwt.jti)) return;
    seen.add(jwt.jti);
    await revokeJwtAccessToken(ctx, jwt.jti, jwt.exp, clientId);
  };
  for (const rec of tokens) await revoke(rec.payload.issuedJwt);
  const client = ctx.clients.find(clientId);
  if (client?.accessTokenType === 'jwt') {
    for (const code of await ctx.stores.codes.findMany(filter)) {
      // The redemption's access token lives at most one lifetime past the redemption.
      if (code.consumedAt !== undefined) await revoke({ jti: derivedJti('authorization_code', code.id), exp: code.consumedAt + client.accessTokenLifetime });
    }
  }
  return tokens;
}

/**
 * Called by a redemption after it stored everything: when the family was
 * revoked meanwhile, revokes what this redemption issued and answers invalid_grant.
 */
export async function grantRevokedMeanwhile(
  ctx: ProviderContext,
  grantId: string,
  jwt: { jti: string; exp: number } | undefined,
  clientId: string,
): Promise<void> {
  if (!(await ctx.stores.revocations.isGrantRevoked(grantId, ctx.clock.now()))) return;
  if (jwt) await revokeJwtAccessToken(ctx, jwt.jti, jwt.exp, clientId);
  await ctx.stores.grants.deleteFamily(grantId);
  throw new InvalidGrant('the grant was revoked because a token of it was used twice');
}
