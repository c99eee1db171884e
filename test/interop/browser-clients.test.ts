/**
 * Browser interop against `gatehouse start` (CLI, demo configuration), in
 * headless Debian Chromium driven by playwright-core. One app on
 * http://localhost:3000 (the origin the demo clients are registered for):
 *
 * - `/spa/`: a single-page app using oidc-client-ts (its own browser bundle
 *   from node_modules) as the public client `interactive.public`: code +
 *   PKCE, consent, userinfo, refresh, revocation and logout, all from the
 *   page across origins (CORS origin http://localhost:3000).
 * - `/auth/*`: Auth.js (@auth/express) with its IdentityServer4 provider as
 *   `interactive.confidential`; the app then calls userinfo with the access
 *   token Auth.js obtained.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { readFileSync } from 'node:fs';
import express from 'express';
import { ExpressAuth, getSession, type ExpressAuthConfig } from '@auth/express';
import IdentityServer4 from '@auth/express/providers/identity-server4';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startCliServer, type CliServer } from '../helpers/cli-server.js';
import { closeServer, launchBrowser, listenOnFixedPort, newContext } from '../helpers/browser.js';
import { requirePrograms } from '../helpers/requirements.js';
import { basic, form } from '../helpers/server.js';

const APP = 'http://localhost:3000';
const OIDC_CLIENT_TS = readFileSync(`${ROOT}/node_modules/oidc-client-ts/dist/browser/oidc-client-ts.min.js`, 'utf8');

/** The SPA's own script: renders the signed-in user and wires the buttons to oidc-client-ts. */
const SPA_SCRIPT = `
const mgr = new oidc.UserManager({
  authority: window.AUTHORITY,
  client_id: 'interactive.public',
  redirect_uri: '${APP}/spa/callback',
  post_logout_redirect_uri: '${APP}/spa/',
  response_type: 'code',
  scope: 'openid profile email api offline_access',
  loadUserInfo: true,
  automaticSilentRenew: false,
  userStore: new oidc.WebStorageStateStore({ store: window.localStorage }),
});
window.mgr = mgr;
const $ = (id) => document.getElementById(id);
const show = (status, detail) => { $('detail').textContent = detail ? JSON.stringify(detail) : ''; $('status').textContent = status; };
async function render() {
  const user = await mgr.getUser();
  if (user) show('signed-in', { profile: user.profile, access_token: user.access_token, refresh_token: user.refresh_token });
  else show('signed-out');
}
async function run(fn) {
  try { await fn(); } catch (e) { show('error', { message: String(e && e.message || e) }); }
}
if (location.pathname === '/spa/callback') {
  run(async () => { await mgr.signinRedirectCallback(); location.replace('/spa/'); });
} else if (sessionStorage.getItem('signing-out')) {
  sessionStorage.removeItem('signing-out');
  run(async () => { await mgr.signoutRedirectCallback(); await render(); });
} else {
  run(render);
}
$('login').onclick = () => run(() => mgr.signinRedirect());
$('refresh').onclick = () => run(async () => { await mgr.signinSilent(); await render(); });
$('revoke').onclick = () => run(async () => { await mgr.revokeTokens(['access_token', 'refresh_token']); show('revoked'); });
$('logout').onclick = () => run(() => (sessionStorage.setItem('signing-out', '1'), mgr.signoutRedirect()));
`;

const spaPage = (issuer: string) => `<!doctype html><meta charset="utf-8"><title>SPA</title>
<p id="status">loading</p><pre id="detail"></pre>
<button id="login">Sign in</button><button id="refresh">Refresh</button><button id="revoke">Revoke</button><button id="logout">Sign out</button>
<script>window.AUTHORITY = ${JSON.stringify(issuer)};</script>
<script src="/spa/oidc-client-ts.min.js"></script><script src="/spa/app.js"></script>`;

type RpSession = { user?: { name?: string | null }; accessToken?: string; idpSub?: string };

