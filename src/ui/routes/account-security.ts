/**
 * The account security page (`<basePath>/account/security`, docs/mfa.md):
 * the signed-in user sets up or removes an authenticator app, creates
 * recovery codes (shown once), adds and removes named passkeys, and forgets
 * remembered devices. Every form carries the session-derived CSRF token.
 */
import QRCode from 'qrcode';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { single } from '../../core/params.js';
import type { Route } from '../../core/router.js';
import type { InternalRequest, InternalResponse } from '../../core/types.js';
import { currentSession } from '../../sessions/session-service.js';
import { parseCredentialJson, registrationOptions, verifyRegistration } from '../../mfa/webauthn.js';
import { clearChallengeCookie, saveChallenge, takeChallenge } from '../../mfa/webauthn-challenges.js';
import type { MfaService } from '../../mfa/mfa-service.js';
import type { User } from '../../model/types.js';
import { renderRecoveryCodesPage, renderSecurityPage, type SecondFactorError } from '../mfa-pages.js';
import { page, queryLocales, safeEqual, see, sessionCsrf, type PageKit } from './page-kit.js';
import { jsonResponse, scriptPage } from './mfa-login.js';

export function accountSecurityRoutes(kit: PageKit): [string, Route][] {
  const { ctx, base } = kit;
  const path = `${base}/account/security`;
  const actions = {
    totpStart: `${path}/totp/start`,
    totpConfirm: `${path}/totp/confirm`,
    totpRemove: `${path}/totp/remove`,
    recovery: `${path}/recovery`,
    passkeyRemove: `${path}/passkeys/remove`,
    devicesForget: `${path}/devices/forget`,
  };

  const signedIn = async (req: InternalRequest): Promise<{ user: User; mfa: MfaService } | undefined> => {
    const session = await currentSession(ctx, req);
    const user = session && (await ctx.users.findBySubject(session.subjectId));
    return user && ctx.mfa ? { user, mfa: ctx.mfa } : undefined;
  };

  const show = async (
    req: InternalRequest,
    who: { user: User; mfa: MfaService } | undefined,
    opts: { setup?: boolean; error?: SecondFactorError; status?: number } = {},
  ) => {
    const status = who && (await who.mfa.status(who.user.subjectId));
    const pending = who && opts.setup ? await who.mfa.pendingTotp(who.user.subjectId, who.user.username) : undefined;
    const setup = pending && { secret: pending.secret, qrDataUrl: await QRCode.toDataURL(pending.uri, { margin: 1, width: 200 }) };
    return scriptPage(
      (nonce) =>
        renderSecurityPage({
          ...kit.common(queryLocales(req)),
          status: who && status && { username: who.user.username, totp: status.totp, recoveryCodesLeft: status.recoveryCodesLeft, passkeys: status.passkeys },
          csrfToken: sessionCsrf(req),
          actions,
          passkey: { kind: 'register', optionsUrl: `${path}/passkeys/options`, action: `${path}/passkeys/add` },
          setup,
          error: opts.error,
          saved: single(req.query, 'saved', 4) === '1',
          rememberDevice: ctx.config.mfa.rememberDevice.enabled,
          scriptNonce: nonce,
          homeHref: ctx.config.account.enabled ? `${base}/account` : `${base}/`,
        }),
      opts.status ?? 200,
      [],
    );
  };

  const security: Route = {
    methods: ['GET'],
    channel: 'html',
    handle: async (req) => show(req, await signedIn(req), { setup: single(req.query, 'setup', 4) === '1' }),
  };

  /** A POST of the page: signed in and the CSRF token right, else the page with the error. */
  const post = (act: (req: InternalRequest, who: { user: User; mfa: MfaService }) => Promise<InternalResponse>): Route => ({
    methods: ['POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const who = await signedIn(req);
      if (!who) return show(req, undefined, { status: 401 });
      const token = single(req.body, 'csrf', 128);
      if (!token || !safeEqual(token, sessionCsrf(req))) return show(req, who, { error: 'csrf', status: 403 });
      return act(req, who);
    },
  });
  const saved = () => see(`${path}?saved=1`);

  return [
    [path, security],
    [
      actions.totpStart,
      post(async (_req, { user, mfa }) => {
        await mfa.startTotp(user.subjectId, user.username);
        return see(`${path}?setup=1`);
      }),
    ],
    [
      actions.totpConfirm,
      post(async (req, who) => {
        const r = await who.mfa.confirmTotp(who.user.subjectId, single(req.body, 'code', 64) ?? '');
        if (r === 'ok') return saved();
        if (r === 'none') return show(req, who, { error: 'wrong_code', status: 400 });
        return show(req, who, { setup: true, error: r === 'reused' ? 'reused_code' : 'wrong_code', status: 400 });
      }),
    ],
    [
      actions.totpRemove,
      post(async (_req, { user, mfa }) => {
        await mfa.removeTotp(user.subjectId);
        return saved();
      }),
    ],
    [
      actions.recovery,
      post(async (req, { user, mfa }) => {
        const codes = await mfa.newRecoveryCodes(user.subjectId);
        return page(renderRecoveryCodesPage({ ...kit.common(queryLocales(req)), codes, continueHref: path }));
      }),
    ],
    [
      `${path}/passkeys/options`,
      post(async (_req, { user, mfa }) => {
        const doc = await mfa.document(user.subjectId);
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the name claim is host data of any type; shown as text
        const displayName = String(user.claims.name ?? user.username);
        const options = await registrationOptions(ctx.config, mfa.rp, { subjectId: user.subjectId, username: user.username, displayName }, doc.passkeys ?? []);
        const cookie = await saveChallenge(ctx, { challenge: options.challenge, purpose: 'register', subjectId: user.subjectId });
        return jsonResponse(options, 200, [cookie]);
      }),
    ],
    [
      `${path}/passkeys/add`,
      post(async (req, who) => {
        const challenge = await takeChallenge(ctx, req.cookies);
        const credential = parseCredentialJson<RegistrationResponseJSON>(single(req.body, 'credential', 32768));
        const name = (single(req.body, 'name', 256) ?? '').trim().slice(0, 64) || 'Passkey';
        if (!challenge || challenge.purpose !== 'register' || challenge.subjectId !== who.user.subjectId || !credential) {
          return show(req, who, { error: 'passkey', status: 400 });
        }
        const v = await verifyRegistration(ctx.config, who.mfa.rp, credential, challenge.challenge, ctx.clock.now(), name);
        if (!v.ok) return show(req, who, { error: 'passkey', status: 400 });
        await who.mfa.addPasskey(who.user.subjectId, v.passkey);
        return see(`${path}?saved=1`, [clearChallengeCookie()]);
      }),
    ],
    [
      actions.passkeyRemove,
      post(async (req, { user, mfa }) => {
        await mfa.removePasskey(user.subjectId, single(req.body, 'credential_id', 1024) ?? '');
        return saved();
      }),
    ],
    [
      actions.devicesForget,
      post(async (_req, { user, mfa }) => {
        await mfa.forgetDevices(user.subjectId);
        return saved();
      }),
    ],
  ];
}
