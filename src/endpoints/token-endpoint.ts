/** RFC 6749 §3.2: the token endpoint dispatches to the registered grant handlers. */
import { authenticateClient } from '../client-auth/authenticate-client.js';
import { ASSERTION_LIMIT } from '../client-auth/client-assertion.js';
import { clientAuthFailed } from '../client-auth/client-auth-failure.js';
import type { ProviderContext } from '../context.js';
import { InvalidRequest, OAuthError, UnauthorizedClient, UnsupportedGrantType } from '../errors.js';
import { required } from '../core/params.js';
import type { InternalRequest, InternalResponse, Params } from '../core/types.js';

/** Parameters that may legitimately repeat (RFC 8707 §2 resource). */
const REPEATABLE = new Set(['resource']);
/** Parameters that may be longer than `server.parameterLimit` (signed JWTs). */
const LONG_PARAMETERS: ReadonlyMap<string, number> = new Map([
  ['client_assertion', ASSERTION_LIMIT],
  ['token', 8192],
]);

/**
 * Checks every body parameter of a token-style request before any is used:
 * no repeats except `repeatable` (RFC 6749 §3.2), and no value longer than
 * `server.parameterLimit` (DESIGN.md "Errors": every input has a length
 * limit), also for parameters the handler never reads.
 *
 * @example
 * checkBodyParameters(req.body, ctx, new Set(['resource']));
 */
export function checkBodyParameters(body: Params, ctx: ProviderContext, repeatable: ReadonlySet<string> = new Set()): void {
  const limit = ctx.config.server.parameterLimit;
  for (const [name, values] of body) {
    const shown = name.slice(0, 64);
    if (values.length > 1 && !repeatable.has(name)) throw new InvalidRequest(`parameter ${shown} must not be repeated`);
    const max = Math.max(limit, LONG_PARAMETERS.get(name) ?? 0);
    if (name.length > limit || values.some((v) => v.length > max)) throw new InvalidRequest(`parameter ${shown} is too long`);
  }
}

export async function tokenEndpoint(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  try {
    return await handleTokenRequest(req, ctx);
  } catch (err) {
    if (err instanceof OAuthError) {
      const grantType = req.body.get('grant_type')?.[0]?.slice(0, 100);
      ctx.events({ type: 'token_failed', clientId: req.clientId, grantType, error: err.error, description: err.description, requestId: req.requestId });
    }
    throw err;
  }
}

async function handleTokenRequest(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  if (req.query.size) throw new InvalidRequest('token request parameters must be sent in the request body');
  checkBodyParameters(req.body, ctx, REPEATABLE);
  const grantType = required(req.body, 'grant_type', 256);
  const auth = await authenticateClient(req, ctx, 'token');
  const { client } = auth;
  const grant = ctx.grants.get(grantType);
  if (!grant) throw new UnsupportedGrantType(`grant type ${grantType.slice(0, 100)} is not supported`);
  if (!client.grantTypeSet.has(grantType)) throw new UnauthorizedClient(`client is not allowed the grant type ${grantType}`);
  // RFC 6749 §4.4 and §5.2: such a grant needs an authenticated confidential client; `none` authenticates nothing.
  if (grant.requiresConfidentialClient && (auth.method === 'none' || client.isPublic)) {
    throw clientAuthFailed(`${grantType.slice(0, 100)} needs a confidential client; ${client.clientId} used ${auth.method}`);
  }
  return grant.handle(req, client, ctx, auth);
}
