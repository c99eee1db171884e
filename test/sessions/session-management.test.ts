/**
 * OpenID Connect Session Management 1.0 without a browser: session_state in
 * the authorization response matches the browser-state cookie (§4.1), the
 * iframe page may be framed, and the feature can be switched off.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { rpClient, signInClient, startRelyingParty, withClients, type RelyingParty } from './logout-helpers.js';

describe('session management', () => {
  let rp: RelyingParty;
  let s: TestServer;
  beforeAll(async () => {
    rp = await startRelyingParty();
    s = await startTestServer({ mutate: withClients([rpClient(rp.url, 'one', { frontChannelLogoutUri: undefined, backChannelLogoutUri: undefined })]) });
  });
  afterAll(async () => {
    await s?.close();
    await rp?.close();
  });

  it('session_state = sha256(client_id origin browser-state salt).salt; a fresh salt per response', async () => {
    const jar = new CookieJar();
    const first = await signInClient(s.url, rp.url, jar, 'one');
    const browserState = jar.cookies.get('gh.browser')!;
    expect(browserState).toBeTruthy();
    // The browser state is neither the session handle nor the sid.
    expect(browserState).not.toBe(jar.cookies.get('gh.session'));
    const [info] = await s.gh.sessions.query({ subjectId: '1' });
    expect(browserState).not.toBe(info.sid);
    const check = (sessionState: string) => {
      const [hash, salt] = sessionState.split('.');
      expect(createHash('sha256').update(`app.one ${rp.url} ${browserState} ${salt}`).digest('hex')).toBe(hash);
      return salt;
    };
    const second = await signInClient(s.url, rp.url, jar, 'one');
    expect(check(first.response.get('session_state')!)).not.toBe(check(second.response.get('session_state')!));
    // Signing out deletes the browser state.
    await jar.fetch(`${s.url}/connect/endsession?${new URLSearchParams({ id_token_hint: second.idToken })}`);
    expect(jar.cookies.has('gh.browser')).toBe(false);
  });

  it('the iframe page can be framed by any client and loads only its own script', async () => {
    const res = await fetch(`${s.url}/connect/checksession`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-frame-options')).toBeNull();
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).not.toContain('frame-ancestors');
    expect(csp).toContain("script-src 'self'");
    expect(await res.text()).toContain('<script src="checksession.js">');
    const js = await fetch(`${s.url}/connect/checksession.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('gh.browser');
    // Every other page still refuses framing.
    expect((await fetch(`${s.url}/ui/`)).headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('session management switched off', () => {
  let rp: RelyingParty;
  let s: TestServer;
  beforeAll(async () => {
    rp = await startRelyingParty();
    s = await startTestServer({
      mutate: withClients([rpClient(rp.url, 'one', { frontChannelLogoutUri: undefined, backChannelLogoutUri: undefined })], { checkSession: false }),
    });
  });
  afterAll(async () => {
    await s?.close();
    await rp?.close();
  });

  it('no check_session_iframe, no session_state, no browser-state cookie', async () => {
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc).not.toHaveProperty('check_session_iframe');
    expect((await fetch(`${s.url}/connect/checksession`)).status).toBe(404);
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'one');
    expect(t.response.has('session_state')).toBe(false);
    expect(jar.cookies.has('gh.browser')).toBe(false);
  });
});
