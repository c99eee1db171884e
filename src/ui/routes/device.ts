/**
 * The device verification page (RFC 8628 §3.3) at `{ui.basePath}/device`:
 * the user enters the code their device shows (or arrives with it from
 * `verification_uri_complete`), signs in and consents through the existing
 * login and consent pages, and lands on a done page; the device's next poll
 * gets its tokens (or access_denied).
 *
 * Sign-in and consent are the authorization flow's: a valid code starts an
 * authorization request of the device's client (always with consent, §5.4)
 * whose redirect URI is this page's callback. The callback takes the code
 * that request produced (single use), uses the user code (single use) and
 * records the decision on the device code. The request is bound to this
 * browser by a cookie holding its `state`, so a callback URL replayed in
 * another browser does nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { single } from '../../core/params.js';
import type { Route } from '../../core/router.js';
import type { InternalRequest, InternalResponse, SetCookie } from '../../core/types.js';
import { loadClient } from '../../extensions/client-store.js';
import type { AuthorizationRequest } from '../../model/authorization-request.js';
import type { Client } from '../../model/types.js';
import type { DeviceCodeRecord, UserCodeRecord } from '../../stores/typed/index.js';
import { handleId } from '../../tokens/handles.js';
import { formatUserCode, normalizeUserCode, userCodeId } from '../../tokens/user-code.js';
import { renderPage, type DeviceCodeError, type DevicePageProps } from '../index.js';
import { page, queryLocales, safeEqual, type PageKit } from './page-kit.js';

/** Starts the authorization flow for a request (AuthorizeFlow.proceed). */
export type StartFlow = (req: InternalRequest, client: Client, request: AuthorizationRequest) => Promise<InternalResponse>;

/** The browser's CSRF secret of the code form (double submit: the form carries a hash of it). */
const CSRF_COOKIE = 'gh.device';
/** The pending verification: `state` of the authorization request and the user code's id. */
const FLOW_COOKIE = 'gh.device.flow';
const csrfOf = (secret: string) => createHash('sha256').update(`device-csrf:${secret}`).digest('base64url');

type Found = { user: UserCodeRecord; device: DeviceCodeRecord; client: Client } | { error: DeviceCodeError };

