/**
 * RFC 7662: token introspection. Callers are API resources (name + apiSecret)
 * asking about tokens issued for them, or clients asking about their own tokens.
 */
import { authenticateResourceOrClient } from '../client-auth/authenticate-resource.js';
import type { ProviderContext } from '../context.js';
import { required, single } from '../core/params.js';
import type { InternalRequest, InternalResponse } from '../core/types.js';
import { lookupToken } from '../tokens/lookup-token.js';
import { raiseParameterProblem } from '../core/parameters.js';
import { introspectionResponder } from './introspection-jwt.js';
import { accessTokenType } from '../tokens/access-token.js';
import { CLAIMS_LOCALES_CLAIM, USERINFO_CLAIMS_CLAIM } from '../tokens/claims-request.js';
import { SEALED_SUBJECT_CLAIM, subjectFor } from '../tokens/pairwise.js';

/** Claims of our own tokens that are for this provider only (tokens/pairwise.ts, tokens/claims-request.ts). */
const INTERNAL = new Set(['typ', SEALED_SUBJECT_CLAIM, USERINFO_CLAIMS_CLAIM, CLAIMS_LOCALES_CLAIM]);

const INACTIVE = { active: false };
const CLAIMS = ['scope', 'client_id', 'sub', 'aud', 'iss', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'acr', 'sid'];

export async function introspectionEndpoint(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  raiseParameterProblem(req);
  const caller = await authenticateResourceOrClient(req, ctx, 'introspection');
  // JSON, or the RFC 9701 JWT when the caller's Accept asks for it.
  const respond = introspectionResponder(req, ctx, caller);
  const token = required(req.body, 'token', 8192);
  const hint = single(req.body, 'token_type_hint', 64);
  const found = await lookupToken(ctx, token, hint);
  if (!found || !found.active) return respond(INACTIVE);
  const c = found.claims;
  if (caller.kind === 'resource') {
    const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
    // Only tokens meant for this API, and only access tokens.
    if (found.type !== 'access_token' || !aud.includes(caller.resource.name)) return respond(INACTIVE);
  } else if (c.client_id !== caller.client.clientId) {
    return respond(INACTIVE);
  }
  // RFC 9449 §6.2: a DPoP-bound access token is `token_type` DPoP, with its `cnf` (copied below with the other claims).
  const out: Record<string, unknown> = { active: true, token_type: found.type === 'access_token' ? accessTokenType(c) : 'refresh_token' };
  for (const name of CLAIMS) if (c[name] !== undefined) out[name] = c[name];
  // OIDC Core §8: a refresh token's record keeps the local subject; its client sees the pairwise one (access tokens carry it already).
  const tokenClient = found.type === 'refresh_token' && typeof c.client_id === 'string' ? ctx.clients.find(c.client_id) : undefined;
  if (tokenClient && typeof c.sub === 'string') out.sub = subjectFor(ctx, tokenClient, c.sub);
  // RFC 7662 §2.2: other claims of the token (user claims of the API resource) may be included.
  if (found.type === 'access_token') for (const [k, v] of Object.entries(c)) if (!(k in out) && !INTERNAL.has(k)) out[k] = v;
  return respond(out);
}
