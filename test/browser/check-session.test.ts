/**
 * Session Management 1.0 in Chromium: a client page frames Gatehouse's
 * check_session_iframe and polls it with postMessage. "unchanged" while the
 * session lasts, "changed" after the user signed out (confirmed on the
 * sign-out page), "error" for a malformed message. And Front-Channel Logout
 * 1.0: the signed-out page's iframes really load, then the page continues
 * to the client.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { requirePrograms } from '../helpers/requirements.js';
import { rpClient, startRelyingParty, withClients, type RelyingParty } from '../sessions/logout-helpers.js';

const skip = requirePrograms(['chromium']);

describe.skipIf(!!skip)('check_session_iframe in Chromium', () => {
  let rp: RelyingParty;
  let s: TestServer;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    rp = await startRelyingParty();
    s = await startTestServer({
      mutate: withClients([
        rpClient(rp.url, 'spa', { frontChannelLogoutUri: undefined, backChannelLogoutUri: undefined }),
        rpClient(rp.url, 'web', { backChannelLogoutUri: undefined }),
      ]),
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await s?.close();
    await rp?.close();
  });

  /** Loads the client's page that frames the OP iframe and asks it about `message`. */
  const ask = async (page: Page, message: string): Promise<unknown> => {
    await page.goto(`${rp.url}/rp.html`);
    await page.waitForFunction(() => (window as unknown as { opLoaded?: boolean }).opLoaded === true);
    return page.evaluate(
      ([msg, origin]) =>
        new Promise((resolve) => {
          window.addEventListener('message', (e) => e.origin === origin && resolve(e.data), { once: true });
          (document.getElementById('op') as HTMLIFrameElement).contentWindow!.postMessage(msg, origin);
        }),
      [message, s.url],
    );
  };

  it('answers unchanged, then changed after sign-out, and error for nonsense', async () => {
    context = await newContext(browser!);
    const page = await context.newPage();
    rp.pages.set(
      '/rp.html',
      `<!doctype html><title>client</title><iframe id="op" src="${s.url}/connect/checksession"></iframe><script>document.getElementById('op').addEventListener('load', function () { window.opLoaded = true; });</script>`,
    );

    // Sign in in the browser; the callback carries session_state.
    const { challenge } = await pkce();
    const params = new URLSearchParams({
      client_id: 'app.spa',
      redirect_uri: `${rp.url}/cb/spa`,
      response_type: 'code',
      scope: 'openid',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    await page.goto(`${s.url}/connect/authorize?${params}`);
    await page.fill('#username', 'alice');
    await page.fill('#password', 'alice');
    await page.click('button[type=submit].gh-button-primary');
    await page.waitForURL((u) => u.pathname === '/cb/spa');
    const sessionState = new URL(page.url()).searchParams.get('session_state')!;
    expect(sessionState).toMatch(/^[0-9a-f]{64}\./);

    expect(await ask(page, `app.spa ${sessionState}`)).toBe('unchanged');
    // Another client id or a tampered state does not match.
    expect(await ask(page, `app.other ${sessionState}`)).toBe('changed');
    const tampered = (sessionState[0] === '0' ? '1' : '0') + sessionState.slice(1);
    expect(await ask(page, `app.spa ${tampered}`)).toBe('changed');
    expect(await ask(page, 'nonsense')).toBe('error');

    // Sign out at the end session endpoint without a hint: the user confirms.
    await page.goto(`${s.url}/connect/endsession?client_id=app.spa&post_logout_redirect_uri=${encodeURIComponent(`${rp.url}/bye/spa`)}`);
    await page.click('button[type=submit].gh-button-primary');
    await page.waitForURL((u) => u.pathname === '/bye/spa');
    expect(await ask(page, `app.spa ${sessionState}`)).toBe('changed');
  });

  it('front-channel: the signed-out page loads the client iframes with iss and sid, then continues to the client', async () => {
    const ctx2 = await newContext(browser!);
    const page = await ctx2.newPage();
    const { challenge } = await pkce();
    const params = new URLSearchParams({
      client_id: 'app.web',
      redirect_uri: `${rp.url}/cb/web`,
      response_type: 'code',
      scope: 'openid',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    await page.goto(`${s.url}/connect/authorize?${params}`);
    await page.fill('#username', 'bob');
    await page.fill('#password', 'bob');
    await page.click('button[type=submit].gh-button-primary');
    await page.waitForURL((u) => u.pathname === '/cb/web');
    const [session] = await s.gh.sessions.query({ subjectId: '2' });

    const before = rp.received.length;
    await page.goto(`${s.url}/connect/endsession?client_id=app.web&post_logout_redirect_uri=${encodeURIComponent(`${rp.url}/bye/web`)}&state=z`);
    await page.click('button[type=submit].gh-button-primary');
    // The signed-out page, then (after its iframes loaded) the client's post-logout page.
    await page.waitForURL((u) => u.pathname === '/bye/web');
    expect(new URL(page.url()).searchParams.get('state')).toBe('z');
    const frame = rp.received.slice(before).find((r) => r.path === '/fc/web')!;
    expect(frame.method).toBe('GET');
    expect(frame.query.get('iss')).toBe(s.url);
    expect(frame.query.get('sid')).toBe(session.sid);
    await ctx2.close();
  });
});
