/**
 * Browser interop: an Express 5 app using Auth.js (@auth/express) with the
 * Duende IdentityServer 6 provider signs bob in through Gatehouse's own login
 * page in headless Chromium, exactly as the NextAuth/Auth.js docs configure
 * the IdentityServer demo (client interactive.confidential / secret).
 *
 * Port 3000 is required: the demo client's redirect URI is
 * http://localhost:3000/auth/callback/duende-identity-server6.
 *
 * Signing out is RP-Initiated Logout: the app's /logout drops its own
 * session and sends the browser to Gatehouse's end_session_endpoint with
 * the ID token as id_token_hint, as the Auth.js docs describe federated logout.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { ExpressAuth, getSession, type ExpressAuthConfig } from '@auth/express';
import DuendeIdentityServer6 from '@auth/express/providers/duende-identity-server6';
import type { Session } from '@auth/express';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { closeServer, launchBrowser, listenOnFixedPort, newContext } from '../helpers/browser.js';
import { requirePrograms } from '../helpers/requirements.js';

const APP = 'http://localhost:3000';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// The provider is configured exactly as in IdentityServer's docs: the demo client
// interactive.confidential has alwaysIncludeUserClaimsInIdToken, so Auth.js's default
// (profile from the ID token) sees bob's name and email.

type RpSession = Session & { idpEmail?: string; idpSub?: string; idToken?: string };

/** The relying party: `/` shows the signed-in user's email, or a sign-in link. */
function relyingParty(issuer: string, errors: unknown[]): express.Express {
  const authConfig: ExpressAuthConfig = {
    secret: randomBytes(32).toString('base64url'),
    trustHost: true,
    basePath: '/auth',
    providers: [
      DuendeIdentityServer6({
        issuer,
        clientId: 'interactive.confidential',
        clientSecret: 'secret',
        authorization: { params: { scope: 'openid profile email api offline_access' } },
        checks: ['pkce', 'state', 'nonce'],
      }),
    ],
    callbacks: {
      // Auth.js lower-cases session.user.email; keep the provider's claims as sent.
      jwt({ token, profile, account }) {
        if (profile) Object.assign(token, { idpEmail: profile.email, idpSub: profile.sub });
        if (account?.id_token) token.idToken = account.id_token;
        return token;
      },
      session({ session, token }) {
        // (A test app: the ID token rides in the session so /logout can read it.)
        return Object.assign(session, { idpEmail: token.idpEmail, idpSub: token.idpSub, idToken: token.idToken });
      },
    },
    logger: { error: (e) => errors.push(e), warn: () => {}, debug: () => {} },
  };
  const app = express();
  app.use('/auth', ExpressAuth(authConfig));
  app.get('/', async (req, res) => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it (Auth.js's Session type differs between the lint and tsc programs)
    const session = (await getSession(req, authConfig)) as RpSession | null;
    const body = session?.user
      ? `<p>Signed in as <span id="email">${escapeHtml(String(session.idpEmail))}</span> ` +
        `(<span id="name">${escapeHtml(session.user.name ?? '')}</span>, sub <span id="sub">${escapeHtml(String(session.idpSub))}</span>)</p>` +
        `<a id="signout" href="/logout">Sign out</a>`
      : `<a id="signin" href="/auth/signin?callbackUrl=${encodeURIComponent(APP + '/')}">Sign in</a>`;
    res.type('html').send(`<!doctype html><title>RP</title>${body}`);
  });
  // Federated sign-out: end the app's session, then the provider's (RP-Initiated Logout 1.0).
  app.get('/logout', async (req, res) => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it (Auth.js's Session type differs between the lint and tsc programs)
    const session = (await getSession(req, authConfig)) as RpSession | null;
    res.clearCookie('authjs.session-token', { path: '/' });
    const end = new URL(`${issuer}/connect/endsession`);
    if (session?.idToken) end.searchParams.set('id_token_hint', session.idToken);
    end.searchParams.set('post_logout_redirect_uri', `${APP}/`);
    end.searchParams.set('state', 'bye');
    res.redirect(end.href);
  });
  return app;
}

const skip = requirePrograms(['chromium']);

describe.skipIf(!!skip)('Auth.js (Duende IdentityServer 6 provider) signs in through Gatehouse in Chromium', () => {
  let gatehouse: TestServer;
  let app: http.Server | undefined;
  let browser: Browser | undefined;
  const authErrors: unknown[] = [];

  beforeAll(async () => {
    gatehouse = await startTestServer();
    app = await listenOnFixedPort(
      relyingParty(gatehouse.url, authErrors),
      3000,
      'the Auth.js app (redirect URI http://localhost:3000/auth/callback/duende-identity-server6 of interactive.confidential)',
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await closeServer(app);
    await gatehouse?.close();
  });

  it('signs bob in and shows his email on the app page', async () => {
    const context = await newContext(browser!);
    const page = await context.newPage();
    await page.goto(`${APP}/`);
    await page.click('#signin');

    // Auth.js's own sign-in page: one button per provider (a form POST with its CSRF token).
    await page.getByRole('button', { name: /DuendeIdentityServer6/ }).click();

    // Gatehouse's login page, showing the client's display name.
    await page.waitForURL((u) => u.origin === gatehouse.url && u.pathname === '/ui/login');
    await expect(page.locator('body').innerText()).resolves.toContain('Interactive client (confidential)');
    await page.fill('#username', 'bob');
    await page.fill('#password', 'bob');
    await page.click('button[type=submit].gh-button-primary');

    // No consent for this client: straight back to the app's callback, then to `/`.
    await page.waitForURL(`${APP}/`);
    expect(authErrors).toEqual([]);
    await expect(page.locator('#email').innerText()).resolves.toBe('BobSmith@example.com');
    await expect(page.locator('#name').innerText()).resolves.toBe('Bob Smith');
    await expect(page.locator('#sub').innerText()).resolves.toBe('2');

    // Auth.js's session endpoint agrees (the session cookie is the app's, not Gatehouse's).
    const session = await (await page.request.get(`${APP}/auth/session`)).json();
    // (Auth.js normalises session.user.email to lower case: @auth/core callback.js getUserAndAccount.)
    expect(session).toMatchObject({ idpEmail: 'BobSmith@example.com', user: { email: 'bobsmith@example.com', name: 'Bob Smith' } });
    expect(await gatehouse.gh.sessions.query({ subjectId: '2' })).toHaveLength(1);

    // Sign out: through Gatehouse's end session endpoint (no confirmation: the hint names bob's session) and back.
    await page.click('#signout');
    await page.waitForURL(`${APP}/?state=bye`);
    await expect(page.locator('#signin').count()).resolves.toBe(1);
    expect(await gatehouse.gh.sessions.query({ subjectId: '2' })).toEqual([]);
    expect((await context.cookies(gatehouse.url)).map((c) => c.name)).not.toContain('gh.session');

    // Signing in again needs the password: the provider's session is gone too.
    await page.click('#signin');
    await page.getByRole('button', { name: /DuendeIdentityServer6/ }).click();
    await page.waitForURL((u) => u.origin === gatehouse.url && u.pathname === '/ui/login');
    expect(authErrors).toEqual([]);
    await context.close();
  });
});
