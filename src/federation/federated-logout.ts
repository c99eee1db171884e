/**
 * Ending the Gatehouse session also ends the upstream one (RP-Initiated
 * Logout 1.0 §2, with id_token_hint and post_logout_redirect_uri
 * `{issuer}/federation/NAME/signed-out`): a sign-out route is wrapped so that
 * when it signed the browser out and the browser signed in through a provider
 * that advertises an end_session_endpoint, its answer (the redirect back to
 * the client, or the signed-out page) is kept and the browser goes upstream
 * first; the signed-out route then gives the kept answer.
 */
import type { ProviderContext } from '../context.js';
import type { Route } from '../core/router.js';
import type { InternalResponse } from '../core/types.js';
import { SESSION_COOKIE } from '../sessions/session-service.js';
import type { Federation } from './federation-service.js';
import { FEDERATED_SESSION_COOKIE, signedOutUrl, type FederatedSession } from './federation-routes.js';
import { keep, recall } from './upstream-requests.js';

const signedOut = (res: InternalResponse) => res.cookies?.some((c) => c.name === SESSION_COOKIE && c.maxAge === 0) ?? false;

export function withUpstreamLogout(ctx: ProviderContext, fed: Federation, route: Route): Route {
  const handle = route.handle;
  if (!handle) return route;
  return {
    ...route,
    async handle(req, c) {
      const res = await handle(req, c);
      const handleValue = req.cookies[FEDERATED_SESSION_COOKIE];
      if (!handleValue || !signedOut(res)) return res;
      const cookies = [...(res.cookies ?? []), { name: FEDERATED_SESSION_COOKIE, value: '', maxAge: 0, path: '/' }];
      const session = await recall<FederatedSession>(ctx, 'session', handleValue, true);
      const p = session && (await fed.registry.find(session.provider));
      if (!session || !p) return { ...res, cookies };
      const body = typeof res.body === 'string' ? res.body : res.body ? new TextDecoder().decode(res.body) : undefined;
      const state = await keep(ctx, 'logout', { response: { status: res.status, headers: res.headers, body } }, ctx.config.federation.requestLifetime);
      const url = await fed.upstream.endSessionUrl(p, { idTokenHint: session.idToken, postLogoutRedirectUri: signedOutUrl(ctx, p.name), state });
      if (!url) return { ...res, cookies };
      return { status: 303, headers: { location: url.href, 'cache-control': 'no-store' }, cookies };
    },
  };
}
