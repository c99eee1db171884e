/** The built-in login page (GET shows it, POST checks the password and continues the flow) and its cancel button. */
import { single } from '../../core/params.js';
import type { InternalRequest, InternalResponse } from '../../core/types.js';
import type { Route } from '../../core/router.js';
import type { InteractionDetails } from '../../interaction/interaction-api.js';
import { renderPage, type LoginError } from '../index.js';
import { page, see, type PageKit } from './page-kit.js';
import { clientOf } from '../../federation/federation-service.js';
import { scriptPage, secondFactorStep, stepUpStep } from './mfa-login.js';

export function loginRoutes(kit: PageKit): [string, Route][] {
  const { ctx, base, templates, continueFlow } = kit;
  /** The external providers the client may use, as buttons (federation/). */
  const external = async (d: InteractionDetails) => {
    const client = await clientOf(ctx, d.client.clientId);
    const fed = ctx.federation;
    if (!fed || !client) return { externalProviders: undefined, localLogin: client?.enableLocalLogin ?? true };
    const list = await fed.providersFor(client);
    const externalProviders = list.map((p) => ({ name: p.name, displayName: p.displayName, href: ctx.issuer + fed.startPath(p.name, d.id) }));
    return { externalProviders, localLogin: client.enableLocalLogin };
  };
  const loginPage = async (d: InteractionDetails, error?: LoginError, username?: string, retryAfter?: number, status = 200) =>
    page(
      renderPage(
        'login',
        {
          ...kit.common(d.uiLocales, d.display),
          action: `${base}/login?id=${d.id}`,
          cancelAction: `${base}/login/cancel?id=${d.id}`,
          csrfToken: d.csrfToken,
          username: username ?? d.loginHint,
          error,
          retryAfter,
          client: kit.client(d),
          ...(await external(d)),
        },
        templates,
      ),
      status,
      [d.redirectOrigin],
    );

  /** The login page with the passwordless passkey button (its scripts under a CSP nonce), when MFA is on. */
  const withPasskey = async (res: InternalResponse, d: InteractionDetails, failed: boolean): Promise<InternalResponse> => {
    if (!ctx.mfa) return res;
    const ext = await external(d);
    const passkey = { kind: 'authenticate' as const, optionsUrl: `${base}/login/passkey/options?id=${d.id}`, action: `${base}/login/passkey?id=${d.id}` };
    return scriptPage(
      (nonce) =>
        renderPage(
          'login',
          {
            ...kit.common(d.uiLocales, d.display),
            action: `${base}/login?id=${d.id}`,
            cancelAction: `${base}/login/cancel?id=${d.id}`,
            csrfToken: d.csrfToken,
            username: d.loginHint,
            client: kit.client(d),
            ...ext,
            passkey: { ...passkey, scriptNonce: nonce, failed },
          },
          templates,
        ),
      res.status,
      [d.redirectOrigin],
    );
  };

  const login: Route = {
    methods: ['GET', 'POST'],
    form: true,
    channel: 'html',
    async handle(req: InternalRequest): Promise<InternalResponse> {
      const loaded = await kit.load(req);
      if (!loaded) return kit.expired(req);
      const d = loaded.details;
      if (req.method === 'GET') {
        // acr_values=idp:NAME goes straight to the external provider (IdentityServer's convention).
        const client = await clientOf(ctx, d.client.clientId);
        const fed = ctx.federation;
        const idp = client && fed && (await fed.requestedProvider(loaded.interaction.payload.request.acrValues, client));
        if (fed && idp) return see(ctx.issuer + fed.startPath(idp.name, d.id));
        // A single-factor session that must step up goes straight to the second factor (mfa-login.ts).
        const stepUp = await stepUpStep(kit, req, loaded);
        return stepUp ?? withPasskey(await loginPage(d), d, single(req.query, 'passkey', 16) === 'failed');
      }
      const username = single(req.body, 'username', 256) ?? '';
      if (!kit.formCsrfMatches(req, d)) return loginPage(d, 'csrf', username, undefined, 403);
      // Home-realm discovery: an email in a provider's `domains` signs in there.
      const homeClient = await clientOf(ctx, d.client.clientId);
      const fed = ctx.federation;
      const home = homeClient && fed && (await fed.providerForEmail(username, homeClient));
      if (fed && home) return see(ctx.issuer + fed.startPath(home.name, d.id, username));
      if (homeClient?.enableLocalLogin === false) return loginPage(d, 'invalid_credentials', username, undefined, 400);
      // Rate limits before any password hashing: a flood costs no CPU and locks no one else out.
      const wait = ctx.rateLimits ? await ctx.rateLimits.login(req.ip) : 0;
      const throttled = async (seconds: number) => {
        const res = await loginPage(d, 'locked_out', username, seconds, 429);
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
      const remember = single(req.body, 'remember', 8) === '1';
      // A second factor when the user has one or must have one (docs/mfa.md).
      const second = await secondFactorStep(kit, req, loaded, { subjectId: result.user.subjectId, username: result.user.username, amr: ['pwd'], remember });
      return second ?? continueFlow(req, { login: { subjectId: result.user.subjectId, amr: ['pwd'], remember } }, loaded);
    },
  };

  const cancel: Route = {
    methods: ['POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const id = kit.interactionId(req);
      if (!(await kit.csrfOk(req, id))) return kit.expired(req);
      return continueFlow(req, { denied: true });
    },
  };

  return [
    [`${base}/login`, login],
    [`${base}/login/cancel`, cancel],
  ];
}
