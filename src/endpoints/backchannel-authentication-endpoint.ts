/**
 * OpenID Connect Client-Initiated Backchannel Authentication (CIBA) Core 1.0
 * §7: the backchannel authentication endpoint. A confidential client names a
 * user (a hint) and the scopes it wants; Gatehouse stores the request, tells
 * the user (the CibaNotifier; the request also shows on the home page) and
 * answers an auth_req_id that the client redeems at the token endpoint
 * (grants/ciba-grant.ts) once the user approved. docs/ciba.md.
 */
import type { ProviderContext } from '../context.js';
import { OAuthError } from '../errors.js';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import { ASSERTION_LIMIT } from '../client-auth/client-assertion.js';
import { clientAuthFailed } from '../client-auth/client-auth-failure.js';
import { raiseParameterProblem, type ParameterDeclaration, type ParameterRule } from '../core/parameters.js';
import { single, spaceList } from '../core/params.js';
import { noStoreJson, type InternalRequest, type InternalResponse } from '../core/types.js';
import { loggingCibaNotifier } from '../extensions/ciba.js';
import type { Client } from '../model/types.js';
import { validateScopes } from '../model/validate-scopes.js';
import type { CibaRequestRecord } from '../stores/typed/index.js';
import { handleId, newHandle } from '../tokens/handles.js';
import {
  acrValues,
  bindingMessage,
  checkCibaClient,
  checkNoRequestObject,
  checkOpenidScope,
  checkUserCode,
  HINT_TOKEN_LIMIT,
  hintedSubject,
  notificationToken,
  requestLifetime,
} from './backchannel-authentication-checks.js';

/** Parameters longer than `server.parameterLimit` may be (signed JWTs); the rest are single-valued (CIBA §7.1). */
const RULES: Record<string, ParameterRule> = {
  client_assertion: { maxLength: ASSERTION_LIMIT },
  id_token_hint: { maxLength: HINT_TOKEN_LIMIT },
  login_hint_token: { maxLength: HINT_TOKEN_LIMIT },
  request: { maxLength: HINT_TOKEN_LIMIT },
  resource: { repeated: true },
};

/** The endpoint's parameter declaration: form body only (§7.1: "HTTP POST ... application/x-www-form-urlencoded"). */
export function backchannelAuthenticationParameters(_req: InternalRequest, ctx: ProviderContext): ParameterDeclaration {
  return {
    from: 'body',
    queryRefused: 'backchannel authentication parameters must be sent in the request body',
    maxLength: ctx.config.server.parameterLimit,
    rules: RULES,
  };
}

/** §7.1: "the Client MUST authenticate to the Backchannel Authentication Endpoint" as at the token endpoint; confidential clients only. */
async function confidentialClient(req: InternalRequest, ctx: ProviderContext): Promise<Client> {
  const { client, method } = await authenticateClient(req, ctx, 'backchannelAuthentication');
  if (method === 'none' || client.isPublic) throw clientAuthFailed(`CIBA needs a confidential client; ${client.clientId} used ${method}`);
  return client;
}

/** The parsed and validated request, checks in the order of §7.1. */
async function validRequest(req: InternalRequest, ctx: ProviderContext, client: Client) {
  const body = req.body;
  checkCibaClient(client);
  checkNoRequestObject(body);
  const scopes = spaceList(single(body, 'scope', ctx.config.server.parameterLimit));
  checkOpenidScope(scopes);
  const resourceIndicators = body.get('resource') ?? [];
  const granted = validateScopes(ctx.resources, client, { requested: scopes, resourceIndicators });
  const token = notificationToken(body, client);
  const lifetime = requestLifetime(ctx, body, client);
  const message = bindingMessage(ctx, body);
  const acr = acrValues(body);
  const subjectId = await hintedSubject(ctx, body, client);
  await checkUserCode(ctx, body, client, subjectId);
  return { scopes: granted.scopes, resourceIndicators: [...resourceIndicators], token, lifetime, message, acr, subjectId };
}

/** Tells the user; a failing notifier is logged, the request stands (it also shows on the home page). */
async function notifyUser(ctx: ProviderContext, client: Client, rec: CibaRequestRecord): Promise<void> {
  const notifier = ctx.extensions.cibaNotifier ?? loggingCibaNotifier(ctx.logger);
  try {
    await notifier.notify({
      clientId: client.clientId,
      clientName: client.clientName ?? client.clientId,
      subjectId: rec.subjectId ?? '',
      scopes: rec.payload.scopes,
      bindingMessage: rec.payload.bindingMessage,
      acrValues: rec.payload.acrValues,
      expiresAt: rec.expiresAt,
      approvalUrl: `${ctx.issuer}${ctx.config.ui.basePath.replace(/\/$/, '')}/`,
    });
  } catch (err) {
    ctx.logger.error({ err, clientId: client.clientId }, 'CIBA notifier failed');
  }
}

export async function backchannelAuthenticationEndpoint(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  try {
    return await handleRequest(req, ctx);
  } catch (err) {
    if (err instanceof OAuthError) {
      const detail = { error: err.error, description: err.description };
      ctx.events({ type: 'backchannel_authentication_failed', clientId: req.clientId, requestId: req.requestId, detail });
    }
    throw err;
  }
}

async function handleRequest(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  raiseParameterProblem(req);
  const client = await confidentialClient(req, ctx);
  const r = await validRequest(req, ctx, client);
  const now = ctx.clock.now();
  // §7.3 auth_req_id: "MUST have sufficient entropy"; 256 random bits, stored as its hash only (ping mode aside).
  const authReqId = newHandle();
  const interval = ctx.config.ciba.interval;
  const endpoint = client.backchannelClientNotificationEndpoint;
  const rec: CibaRequestRecord = {
    kind: 'ciba_request',
    id: handleId(authReqId),
    clientId: client.clientId,
    subjectId: r.subjectId,
    createdAt: now,
    expiresAt: now + r.lifetime,
    payload: {
      type: 'request',
      scopes: r.scopes,
      resourceIndicators: r.resourceIndicators,
      acrValues: r.acr,
      bindingMessage: r.message,
      interval,
      ping: r.token !== undefined && endpoint ? { endpoint, token: r.token, authReqId } : undefined,
    },
  };
  await ctx.stores.cibaRequests.create(rec);
  ctx.events({ type: 'ciba_request_created', clientId: client.clientId, subjectId: r.subjectId, requestId: req.requestId });
  await notifyUser(ctx, client, rec);
  // §7.3: the acknowledgement.
  return noStoreJson({ auth_req_id: authReqId, expires_in: r.lifetime, interval });
}
