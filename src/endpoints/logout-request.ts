/**
 * OpenID Connect RP-Initiated Logout 1.0 §2 and §3: reads and checks the
 * parameters of a logout request. Every failure is an `invalid_request`
 * shown on the error page: nothing here is ever redirected to an unverified URI.
 */
import type { ProviderContext } from '../context.js';
import { InvalidRequest } from '../errors.js';
import { single } from '../core/params.js';
import type { Params } from '../core/types.js';
import type { Client } from '../model/types.js';
import { verifyIdTokenHint } from '../tokens/id-token-hint.js';

export interface LogoutRequest {
  /** The client the request is for: from client_id and/or the id_token_hint's audience. */
  client?: Client;
  /** From a verified id_token_hint: the user and session it was issued in. */
  hint?: { sub: string; sid?: string };
  /** The validated post_logout_redirect_uri with state appended. */
  target?: string;
  postLogoutRedirectUri?: string;
  state?: string;
  uiLocales?: string;
  logoutHint?: string;
}

async function knownClient(ctx: ProviderContext, clientId: string): Promise<Client> {
  const client = ctx.clients.load ? await ctx.clients.load(clientId) : ctx.clients.find(clientId);
  if (!client || !client.enabled) throw new InvalidRequest('client_id is not a known client');
  return client;
}

/**
 * Parses the request (query for GET, form body for POST).
 *
 * @example
 * const request = await readLogoutRequest(ctx, req.method === 'POST' ? req.body : req.query);
 */
export async function readLogoutRequest(ctx: ProviderContext, p: Params): Promise<LogoutRequest> {
  const out: LogoutRequest = {
    postLogoutRedirectUri: single(p, 'post_logout_redirect_uri', 2048),
    state: single(p, 'state', 2048),
    uiLocales: single(p, 'ui_locales', 128),
    logoutHint: single(p, 'logout_hint', 512),
  };
  const clientId = single(p, 'client_id', 200);
  if (clientId !== undefined) out.client = await knownClient(ctx, clientId);

  const token = single(p, 'id_token_hint', 8192);
  if (token !== undefined) {
    // §2: the OP checks the hint was issued by it; expiry is no reason to refuse (verifyIdTokenHint ignores exp).
    const claims = await verifyIdTokenHint(ctx, token);
    if (!claims) throw new InvalidRequest('id_token_hint is not a valid ID token of this provider');
    const audience = claims.aud[0];
    // §2: with both, client_id must be the hint's audience.
    if (out.client && (claims.aud.length !== 1 || audience !== out.client.clientId)) throw new InvalidRequest('client_id does not match id_token_hint');
    if (!out.client) {
      if (claims.aud.length !== 1 || audience === undefined) throw new InvalidRequest('id_token_hint has no single audience');
      out.client = await knownClient(ctx, audience);
    }
    out.hint = { sub: claims.sub, sid: typeof claims.sid === 'string' ? claims.sid : undefined };
  }

  const redirect = out.postLogoutRedirectUri;
  if (redirect !== undefined) {
    // §3: only a URI registered for the client, compared exactly (loopback on any port, RFC 8252 §7.3).
    if (!out.client) throw new InvalidRequest('post_logout_redirect_uri needs client_id or id_token_hint');
    if (!(await ctx.extensions.redirectUris.isPostLogoutRedirectUriValid(redirect, out.client)))
      throw new InvalidRequest('post_logout_redirect_uri is not registered for this client');
    // §3: state goes back as a query parameter; the registered URI is kept as registered.
    out.target = out.state !== undefined ? `${redirect}${redirect.includes('?') ? '&' : '?'}state=${encodeURIComponent(out.state)}` : redirect;
  }
  return out;
}
