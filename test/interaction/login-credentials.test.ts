/**
 * The login form: one generic failure message, lockout, "remember me" and
 * the attributes of the cookies it sets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, startTestServer, TestClock, type TestServer } from '../helpers/server.js';
import { authorizeUrl, authParams, expectCode, postLogin, startAt, type PageAt } from './interaction-helpers.js';

/** The text of the page's alert (the login error message). */
const alertText = (html: string) => html.match(/role="alert"[^>]*>([\s\S]*?)<\//)?.[1]?.trim();

describe('credentials', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());
  const loginPage = async (jar = new CookieJar()): Promise<{ jar: CookieJar; page: PageAt }> => ({
    jar,
    page: await startAt(jar, authorizeUrl(s.url, (await authParams()).params), 'login'),
  });

  it('one generic message for an unknown user and a wrong password', async () => {
    const a = await loginPage();
    const wrong = await postLogin(a.jar, s.url, a.page, { username: 'alice', password: 'nope' });
    const b = await loginPage();
    const unknown = await postLogin(b.jar, s.url, b.page, { username: 'mallory', password: 'nope' });
    expect(wrong.status).toBe(unknown.status);
    expect(wrong.status).toBe(400);
    const [w, u] = [await wrong.text(), await unknown.text()];
    expect(alertText(w)).toBeTruthy();
    expect(alertText(w)).toBe(alertText(u));
    // Apart from the echoed username, csrf token and form ids, the pages are the same.
    const normalize = (html: string, user: string) =>
      html
        .replaceAll(`value="${user}"`, 'value="X"')
        .replace(/name="csrf" value="[^"]*"/g, '')
        .replace(/id=[A-Za-z0-9_-]{43}/g, 'id=I');
    expect(normalize(w, 'alice')).toBe(normalize(u, 'mallory'));
    expect(a.jar.cookies.has('gh.session')).toBe(false);
  });

  it('the failed attempt keeps the username and the form works afterwards', async () => {
    const { jar, page } = await loginPage();
    const res = await postLogin(jar, s.url, page, { username: 'bob', password: 'x' });
    const html = await res.text();
    expect(html).toMatch(/id="username"[^>]*value="bob"/);
    const ok = await postLogin(jar, s.url, { ...page, html }, { username: 'bob', password: 'bob' });
    expectCode(ok, s.url);
  });

  it.each([
    ['empty', {}],
    ['empty username', { username: '', password: 'alice' }],
    ['huge username', { username: 'a'.repeat(300), password: 'alice' }],
    ['huge password', { username: 'alice', password: 'p'.repeat(5000) }],
  ])('%s -> a 4xx page, no session', async (_n, body) => {
    const { jar, page } = await loginPage();
    const res = await postLogin(jar, s.url, page, body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(jar.cookies.has('gh.session')).toBe(false);
  });
});

describe('lockout (threshold 3, own clock)', () => {
  let s: TestServer;
  const clock = new TestClock();
  beforeAll(async () => (s = await startTestServer({ clock, mutate: (c) => (c.authentication = { lockoutThreshold: 3, lockoutDuration: 60 }) })));
  afterAll(() => s.close());

  it('locks after 3 failures, refuses even the right password, unlocks later', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, authorizeUrl(s.url, (await authParams()).params), 'login');
    const messages: string[] = [];
    for (let i = 0; i < 3; i++) messages.push(alertText(await (await postLogin(jar, s.url, page, { username: 'alice', password: 'bad' })).text())!);
    expect(messages[0]).toBe(messages[1]);
    expect(messages[2]).not.toBe(messages[0]);
    const locked = await postLogin(jar, s.url, page, { username: 'alice', password: 'alice' });
    expect(locked.status).toBe(400);
    const lockedText = alertText(await locked.text())!;
    expect(lockedText).toBe(messages[2]);
    expect(lockedText).toMatch(/too many|locked|try again/i);
    expect(jar.cookies.has('gh.session')).toBe(false);
    // Another username is not affected.
    const bob = await postLogin(jar, s.url, page, { username: 'bob', password: 'bob' });
    expect(bob.status).toBe(303);
    clock.advance(61);
    const jar2 = new CookieJar();
    const page2 = await startAt(jar2, authorizeUrl(s.url, (await authParams()).params), 'login');
    const ok = await postLogin(jar2, s.url, page2, { username: 'alice', password: 'alice' });
    expect(ok.status).toBe(303);
  });

  it('an unknown username locks the same way (no enumeration)', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, authorizeUrl(s.url, (await authParams()).params), 'login');
    const texts: string[] = [];
    for (let i = 0; i < 4; i++) texts.push(alertText(await (await postLogin(jar, s.url, page, { username: 'ghost', password: 'bad' })).text())!);
    expect(texts[3]).toBe(texts[2]);
    expect(texts[3]).not.toBe(texts[0]);
  });
});

