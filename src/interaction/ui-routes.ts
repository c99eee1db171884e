/**
 * The built-in pages (login, consent, home, sign-out, error, assets). They
 * read an interaction through the interaction API (details, CSRF token), as a
 * host app's pages do, so a host app can replace them. Their POSTs record the
 * user's decision and continue the flow in the same request (ContinueFlow):
 * one redirect fewer than a host page, which ends with the API and the
 * resume endpoint.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import type { OAuthError } from '../errors.js';
import { single } from '../core/params.js';
import type { Route, RouteTable } from '../core/router.js';
import { pageCsp } from '../core/security-headers.js';
import type { InternalRequest, InternalResponse, SetCookie } from '../core/types.js';
import { currentSession, SESSION_COOKIE } from '../sessions/session-service.js';
import { signOutBrowser } from '../sessions/end-user-session.js';
import { clientsWithGrants, revokeClientGrant } from '../sessions/session-admin.js';
import { SIGNED_OUT_SCRIPT } from '../ui/signed-out-script.js';
import { pickLocale, renderPage, STYLESHEET, themeStylesheet, type PageTemplates, type ThemeView, type LoginError } from '../ui/index.js';
import type { InteractionApi, InteractionDetails, InteractionOutcome } from './interaction-api.js';

function page(html: string, status = 200, formOrigins: string[] = [], cookies?: SetCookie[]): InternalResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': pageCsp(formOrigins) },
    body: html,
    cookies,
  };
}

/**
 * ui_locales of a page request, read without throwing: the error page renders
 * for any input, so a repeated or oversized value (OIDC Core §3.1.2.1) is just ignored.
 */
function queryLocales(req: InternalRequest): string | undefined {
  const list = req.query.get('ui_locales');
  return list?.length === 1 && list[0]!.length <= 128 ? list[0] : undefined;
}

const see = (location: string, cookies?: SetCookie[]): InternalResponse => ({ status: 303, headers: { location, 'cache-control': 'no-store' }, cookies });

function asset(body: string, type = 'text/css; charset=utf-8'): Route {
  const bytes = new TextEncoder().encode(body);
  const res: InternalResponse = { status: 200, headers: { 'content-type': type, 'cache-control': 'public, max-age=3600' }, body: bytes };
  return { methods: ['GET'], staticResponse: () => res };
}

/** Anti-CSRF token of the home page's sign-out form: derived from the HttpOnly session cookie. */
const digest = (s: string) => createHash('sha256').update(s).digest();
const safeEqual = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));
const sessionCsrf = (req: InternalRequest) => createHash('sha256').update(`csrf:${req.cookies[SESSION_COOKIE] ?? ''}`).digest('base64url');

/** What the signed-out page shows besides the heading. */
export interface SignedOutView {
  /** Validated post_logout_redirect_uri with state appended. */
  postLogoutRedirectUri?: string;
  clientName?: string;
  /** Front-Channel Logout 1.0 §2: loaded in hidden iframes. */
  frontChannelUrls?: string[];
  uiLocales?: string;
}

/**
 * CSP of the signed-out page: as every page, plus the front-channel logout
 * origins as frame-src and our own script (which continues to the client).
 */
function signedOutCsp(frameUrls: readonly string[], nonce: string): string {
  const origins = [...new Set(frameUrls.map((u) => new URL(u).origin))];
  const csp = pageCsp([], nonce);
  return origins.length ? `${csp}; frame-src ${origins.join(' ')}` : csp;
}

export interface UiRoutes {
  routes: RouteTable;
  renderError(err: OAuthError, req: InternalRequest): InternalResponse;
  /** The signed-out page (with front-channel logout iframes). */
  loggedOut(req: InternalRequest, cookies: SetCookie[], view?: SignedOutView): InternalResponse;
  /** Asks the user to confirm a sign-out requested by an application. */
  confirmLogout(req: InternalRequest, action: string, fields: Record<string, string>, clientName?: string): InternalResponse;
  /** Checks the anti-CSRF token bound to the session cookie. */
  sessionCsrfMatches(req: InternalRequest, token: string | undefined): boolean;
}

/**
 * Records the user's decision on the interaction named by the request's `id`
 * query parameter and continues the authorization flow at once (authorize-endpoint.ts).
 */
export type ContinueFlow = (req: InternalRequest, outcome: InteractionOutcome) => Promise<InternalResponse>;

