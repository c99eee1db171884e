/**
 * Cookies on an https issuer carry the `__Host-` prefix (RFC 6265bis
 * §4.1.3.2: Secure, Path=/, no Domain), so a sibling subdomain or an http
 * page cannot plant them; only prefixed cookies are read there. The issuer is
 * https while the test listener is plain http (a TLS proxy in front), so
 * every URL the server emits is followed over http.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieName, readableCookies, serializeCookie } from '../../src/core/cookies.js';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, authParams, expectCode, expectRedirectError, loginAndResume, startAt } from '../interaction/interaction-helpers.js';

/** A browser behind the TLS proxy: the https URLs of the issuer reach the http listener. */
class ProxiedJar extends CookieJar {
  readonly setCookies: string[] = [];
  constructor(
    private readonly https: string,
    private readonly http: string,
  ) {
    super();
  }
  override async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await super.fetch(url.replace(this.https, this.http), init);
    this.setCookies.push(...res.headers.getSetCookie());
    return res;
  }
}

describe('cookie names', () => {
  it('one function names them: prefixed on https only', () => {
    expect(cookieName('gh.session', true)).toBe('__Host-gh.session');
    expect(cookieName('gh.session', false)).toBe('gh.session');
    expect(serializeCookie({ name: 'gh.i.x', value: 'v', path: '/ui' }, true)).toBe('__Host-gh.i.x=v; Path=/; HttpOnly; SameSite=Lax; Secure');
    expect(readableCookies({ '__Host-gh.session': 'a', 'gh.session': 'planted', '__Host-': 'x' }, true)).toEqual({ 'gh.session': 'a' });
    expect(readableCookies({ 'gh.session': 'a' }, false)).toEqual({ 'gh.session': 'a' });
  });
});

describe('an https issuer', () => {
  let s: TestServer;
  let https: string;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => void (c.server!.issuer = c.server!.issuer!.replace('http:', 'https:')) });
    https = s.url.replace('http:', 'https:');
  });
  afterAll(() => s.close());

  const signedIn = async () => {
    const jar = new ProxiedJar(https, s.url);
    const { params } = await authParams();
    const page = await startAt(jar, authorizeUrl(s.url, params), 'login');
    expectCode(await loginAndResume(jar, https, page, 'alice'), https);
    return jar;
  };

  it('sets every cookie (interaction binding, session, browser state) with __Host-, Secure, Path=/ and no Domain', async () => {
    const jar = await signedIn();
    const names = jar.setCookies.map((c) => c.slice(0, c.indexOf('=')));
    expect(names).toEqual(expect.arrayContaining(['__Host-gh.session', '__Host-gh.browser', expect.stringMatching(/^__Host-gh\.i\./)]));
    for (const c of jar.setCookies) {
      expect(c, c).toMatch(/^__Host-/);
      expect(c, c).toMatch(/; Secure(;|$)/);
      expect(c, c).toMatch(/; Path=\/(;|$)/);
      expect(c, c).not.toMatch(/domain=/i);
    }
  });

  it('reads the prefixed session cookie: SSO with prompt=none gives a code', async () => {
    const jar = await signedIn();
    expectCode(await jar.fetch(authorizeUrl(s.url, (await authParams({ prompt: 'none' })).params)), https);
  });

  it('ignores an unprefixed cookie with the same value (planted over http or by a subdomain)', async () => {
    const jar = await signedIn();
    const planted = new ProxiedJar(https, s.url);
    planted.cookies.set('gh.session', jar.cookies.get('__Host-gh.session')!);
    expectRedirectError(await planted.fetch(authorizeUrl(s.url, (await authParams({ prompt: 'none' })).params)), {
      issuer: https,
      error: 'login_required',
      state: 'st-1',
    });
  });

  it('the interaction API reads the prefixed binding cookie from a Cookie header', async () => {
    const jar = new ProxiedJar(https, s.url);
    const res = await jar.fetch(authorizeUrl(s.url, (await authParams()).params));
    const id = new URL(res.headers.get('location')!).searchParams.get('id')!;
    expect(await s.gh.interactions.details(id, jar.header())).toBeDefined();
    const unprefixed = [...jar.cookies].map(([k, v]) => `${k.replace('__Host-', '')}=${v}`).join('; ');
    expect(await s.gh.interactions.details(id, unprefixed)).toBeUndefined();
  });

  it('the check_session_iframe script reads the prefixed browser-state cookie', async () => {
    const js = await (await fetch(`${s.url}/connect/checksession.js`)).text();
    expect(js).toContain('"__Host-gh.browser"');
  });
});
