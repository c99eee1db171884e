/**
 * Linked external accounts of the signed-in user, as a small JSON API the
 * account pages call (same-origin, session cookie):
 * - GET  /federation/accounts: `{ links: [{ provider, issuer, subject, createdAt }], providers: [{ name, displayName }] }`
 * - POST /federation/accounts/unlink (provider, issuer, subject, csrf)
 * - POST /federation/accounts/link (provider, password, csrf): the local
 *   password is proven first (never an email match), then the upstream sign-in
 *   whose callback adds the link.
 * The anti-CSRF token is `csrf` of the GET answer (derived from the session cookie).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import { single } from '../core/params.js';
import type { Route, RouteTable } from '../core/router.js';
import { jsonResponse, type InternalRequest } from '../core/types.js';
import { currentSession, SESSION_COOKIE } from '../sessions/session-service.js';
import { callbackUrl } from './federation-routes.js';
import type { Federation } from './federation-service.js';
import { beginUpstreamRequest, browserBinding } from './upstream-requests.js';

export const ACCOUNTS_PATH = '/federation/accounts';

const csrfOf = (req: InternalRequest) =>
  createHash('sha256')
    .update(`fed-csrf:${req.cookies[SESSION_COOKIE] ?? ''}`)
    .digest('base64url');
const csrfOk = (req: InternalRequest) => {
  const t = single(req.body, 'csrf', 128);
  if (!t || !req.cookies[SESSION_COOKIE]) return false;
  const a = createHash('sha256').update(t).digest();
  const b = createHash('sha256').update(csrfOf(req)).digest();
  return timingSafeEqual(a, b);
};
const refuse = (status: number, error: string, description: string) =>
  jsonResponse({ error, error_description: description }, status, { 'cache-control': 'no-store' });

export function linkedAccountRoutes(ctx: ProviderContext, fed: Federation): RouteTable {
  const list: Route = {
    methods: ['GET'],
    channel: 'json',
    async handle(req) {
      const session = await currentSession(ctx, req);
      if (!session) return refuse(401, 'login_required', 'sign in first');
      const links = await fed.store.linksOf(session.subjectId);
      const providers = (await fed.registry.all()).map((p) => ({ name: p.name, displayName: p.displayName }));
      return jsonResponse(
        {
          links: links.map((l) => ({ provider: l.provider, issuer: l.issuer, subject: l.externalSubject, createdAt: l.createdAt })),
          providers,
          csrf: csrfOf(req),
        },
        200,
        { 'cache-control': 'no-store' },
      );
    },
  };
  const unlink: Route = {
    methods: ['POST'],
    form: true,
    channel: 'json',
    async handle(req) {
      const session = await currentSession(ctx, req);
      if (!session) return refuse(401, 'login_required', 'sign in first');
      if (!csrfOk(req)) return refuse(403, 'invalid_request', 'wrong or missing csrf token');
      const removed = await fed.store.removeLink(session.subjectId, single(req.body, 'issuer', 2000) ?? '', single(req.body, 'subject', 500) ?? '');
      if (!removed) return refuse(404, 'invalid_request', 'no such link');
      ctx.events({ type: 'federation_account_unlinked', subjectId: session.subjectId, requestId: req.requestId });
      return jsonResponse({ unlinked: true }, 200, { 'cache-control': 'no-store' });
    },
  };
  const link: Route = {
    methods: ['POST'],
    form: true,
    channel: 'json',
    async handle(req) {
      const session = await currentSession(ctx, req);
      if (!session) return refuse(401, 'login_required', 'sign in first');
      if (!csrfOk(req)) return refuse(403, 'invalid_request', 'wrong or missing csrf token');
      const p = await fed.registry.find(single(req.body, 'provider', 64) ?? '');
      if (!p) return refuse(400, 'invalid_request', 'unknown provider');
      // Proof of the local account: its password, through the login lockout like any attempt.
      const user = await ctx.users.findBySubject(session.subjectId);
      const result = user ? await ctx.users.login(user.username, single(req.body, 'password', 1024) ?? '', req.ip) : undefined;
      if (!result?.ok || result.user.subjectId !== session.subjectId) return refuse(403, 'access_denied', 'the password is not correct');
      const binding = browserBinding(ctx, req.cookies);
      const checks = await beginUpstreamRequest(ctx, { provider: p.name, intent: 'link', linkSubject: session.subjectId }, binding.value);
      const url = await fed.upstream.authorizationUrl(p, callbackUrl(ctx, p.name), checks);
      return { status: 303, headers: { location: url.href, 'cache-control': 'no-store' }, cookies: binding.cookie && [binding.cookie] };
    },
  };
  return new Map([
    [ACCOUNTS_PATH, list],
    [`${ACCOUNTS_PATH}/unlink`, unlink],
    [`${ACCOUNTS_PATH}/link`, link],
  ]);
}
