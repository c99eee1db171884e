/** RFC 7009: token revocation. Unknown or foreign tokens are answered 200 too (§2.2). */
import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { ProviderContext } from '../context.js';
import { InvalidRequest } from '../errors.js';
import { required, single } from '../http/params.js';
import type { InternalRequest, InternalResponse } from '../http/types.js';
import { lookupToken } from '../tokens/lookup-token.js';
import { checkBodyParameters } from './token-endpoint.js';

const OK: InternalResponse = { status: 200, headers: { 'cache-control': 'no-store', 'content-length': '0' } };

export async function revocationEndpoint(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  if (req.query.size) throw new InvalidRequest('revocation parameters must be sent in the request body');
  checkBodyParameters(req.body, ctx);
  const { client } = await authenticateClient(req, ctx, 'revocation');
  const token = required(req.body, 'token', 8192);
  // §2.1: an invalid token_type_hint value is ignored; it only orders the search.
  const hint = single(req.body, 'token_type_hint', 64);
  const found = await lookupToken(ctx, token, hint);
  if (!found || found.claims.client_id !== client.clientId) return OK;
  const records = ctx.backend.records;
  if (found.type === 'refresh_token') {
    // §2.1: revoking a refresh token also revokes the access tokens of the same grant.
    if (found.record.grantId) await records.deleteByGrantId(found.record.grantId);
    await records.delete('refresh_token', found.record.id);
  } else if (found.format === 'reference') {
    await records.delete('reference_token', found.record.id);
  } else if (found.active && typeof found.claims.jti === 'string') {
    const now = ctx.clock.now();
    await records.put({
      kind: 'revoked_jti',
      id: found.claims.jti,
      clientId: client.clientId,
      createdAt: now,
      expiresAt: (found.claims.exp as number) + 60,
      payload: {},
    });
  }
  ctx.events({ type: 'token_revoked', clientId: client.clientId, detail: { token_type: found.type } });
  return OK;
}