export function createUiRoutes(ctx: ProviderContext, api: InteractionApi, continueFlow: ContinueFlow, templates?: PageTemplates): UiRoutes {
  const ui = ctx.config.ui;
  const base = ui.basePath.replace(/\/$/, '');
  const theme: ThemeView = { productName: ui.productName, logoUrl: ui.logoUrl, hasTheme: Object.keys(ui.colors).length > 0, stylesheetUrl: ui.stylesheetUrl };
  const common = (locales?: string) => ({ locale: pickLocale(locales, ui.defaultLocale), theme, basePath: base });
  const client = (d: InteractionDetails) => ({ name: d.client.clientName, logoUri: d.client.logoUri, clientUri: d.client.clientUri });

  const renderError = (err: OAuthError, req: InternalRequest, status = 400): InternalResponse =>
    page(renderPage('error', { ...common(queryLocales(req)), error: err.error, description: err.description, requestId: req.requestId }, templates), err.status >= 500 ? err.status : status);

  const expired = (req: InternalRequest) =>
    page(renderPage('error', { ...common(), error: 'invalid_request', description: 'This sign-in request has expired or was started in another browser. Go back to the application and start again.', requestId: req.requestId }, templates), 400);

  const loginPage = (d: InteractionDetails, error?: LoginError, username?: string, retryAfter?: number, status = 200) =>
    page(
      renderPage('login', { ...common(d.uiLocales), action: `${base}/login?id=${d.id}`, cancelAction: `${base}/login/cancel?id=${d.id}`, csrfToken: d.csrfToken, username: username ?? d.loginHint, error, retryAfter, client: client(d) }, templates),
      status,
      [d.redirectOrigin],
    );

  const csrfOk = (req: InternalRequest, id: string) => api.verifyCsrf(id, req.cookies, single(req.body, 'csrf', 128));
  /** The same check against details already loaded for this request (saves a store read). */
  const formCsrfMatches = (req: InternalRequest, d: InteractionDetails) => {
    const token = single(req.body, 'csrf', 128);
    return token !== undefined && safeEqual(token, d.csrfToken);
  };
  const interactionId = (req: InternalRequest) => single(req.query, 'id', 64) ?? '';

  const routes: RouteTable = new Map();
  routes.set(`${base}/assets/gatehouse.css`, asset(STYLESHEET));
  routes.set(`${base}/assets/theme.css`, asset(themeStylesheet(ui.colors)));
  routes.set(`${base}/assets/signed-out.js`, asset(SIGNED_OUT_SCRIPT, 'text/javascript; charset=utf-8'));

  const loggedOut = (req: InternalRequest, cookies: SetCookie[], view: SignedOutView = {}): InternalResponse => {
    const frames = view.frontChannelUrls ?? [];
    const scriptNonce = randomBytes(16).toString('base64');
    const html = renderPage('loggedOut', { ...common(view.uiLocales ?? queryLocales(req)), postLogoutRedirectUri: view.postLogoutRedirectUri, clientName: view.clientName, frontChannelLogoutUris: frames, scriptNonce }, templates);
    const res = page(html, 200, [], cookies);
    res.headers['content-security-policy'] = signedOutCsp(frames, scriptNonce);
    return res;
  };

  routes.set(`${base}/login`, {
    methods: ['GET', 'POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const id = interactionId(req);
      const d = await api.details(id, req.cookies);
      if (!d) return expired(req);
      if (req.method === 'GET') return loginPage(d);
      const username = single(req.body, 'username', 256) ?? '';
      if (!formCsrfMatches(req, d)) return loginPage(d, 'csrf', username, undefined, 403);
      // Rate limits before any password hashing: a flood costs no CPU and locks no one else out.
      const wait = ctx.rateLimits ? await ctx.rateLimits.login(req.ip) : 0;
      const throttled = (seconds: number) => {
        const res = loginPage(d, 'locked_out', username, seconds, 429);
        res.headers['retry-after'] = String(seconds);
        return res;
      };
      if (wait > 0) return throttled(wait);
      const result = await ctx.users.login(username, single(req.body, 'password', 1024) ?? '', req.ip);
      const clientId = d.client.clientId;
      if (!result.ok) {
        // The username's ceiling across all addresses (counted by the user service, after its lockout).
        if (result.reason === 'rate_limited') return throttled(result.retryAfter ?? 1);
        ctx.events({ type: 'user_login_failure', username: username.slice(0, 256), reason: result.reason, clientId, requestId: req.requestId });
        return loginPage(d, result.reason, username, result.retryAfter, 400);
      }
      if (ctx.rateLimits) await ctx.rateLimits.loginSucceeded(req.ip, username);
      ctx.events({ type: 'user_login_success', username: result.user.username, subjectId: result.user.subjectId, clientId, requestId: req.requestId });
      return continueFlow(req, { login: { subjectId: result.user.subjectId, amr: ['pwd'], remember: single(req.body, 'remember', 8) === '1' } });
    },
  });

  routes.set(`${base}/login/cancel`, {
    methods: ['POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const id = interactionId(req);
      if (!(await csrfOk(req, id))) return expired(req);
      return continueFlow(req, { denied: true });
    },
  });

  routes.set(`${base}/consent`, {
    methods: ['GET', 'POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const id = interactionId(req);
      const d = await api.details(id, req.cookies);
      if (!d || !d.subjectId) return expired(req);
      if (req.method === 'POST') {
        if (!formCsrfMatches(req, d)) return expired(req);
        const decision = single(req.body, 'decision', 16);
        if (decision !== 'allow') return continueFlow(req, { denied: true });
        const scopes = (req.body.get('scope') ?? []).slice(0, 100);
        return continueFlow(req, { consent: { scopes, remember: single(req.body, 'remember', 8) === '1' } });
      }
      const user = await ctx.users.findBySubject(d.subjectId);
      const view = (s: (typeof d.identityScopes)[number]) => ({ ...s, checked: true });
      const allowRemember = ctx.clients.find(d.client.clientId)?.allowRememberConsent ?? false;
      const html = renderPage('consent', {
        ...common(d.uiLocales),
        action: `${base}/consent?id=${d.id}`,
        csrfToken: d.csrfToken,
        client: client(d),
        user: { name: String(user?.claims.name ?? user?.username ?? d.subjectId) },
        identityScopes: d.identityScopes.map(view),
        apiScopes: d.apiScopes.map(view),
        allowRemember,
      }, templates);
      return page(html, 200, [d.redirectOrigin]);
    },
  });

  const grantsOf = async (subjectId: string) =>
    (await clientsWithGrants(ctx, subjectId)).map((clientId) => ({ clientId, name: ctx.clients.find(clientId)?.clientName ?? clientId }));

  const home: Route = {
    methods: ['GET'],
    channel: 'html',
    async handle(req) {
      const session = await currentSession(ctx, req);
      const user = session ? await ctx.users.findBySubject(session.subjectId) : undefined;
      const view = user && {
        name: String(user.claims.name ?? user.username),
        username: user.username,
        subjectId: user.subjectId,
        claims: Object.entries(user.claims).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      };
      const grants = session ? await grantsOf(session.subjectId) : undefined;
      return page(renderPage('home', { ...common(queryLocales(req)), user: view, signOutAction: `${base}/logout`, csrfToken: sessionCsrf(req), grants, revokeAction: `${base}/grants/revoke` }, templates));
    },
  };
  routes.set(`${base}/`, home);
  routes.set(base || '/', home);
  if (base) routes.set('/', home);

  // The user revokes an application's access: its consent and tokens (IdentityServer's grants page).
  routes.set(`${base}/grants/revoke`, {
    methods: ['POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const token = single(req.body, 'csrf', 128);
      const session = await currentSession(ctx, req);
      const clientId = single(req.body, 'client_id', 200);
      if (session && clientId && token && safeEqual(token, sessionCsrf(req))) await revokeClientGrant(ctx, session.subjectId, clientId);
      return see(`${base}/`);
    },
  });

  routes.set(`${base}/logout`, {
    methods: ['POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const token = single(req.body, 'csrf', 128);
      if (!req.cookies[SESSION_COOKIE] || !token || !safeEqual(token, sessionCsrf(req))) return see(`${base}/`);
      const { cookies, ended } = await signOutBrowser(ctx, req);
      if (ended) ctx.events({ type: 'user_logout', subjectId: ended.subjectId, detail: { sid: ended.sid } });
      return loggedOut(req, cookies, { frontChannelUrls: ended?.frontChannelUrls });
    },
  });

  return {
    routes,
    renderError: (err, req) => renderError(err, req),
    loggedOut,
    // CSP form-action also covers the redirect after the POST: allow the (already validated) post-logout origin.
    confirmLogout: (req, action, fields, clientName) =>
      page(
        renderPage('logoutConfirm', { ...common(fields.ui_locales), action, csrfToken: sessionCsrf(req), fields, clientName, cancelUrl: `${base}/` }, templates),
        200,
        fields.post_logout_redirect_uri ? [new URL(fields.post_logout_redirect_uri).origin] : [],
      ),
    sessionCsrfMatches: (req, token) => Boolean(req.cookies[SESSION_COOKIE] && token && safeEqual(token, sessionCsrf(req))),
  };
}