function app(issuer: string, authErrors: unknown[]): express.Express {
  const authConfig: ExpressAuthConfig = {
    secret: randomBytes(32).toString('base64url'),
    trustHost: true,
    basePath: '/auth',
    providers: [
      IdentityServer4({
        issuer,
        clientId: 'interactive.confidential',
        clientSecret: 'secret',
        authorization: { params: { scope: 'openid profile email api offline_access' } },
        checks: ['pkce', 'state', 'nonce'],
      }),
    ],
    callbacks: {
      jwt({ token, account, profile }) {
        if (account) Object.assign(token, { accessToken: account.access_token, idpSub: profile?.sub });
        return token;
      },
      session({ session, token }) {
        return Object.assign(session, { accessToken: token.accessToken, idpSub: token.idpSub });
      },
    },
    logger: { error: (e) => authErrors.push(e), warn: () => {}, debug: () => {} },
  };
  const a = express();
  a.get('/spa/oidc-client-ts.min.js', (_req, res) => void res.type('js').send(OIDC_CLIENT_TS));
  a.get('/spa/app.js', (_req, res) => void res.type('js').send(SPA_SCRIPT));
  a.get(['/spa/', '/spa/callback'], (_req, res) => void res.type('html').send(spaPage(issuer)));
  a.use('/auth', ExpressAuth(authConfig));
  // A plain form_post receiver (OAuth 2.0 Form Post Response Mode) at a registered redirect URI.
  a.post(
    '/callback',
    express.urlencoded({ extended: false }),
    (req, res) => void res.json({ contentType: req.headers['content-type'], params: req.body as Record<string, string> }),
  );
  // Server side of the Auth.js app: calls Gatehouse's userinfo with the access token Auth.js obtained.
  a.get('/me', async (req, res) => {
    const session = (await getSession(req, authConfig)) as RpSession | null;
    if (!session?.accessToken) return void res.status(401).json({ error: 'not signed in' });
    const ui = await fetch(`${issuer}/connect/userinfo`, { headers: { authorization: `Bearer ${session.accessToken}` } });
    res.status(ui.status).json({ session: { name: session.user?.name, idpSub: session.idpSub }, userinfo: await ui.json() });
  });
  a.get('/', (_req, res) => void res.type('html').send(`<a id="signin" href="/auth/signin?callbackUrl=${encodeURIComponent(`${APP}/me`)}">Sign in</a>`));
  return a;
}

const skip = requirePrograms(['chromium']);

