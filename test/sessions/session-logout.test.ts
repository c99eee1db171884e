/**
 * The SSO session seen from the browser: the home page, signing out there,
 * and RP-Initiated Logout at the end session endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, form, startTestServer, type TestServer } from '../helpers/server.js';
import {
  actions,
  authorizeUrl,
  authParams,
  expectCode,
  expectErrorPage,
  expectRedirectError,
  FORM,
  field,
  PUB,
  redeem,
  signIn,
  startAt,
} from '../interaction/interaction-helpers.js';

describe('home page and sign-out', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());
  const url = async (over: Record<string, string> = {}) => authorizeUrl(s.url, (await authParams(over)).params);

  it('shows "not signed in" without a session', async () => {
    const res = await new CookieJar().fetch(`${s.url}/ui/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('Alice Smith');
    expect(actions(html)).toHaveLength(0);
  });

  it("shows the signed-in user's name and sub", async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'alice');
    const html = await (await jar.fetch(`${s.url}/ui/`)).text();
    expect(html).toContain('Alice Smith');
    expect(html).toMatch(/<dd class="gh-code">1<\/dd>/);
    expect(html).toContain('AliceSmith@example.com');
    // The root path serves the same page.
    expect(await (await jar.fetch(`${s.url}/`)).text()).toContain('Alice Smith');
  });

  it('sign-out with the csrf token clears the session; the next authorize shows the login page', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'bob');
    const home = await (await jar.fetch(`${s.url}/ui/`)).text();
    const res = await jar.fetch(new URL(actions(home)[0], s.url).toString(), { method: 'POST', headers: FORM, body: form({ csrf: field(home, 'csrf')! }) });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('gh.session='))).toMatch(/Max-Age=0/);
    expect(jar.cookies.has('gh.session')).toBe(false);
    await startAt(jar, await url(), 'login');
  });

  it('the old session cookie is dead on the server after sign-out', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'bob');
    const saved = jar.cookies.get('gh.session')!;
    const home = await (await jar.fetch(`${s.url}/ui/`)).text();
    await jar.fetch(`${s.url}/ui/logout`, { method: 'POST', headers: FORM, body: form({ csrf: field(home, 'csrf')! }) });
    jar.cookies.set('gh.session', saved);
    await startAt(jar, await url(), 'login');
  });

  it.each([
    ['no csrf', {}],
    ['a wrong csrf', { csrf: 'x'.repeat(43) }],
  ])('sign-out with %s keeps the user signed in', async (_n, body) => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'alice');
    const res = await jar.fetch(`${s.url}/ui/logout`, { method: 'POST', headers: FORM, body: form(body) });
    expect(res.headers.getSetCookie().some((c) => c.startsWith('gh.session='))).toBe(false);
    expectCode(await jar.fetch(await url({ prompt: 'none' })), s.url);
  });

  it('the csrf token of another browser does not sign out', async () => {
    const victim = new CookieJar();
    await signIn(s.url, victim, 'alice');
    const attacker = new CookieJar();
    await signIn(s.url, attacker, 'bob');
    const attackerHome = await (await attacker.fetch(`${s.url}/ui/`)).text();
    await victim.fetch(`${s.url}/ui/logout`, { method: 'POST', headers: FORM, body: form({ csrf: field(attackerHome, 'csrf')! }) });
    expectCode(await victim.fetch(await url({ prompt: 'none' })), s.url);
  });

  it('GET on /ui/logout does not sign out', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'alice');
    const res = await jar.fetch(`${s.url}/ui/logout`);
    expect(res.status).toBe(405);
    expectCode(await jar.fetch(await url({ prompt: 'none' })), s.url);
  });
});

describe('end session endpoint (RP-Initiated Logout)', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());
  const url = async (over: Record<string, string> = {}) => authorizeUrl(s.url, (await authParams(over)).params);

  /** A browser signed in as alice and the ID token the confidential client got. */
  const signedIn = async () => {
    const jar = new CookieJar();
    const { code, verifier } = await signIn(s.url, jar, 'alice');
    const tok = await redeem(s.url, code, verifier);
    expect(tok.status).toBe(200);
    return { jar, idToken: tok.body.id_token as string };
  };

  it('id_token_hint + registered post_logout_redirect_uri + state -> 303 there with state; then prompt=none -> login_required', async () => {
    const { jar, idToken } = await signedIn();
    const q = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'http://localhost:3000/', state: 'bye 1' });
    const res = await jar.fetch(`${s.url}/connect/endsession?${q}`);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('http://localhost:3000/');
    expect(location.searchParams.get('state')).toBe('bye 1');
    expect(jar.cookies.has('gh.session')).toBe(false);
    expectRedirectError(await jar.fetch(await url({ prompt: 'none' })), { issuer: s.url, error: 'login_required', state: 'st-1' });
  });

  it('POST works the same', async () => {
    const { jar, idToken } = await signedIn();
    const res = await jar.fetch(`${s.url}/connect/endsession`, {
      method: 'POST',
      headers: FORM,
      body: form({ id_token_hint: idToken, post_logout_redirect_uri: 'http://localhost:3000/' }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('http://localhost:3000/');
    expectRedirectError(await jar.fetch(await url({ prompt: 'none' })), { issuer: s.url, error: 'login_required', state: 'st-1' });
  });

  it.each(['https://evil.example/', 'http://localhost:3000', 'http://localhost:3000/x', 'http://localhost:3000/spa/'])(
    'unregistered post_logout_redirect_uri %s -> error page, not a redirect, still signed in',
    async (uri) => {
      const { jar, idToken } = await signedIn();
      const q = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: uri, state: 's' });
      const html = await expectErrorPage(await jar.fetch(`${s.url}/connect/endsession?${q}`), 'invalid_request');
      expect(html).not.toContain('evil.example');
      expectCode(await jar.fetch(await url({ prompt: 'none' })), s.url);
    },
  );

  it('post_logout_redirect_uri without a hint or client_id -> error page', async () => {
    const q = new URLSearchParams({ post_logout_redirect_uri: 'http://localhost:3000/' });
    await expectErrorPage(await new CookieJar().fetch(`${s.url}/connect/endsession?${q}`), 'invalid_request');
  });

  it('client_id + a loopback post_logout_redirect_uri on any port (RFC 8252 §7.3)', async () => {
    const q = new URLSearchParams({ client_id: PUB, post_logout_redirect_uri: 'http://127.0.0.1:54321/', state: 'x' });
    const res = await new CookieJar().fetch(`${s.url}/connect/endsession?${q}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:54321/?state=x');
    const bad = new URLSearchParams({ client_id: PUB, post_logout_redirect_uri: 'http://127.0.0.1:54321/other' });
    await expectErrorPage(await new CookieJar().fetch(`${s.url}/connect/endsession?${bad}`), 'invalid_request');
  });

  it('client_id that disagrees with the id_token_hint -> error page', async () => {
    const { jar, idToken } = await signedIn();
    const q = new URLSearchParams({ id_token_hint: idToken, client_id: PUB, post_logout_redirect_uri: 'http://localhost:3000/spa/' });
    await expectErrorPage(await jar.fetch(`${s.url}/connect/endsession?${q}`), 'invalid_request');
  });

  it('a forged id_token_hint -> error page', async () => {
    const { jar, idToken } = await signedIn();
    const [h, p] = idToken.split('.');
    const q = new URLSearchParams({ id_token_hint: `${h}.${p}.AAAA`, post_logout_redirect_uri: 'http://localhost:3000/' });
    await expectErrorPage(await jar.fetch(`${s.url}/connect/endsession?${q}`), 'invalid_request');
  });

  it('without a redirect: the signed-out page, and the session is gone', async () => {
    const { jar, idToken } = await signedIn();
    const res = await jar.fetch(`${s.url}/connect/endsession?${new URLSearchParams({ id_token_hint: idToken })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(jar.cookies.has('gh.session')).toBe(false);
    expectRedirectError(await jar.fetch(await url({ prompt: 'none' })), { issuer: s.url, error: 'login_required', state: 'st-1' });
  });
});

describe('end session asks the user when the request does not name them (RP-Initiated Logout 1.0 §2)', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());

  it('a plain GET shows a confirmation; the session survives until the user confirms', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'alice');
    const res = await jar.fetch(
      `${s.url}/connect/endsession?post_logout_redirect_uri=${encodeURIComponent('http://localhost:3000/')}&client_id=interactive.confidential&state=s1`,
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('name="confirm" value="1"');
    expect(jar.cookies.has('gh.session')).toBe(true);
    // Still signed in: the home page shows alice.
    expect(await (await jar.fetch(`${s.url}/ui/`)).text()).toContain('Alice Smith');

    // A forged confirmation without the session-bound csrf token only shows the page again.
    const forged = await jar.fetch(`${s.url}/connect/endsession`, {
      method: 'POST',
      headers: FORM,
      body: form({ confirm: '1', client_id: 'interactive.confidential' }),
    });
    expect(forged.status).toBe(200);
    expect(jar.cookies.has('gh.session')).toBe(true);

    // Confirming with the form's fields ends the session and returns to the client with state.
    const fields: Record<string, string> = {};
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]] = m[2].replace(/&amp;/g, '&');
    const done = await jar.fetch(`${s.url}/connect/endsession`, { method: 'POST', headers: FORM, body: form(fields) });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('http://localhost:3000/?state=s1');
    expect(jar.cookies.has('gh.session')).toBe(false);
  });
});
