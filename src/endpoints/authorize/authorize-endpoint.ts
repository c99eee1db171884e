/**
 * The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2) and its resume
 * point after a login or consent page.
 */
import type { ProviderContext } from '../../context.js';
import { InvalidRequest } from '../../errors.js';
import { single } from '../../core/params.js';
import { declaredSource, type ParameterDeclaration } from '../../core/parameters.js';
import type { InternalRequest, InternalResponse } from '../../core/types.js';
import { authorizationErrorResponse } from './authorization-response.js';
import { RedirectableError, validateAuthorizationRequest } from './authorize-checks.js';
import type { AuthorizeFlow, KnownSession } from './authorize-flow.js';
import type { Session } from '../../sessions/session-service.js';
import { resolveAuthorizationRequest } from '../../request-objects/resolve-authorization-request.js';
import { recordOutcome, type InteractionOutcome } from '../../interaction/interaction-api.js';
import { loadInteraction, type Interaction } from '../../interaction/interaction-store.js';

/**
 * What the authorize endpoint reads: GET the query, POST the form body (OIDC
 * Core §3.1.2.1); nothing may repeat but `resource` (RFC 8707 §2). Lengths
 * are checked per parameter by the checks (authorize-checks.ts).
 */
export const AUTHORIZE_PARAMETERS: ParameterDeclaration = { from: 'method', rules: { resource: { repeated: true } } };

export function authorizeEndpoint(flow: AuthorizeFlow) {
  return async (req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> => {
    // OIDC Core §3.1.2.1: GET uses the query, POST the form body.
    // RFC 9101 / RFC 9126: a request object or pushed request becomes plain parameters first.
    const resolved = await resolveAuthorizationRequest(ctx, declaredSource(req, AUTHORIZE_PARAMETERS));
    if ('refused' in resolved) {
      if (resolved.redirect) return authorizationErrorResponse(ctx, resolved.redirect, resolved.refused);
      throw resolved.refused; // shown on the error page
    }
    const { params } = resolved;
    try {
      const { client, request } = await validateAuthorizationRequest(ctx, params, req.parameterProblem);
      req.clientId = client.clientId;
      return await flow.proceed(req, client, request);
    } catch (e) {
      if (e instanceof RedirectableError) return authorizationErrorResponse(ctx, e.redirect, e.oauth);
      throw e; // shown on the error page
    }
  };
}

/** The interaction named by the request's `id` and bound to this browser; invalid_request otherwise. */
async function boundInteraction(ctx: ProviderContext, req: InternalRequest): Promise<Interaction> {
  const interaction = await loadInteraction(ctx, single(req.query, 'id', 64), req.cookies);
  if (!interaction) throw new InvalidRequest('this sign-in request has expired or belongs to another browser; start again from the application');
  return interaction;
}

async function proceedWith(
  flow: AuthorizeFlow,
  ctx: ProviderContext,
  req: InternalRequest,
  interaction: Interaction,
  known?: KnownSession,
): Promise<InternalResponse> {
  const request = interaction.payload.request;
  const client = ctx.clients.load ? await ctx.clients.load(request.clientId) : ctx.clients.find(request.clientId);
  if (!client || !client.enabled) throw new InvalidRequest('unknown client or client not enabled');
  req.clientId = client.clientId;
  return flow.proceed(req, client, request, interaction, known);
}

/** GET /connect/authorize/resume?id=...: continues an interaction bound to this browser (after a host app's page). */
export function resumeEndpoint(flow: AuthorizeFlow) {
  return async (req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> => proceedWith(flow, ctx, req, await boundInteraction(ctx, req));
}

/**
 * The built-in pages' POSTs (their URLs carry the interaction `id` too):
 * records the user's decision and continues the flow in the same request.
 * A page that already loaded the interaction and the session (loadPage)
 * hands them over, so neither is read twice. The interaction is stored
 * again only if the flow needs another page.
 */
export function continueFlow(flow: AuthorizeFlow, ctx: ProviderContext) {
  return async (
    req: InternalRequest,
    outcome: InteractionOutcome,
    loaded?: { interaction: Interaction; session: Session | undefined },
  ): Promise<InternalResponse> => {
    const interaction = loaded?.interaction ?? (await boundInteraction(ctx, req));
    recordOutcome(ctx, interaction, outcome);
    return proceedWith(flow, ctx, req, interaction, loaded && { session: loaded.session });
  };
}
