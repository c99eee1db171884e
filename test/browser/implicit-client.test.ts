/**
 * The implicit flow in Chromium: a small page for the demo client
 * `interactive.implicit` (test/browser/implicit-client/) that reads the
 * fragment response the way IdentityServer4's JavaScript implicit sample did
 * (parse location.hash, check state, check the ID token's nonce), against
 * the demo server (`gatehouse start` on config/demo.json). The client's
 * origin http://localhost:3000 is served by the browser context's routing,
 * so no port 3000 is taken: the fragment never reaches a server anyway.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer, type CliServer } from '../helpers/cli-server.js';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { requirePrograms } from '../helpers/requirements.js';

const skip = requirePrograms(['chromium']);
const CLIENT_ORIGIN = 'http://localhost:3000';
const page = (name: string) => readFileSync(new URL(`./implicit-client/${name}`, import.meta.url), 'utf8');

interface ImplicitResult {
  ok?: boolean;
  error?: string;
  iss?: string;
  token_type?: string;
  scope?: string;
  access_token?: string;
  claims?: Record<string, unknown>;
}

describe.skipIf(!!skip)('implicit client page in Chromium (interactive.implicit)', () => {
  let gh: CliServer;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    gh = await startCliServer();
    browser = await launchBrowser();
    context = await newContext(browser);
    await context.route(`${CLIENT_ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      const body =
        path === '/implicit/' ? page('index.html').replace('__AUTHORITY__', gh.url) : path === '/implicit/callback' ? page('callback.html') : undefined;
      return body === undefined ? route.fulfill({ status: 404, body: 'not found' }) : route.fulfill({ status: 200, contentType: 'text/html', body });
    });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await gh?.close();
  });

  const result = async (p: Page) => {
    await p.waitForFunction(() => (window as unknown as { implicitResult?: unknown }).implicitResult !== undefined);
    return p.evaluate(() => (window as unknown as { implicitResult: ImplicitResult }).implicitResult);
  };

  it('signs alice in: id_token token in the fragment, state and nonce checked by the page, the access token works', async () => {
    const p = await context!.newPage();
    await p.goto(`${CLIENT_ORIGIN}/implicit/`);
    await p.click('#login');
    await p.waitForURL((u) => u.origin === gh.url && u.pathname.endsWith('/ui/login'));
    await p.fill('#username', 'alice');
    await p.fill('#password', 'alice');
    await p.click('button[type=submit].gh-button-primary');
    await p.waitForURL((u) => u.origin === CLIENT_ORIGIN && u.pathname === '/implicit/callback');
    const r = await result(p);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.iss).toBe(gh.url);
    expect(r.token_type).toBe('Bearer');
    expect(r.scope).toBe('openid profile email api');
    expect(r.claims).toMatchObject({ iss: gh.url, sub: '1', aud: 'interactive.implicit' });
    // The page removed the tokens from the address bar.
    expect(new URL(p.url()).hash).toBe('');
    // What the sample did next: call an API with the access token (here userinfo, from the test).
    const ui = await fetch(`${gh.url}/connect/userinfo`, { headers: { authorization: `Bearer ${r.access_token}` } });
    expect(ui.status).toBe(200);
    expect(await ui.json()).toMatchObject({ sub: '1', name: 'Alice Smith', email: 'AliceSmith@example.com' });
    await p.close();
  });

  it('the page refuses a response whose state it did not send (a forged callback)', async () => {
    const p = await context!.newPage();
    await p.goto(`${CLIENT_ORIGIN}/implicit/callback#state=forged&id_token=a.b.c&access_token=x`);
    expect((await result(p)).error).toBe('state does not match');
    await p.close();
  });

  it('signed in already: a second login needs no page (SSO) and the page accepts the new tokens', async () => {
    const p = await context!.newPage();
    await p.goto(`${CLIENT_ORIGIN}/implicit/`);
    await p.click('#login');
    await p.waitForURL((u) => u.origin === CLIENT_ORIGIN && u.pathname === '/implicit/callback');
    const r = await result(p);
    expect(r.ok).toBe(true);
    expect(r.claims?.sub).toBe('1');
    await p.close();
  });
});
