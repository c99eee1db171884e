/**
 * OpenID Connect RP-Initiated Logout 1.0 §2 (minimal): ends the SSO session
 * and returns to a registered post_logout_redirect_uri, or shows the
 * signed-out page.
 */
import type { ProviderContext } from '../context.js';
import { InvalidRequest } from '../errors.js';
import { single } from '../http/params.js';
import type { InternalRequest, InternalResponse } from '../http/types.js';
import { matchesRegisteredUri } from '../interaction/redirect-uri.js';
import type { UiRoutes } from '../interaction/ui-routes.js';
import { currentSession, endSession } from '../sessions/session-service.js';
import { verifyIdTokenHint } from '../tokens/id-token-hint.js';

async function readHint(ctx: ProviderContext, hint: string | undefined): Promise<{ clientId?: string; sub?: string } | undefined> {
  if (!hint) return undefined;
  const claims = await verifyIdTokenHint(ctx, hint);
  if (!claims) throw new InvalidRequest('id_token_hint is not a valid ID token of this provider');
  return { clientId: claims.aud[0], sub: claims.sub };
}

export function endSessionEndpoint(ui: UiRoutes) {
  return async (req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> => {
    const p = req.method === 'POST' ? req.body : req.query;
    const hintToken = single(p, 'id_token_hint', 8192);
    const hint = await readHint(ctx, hintToken);
    const hinted = hint?.clientId;
    const clientId = single(p, 'client_id', 200) ?? hinted;
    if (hinted && clientId !== hinted) throw new InvalidRequest('client_id does not match id_token_hint');
    const redirect = single(p, 'post_logout_redirect_uri', 2048);
    const state = single(p, 'state', 2048);
    let target: string | undefined;
    if (redirect) {
      const client = clientId ? ctx.clients.find(clientId) : undefined;
      // §3: the URI must have been registered; exact match; never redirect to an unverified one.
      // Loopback literals match on any port (RFC 8252 §7.3, as for redirect_uri).
      if (!client || !client.enabled || !matchesRegisteredUri(client.postLogoutRedirectUris, redirect)) throw new InvalidRequest('post_logout_redirect_uri is not registered for this client');
      target = state ? `${redirect}${redirect.includes('?') ? '&' : '?'}state=${encodeURIComponent(state)}` : redirect;
    }
    // §2: without a hint naming the signed-in user, the OP asks the user before ending the session.
    const current = await currentSession(ctx, req);
    const confirmed = req.method === 'POST' && single(p, 'confirm', 8) === '1' && ui.sessionCsrfMatches(req, single(p, 'csrf', 128));
    if (current && hint?.sub !== current.subjectId && !confirmed) {
      const fields: Record<string, string> = {};
      if (redirect) fields.post_logout_redirect_uri = redirect;
      if (state) fields.state = state;
      if (clientId) fields.client_id = clientId;
      const locales = single(p, 'ui_locales', 128);
      if (locales) fields.ui_locales = locales;
      const client = clientId ? ctx.clients.find(clientId) : undefined;
      return ui.confirmLogout(req, ctx.endpoints.endSession, fields, client?.clientName ?? client?.clientId);
    }
    const { cookie, session } = await endSession(ctx, req);
    if (session) ctx.events({ type: 'user_logout', subjectId: session.subjectId, clientId });
    if (target) return { status: 303, headers: { location: target, 'cache-control': 'no-store' }, cookies: [cookie] };
    return ui.loggedOut(req, [cookie]);
  };
}
