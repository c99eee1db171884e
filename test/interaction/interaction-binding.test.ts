/**
 * Interactions are bound to the browser by a cookie; sessions and
 * interactions expire; every form is protected against CSRF.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, form, startTestServer, TestClock, type TestServer } from '../helpers/server.js';
import {
  actions,
  authorizeUrl,
  authParams,
  consentAndResume,
  expectCode,
  expectErrorPage,
  expectRedirectError,
  FORM,
  field,
  isLoginPage,
  loginAndResume,
  openPage,
  postLogin,
  PUB,
  PUB_REDIRECT,
  signIn,
  startAt,
} from './interaction-helpers.js';

const bindingCookie = (jar: CookieJar) => [...jar.cookies.keys()].find((k) => k.startsWith('gh.i.'))!;

describe('interaction binding and CSRF', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());
  const url = async (over: Record<string, string> = {}) => authorizeUrl(s.url, (await authParams(over)).params);

  it('sets a binding cookie per interaction', async () => {
    const jar = new CookieJar();
    await startAt(jar, await url(), 'login');
    await startAt(jar, await url(), 'login');
    expect([...jar.cookies.keys()].filter((k) => k.startsWith('gh.i.'))).toHaveLength(2);
  });

  it('a tampered binding cookie -> error page on the login page and on resume', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, await url(), 'login');
    const name = bindingCookie(jar);
    const value = jar.cookies.get(name)!;
    jar.cookies.set(name, (value[0] === 'A' ? 'B' : 'A') + value.slice(1));
    await expectErrorPage(await jar.fetch(page.url), 'invalid_request');
    const login = await postLogin(jar, s.url, page, { username: 'alice', password: 'alice' });
    await expectErrorPage(login, 'invalid_request');
    expect(jar.cookies.has('gh.session')).toBe(false);
    const id = new URL(page.url).searchParams.get('id')!;
    await expectErrorPage(await jar.fetch(`${s.url}/connect/authorize/resume?id=${id}`), 'invalid_request');
  });

  it('a missing binding cookie -> error page', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, await url(), 'login');
    jar.cookies.delete(bindingCookie(jar));
    await expectErrorPage(await jar.fetch(page.url), 'invalid_request');
  });

  it('a garbage or unknown interaction id -> error page', async () => {
    const jar = new CookieJar();
    await expectErrorPage(await jar.fetch(`${s.url}/ui/login?id=nope`), 'invalid_request');
    await expectErrorPage(await jar.fetch(`${s.url}/ui/consent?id=${'A'.repeat(43)}`), 'invalid_request');
    await expectErrorPage(await jar.fetch(`${s.url}/connect/authorize/resume?id=${'A'.repeat(43)}`), 'invalid_request');
    await expectErrorPage(await jar.fetch(`${s.url}/connect/authorize/resume`), 'invalid_request');
  });

  it('a tampered session cookie is treated as signed out', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar);
    const v = jar.cookies.get('gh.session')!;
    jar.cookies.set('gh.session', (v[0] === 'A' ? 'B' : 'A') + v.slice(1));
    await startAt(jar, await url(), 'login');
    jar.cookies.set('gh.session', 'garbage;%%');
    await startAt(jar, await url(), 'login');
  });

  it('a session cookie planted before login is replaced (no session fixation)', async () => {
    const jar = new CookieJar();
    const planted = 'A'.repeat(43);
    jar.cookies.set('gh.session', planted);
    await signIn(s.url, jar);
    expect(jar.cookies.get('gh.session')).not.toBe(planted);
    jar.cookies.set('gh.session', planted);
    await startAt(jar, await url(), 'login');
  });

  it('login POST without csrf -> 403 page, no session cookie', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, await url(), 'login');
    const action = actions(page.html).find((a) => a.includes('/ui/login?'))!;
    const res = await jar.fetch(new URL(action, s.url).toString(), { method: 'POST', headers: FORM, body: form({ username: 'alice', password: 'alice' }) });
    expect(res.status).toBe(403);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.getSetCookie().some((c) => c.startsWith('gh.session='))).toBe(false);
    expect(jar.cookies.has('gh.session')).toBe(false);
  });

  it('login POST with a wrong csrf -> 403 page, no session cookie', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, await url(), 'login');
    const res = await postLogin(jar, s.url, page, { csrf: 'x'.repeat(32), username: 'alice', password: 'alice' });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('gh.session='))).toBe(false);
    // The csrf token of another interaction does not work either.
    const other = await startAt(jar, await url(), 'login');
    const mixed = await postLogin(jar, s.url, page, { csrf: field(other.html, 'csrf')!, username: 'alice', password: 'alice' });
    expect(mixed.status).toBe(403);
    expect(jar.cookies.has('gh.session')).toBe(false);
  });

  it('consent POST without csrf -> no consent', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, await url({ client_id: PUB }), 'login');
    const afterLogin = await loginAndResume(jar, s.url, page, 'bob');
    const consent = await openPage(jar, afterLogin.headers.get('location')!);
    const res = await consentAndResume(jar, s.url, consent, { csrf: null, remember: true });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    // Nothing was recorded: the interaction still asks for consent, and a new request too.
    const id = new URL(consent.url).searchParams.get('id')!;
    const resumed = await jar.fetch(`${s.url}/connect/authorize/resume?id=${id}`);
    expect(resumed.headers.get('location')).toContain('/ui/consent?id=');
    await startAt(jar, await url({ client_id: PUB }), 'consent');
    // With the token it works.
    expectCode(await consentAndResume(jar, s.url, consent), s.url, PUB_REDIRECT);
  });

  it('login cancel without csrf does not deny', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, await url(), 'login');
    const cancel = actions(page.html).find((a) => a.includes('/ui/login/cancel'))!;
    const res = await jar.fetch(new URL(cancel, s.url).toString(), { method: 'POST', headers: FORM, body: '' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(isLoginPage((await openPage(jar, page.url)).html)).toBe(true);
  });
});

describe('expiry (own clock)', () => {
  let s: TestServer;
  const clock = new TestClock();
  beforeAll(async () => (s = await startTestServer({ clock, mutate: (c) => (c.authentication = { cookieLifetime: 600, interactionLifetime: 300 }) })));
  afterAll(() => s.close());
  const url = async (over: Record<string, string> = {}) => authorizeUrl(s.url, (await authParams(over)).params);

  it('an expired session -> login page', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar);
    expectCode(await jar.fetch(await url()), s.url);
    clock.advance(601);
    await startAt(jar, await url(), 'login');
  });

  it('a used session slides its expiry', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar);
    clock.advance(400);
    expectCode(await jar.fetch(await url()), s.url);
    clock.advance(400);
    expectCode(await jar.fetch(await url()), s.url);
  });

  it('an expired interaction -> error page', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, await url(), 'login');
    clock.advance(301);
    await expectErrorPage(await jar.fetch(page.url), 'invalid_request');
    const login = await postLogin(jar, s.url, page, { username: 'alice', password: 'alice' });
    expect(login.status).toBeGreaterThanOrEqual(400);
    expect(login.status).toBeLessThan(500);
    expect(jar.cookies.has('gh.session')).toBe(false);
  });

  it('an interaction that expires before the login form is posted -> error page, no session', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, await url(), 'login');
    clock.advance(301);
    await expectErrorPage(await postLogin(jar, s.url, page, { username: 'alice', password: 'alice' }), 'invalid_request');
    expect(jar.cookies.has('gh.session')).toBe(false);
  });

  it('max_age: re-authentication once the last login is older', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar);
    clock.advance(11);
    expectCode(await jar.fetch(await url({ max_age: '60' })), s.url);
    const page = await startAt(jar, await url({ max_age: '10' }), 'login');
    expectCode(await loginAndResume(jar, s.url, page), s.url);
    expectCode(await jar.fetch(await url({ max_age: '10' })), s.url);
    clock.advance(11);
    expectRedirectError(await jar.fetch(await url({ max_age: '10', prompt: 'none' })), { issuer: s.url, error: 'login_required', state: 'st-1' });
  });
});
