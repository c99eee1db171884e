/**
 * The second step of sign-in (docs/mfa.md): after a password (or on a
 * single-factor session that must step up), a TOTP code, a recovery code or
 * a passkey; TOTP set-up on the way for a user who must have a second factor
 * and has none; and passwordless sign-in with a discoverable passkey from the
 * login page. Failures count towards the login lockout (users/lockout.ts)
 * under the username and client address, like wrong passwords.
 */
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { single } from '../../core/params.js';
import type { Route } from '../../core/router.js';
import { pageCsp } from '../../core/security-headers.js';
import type { InternalRequest, InternalResponse, SetCookie } from '../../core/types.js';
import type { LoadedPage } from '../../interaction/interaction-api.js';
import { saveInteraction, type PendingSecondFactor } from '../../interaction/interaction-store.js';
import { hasSecondFactor } from '../../mfa/mfa-document.js';
import { acrAsksForMfa, acrOfSignIn, needsStepUp } from '../../mfa/mfa-policy.js';
import { authenticationOptions, parseCredentialJson } from '../../mfa/webauthn.js';
import { clearChallengeCookie, saveChallenge, takeChallenge } from '../../mfa/webauthn-challenges.js';
import type { Client } from '../../model/types.js';
import { renderSecondFactorPage, type SecondFactorError, type SecondFactorPageProps } from '../mfa-pages.js';
import { see, type PageKit } from './page-kit.js';

/** An HTML page whose scripts carry a fresh CSP nonce. */
export function scriptPage(render: (nonce: string) => string, status: number, formOrigins: string[], cookies?: SetCookie[]): InternalResponse {
  const nonce = randomBytes(16).toString('base64url');
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': pageCsp(formOrigins, nonce) },
    body: render(nonce),
    cookies,
  };
}

export const jsonResponse = (value: unknown, status = 200, cookies?: SetCookie[]): InternalResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(value),
  cookies,
});

const uniq = (xs: string[]) => [...new Set(xs)];

async function clientOf(kit: PageKit, clientId: string): Promise<Client | undefined> {
  return kit.ctx.clients.load ? kit.ctx.clients.load(clientId) : kit.ctx.clients.find(clientId);
}

/**
 * After a first factor: the second-factor page when the user has a second
 * factor or must have one (user, client or `acr_values`), else undefined
 * (the caller finishes the sign-in). A remembered device skips only the
 * user's own requirement.
 */
export async function secondFactorStep(
  kit: PageKit,
  req: InternalRequest,
  loaded: LoadedPage,
  pending: PendingSecondFactor,
): Promise<InternalResponse | undefined> {
  const { ctx, base } = kit;
  if (!ctx.mfa) return undefined;
  const doc = await ctx.mfa.document(pending.subjectId);
  const request = loaded.interaction.payload.request;
  const client = await clientOf(kit, request.clientId);
  const forClient = Boolean(client?.requireMfa) || acrAsksForMfa(ctx.config, request.acrValues);
  const forUser = hasSecondFactor(doc) || Boolean(doc.required);
  if (!forClient && !forUser) return undefined;
  if (!forClient && ctx.mfa.isRememberedDevice(doc, pending.subjectId, req.cookies)) return undefined;
  loaded.interaction.payload.mfaPending = pending;
  await saveInteraction(ctx, loaded.interaction);
  return see(`${base}/login/mfa?id=${loaded.details.id}`);
}

/** A signed-in session that must step up: the second-factor page for the session's user (login page GET). */
export async function stepUpStep(kit: PageKit, req: InternalRequest, loaded: LoadedPage): Promise<InternalResponse | undefined> {
  const { ctx } = kit;
  const session = loaded.session;
  const request = loaded.interaction.payload.request;
  if (!ctx.mfa || !session || request.prompt.includes('login') || request.maxAge !== undefined) return undefined;
  const client = await clientOf(kit, request.clientId);
  if (!client || !needsStepUp(ctx.config, client, request.acrValues, session.payload.amr)) return undefined;
  const user = await ctx.users.findBySubject(session.subjectId);
  if (!user) return undefined;
  return secondFactorStep(kit, req, loaded, {
    subjectId: user.subjectId,
    username: user.username,
    amr: session.payload.amr,
    remember: session.payload.remember ?? false,
  });
}

