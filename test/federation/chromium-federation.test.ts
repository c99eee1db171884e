/**
 * Federation in Chromium: the login page's provider button, oidc-provider's
 * own login and consent pages, back to Gatehouse and to the client with a
 * code whose ID token is the provisioned local subject. Saves the login page
 * with the provider button to docs/screenshots/login-external-provider.png.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import Provider from 'oidc-provider';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { requirePrograms } from '../helpers/requirements.js';
import { pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { CONFIDENTIAL_REDIRECT, exchangeCode } from '../helpers/flow.js';
import { externalProviderSchema } from '../../src/federation/provider-schema.js';

const noChromium = requirePrograms(['chromium'], 'federation in Chromium');
const SCREENSHOT = new URL('../../docs/screenshots/login-external-provider.png', import.meta.url).pathname;

describe.skipIf(!!noChromium)('federation in Chromium', () => {
  let down: TestServer;
  let op: http.Server;
  let opUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    down = await startTestServer();
    op = http.createServer();
    await new Promise<void>((r) => op.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(op.address() as AddressInfo).port}`;
    opUrl = url;
    const provider = new Provider(url, {
      clients: [{ client_id: 'gatehouse', client_secret: 'secret', redirect_uris: [`${down.url}/federation/upstream/callback`] }],
      async findAccount(_ctx, sub) {
        return { accountId: sub, claims: () => ({ sub, name: `Person ${sub}`, email: `${sub}@op.example` }) };
      },
      claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
      features: { devInteractions: { enabled: true } },
    });
    op.on('request', provider.callback());
    down.gh.context.config.externalProviders = [
      externalProviderSchema.parse({ name: 'upstream', displayName: 'Upstream', issuer: url, clientId: 'gatehouse', clientSecret: 'secret' }),
    ];
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    op?.closeAllConnections();
    await new Promise((r) => op?.close(r));
    await down?.close();
  });

  it('signs in through the provider button', async () => {
    const context = await newContext(browser);
    // The client's redirect URI: answered by the test, the code read from the URL.
    let callback: URL | undefined;
    await context.route('http://localhost:3000/**', async (route) => {
      callback = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'ok' });
    });
    const page = await context.newPage();
    const { verifier, challenge } = await pkce();
    const q = new URLSearchParams({
      client_id: 'interactive.confidential',
      redirect_uri: CONFIDENTIAL_REDIRECT,
      response_type: 'code',
      scope: 'openid profile email',
      state: 'st',
      nonce: 'nn',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    await page.goto(`${down.url}/connect/authorize?${q}`);
    const button = page.getByRole('link', { name: 'Sign in with Upstream' });
    await button.waitFor();
    await page.screenshot({ path: SCREENSHOT });
    await button.click();
    await page.locator('input[name="login"]').fill('chromium-user');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').first().click();
    await page.locator('button[type="submit"]').first().click(); // consent
    await page.waitForURL((u) => u.href.startsWith(CONFIDENTIAL_REDIRECT));
    expect(callback?.searchParams.get('state')).toBe('st');
    const tokens = await exchangeCode(down.url, callback!.searchParams.get('code')!, verifier);
    expect(tokens.status).toBe(200);
    const claims = decodeJwt(tokens.body.id_token as string);
    const link = await down.gh.context.federation!.store.findLink(opUrl, 'chromium-user');
    expect(claims.sub).toBe(link?.subjectId);
    expect(claims.name).toBe('Person chromium-user');
    await context.close();
  });
});
