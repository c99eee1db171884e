/** RFC 7009: token revocation. Unknown or foreign tokens are answered 200 too (§2.2). */
import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { ProviderContext } from '../context.js';
import { required, single } from '../core/params.js';
import type { InternalRequest, InternalResponse } from '../core/types.js';
import { lookupToken } from '../tokens/lookup-token.js';
import { markGrantRevoked, revokeIssuedJwts, revokeJwtAccessToken } from '../tokens/grant-revocation.js';
import { raiseParameterProblem } from '../core/parameters.js';

const OK: InternalResponse = { status: 200, headers: { 'cache-control': 'no-store', 'content-length': '0' } };

export async function revocationEndpoint(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  raiseParameterProblem(req);
  const { client } = await authenticateClient(req, ctx, 'revocation');
  const token = required(req.body, 'token', 8192);
  // §2.1: an invalid token_type_hint value is ignored; it only orders the search.
  const hint = single(req.body, 'token_type_hint', 64);
  const found = await lookupToken(ctx, token, hint);
  if (!found || found.claims.client_id !== client.clientId) return OK;
  if (found.type === 'refresh_token') {
    // §2.1: revoking a refresh token SHOULD also invalidate the access tokens of
    // the same grant: the family's refresh tokens, and its JWT access tokens
    // (marked revoked by jti; a rotation racing this sees the grant marker).
    const rec = found.record;
    if (rec.grantId) {
      await markGrantRevoked(ctx, rec.grantId);
      if (rec.subjectId) await revokeIssuedJwts(ctx, rec.subjectId, client.clientId, rec.grantId);
      await ctx.stores.grants.deleteFamily(rec.grantId);
    }
    await ctx.stores.refreshTokens.delete(rec.id);
  } else if (found.format === 'reference') {
    await ctx.stores.referenceTokens.delete(found.record.id);
  } else if (found.active && typeof found.claims.jti === 'string') {
    await revokeJwtAccessToken(ctx, found.claims.jti, found.claims.exp as number, client.clientId);
  }
  ctx.events({ type: 'token_revoked', clientId: client.clientId, detail: { token_type: found.type } });
  return OK;
}