export function deviceRoutes(kit: PageKit, start: StartFlow): [string, Route][] {
  const { ctx, base, templates } = kit;
  const path = `${base}/device`;
  const callbackUrl = `${ctx.issuer}${path}/callback`;
  // ui_locales travels in the URLs, so every page of the flow speaks the user's language.
  const withLocales = (url: string, locales: string | undefined) => (locales ? `${url}?ui_locales=${encodeURIComponent(locales)}` : url);
  const shape = () => ({ alphabet: ctx.config.deviceFlow.userCodeAlphabet, length: ctx.config.deviceFlow.userCodeLength });

  const render = (req: InternalRequest, props: Partial<DevicePageProps> & Pick<DevicePageProps, 'step'>, status = 200, cookies?: SetCookie[]) => {
    let secret = req.cookies[CSRF_COOKIE];
    const out = cookies ? [...cookies] : [];
    if (!secret || secret.length !== 43) {
      secret = randomBytes(32).toString('base64url');
      out.push({ name: CSRF_COOKIE, value: secret, path });
    }
    const locales = queryLocales(req);
    const html = renderPage('device', { ...kit.common(locales), action: withLocales(path, locales), csrfToken: csrfOf(secret), ...props }, templates);
    return page(html, status, [], out);
  };
  const retry = (req: InternalRequest, error: DeviceCodeError, userCode?: string, status = 400, cookies?: SetCookie[]) =>
    render(req, { step: 'enter', error, userCode }, status, cookies);

  /** The live user code and its device authorization, or why not. */
  async function find(normalized: string): Promise<Found> {
    const store = ctx.stores.deviceCodes;
    const now = ctx.clock.now();
    const user = await store.findUserCode(userCodeId(normalized));
    if (!user) return { error: 'invalid' };
    if (user.consumedAt !== undefined) return { error: 'used' };
    if (user.expiresAt <= now) return { error: 'expired' };
    const device = await store.find(user.payload.deviceCodeId);
    if (!device || device.expiresAt <= now) return { error: 'expired' };
    if (device.payload.decision || device.consumedAt !== undefined) return { error: 'used' };
    const client = await loadClient(ctx, device.clientId ?? '');
    if (!client?.enabled) return { error: 'invalid' };
    return { user, device, client };
  }

  const enter: Route = {
    methods: ['GET', 'POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      if (req.method === 'GET') {
        const given = single(req.query, 'user_code', 64);
        const normalized = given && normalizeUserCode(given, shape());
        return render(req, { step: 'enter', userCode: normalized ? formatUserCode(normalized) : given });
      }
      const typed = single(req.body, 'user_code', 64) ?? '';
      const secret = req.cookies[CSRF_COOKIE];
      const token = single(req.body, 'csrf', 128);
      if (!secret || !token || !safeEqual(token, csrfOf(secret))) return retry(req, 'csrf', typed, 403);
      // RFC 8628 §5.1: guesses at the user code are rate limited per client address.
      const wait = ctx.rateLimits ? await ctx.rateLimits.check('device-ip', req.ip, ctx.config.deviceFlow.verificationPerIp, path) : 0;
      if (wait > 0) {
        const res = render(req, { step: 'enter', error: 'rate_limited', retryAfter: wait, userCode: typed }, 429);
        res.headers['retry-after'] = String(wait);
        return res;
      }
      const normalized = normalizeUserCode(typed, shape());
      const found = normalized ? await find(normalized) : ({ error: 'invalid' } as const);
      if ('error' in found) return retry(req, found.error, typed);
      const { client, device, user } = found;
      req.clientId = client.clientId;
      const state = randomBytes(24).toString('base64url');
      const request: AuthorizationRequest = {
        clientId: client.clientId,
        redirectUri: withLocales(callbackUrl, queryLocales(req)),
        responseMode: 'query',
        state,
        scopes: device.payload.scopes,
        resourceIndicators: device.payload.resourceIndicators,
        // RFC 8628 §5.4: the user confirms every device authorization, even with a remembered consent.
        prompt: ['consent'],
        acrValues: [],
        uiLocales: queryLocales(req),
      };
      const res = await start(req, client, request);
      const flowCookie: SetCookie = { name: FLOW_COOKIE, value: `${state}.${user.id}`, path, maxAge: Math.max(1, device.expiresAt - ctx.clock.now()) };
      return { ...res, cookies: [...(res.cookies ?? []), flowCookie] };
    },
  };

  /** The authorization flow's answer: a code (approved) or an error (denied) for the pending verification. */
  const callback: Route = {
    methods: ['GET'],
    channel: 'html',
    async handle(req) {
      const [state, uid] = (req.cookies[FLOW_COOKIE] ?? '').split('.');
      const clear: SetCookie[] = [{ name: FLOW_COOKIE, value: '', path, maxAge: 0 }];
      const given = single(req.query, 'state', 128);
      if (!state || !uid || !given || !safeEqual(given, state)) return retry(req, 'restart', undefined, 400, clear);
      const store = ctx.stores.deviceCodes;
      const now = ctx.clock.now();
      const code = single(req.query, 'code', 512);
      // The code this flow issued: redeemed here, once; it never reaches the token endpoint.
      const issued = code ? await ctx.stores.codes.consume(handleId(code), now) : undefined;
      if (code && (!issued || issued.expiresAt <= now || issued.payload.redirectUri !== withLocales(callbackUrl, queryLocales(req)) || !issued.subjectId)) {
        return retry(req, 'restart', undefined, 400, clear);
      }
      if (!issued && single(req.query, 'error', 64) !== 'access_denied') return retry(req, 'restart', undefined, 400, clear);
      const user = await store.consumeUserCode(uid, now);
      if (!user) return retry(req, 'used', undefined, 400, clear);
      const device = await store.find(user.payload.deviceCodeId);
      if (!device || device.expiresAt <= now || user.expiresAt <= now) return retry(req, 'expired', undefined, 400, clear);
      if (issued && issued.clientId !== device.clientId) return retry(req, 'restart', undefined, 400, clear);
      const client = await loadClient(ctx, device.clientId ?? '');
      const view = { name: client?.clientName ?? device.clientId ?? '', logoUri: client?.logoUri, clientUri: client?.clientUri };
      if (!issued) {
        await store.decide(device, { approved: false });
        ctx.events({ type: 'device_authorization_denied', clientId: device.clientId, requestId: req.requestId });
        return render(req, { step: 'denied', client: view }, 200, clear);
      }
      const p = issued.payload;
      await store.decide(device, { approved: true, scopes: p.scopes, authTime: p.authTime, amr: p.amr, acr: p.acr }, issued.subjectId, issued.sessionId);
      ctx.events({ type: 'device_authorization_approved', clientId: device.clientId, subjectId: issued.subjectId, requestId: req.requestId });
      return render(req, { step: 'approved', client: view }, 200, clear);
    },
  };

  return [
    [path, enter],
    [`${path}/callback`, callback],
  ];
}
