/**
 * The pushed authorization request endpoint (RFC 9126): a client
 * authenticates as at the token endpoint, pushes its authorization request
 * (plain parameters or a request object, RFC 9126 §3) and gets a single-use,
 * short-lived `request_uri` to send the browser to the authorization endpoint with.
 */
import { authenticateClient } from '../client-auth/authenticate-client.js';
import { ASSERTION_LIMIT } from '../client-auth/client-assertion.js';
import type { ProviderContext } from '../context.js';
import { InvalidRequest } from '../errors.js';
import { single } from '../core/params.js';
import { raiseParameterProblem, type ParameterDeclaration } from '../core/parameters.js';
import { noStoreJson, type InternalRequest, type InternalResponse, type Params } from '../core/types.js';
import { PAR_REQUEST_URI_PREFIX } from '../request-objects/resolve-authorization-request.js';
import { REQUEST_OBJECT_LIMIT, signedRequestObjectRequired, verifyRequestObject } from '../request-objects/verify-request-object.js';
import { handleId, newHandle } from '../tokens/handles.js';
import { RedirectableError, validateAuthorizationRequest } from './authorize/authorize-checks.js';
import { pushedRequestDpopJkt } from './par-dpop.js';

export const PAR_PATH = '/connect/par';

/** Client authentication parameters (RFC 6749 §2.3.1, RFC 7523 §2.2): not part of the authorization request. */
const CLIENT_AUTH_PARAMETERS = ['client_secret', 'client_assertion', 'client_assertion_type'];

/** Body only (RFC 9126 §2.1: POST, form-encoded); `resource` may repeat; request objects and assertions may be long. */
export function parParameters(_req: InternalRequest, ctx: ProviderContext): ParameterDeclaration {
  return {
    from: 'body',
    queryRefused: 'pushed authorization request parameters must be sent in the request body',
    maxLength: ctx.config.server.parameterLimit,
    rules: { resource: { repeated: true }, client_assertion: { maxLength: ASSERTION_LIMIT }, request: { maxLength: REQUEST_OBJECT_LIMIT } },
  };
}

/** The authorization request the client pushed, as parameters: the request object's (RFC 9126 §3) or the body's. */
async function pushedParameters(req: InternalRequest, ctx: ProviderContext, client: Parameters<typeof verifyRequestObject>[1]) {
  const request = single(req.body, 'request', REQUEST_OBJECT_LIMIT);
  if (request !== undefined) return verifyRequestObject(ctx, client, request);
  const params: Params = new Map([...req.body].filter(([name]) => !CLIENT_AUTH_PARAMETERS.includes(name)));
  params.set('client_id', [client.clientId]);
  return { params, signed: false };
}

/** POST /connect/par (RFC 9126 §2): 201 with `request_uri` and `expires_in`, or a token-style JSON error (§2.3). */
export async function parEndpoint(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  raiseParameterProblem(req);
  const { client } = await authenticateClient(req, ctx, 'token');
  // RFC 9126 §2.1: request_uri must not be pushed.
  if (req.body.has('request_uri')) throw new InvalidRequest('request_uri must not be sent to the pushed authorization request endpoint');
  const { params, signed } = await pushedParameters(req, ctx, client);
  // RFC 9126 §2.3 with RFC 9101 §10.5: a client that must sign its requests pushes a signed request object.
  if (!signed && signedRequestObjectRequired(ctx, client)) throw new InvalidRequest('this client must push a signed request object');
  let request;
  try {
    // RFC 9126 §2.1: validated as the authorization endpoint would, as far as it can without the user.
    ({ request } = await validateAuthorizationRequest(ctx, params));
  } catch (e) {
    // §2.3: every error is answered to the client here, none redirected.
    if (e instanceof RedirectableError) throw e.oauth;
    throw e;
  }
  // RFC 9449 §10.1: a DPoP proof sent with the push binds the code to its key, as dpop_jkt would at the authorization endpoint.
  const jkt = await pushedRequestDpopJkt(req, ctx, client, `${ctx.issuer}${PAR_PATH}`, request.dpopJkt);
  if (jkt !== undefined) params.set('dpop_jkt', [jkt]);
  const reference = newHandle();
  const now = ctx.clock.now();
  const lifetime = ctx.config.pushedAuthorization.lifetime;
  await ctx.stores.pushedRequests.push({
    kind: 'pushed_authorization_request',
    id: handleId(reference),
    clientId: client.clientId,
    createdAt: now,
    expiresAt: now + lifetime,
    payload: { params: Object.fromEntries(params), signed },
  });
  return noStoreJson({ request_uri: PAR_REQUEST_URI_PREFIX + reference, expires_in: lifetime }, 201);
}