describe.skipIf(!!skip)('browser clients against gatehouse start (Chromium)', () => {
  let gh: CliServer;
  let server: http.Server | undefined;
  let browser: Browser | undefined;
  const authErrors: unknown[] = [];

  beforeAll(async () => {
    gh = await startCliServer();
    server = await listenOnFixedPort(
      app(gh.url, authErrors),
      3000,
      'the SPA and Auth.js app (redirect URIs of interactive.public and interactive.confidential)',
    );
    browser = await launchBrowser();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await closeServer(server);
    await gh?.close();
  });

  const status = async (page: Page, expected: string) => {
    await page.waitForFunction(
      (s) => document.getElementById('status')?.textContent === s || document.getElementById('status')?.textContent === 'error',
      expected,
    );
    const detail = await page.locator('#detail').innerText();
    expect(await page.locator('#status').innerText(), detail).toBe(expected);
    return detail ? (JSON.parse(detail) as Record<string, any>) : {};
  };

  const introspect = async (token: string) => {
    const res = await fetch(`${gh.url}/connect/introspect`, {
      method: 'POST',
      headers: { authorization: basic('api', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ token }),
    });
    return (await res.json()) as { active: boolean; sub?: string };
  };

  it('oidc-client-ts SPA: sign in with consent, userinfo, refresh, revoke, sign out', async () => {
    const context = await newContext(browser!);
    const page = await context.newPage();
    await page.goto(`${APP}/spa/`);
    await status(page, 'signed-out');
    await page.click('#login');

    await page.waitForURL((u) => u.href.startsWith(`${gh.url}/ui/login`));
    await page.fill('#username', 'alice');
    await page.fill('#password', 'alice');
    await page.click('button[type=submit].gh-button-primary');
    // interactive.public requires consent.
    await page.waitForURL((u) => u.href.startsWith(`${gh.url}/ui/consent`));
    await page.click('button[name=decision][value=allow]');

    const signedIn = await status(page, 'signed-in');
    // Profile: ID token claims merged with userinfo (fetched by the page across origins).
    expect(signedIn.profile).toMatchObject({
      sub: '1',
      iss: gh.url,
      aud: 'interactive.public',
      name: 'Alice Smith',
      email: 'AliceSmith@example.com',
      website: 'http://alice.example.com',
    });
    const jwks = createRemoteJWKSet(new URL(`${gh.url}/.well-known/openid-configuration/jwks`));
    const { payload } = await jwtVerify(signedIn.access_token, jwks, { issuer: gh.url, audience: 'api', typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: '1', client_id: 'interactive.public' });
    expect(signedIn.refresh_token).toBeTypeOf('string');

    // signinSilent with a refresh token: the refresh_token grant from the page (CORS), rotated.
    await page.click('#refresh');
    await page.waitForFunction((old) => JSON.parse(document.getElementById('detail')?.textContent || '{}').refresh_token !== old, signedIn.refresh_token);
    const refreshed = await status(page, 'signed-in');
    expect(refreshed.access_token).not.toBe(signedIn.access_token);
    expect(refreshed.refresh_token).not.toBe(signedIn.refresh_token);
    expect((await introspect(refreshed.access_token)).active).toBe(true);

    // Revocation from the page (CORS): both tokens are dead afterwards.
    await page.click('#revoke');
    await status(page, 'revoked');
    expect((await introspect(refreshed.access_token)).active).toBe(false);
    expect((await introspect(refreshed.refresh_token)).active).toBe(false);

    // RP-initiated logout: to Gatehouse's end-session endpoint and back to the SPA.
    const navigations: string[] = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest()) navigations.push(r.url());
    });
    await page.click('#logout');
    await page.waitForURL((u) => u.href.startsWith(`${APP}/spa/`) && navigations.length >= 2);
    const endSession = new URL(navigations.find((u) => u.startsWith(`${gh.url}/connect/endsession`))!);
    expect(endSession.searchParams.get('id_token_hint')).toBeTypeOf('string');
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${APP}/spa/`);
    await status(page, 'signed-out');
    // The SSO session is over: a new sign-in shows the login page again.
    await page.click('#login');
    await page.waitForURL((u) => u.href.startsWith(`${gh.url}/ui/login`));
    await context.close();
  });

  it("form_post: Gatehouse's response page submits itself to the client in a real browser (CSP nonce)", async () => {
    const context = await newContext(browser!);
    const page = await context.newPage();
    const params = new URLSearchParams({
      client_id: 'interactive.confidential',
      redirect_uri: `${APP}/callback`,
      response_type: 'code',
      response_mode: 'form_post',
      scope: 'openid',
      state: 'fp-state',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    await page.goto(`${gh.url}/connect/authorize?${params}`);
    await page.fill('#username', 'bob');
    await page.fill('#password', 'bob');
    await page.click('button[type=submit].gh-button-primary');
    // No click on "Continue": the page's own script posts the form.
    await page.waitForURL(`${APP}/callback`);
    const received = JSON.parse(await page.locator('body').innerText()) as { contentType: string; params: Record<string, string> };
    expect(received.contentType).toBe('application/x-www-form-urlencoded');
    expect(received.params).toMatchObject({ state: 'fp-state', iss: gh.url });
    expect(received.params.code).toMatch(/^\S{20,}$/);
    await context.close();
  });

  it('Auth.js (IdentityServer4 provider): alice signs in; the app calls userinfo with its access token', async () => {
    const context = await newContext(browser!);
    const page = await context.newPage();
    await page.goto(`${APP}/`);
    await page.click('#signin');
    await page.getByRole('button', { name: /IdentityServer4/ }).click();
    await page.waitForURL((u) => u.href.startsWith(`${gh.url}/ui/login`));
    await page.fill('#username', 'alice');
    await page.fill('#password', 'alice');
    await page.click('button[type=submit].gh-button-primary');
    await page.waitForURL(`${APP}/me`);
    expect(authErrors).toEqual([]);
    const me = JSON.parse(await page.locator('body').innerText()) as Record<string, any>;
    expect(me).toMatchObject({
      session: { name: 'Alice Smith', idpSub: '1' },
      userinfo: { sub: '1', name: 'Alice Smith', email: 'AliceSmith@example.com', email_verified: true },
    });
    await context.close();
  });
});
