/**
 * Passkeys and the MFA pages in Chromium: a CDP virtual authenticator
 * (ctap2, internal transport, resident keys, user verification) registers a
 * named passkey on the account security page, signs in passwordless with it
 * (discoverable credential) and as a second factor after a password; carol
 * signs in with her TOTP code. amr from the ID tokens; axe-core finds no
 * serious or critical violation on any new page; a screenshot of each new
 * page goes to docs/screenshots/.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeCode } from '../helpers/flow.js';
import { pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser } from '../helpers/browser.js';
import { requirePrograms } from '../helpers/requirements.js';
import { claimsOf, totpAt } from '../mfa/mfa-helpers.js';

const skip = requirePrograms(['chromium']);
const AXE = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');
const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

describe.skipIf(!!skip)('passkeys and MFA pages in Chromium', () => {
  let s: TestServer;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let base: string;
  let CALLBACK: string;

  beforeAll(async () => {
    // WebAuthn needs a domain as relying party id (not an IP address): the issuer is http://localhost:<port>.
    // The client's redirect URI is Gatehouse's own home page here, so every flow ends on a page that loads.
    s = await startTestServer({
      mutate: (c) => {
        c.server!.issuer = c.server!.issuer!.replace('127.0.0.1', 'localhost');
        c.clients!.find((x) => x.clientId === 'interactive.confidential')!.redirectUris!.push(`${c.server!.issuer}/ui/`);
      },
    });
    base = s.url.replace('127.0.0.1', 'localhost');
    CALLBACK = `${base}/ui/`;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 640, height: 760 }, deviceScaleFactor: 1 });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await s?.close();
  });

  /** No axe-core violation of impact serious or critical on the current page. */
  const accessible = async () => {
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run();
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
    });
    expect(violations).toEqual([]);
  };
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}${name}.png` });

  /** The request to the client's redirect URI (with the code). */
  let callback: Promise<string>;
  /** Starts an authorization request; returns the PKCE verifier. */
  const authorize = async (params: Record<string, string> = {}) => {
    callback = page.waitForRequest((r) => r.url().startsWith(`${CALLBACK}?`), { timeout: 20_000 }).then((r) => r.url());
    const { verifier, challenge } = await pkce();
    const q = new URLSearchParams({
      client_id: 'interactive.confidential',
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid profile',
      state: 'st',
      nonce: 'nn',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...params,
    });
    await page.goto(`${base}/connect/authorize?${q}`);
    return verifier;
  };
  const idToken = async (verifier: string) => {
    const code = new URL(await callback).searchParams.get('code')!;
    // The browser lands on the redirect URI (the home page) before the next flow navigates away.
    await page.waitForURL((u) => u.href.startsWith(`${CALLBACK}?`));
    await page.waitForLoadState();
    const tokens = await exchangeCode(s.url, code, verifier, 'interactive.confidential', 'secret', CALLBACK);
    expect(tokens.status).toBe(200);
    return claimsOf(tokens.body.id_token as string);
  };
  const signInWithPassword = async (username: string) => {
    await page.fill('#username', username);
    await page.fill('#password', username);
    await page.click('button[type=submit]:has-text("Sign in")');
  };

  it('carol: the second-factor page (TOTP), accessible; her ID token carries amr ["pwd","otp"]', async () => {
    const verifier = await authorize();
    await signInWithPassword('carol');
    await page.waitForURL(/\/ui\/login\/mfa/);
    await accessible();
    await shot('mfa-totp');
    await page.fill('#code', totpAt('JBSWY3DPEHPK3PXP', s.clock.now()));
    await page.click('button:has-text("Verify")');
    expect((await idToken(verifier)).amr).toEqual(['pwd', 'otp']);
    // Her security page, TOTP set-up and recovery codes pages.
    await page.goto(`${base}/ui/account/security`);
    await accessible();
    await page.click('button:has-text("Create new recovery codes")');
    await expect.poll(() => page.locator('.gh-codes li').count()).toBe(10);
    await accessible();
    await shot('mfa-recovery-codes');
    await page.goto(`${base}/ui/account/security`);
    await page.click('button:has-text("Remove authenticator app")');
    await page.click('button:has-text("Set up authenticator app")');
    await page.waitForURL(/setup=1/);
    await accessible();
    await shot('mfa-totp-setup');
    await context!.clearCookies();
  });

  it('registers a named passkey on the security page, then signs in passwordless with it (amr hwk, user, mfa)', async () => {
    let verifier = await authorize();
    await signInWithPassword('alice');
    expect((await idToken(verifier)).amr).toEqual(['pwd']);
    await page.goto(`${base}/ui/account/security`);
    await page.fill('#passkey_name', 'Test laptop');
    await page.click('button:has-text("Add a passkey")');
    await page.waitForURL(/saved=1/);
    await expect.poll(() => page.locator('dt', { hasText: 'Test laptop' }).count()).toBe(1);
    await accessible();
    await shot('mfa-security');

    await context!.clearCookies();
    verifier = await authorize();
    await accessible();
    await shot('login-passkey');
    await page.click('button:has-text("Sign in with a passkey")');
    const claims = await idToken(verifier);
    expect(claims.sub).toBe('1');
    expect(claims.amr).toEqual(['hwk', 'user', 'mfa']);
  });

  it('uses the passkey as second factor after the password (amr pwd, hwk)', async () => {
    await context!.clearCookies();
    const verifier = await authorize();
    await signInWithPassword('alice');
    await page.waitForURL(/\/ui\/login\/mfa/);
    await accessible();
    await shot('mfa-passkey');
    await page.click('button:has-text("Use a passkey")');
    const claims = await idToken(verifier);
    expect(claims.amr).toEqual(['pwd', 'hwk']);
  });
});
