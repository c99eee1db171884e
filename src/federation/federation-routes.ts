/**
 * The federation gateway's routes, below `{issuer}/federation/NAME/`:
 * - `start` (GET): a fresh state, nonce and PKCE verifier, bound to this
 *   browser, then the redirect to the upstream's authorization endpoint;
 * - `callback` (GET, or POST for form_post): checks the state against the
 *   browser, redeems the code, validates the ID token, finds or provisions
 *   the local account and continues the pending authorization request;
 * - `signed-out` (GET): the upstream's post-logout redirect, back to where the
 *   local sign-out was going;
 * - `backchannel-logout` (POST): an upstream logout token ends the matching local sessions.
 * Every failure is a readable page (or an OAuth error for the back-channel), never a 5xx.
 */
import type { ProviderContext } from '../context.js';
import { single } from '../core/params.js';
import type { Route, RouteTable } from '../core/router.js';
import { jsonResponse, type InternalRequest, type InternalResponse, type SetCookie } from '../core/types.js';
import { AccessDenied, InvalidRequest, TemporarilyUnavailable, type OAuthError } from '../errors.js';
import { loadPage, type InteractionOutcome, type LoadedPage } from '../interaction/interaction-api.js';
import { endSessions } from '../sessions/session-admin.js';
import { linkTo, subjectFor } from './accounts.js';
import { clientOf, FEDERATION_PATH, type Federation } from './federation-service.js';
import type { ResolvedProvider } from './presets.js';
import { UpstreamFailure, type UpstreamIdentity } from './upstream-client.js';
import { verifyUpstreamLogoutToken, LogoutTokenError } from './upstream-logout-token.js';
import {
  beginUpstreamRequest,
  BROWSER_COOKIE,
  browserBinding,
  getKeyed,
  keep,
  putKeyed,
  recall,
  takeUpstreamRequest,
  type UpstreamRequest,
} from './upstream-requests.js';

/** The cookie naming the federated sign-in of this browser (for the upstream sign-out). */
export const FEDERATED_SESSION_COOKIE = 'gh.fed.session';

export interface FederatedSession {
  provider: string;
  issuer: string;
  subject: string;
  idToken?: string;
}

export interface FederationRouteDeps {
  continueFlow: (req: InternalRequest, outcome: InteractionOutcome, loaded?: Pick<LoadedPage, 'interaction' | 'session'>) => Promise<InternalResponse>;
  renderError: (err: OAuthError, req: InternalRequest) => InternalResponse;
  /** Where a link started from the account page returns (`/federation/accounts`). */
  accountsPath: string;
}

const ACTION = /^\/federation\/([a-z0-9][a-z0-9_-]{0,39})\/(start|callback|signed-out|backchannel-logout)$/;

const see = (location: string, cookies?: SetCookie[]): InternalResponse => ({ status: 303, headers: { location, 'cache-control': 'no-store' }, cookies });

/** Callback URL registered at the upstream: `{issuer}/federation/NAME/callback`. */
export const callbackUrl = (ctx: ProviderContext, name: string) => `${ctx.issuer}${FEDERATION_PATH}/${name}/callback`;
export const signedOutUrl = (ctx: ProviderContext, name: string) => `${ctx.issuer}${FEDERATION_PATH}/${name}/signed-out`;

function failurePage(ctx: ProviderContext, deps: FederationRouteDeps, req: InternalRequest, p: ResolvedProvider, f: UpstreamFailure): InternalResponse {
  ctx.events({ type: 'federation_upstream_failure', requestId: req.requestId, detail: { provider: p.name, reason: f.reason } });
  ctx.logger.warn({ provider: p.name, reason: f.reason, problem: f.message, requestId: req.requestId }, 'upstream sign-in failed');
  switch (f.reason) {
    case 'unreachable':
      return deps.renderError(new TemporarilyUnavailable(`${p.displayName} cannot be reached right now. Try again in a moment, or sign in another way.`), req);
    case 'upstream_error':
      if (f.upstreamError === 'access_denied') return deps.renderError(new AccessDenied(`The sign-in at ${p.displayName} was cancelled.`), req);
      return deps.renderError(new AccessDenied(`${p.displayName} refused the sign-in (${(f.upstreamError ?? 'error').slice(0, 64)}).`), req);
    case 'invalid_id_token':
      return deps.renderError(new AccessDenied(`The answer of ${p.displayName} could not be verified, so you were not signed in.`), req);
    default:
      return deps.renderError(new AccessDenied(`The answer of ${p.displayName} was not valid, so you were not signed in.`), req);
  }
}

