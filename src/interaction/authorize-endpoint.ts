/**
 * The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2) and its resume
 * point after a login or consent page.
 */
import type { ProviderContext } from '../context.js';
import { InvalidRequest } from '../errors.js';
import { single } from '../http/params.js';
import type { InternalRequest, InternalResponse } from '../http/types.js';
import { authorizationErrorResponse } from './authorization-response.js';
import { RedirectableError, validateAuthorizationRequest } from './authorize-checks.js';
import type { AuthorizeFlow } from './authorize-flow.js';
import { loadInteraction } from './interaction-store.js';

export function authorizeEndpoint(flow: AuthorizeFlow) {
  return async (req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> => {
    // OIDC Core §3.1.2.1: GET uses the query, POST the form body.
    const params = req.method === 'POST' ? req.body : req.query;
    try {
      const { client, request } = await validateAuthorizationRequest(ctx, params);
      req.clientId = client.clientId;
      return await flow.proceed(req, client, request);
    } catch (e) {
      if (e instanceof RedirectableError) return authorizationErrorResponse(ctx, e.redirect, e.oauth);
      throw e; // shown on the error page
    }
  };
}

/** GET /connect/authorize/resume?id=...: continues an interaction bound to this browser. */
export function resumeEndpoint(flow: AuthorizeFlow) {
  return async (req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> => {
    const interaction = await loadInteraction(ctx, single(req.query, 'id', 64), req.cookies);
    if (!interaction) throw new InvalidRequest('this sign-in request has expired or belongs to another browser; start again from the application');
    const request = interaction.payload.request;
    const client = ctx.clients.find(request.clientId);
    if (!client || !client.enabled) throw new InvalidRequest('unknown client or client not enabled');
    req.clientId = client.clientId;
    return flow.proceed(req, client, request, interaction);
  };
}
