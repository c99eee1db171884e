/**
 * Sign-out: the home page's sign-out POST, the signed-out page (with
 * front-channel logout iframes) and the confirmation asked before a sign-out
 * an application requested (both shown by the end-session endpoint too).
 */
import { randomBytes } from 'node:crypto';
import { single } from '../../core/params.js';
import type { Route } from '../../core/router.js';
import { pageCsp } from '../../core/security-headers.js';
import type { LogoutPages } from '../../endpoints/end-session-endpoint.js';
import { SESSION_COOKIE } from '../../sessions/session-service.js';
import { signOutBrowser } from '../../sessions/end-user-session.js';
import { renderPage } from '../index.js';
import { page, queryLocales, safeEqual, see, sessionCsrf, type PageKit } from './page-kit.js';

export type { LogoutPages, SignedOutView } from '../../endpoints/end-session-endpoint.js';

/**
 * CSP of the signed-out page: as every page, plus the front-channel logout
 * origins as frame-src and our own script (which continues to the client).
 */
function signedOutCsp(frameUrls: readonly string[], nonce: string): string {
  const origins = [...new Set(frameUrls.map((u) => new URL(u).origin))];
  const csp = pageCsp([], nonce);
  return origins.length ? `${csp}; frame-src ${origins.join(' ')}` : csp;
}

export function logoutPages(kit: PageKit): LogoutPages {
  const { base, templates } = kit;
  return {
    loggedOut(req, cookies, view = {}) {
      const frames = view.frontChannelUrls ?? [];
      const scriptNonce = randomBytes(16).toString('base64');
      const html = renderPage(
        'loggedOut',
        {
          ...kit.common(view.uiLocales ?? queryLocales(req)),
          postLogoutRedirectUri: view.postLogoutRedirectUri,
          clientName: view.clientName,
          frontChannelLogoutUris: frames,
          scriptNonce,
        },
        templates,
      );
      const res = page(html, 200, [], cookies);
      res.headers['content-security-policy'] = signedOutCsp(frames, scriptNonce);
      return res;
    },
    // CSP form-action also covers the redirect after the POST: allow the (already validated) post-logout origin.
    confirmLogout: (req, action, fields, clientName) =>
      page(
        renderPage(
          'logoutConfirm',
          { ...kit.common(fields.ui_locales), action, csrfToken: sessionCsrf(req), fields, clientName, cancelUrl: `${base}/` },
          templates,
        ),
        200,
        fields.post_logout_redirect_uri ? [new URL(fields.post_logout_redirect_uri).origin] : [],
      ),
    sessionCsrfMatches: (req, token) => Boolean(req.cookies[SESSION_COOKIE] && token && safeEqual(token, sessionCsrf(req))),
  };
}

/** POST `${base}/logout`: the home page's sign-out button. */
export function logoutRoute(kit: PageKit, pages: LogoutPages): [string, Route] {
  const { ctx, base } = kit;
  const route: Route = {
    methods: ['POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const token = single(req.body, 'csrf', 128);
      if (!req.cookies[SESSION_COOKIE] || !token || !safeEqual(token, sessionCsrf(req))) return see(`${base}/`);
      const { cookies, ended } = await signOutBrowser(ctx, req);
      if (ended) ctx.events({ type: 'user_logout', subjectId: ended.subjectId, detail: { sid: ended.sid } });
      return pages.loggedOut(req, cookies, { frontChannelUrls: ended?.frontChannelUrls });
    },
  };
  return [`${base}/logout`, route];
}