/** The routes (a fallback for `/federation/NAME/...` paths, the providers being dynamic). */
export function federationRoutes(
  ctx: ProviderContext,
  fed: Federation,
  deps: FederationRouteDeps,
): { resolve(path: string): Route | undefined; routes: RouteTable } {
  const providerOf = async (req: InternalRequest): Promise<ResolvedProvider | undefined> => {
    const m = ACTION.exec(req.path);
    return m ? fed.registry.find(m[1]) : undefined;
  };
  const unknownProvider = (req: InternalRequest) => deps.renderError(new InvalidRequest('This sign-in method is not available.'), req);
  const expired = (req: InternalRequest) =>
    deps.renderError(
      new InvalidRequest('This sign-in request has expired or was started in another browser. Go back to the application and start again.'),
      req,
    );

  const start: Route = {
    methods: ['GET'],
    channel: 'html',
    async handle(req) {
      const p = await providerOf(req);
      if (!p) return unknownProvider(req);
      const id = single(req.query, 'id', 64) ?? '';
      const loaded = await loadPage(ctx, id, req.cookies);
      if (!loaded) return expired(req);
      const client = await clientOf(ctx, loaded.details.client.clientId);
      if (!client || !(await fed.providersFor(client)).some((x) => x.name === p.name)) return unknownProvider(req);
      const binding = browserBinding(ctx, req.cookies);
      const checks = await beginUpstreamRequest(ctx, { provider: p.name, intent: 'login', interactionId: id }, binding.value);
      const loginHint = single(req.query, 'login_hint', 256) ?? loaded.details.loginHint;
      try {
        const url = await fed.upstream.authorizationUrl(p, callbackUrl(ctx, p.name), checks, loginHint);
        return see(url.href, binding.cookie && [binding.cookie]);
      } catch (err) {
        return failurePage(ctx, deps, req, p, err instanceof UpstreamFailure ? err : new UpstreamFailure('unreachable', String(err)));
      }
    },
  };

  /** The callback's response parameters as a URL (query, or a form_post body) for openid-client. */
  const responseUrl = (req: InternalRequest, p: ResolvedProvider): URL => {
    const url = new URL(callbackUrl(ctx, p.name));
    const source = req.method === 'POST' ? req.body : req.query;
    for (const [k, values] of source) for (const v of values) url.searchParams.append(k, v.slice(0, 8192));
    return url;
  };

  const finishLogin = async (req: InternalRequest, p: ResolvedProvider, r: UpstreamRequest, identity: UpstreamIdentity): Promise<InternalResponse> => {
    const loaded = await loadPage(ctx, r.interactionId ?? '', req.cookies);
    if (!loaded) return expired(req);
    const { subjectId, created } = await subjectFor(ctx, fed.store, p, identity);
    ctx.events({
      type: 'user_login_success',
      username: `${p.name}:${identity.subject}`.slice(0, 256),
      subjectId,
      clientId: loaded.details.client.clientId,
      requestId: req.requestId,
      detail: { provider: p.name, provisioned: created },
    });
    const lifetime = ctx.config.authentication.rememberMeLifetime;
    const session: FederatedSession = { provider: p.name, issuer: identity.issuer, subject: identity.subject, idToken: identity.idToken };
    const handle = await keep(ctx, 'session', session, lifetime, subjectId);
    // Back-channel logout by upstream sid (§2.6 tokens may carry only sid).
    if (identity.sid) await putKeyed(ctx, `sid:${identity.issuer}:${identity.sid}`, { subjectId }, lifetime, subjectId);
    const res = await deps.continueFlow(req, { login: { subjectId, amr: ['fed'], acr: undefined } }, loaded);
    res.cookies = [...(res.cookies ?? []), { name: FEDERATED_SESSION_COOKIE, value: handle, httpOnly: true, sameSite: 'Lax', path: '/' }];
    return res;
  };

  const finishLink = async (req: InternalRequest, p: ResolvedProvider, r: UpstreamRequest, identity: UpstreamIdentity): Promise<InternalResponse> => {
    const outcome = await linkTo(ctx, fed.store, p, identity, r.linkSubject ?? '');
    if (outcome === 'linked_elsewhere') {
      return deps.renderError(new AccessDenied(`This ${p.displayName} account is already linked to another account.`), req);
    }
    ctx.events({ type: 'federation_account_linked', subjectId: r.linkSubject, requestId: req.requestId, detail: { provider: p.name } });
    return see(`${deps.accountsPath}?linked=${encodeURIComponent(p.name)}`);
  };

  const callback: Route = {
    methods: ['GET', 'POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const p = await providerOf(req);
      if (!p) return unknownProvider(req);
      const source = req.method === 'POST' ? req.body : req.query;
      const state = single(source, 'state', 256);
      if (!state) return deps.renderError(new InvalidRequest('The answer of the sign-in service has no state.'), req);
      const taken = await takeUpstreamRequest(ctx, state, req.cookies[BROWSER_COOKIE]);
      if (!taken.ok || taken.request.provider !== p.name) {
        ctx.events({
          type: 'federation_state_mismatch',
          requestId: req.requestId,
          detail: { provider: p.name, problem: taken.ok ? 'provider' : taken.problem },
        });
        return expired(req);
      }
      const r = taken.request;
      let identity: UpstreamIdentity;
      try {
        identity = await fed.upstream.complete(p, responseUrl(req, p), { state, nonce: r.nonce, codeVerifier: r.codeVerifier });
      } catch (err) {
        return failurePage(ctx, deps, req, p, err instanceof UpstreamFailure ? err : new UpstreamFailure('invalid_response', String(err)));
      }
      return r.intent === 'link' ? finishLink(req, p, r, identity) : finishLogin(req, p, r, identity);
    },
  };

  const signedOut: Route = {
    methods: ['GET'],
    channel: 'html',
    async handle(req) {
      const state = single(req.query, 'state', 128);
      const next = await recall<{ response: { status: number; headers: Record<string, string>; body?: string } }>(ctx, 'logout', state, true);
      if (!next) return see(`${ctx.config.ui.basePath.replace(/\/$/, '')}/`);
      return { ...next.response, headers: { ...next.response.headers } };
    },
  };

  const backchannel: Route = {
    methods: ['POST'],
    form: true,
    channel: 'json',
    async handle(req) {
      const p = await providerOf(req);
      if (!p) return jsonResponse({ error: 'invalid_request', error_description: 'unknown provider' }, 400);
      const token = single(req.body, 'logout_token', 16384);
      if (!token) return jsonResponse({ error: 'invalid_request', error_description: 'logout_token is required' }, 400);
      let claims;
      try {
        const config = await fed.upstream.configuration(p);
        claims = await verifyUpstreamLogoutToken(ctx, p, token, config.serverMetadata().jwks_uri, fed.fetchOut);
      } catch (err) {
        const msg = err instanceof LogoutTokenError ? err.message : 'the logout token could not be verified';
        return jsonResponse({ error: 'invalid_request', error_description: msg }, 400, { 'cache-control': 'no-store' });
      }
      // §2.7: the sessions of the upstream subject (sub), or of the upstream session (sid).
      const subjects = new Set<string>();
      if (claims.sub) {
        const link = await fed.store.findLink(claims.issuer, claims.sub);
        if (link) subjects.add(link.subjectId);
      }
      if (claims.sid) {
        const hit = await getKeyed<{ subjectId: string }>(ctx, `sid:${claims.issuer}:${claims.sid}`);
        if (hit) subjects.add(hit.subjectId);
      }
      // Ending them sends our own back-channel logout to their clients (sessions/).
      for (const subjectId of subjects) await endSessions(ctx, { subjectId });
      return { status: 200, headers: { 'cache-control': 'no-store' } };
    },
  };

  const byAction: Record<string, Route> = { start, callback, 'signed-out': signedOut, 'backchannel-logout': backchannel };
  return {
    resolve(path) {
      const m = ACTION.exec(path);
      return m ? byAction[m[2]] : undefined;
    },
    routes: new Map(),
  };
}
