/**
 * OpenID Connect Session Management 1.0 §3.2: the check_session_iframe.
 * A client page frames it and posts "client_id session_state"; the script
 * recomputes the session_state from the browser-state cookie and answers
 * "unchanged", "changed" (signed out or another session) or "error".
 *
 * Both responses are static. The page may be framed by any site (that is its
 * purpose; it reveals nothing but that answer), so it carries no
 * frame-ancestors and the dispatcher drops X-Frame-Options for it.
 */
import { cookieName } from '../core/cookies.js';
import type { Route } from '../core/router.js';
import type { InternalResponse } from '../core/types.js';
import { BROWSER_STATE_COOKIE } from '../sessions/browser-state.js';

/** The script, for the browser-state cookie's name in the browser (`__Host-` on https). */
const script = (cookie: string) => `(function () {
  var COOKIE = ${JSON.stringify(cookie)};
  function browserState() {
    var parts = document.cookie ? document.cookie.split(';') : [];
    for (var i = 0; i < parts.length; i++) {
      var kv = parts[i].trim();
      if (kv.indexOf(COOKIE + '=') === 0) return decodeURIComponent(kv.slice(COOKIE.length + 1));
    }
    return '';
  }
  function hex(buffer) {
    var bytes = new Uint8Array(buffer), out = '';
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return out;
  }
  window.addEventListener('message', function (e) {
    if (!e.source || typeof e.data !== 'string') return;
    function reply(answer) { e.source.postMessage(answer, e.origin); }
    var space = e.data.lastIndexOf(' ');
    var sessionState = e.data.slice(space + 1), dot = sessionState.lastIndexOf('.');
    if (space <= 0 || dot <= 0 || !(window.crypto && crypto.subtle)) return reply('error');
    var clientId = e.data.slice(0, space), salt = sessionState.slice(dot + 1);
    var state = browserState();
    if (!state) return reply('changed');
    var input = new TextEncoder().encode(clientId + ' ' + e.origin + ' ' + state + ' ' + salt);
    crypto.subtle.digest('SHA-256', input).then(function (digest) {
      reply(hex(digest) === sessionState.slice(0, dot) ? 'unchanged' : 'changed');
    }, function () { reply('error'); });
  });
})();
`;

function staticRoute(res: InternalResponse): Route {
  return { methods: ['GET'], staticResponse: () => res };
}

/**
 * The iframe page and its script, at `path` and `path + '.js'`; `secure`
 * (an https issuer) names the cookie as the browser has it.
 *
 * @example for (const [p, r] of checkSessionRoutes(PATHS.checkSession, ctx.issuer.startsWith('https:'))) routes.set(p, r);
 */
export function checkSessionRoutes(path: string, secure = false): [string, Route][] {
  const js = new TextEncoder().encode(script(cookieName(BROWSER_STATE_COOKIE, secure)));
  const html = new TextEncoder().encode(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>check session</title><script src="${path.slice(path.lastIndexOf('/') + 1)}.js"></script></head><body></body></html>`,
  );
  const csp = "default-src 'none'; script-src 'self'; base-uri 'none'; object-src 'none'";
  return [
    [
      path,
      staticRoute({
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=3600', 'content-security-policy': csp, 'x-frame-options': '' },
        body: html,
      }),
    ],
    [
      `${path}.js`,
      staticRoute({ status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' }, body: js }),
    ],
  ];
}
