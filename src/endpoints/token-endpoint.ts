/** RFC 6749 §3.2: the token endpoint dispatches to the registered grant handlers. */
import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { ProviderContext } from '../context.js';
import { InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from '../errors.js';
import { required } from '../http/params.js';
import type { InternalRequest, InternalResponse } from '../http/types.js';

/** Parameters that may legitimately repeat (RFC 8707 §2 resource). */
const REPEATABLE = new Set(['resource']);

export async function tokenEndpoint(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  if (req.query.size) throw new InvalidRequest('token request parameters must be sent in the request body');
  // RFC 6749 §3.2: parameters MUST NOT be included more than once.
  for (const [name, values] of req.body) {
    if (values.length > 1 && !REPEATABLE.has(name)) throw new InvalidRequest(`parameter ${name.slice(0, 64)} must not be repeated`);
  }
  const grantType = required(req.body, 'grant_type', 256);
  const { client } = await authenticateClient(req, ctx, 'token');
  const grant = ctx.grants.get(grantType);
  if (!grant) throw new UnsupportedGrantType(`grant type ${grantType.slice(0, 100)} is not supported`);
  if (!client.grantTypeSet.has(grantType)) throw new UnauthorizedClient(`client is not allowed the grant type ${grantType}`);
  return grant.handle(req, client, ctx);
}
