/**
 * The first step of an authorization request: a request object (`request`,
 * RFC 9101 §5.1), a pushed request (`request_uri` from the PAR endpoint, RFC
 * 9126 §4) or a request object by reference (an https `request_uri`, RFC 9101
 * §5.2) becomes the plain parameters the authorization checks read. Also
 * where the client's policy refuses plain parameters: PAR required (RFC 9126
 * §5), signed request objects required (RFC 9101 §10.5).
 *
 * A refusal here goes to the redirect_uri sent beside the request when that
 * one is registered for the client (outer-redirect.ts), else to the error
 * page: the redirect_uri inside a request object that failed is never used.
 */
import type { ProviderContext } from '../context.js';
import { InvalidClient, InvalidRequest, InvalidRequestUri, OAuthError, RequestNotSupported, RequestUriNotSupported } from '../errors.js';
import { single } from '../core/params.js';
import type { Params } from '../core/types.js';
import type { Client } from '../model/types.js';
import type { VerifiedRedirect } from '../model/authorization-request.js';
import { verifiedOuterRedirect } from './outer-redirect.js';
import { handleId } from '../tokens/handles.js';
import { fetchRequestObject, REQUEST_URI_LIMIT } from './fetch-request-uri.js';
import { REQUEST_OBJECT_LIMIT, signedRequestObjectRequired, verifyRequestObject, type VerifiedRequestObject } from './verify-request-object.js';

/** RFC 9126 §2.2: the request_uri form the PAR endpoint answers. */
export const PAR_REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** Must this client push its authorization requests (RFC 9126 §5)? */
export function parRequired(ctx: ProviderContext, client: Client): boolean {
  return client.requirePushedAuthorizationRequests || ctx.config.pushedAuthorization.required;
}

async function loadClient(ctx: ProviderContext, clientId: string): Promise<Client | undefined> {
  const client = ctx.clients.load ? await ctx.clients.load(clientId) : ctx.clients.find(clientId);
  return client?.enabled ? client : undefined;
}

/** RFC 9126 §4: the pushed request, once, unexpired, and only for the client that pushed it. */
async function pushedRequest(ctx: ProviderContext, client: Client, uri: string): Promise<VerifiedRequestObject> {
  const reference = uri.slice(PAR_REQUEST_URI_PREFIX.length);
  const now = ctx.clock.now();
  const record = reference ? await ctx.stores.pushedRequests.consume(handleId(reference), now) : undefined;
  if (!record) throw new InvalidRequestUri('request_uri is unknown or has already been used');
  if (record.expiresAt <= now) throw new InvalidRequestUri('request_uri has expired');
  if (record.clientId !== client.clientId) throw new InvalidRequestUri('request_uri was pushed by another client');
  return { params: new Map(Object.entries(record.payload.params)), signed: record.payload.signed };
}

/** A request_uri that is not a pushed request: an https request object by reference, when allowed. */
async function byReference(ctx: ProviderContext, client: Client, uri: string): Promise<VerifiedRequestObject> {
  if (!ctx.config.requestObjects.fetchByReference || !uri.startsWith('https://')) {
    throw new RequestUriNotSupported('request_uri must be one from the pushed authorization request endpoint');
  }
  if (!ctx.config.requestObjects.enabled) throw new RequestUriNotSupported('request objects are not supported');
  return verifyRequestObject(ctx, client, await fetchRequestObject(ctx, uri));
}

/** What the first step gives the authorization endpoint: the parameters, or the refusal and where it may be sent. */
export type ResolvedRequest = { params: Params } | { refused: OAuthError; redirect?: VerifiedRedirect };

/**
 * The parameters the authorization checks read. Without `request` and
 * `request_uri` they are `outer` itself (after the client's policy is
 * checked); otherwise only the request object's or the pushed request's
 * (RFC 9101 §6.3, RFC 9126 §4: other outer parameters are ignored).
 *
 * @example
 * const resolved = await resolveAuthorizationRequest(ctx, declaredSource(req, AUTHORIZE_PARAMETERS));
 * if ('params' in resolved) validate(resolved.params);
 */
export async function resolveAuthorizationRequest(ctx: ProviderContext, outer: Params): Promise<ResolvedRequest> {
  try {
    return { params: await resolve(ctx, outer) };
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    // Sent to the client only at the redirect_uri beside the request, when registered; else the error page.
    return { refused: err, redirect: await verifiedOuterRedirect(ctx, outer) };
  }
}

async function resolve(ctx: ProviderContext, outer: Params): Promise<Params> {
  const request = single(outer, 'request', REQUEST_OBJECT_LIMIT);
  const requestUri = single(outer, 'request_uri', REQUEST_URI_LIMIT);
  const clientId = single(outer, 'client_id', 200);
  if (request === undefined && requestUri === undefined) {
    // Plain parameters: the checks report a missing or unknown client themselves.
    const client = clientId === undefined ? undefined : await loadClient(ctx, clientId);
    if (client && parRequired(ctx, client)) throw new InvalidRequest('this client must use pushed authorization requests (RFC 9126)');
    if (client && signedRequestObjectRequired(ctx, client)) throw new InvalidRequest('this client must send a signed request object');
    return outer;
  }
  if (request !== undefined && requestUri !== undefined) throw new InvalidRequest('request and request_uri must not be used together');
  // RFC 9101 §5 and RFC 9126 §4: client_id is sent beside the request object or request_uri.
  if (clientId === undefined) throw new InvalidRequest('missing required parameter: client_id');
  const client = await loadClient(ctx, clientId);
  if (!client) throw new InvalidClient('unknown client or client not enabled');
  const pushed = requestUri?.startsWith(PAR_REQUEST_URI_PREFIX) ?? false;
  if (!pushed && parRequired(ctx, client)) throw new InvalidRequest('this client must use pushed authorization requests (RFC 9126)');
  let resolved: VerifiedRequestObject;
  if (requestUri !== undefined) {
    resolved = pushed ? await pushedRequest(ctx, client, requestUri) : await byReference(ctx, client, requestUri);
  } else {
    if (!ctx.config.requestObjects.enabled) throw new RequestNotSupported('request objects are not supported');
    resolved = await verifyRequestObject(ctx, client, request as string);
  }
  if (!resolved.signed && signedRequestObjectRequired(ctx, client)) throw new InvalidRequest('this client must send a signed request object');
  return resolved.params;
}