describe('session cookie attributes', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());

  const loginSetCookies = async (remember: boolean) => {
    const jar = new CookieJar();
    const page = await startAt(jar, authorizeUrl(s.url, (await authParams()).params), 'login');
    const res = await postLogin(jar, s.url, page, { username: 'alice', password: 'alice', ...(remember ? { remember: '1' } : {}) });
    // The login POST answers with the client's redirect and the session cookie.
    expectCode(res, s.url);
    return { startCookies: page.res.headers.getSetCookie(), cookies: res.headers.getSetCookie() };
  };

  it('remember=1: a persistent session cookie with Max-Age', async () => {
    const { cookies } = await loginSetCookies(true);
    const session = cookies.find((c) => c.startsWith('gh.session='))!;
    expect(session).toMatch(/Max-Age=\d+/);
    expect(Number(session.match(/Max-Age=(\d+)/)![1])).toBeGreaterThan(3600);
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).not.toMatch(/Secure/);
  });

  it('without remember: a browser-session cookie (no Max-Age, no Expires)', async () => {
    const { cookies } = await loginSetCookies(false);
    const session = cookies.find((c) => c.startsWith('gh.session='))!;
    expect(session).not.toMatch(/Max-Age/i);
    expect(session).not.toMatch(/Expires/i);
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    // The interaction's binding cookie is removed once it is done.
    const binding = cookies.find((c) => c.startsWith('gh.i.'))!;
    expect(binding).toMatch(/Max-Age=0/);
  });
});

describe('cookies on an https issuer', () => {
  let s: TestServer;
  const issuer = 'https://id.example.test';
  beforeAll(async () => (s = await startTestServer({ mutate: (c) => (c.server = { ...c.server, issuer }) })));
  afterAll(() => s.close());

  /** Drives the fetch adapter directly with a cookie jar of its own. */
  const jar = new Map<string, string>();
  const call = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await s.gh.fetch(new Request(url, { ...init, headers }));
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  };

  // The names carry the __Host- prefix on https (src/core/cookies.ts; test/http/host-prefixed-cookies.test.ts).
  it('every cookie is Secure, HttpOnly and SameSite=Lax (but the browser-state cookie); redirects use the issuer', async () => {
    const { params } = await authParams();
    const start = await call(`${issuer}/connect/authorize?${params}`);
    expect(start.status).toBe(303);
    const loginUrl = start.headers.get('location')!;
    expect(loginUrl.startsWith(`${issuer}/ui/login?id=`)).toBe(true);
    const all = [...start.headers.getSetCookie()];
    const page = await (await call(loginUrl)).text();
    const csrf = page.match(/name="csrf" value="([^"]*)"/)![1];
    const action = page.match(/action="([^"]*\/ui\/login\?[^"]*)"/)![1].replace(/&amp;/g, '&');
    const posted = await call(new URL(action, issuer).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, username: 'alice', password: 'alice', remember: '1' }).toString(),
    });
    const resumed = posted;
    expect(resumed.status).toBe(303);
    expect(new URL(resumed.headers.get('location')!).searchParams.get('iss')).toBe(issuer);
    all.push(...resumed.headers.getSetCookie());
    expect(all.some((c) => c.startsWith('__Host-gh.session='))).toBe(true);
    // Session Management 1.0: the browser-state cookie is read by the check_session_iframe in the client's
    // site, so it is neither HttpOnly nor SameSite=Lax, and it holds no session secret.
    const browser = all.find((c) => c.startsWith('__Host-gh.browser='))!;
    expect(browser).toMatch(/; Secure/);
    expect(browser).toMatch(/; SameSite=None/);
    expect(browser).not.toMatch(/HttpOnly/);
    const value = (c: string) => c.slice(c.indexOf('=') + 1, c.indexOf(';'));
    expect(value(browser)).not.toBe(value(all.find((c) => c.startsWith('__Host-gh.session='))!));
    for (const c of all.filter((x) => x !== browser)) {
      expect(c).toMatch(/; Secure/);
      expect(c).toMatch(/; HttpOnly/);
      expect(c).toMatch(/; SameSite=Lax/);
    }
    expect(resumed.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});
