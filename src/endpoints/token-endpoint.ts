/** RFC 6749 §3.2: the token endpoint dispatches to the registered grant handlers. */
import { authenticateClient } from '../client-auth/authenticate-client.js';
import { ASSERTION_LIMIT } from '../client-auth/client-assertion.js';
import { clientAuthFailed } from '../client-auth/client-auth-failure.js';
import type { ProviderContext } from '../context.js';
import { OAuthError, UnauthorizedClient, UnsupportedGrantType } from '../errors.js';
import { required } from '../core/params.js';
import { raiseParameterProblem, rulesOf, type ParameterDeclaration, type ParameterRule } from '../core/parameters.js';
import type { InternalRequest, InternalResponse } from '../core/types.js';
import { tokenRequestDpop } from './token-dpop.js';
import { tokenRequestCertificate } from './token-mtls.js';

/**
 * Every token-style body parameter is checked before any is used: no
 * repeats but the declared ones (RFC 6749 §3.2), and no value longer than
 * `server.parameterLimit` (DESIGN.md "Errors": every input has a length
 * limit), also for parameters the handler never reads; signed JWTs may be
 * longer. The query must be empty.
 */
function bodyParameters(ctx: ProviderContext, queryRefused: string, rules: Record<string, ParameterRule>): ParameterDeclaration {
  return { from: 'body', queryRefused, maxLength: ctx.config.server.parameterLimit, rules };
}

/** Parameters that may be longer than `server.parameterLimit` (signed JWTs, tokens). */
const LONG: Record<string, ParameterRule> = { client_assertion: { maxLength: ASSERTION_LIMIT }, token: { maxLength: 8192 } };
/** The token endpoint's own: grant_type, and `resource` which any grant may repeat (RFC 8707 §2). */
const TOKEN_RULES: Record<string, ParameterRule> = { ...LONG, resource: { repeated: true }, grant_type: { required: true } };

/** The token endpoint's declaration: its own parameters and those the requested grant declares. */
export function tokenParameters(req: InternalRequest, ctx: ProviderContext): ParameterDeclaration {
  const grant = ctx.grants.get(req.body.get('grant_type')?.[0] ?? '');
  return bodyParameters(
    ctx,
    'token request parameters must be sent in the request body',
    grant ? { ...TOKEN_RULES, ...rulesOf(grant.parameters) } : TOKEN_RULES,
  );
}

/** The declaration of a token-style endpoint without grants (revocation, introspection). */
export function tokenStyleParameters(name: string): (req: InternalRequest, ctx: ProviderContext) => ParameterDeclaration {
  return (_req, ctx) => bodyParameters(ctx, `${name} parameters must be sent in the request body`, LONG);
}

export async function tokenEndpoint(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  try {
    return await handleTokenRequest(req, ctx);
  } catch (err) {
    // A poll that finds the user still deciding (CIBA §11, RFC 8628 §3.5) is the normal state, not a failure to report.
    if (err instanceof OAuthError && err.error !== 'authorization_pending') {
      const grantType = req.body.get('grant_type')?.[0]?.slice(0, 100);
      ctx.events({ type: 'token_failed', clientId: req.clientId, grantType, error: err.error, description: err.description, requestId: req.requestId });
    }
    throw err;
  }
}

async function handleTokenRequest(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  raiseParameterProblem(req);
  const grantType = required(req.body, 'grant_type', 256);
  const auth = await authenticateClient(req, ctx, 'token');
  const { client } = auth;
  const grant = ctx.grants.get(grantType);
  if (!grant) throw new UnsupportedGrantType(`grant type ${grantType.slice(0, 100)} is not supported`);
  // A hybrid client redeems its codes here too (IdentityServer's GrantTypes.Hybrid; docs/response-types.md).
  const allowed = client.grantTypeSet.has(grantType) || (grantType === 'authorization_code' && client.grantTypeSet.has('hybrid'));
  if (!allowed) throw new UnauthorizedClient(`client is not allowed the grant type ${grantType}`);
  // RFC 6749 §4.4 and §5.2: such a grant needs an authenticated confidential client; `none` authenticates nothing.
  if (grant.requiresConfidentialClient && (auth.method === 'none' || client.isPublic)) {
    throw clientAuthFailed(`${grantType.slice(0, 100)} needs a confidential client; ${client.clientId} used ${auth.method}`);
  }
  // RFC 9449 §5: the DPoP proof, for every grant (endpoints/token-dpop.ts); sets req.dpopJkt.
  const dpop = await tokenRequestDpop(req, client, ctx);
  // RFC 8705 §3: certificate-bound tokens (endpoints/token-mtls.ts); sets req.certificateThumbprint.
  tokenRequestCertificate(req, auth, ctx);
  const response = await grant.handle(req, client, ctx, auth);
  if (dpop.headers) Object.assign(response.headers, dpop.headers);
  return response;
}