export function mfaLoginRoutes(kit: PageKit): [string, Route][] {
  const { ctx, base } = kit;

  const loadPending = async (req: InternalRequest) => {
    const loaded = await kit.load(req);
    const pending = loaded?.interaction.payload.mfaPending;
    return loaded && pending && ctx.mfa ? { loaded, pending, mfa: ctx.mfa } : undefined;
  };

  const render = async (
    req: InternalRequest,
    loaded: LoadedPage,
    pending: PendingSecondFactor,
    opts: { method?: string; error?: SecondFactorError; retryAfter?: number; status?: number } = {},
  ): Promise<InternalResponse> => {
    const mfa = ctx.mfa;
    if (!mfa) return kit.expired(req);
    const d = loaded.details;
    const doc = await mfa.document(pending.subjectId);
    const enrolled = hasSecondFactor(doc);
    const hasCodes = (doc.recoveryCodes?.length ?? 0) > 0;
    // A user with passkeys only is offered the passkey (and recovery codes, if any); the code form needs TOTP or codes.
    const method: SecondFactorPageProps['method'] = !enrolled ? 'setup' : opts.method === 'recovery' && hasCodes ? 'recovery' : doc.totp ? 'totp' : 'passkey';
    let setup: SecondFactorPageProps['setup'];
    if (method === 'setup') {
      const label = pending.username;
      const secret = (await mfa.pendingTotp(pending.subjectId, label)) ?? (await mfa.startTotp(pending.subjectId, label));
      setup = { secret: secret.secret, qrDataUrl: await QRCode.toDataURL(secret.uri, { margin: 1, width: 200 }) };
    }
    const url = `${base}/login/mfa?id=${d.id}`;
    const html = (nonce: string) =>
      renderSecondFactorPage({
        ...kit.common(d.uiLocales),
        method,
        action: url,
        csrfToken: d.csrfToken,
        error: opts.error,
        retryAfter: opts.retryAfter,
        totpHref: doc.totp ? url : undefined,
        recoveryHref: hasCodes ? `${url}&method=recovery` : undefined,
        passkey: doc.passkeys?.length
          ? { kind: 'authenticate', optionsUrl: `${base}/login/passkey/options?id=${d.id}`, action: `${base}/login/passkey?id=${d.id}` }
          : undefined,
        setup,
        offerRememberDevice: ctx.config.mfa.rememberDevice.enabled && method !== 'setup',
        scriptNonce: nonce,
        cancelAction: `${base}/login/cancel?id=${d.id}`,
      });
    return scriptPage(html, opts.status ?? 200, [d.redirectOrigin]);
  };

  /** Finishes the sign-in with the second factor's methods added. */
  const finish = async (req: InternalRequest, loaded: LoadedPage, pending: PendingSecondFactor, added: string[]): Promise<InternalResponse> => {
    const amr = uniq([...pending.amr, ...added]);
    delete loaded.interaction.payload.mfaPending;
    const cookies: SetCookie[] = [];
    if (ctx.mfa && ctx.config.mfa.rememberDevice.enabled && single(req.body, 'remember_device', 8) === '1')
      cookies.push(await ctx.mfa.rememberDevice(pending.subjectId));
    ctx.events({
      type: 'user_login_success',
      username: pending.username,
      subjectId: pending.subjectId,
      clientId: loaded.details.client.clientId,
      requestId: req.requestId,
    });
    const res = await kit.continueFlow(
      req,
      { login: { subjectId: pending.subjectId, amr, acr: acrOfSignIn(ctx.config, amr), remember: pending.remember } },
      loaded,
    );
    res.cookies = [...(res.cookies ?? []), ...cookies];
    return res;
  };

  /** A failed second factor: counted by the lockout; the page again, or the lockout's wait. */
  const failed = async (req: InternalRequest, loaded: LoadedPage, pending: PendingSecondFactor, error: SecondFactorError, method?: string) => {
    ctx.events({
      type: 'user_login_failure',
      username: pending.username,
      reason: `second_factor_${error}`,
      clientId: loaded.details.client.clientId,
      requestId: req.requestId,
    });
    const locked = await ctx.users.recordFailure(pending.username, req.ip);
    if (locked > 0) {
      const res = await render(req, loaded, pending, { method, error: 'locked_out', retryAfter: locked, status: 429 });
      res.headers['retry-after'] = String(locked);
      return res;
    }
    return render(req, loaded, pending, { method, error, status: 400 });
  };

  const secondFactor: Route = {
    methods: ['GET', 'POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const p = await loadPending(req);
      if (!p) return kit.expired(req);
      const { loaded, pending, mfa } = p;
      if (req.method === 'GET') return render(req, loaded, pending, { method: single(req.query, 'method', 16) });
      const method = single(req.body, 'method', 16) ?? 'totp';
      if (!kit.formCsrfMatches(req, loaded.details)) return render(req, loaded, pending, { method, error: 'csrf', status: 403 });
      const lockedFor = await ctx.users.lockedFor(pending.username, req.ip);
      if (lockedFor > 0) {
        const res = await render(req, loaded, pending, { method, error: 'locked_out', retryAfter: lockedFor, status: 429 });
        res.headers['retry-after'] = String(lockedFor);
        return res;
      }
      const code = single(req.body, 'code', 64) ?? '';
      if (method === 'recovery') {
        return (await mfa.useRecoveryCode(pending.subjectId, code))
          ? finish(req, loaded, pending, ['otp'])
          : failed(req, loaded, pending, 'wrong_recovery_code', 'recovery');
      }
      const doc = await mfa.document(pending.subjectId);
      const result = hasSecondFactor(doc) ? await mfa.verifyTotp(pending.subjectId, code) : await mfa.confirmTotp(pending.subjectId, code);
      if (result === 'ok') return finish(req, loaded, pending, ['otp']);
      return failed(req, loaded, pending, result === 'reused' ? 'reused_code' : 'wrong_code', method);
    },
  };

  /** WebAuthn assertion options for this interaction: the pending user's passkeys, or discoverable credentials (passwordless). */
  const passkeyOptions: Route = {
    methods: ['POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const loaded = await kit.load(req);
      if (!loaded || !ctx.mfa) return jsonResponse({ error: 'invalid_request', error_description: 'the sign-in request has expired' }, 400);
      if (!kit.formCsrfMatches(req, loaded.details)) return jsonResponse({ error: 'invalid_request', error_description: 'bad CSRF token' }, 403);
      const pending = loaded.interaction.payload.mfaPending;
      const passkeys = pending ? ((await ctx.mfa.document(pending.subjectId)).passkeys ?? []) : undefined;
      const options = await authenticationOptions(ctx.config, ctx.mfa.rp, passkeys);
      const cookie = await saveChallenge(ctx, {
        challenge: options.challenge,
        purpose: 'authenticate',
        subjectId: pending?.subjectId,
        interactionId: loaded.details.id,
      });
      return jsonResponse(options, 200, [cookie]);
    },
  };

  /** The assertion: a second factor for the pending user, or a passwordless sign-in of the credential's user. */
  const passkey: Route = {
    methods: ['POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const loaded = await kit.load(req);
      if (!loaded || !ctx.mfa) return kit.expired(req);
      const d = loaded.details;
      const pending = loaded.interaction.payload.mfaPending;
      const back = (cookies: SetCookie[] = [clearChallengeCookie()]) => see(`${base}/login?id=${d.id}&passkey=failed`, cookies);
      if (!kit.formCsrfMatches(req, d)) return pending ? render(req, loaded, pending, { error: 'csrf', status: 403 }) : back();
      const challenge = await takeChallenge(ctx, req.cookies);
      const credential = parseCredentialJson<AuthenticationResponseJSON>(single(req.body, 'credential', 32768));
      // The challenge must be this browser's, for an assertion on this interaction (and this user, as second factor).
      const challengeOk = challenge?.purpose === 'authenticate' && challenge.interactionId === d.id && challenge.subjectId === pending?.subjectId;
      const subjectId =
        pending?.subjectId ?? (credential?.response.userHandle ? Buffer.from(credential.response.userHandle, 'base64url').toString('utf8') : undefined);
      const verified =
        challenge && challengeOk && credential && subjectId
          ? await ctx.mfa.usePasskey(subjectId, credential, challenge.challenge)
          : { ok: false as const, error: 'no challenge' };
      if (pending) {
        if (!verified.ok) return failed(req, loaded, pending, 'passkey');
        return finish(req, loaded, pending, ['hwk']);
      }
      if (!verified.ok || !subjectId) {
        ctx.events({ type: 'user_login_failure', username: '', reason: 'passkey', clientId: d.client.clientId, requestId: req.requestId });
        return back();
      }
      const user = await ctx.users.findBySubject(subjectId);
      if (!user || !(await ctx.users.isActive(subjectId))) return back();
      // RFC 8176: proof of possession of a key in an authenticator ('hwk') with a user presence test; verified user ('pin'-like) makes it multi-factor.
      const amr = verified.userVerified ? ['hwk', 'user', 'mfa'] : ['hwk', 'user'];
      const remember = single(req.body, 'remember', 8) === '1';
      if (!verified.userVerified) {
        const step = await secondFactorStep(kit, req, loaded, { subjectId, username: user.username, amr, remember });
        if (step) return step;
      }
      ctx.events({ type: 'user_login_success', username: user.username, subjectId, clientId: d.client.clientId, requestId: req.requestId });
      return kit.continueFlow(req, { login: { subjectId, amr, acr: acrOfSignIn(ctx.config, amr), remember } }, loaded);
    },
  };

  return [
    [`${base}/login/mfa`, secondFactor],
    [`${base}/login/passkey/options`, passkeyOptions],
    [`${base}/login/passkey`, passkey],
  ];
}
