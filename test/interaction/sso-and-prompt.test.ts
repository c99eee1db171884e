/**
 * SSO sessions, prompt, max_age, consent, id_token_hint, login_hint and
 * ui_locales through the built-in pages (OIDC Core §3.1.2.1, §3.1.2.3-4).
 * One server; every test has its own browser (jar) and, where consent
 * records matter, its own user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import {
  actions,
  authorizeUrl,
  authParams,
  consentAndResume,
  expectCode,
  expectRedirectError,
  FORM,
  field,
  isConsentPage,
  isLoginPage,
  loginAndResume,
  openPage,
  PUB,
  PUB_REDIRECT,
  redeem,
  signIn,
  startAt,
} from './interaction-helpers.js';

/** Extra users u1..u20 (password = username) so consent records never collide between tests. */
function addUsers(c: ConfigInput, n = 20): void {
  const users = (c.users ?? []) as Record<string, unknown>[];
  for (let i = 1; i <= n; i++) users.push({ subjectId: `s${i}`, username: `u${i}`, password: `u${i}`, claims: { name: `User ${i}` } });
  c.users = users as ConfigInput['users'];
}

describe('SSO, prompt and consent', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer({ mutate: (c) => addUsers(c) })));
  afterAll(() => s.close());

  const url = async (over: Record<string, string | undefined> = {}) => {
    const { params, verifier } = await authParams(over);
    return { url: authorizeUrl(s.url, params), verifier, params };
  };
  const pubScopes = (scope = 'openid profile') => ({ client_id: PUB, scope });

  it('a second client gets the consent page without a login form, the same client a code at once', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u1');
    const consent = await startAt(jar, (await url(pubScopes())).url, 'consent');
    expect(consent.status).toBe(200);
    expect(isConsentPage(consent.html)).toBe(true);
    expect(isLoginPage(consent.html)).toBe(false);
    expect(consent.html).toContain('User 1');
    const again = await jar.fetch((await url()).url);
    expectCode(again, s.url);
  });

  it('prompt=login forces the login page, then returns a code', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u2');
    const page = await startAt(jar, (await url({ prompt: 'login' })).url, 'login');
    expect(isLoginPage(page.html)).toBe(true);
    expectCode(await loginAndResume(jar, s.url, page, 'u2'), s.url);
  });

  it('max_age=0 forces the login page, even in the same second (equivalent to prompt=login)', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u3');
    const page = await startAt(jar, (await url({ max_age: '0' })).url, 'login');
    expectCode(await loginAndResume(jar, s.url, page, 'u3'), s.url);
  });

  it('a large max_age does not force a login', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u3');
    expectCode(await jar.fetch((await url({ max_age: '3600' })).url), s.url);
  });

  it('prompt=none without a session -> login_required', async () => {
    expectRedirectError(await new CookieJar().fetch((await url({ prompt: 'none' })).url), { issuer: s.url, error: 'login_required', state: 'st-1' });
  });

  it('prompt=none with a session but consent needed -> consent_required', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u4');
    expectCode(await jar.fetch((await url({ prompt: 'none' })).url), s.url);
    const res = await jar.fetch((await url({ ...pubScopes(), prompt: 'none' })).url);
    expectRedirectError(res, { issuer: s.url, error: 'consent_required', state: 'st-1', redirectUri: PUB_REDIRECT });
  });

  it('remembered consent goes straight through; growing scopes ask again; prompt=consent asks again', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u5');
    const first = await startAt(jar, (await url(pubScopes('openid profile'))).url, 'consent');
    expectCode(await consentAndResume(jar, s.url, first, { remember: true }), s.url, PUB_REDIRECT);
    // Same scopes, and a subset: no page.
    expectCode(await jar.fetch((await url(pubScopes('openid profile'))).url), s.url, PUB_REDIRECT);
    expectCode(await jar.fetch((await url(pubScopes('openid'))).url), s.url, PUB_REDIRECT);
    expectCode(await jar.fetch((await url({ ...pubScopes('openid profile'), prompt: 'none' })).url), s.url, PUB_REDIRECT);
    // More scopes: asked again, and the page lists the new one.
    const grown = await startAt(jar, (await url(pubScopes('openid profile email'))).url, 'consent');
    expect(grown.html).toContain('value="email"');
    expectCode(await consentAndResume(jar, s.url, grown, { remember: true }), s.url, PUB_REDIRECT);
    expectCode(await jar.fetch((await url(pubScopes('openid profile email'))).url), s.url, PUB_REDIRECT);
    // prompt=consent always asks.
    const forced = await startAt(jar, (await url({ ...pubScopes('openid profile'), prompt: 'consent' })).url, 'consent');
    expect(isConsentPage(forced.html)).toBe(true);
  });

  it('consent not remembered without remember=1', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u6');
    const first = await startAt(jar, (await url(pubScopes())).url, 'consent');
    expectCode(await consentAndResume(jar, s.url, first, { remember: false }), s.url, PUB_REDIRECT);
    await startAt(jar, (await url(pubScopes())).url, 'consent');
  });

  it('prompt=consent shows the consent page even for a client that needs no consent', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u7');
    const page = await startAt(jar, (await url({ prompt: 'consent' })).url, 'consent');
    expectCode(await consentAndResume(jar, s.url, page), s.url);
  });

  it('deny on the consent page -> access_denied', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u8');
    const page = await startAt(jar, (await url(pubScopes())).url, 'consent');
    const res = await consentAndResume(jar, s.url, page, { decision: 'deny' });
    expectRedirectError(res, { issuer: s.url, error: 'access_denied', state: 'st-1', redirectUri: PUB_REDIRECT });
    // The interaction is finished: resuming it again is an error page.
    const again = await jar.fetch(`${s.url}/connect/authorize/resume?${new URL(page.url).searchParams}`);
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBeNull();
  });

  it('cancel on the login page -> access_denied', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, (await url()).url, 'login');
    const cancel = actions(page.html).find((a) => a.includes('/ui/login/cancel'))!;
    const res = await jar.fetch(new URL(cancel, s.url).toString(), {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ csrf: field(page.html, 'csrf')! }),
    });
    expectRedirectError(res, { issuer: s.url, error: 'access_denied', state: 'st-1' });
    expect(jar.cookies.has('gh.session')).toBe(false);
  });

  it('an unticked optional scope is not granted; the required openid cannot be removed', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u9');
    const req = await url(pubScopes('openid profile email'));
    const page = await startAt(jar, req.url, 'consent');
    // openid is required: shown disabled and carried by a hidden input.
    expect(page.html).toMatch(/type="hidden" name="scope" value="openid"/);
    // Submit only "profile": email unticked, openid deliberately removed.
    const code = expectCode(await consentAndResume(jar, s.url, page, { scopes: ['profile'] }), s.url, PUB_REDIRECT);
    const tok = await redeem(s.url, code, req.verifier, PUB);
    expect(tok.status).toBe(200);
    const scopes = String(tok.body.scope).split(' ');
    expect(scopes).toContain('openid');
    expect(scopes).toContain('profile');
    expect(scopes).not.toContain('email');
    expect(tok.body.id_token).toBeTypeOf('string');
  });

  it('a scope that was not requested cannot be granted on the consent page', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u10');
    const req = await url(pubScopes('openid'));
    const page = await startAt(jar, req.url, 'consent');
    const code = expectCode(await consentAndResume(jar, s.url, page, { scopes: ['openid', 'email', 'api'] }), s.url, PUB_REDIRECT);
    const tok = await redeem(s.url, code, req.verifier, PUB);
    expect(String(tok.body.scope).split(' ')).toEqual(['openid']);
  });

  describe('id_token_hint', () => {
    let bobIdToken: string;
    let aliceIdToken: string;
    beforeAll(async () => {
      const bob = await signIn(s.url, new CookieJar(), 'bob');
      bobIdToken = (await redeem(s.url, bob.code, bob.verifier)).body.id_token;
      const alice = await signIn(s.url, new CookieJar(), 'alice');
      aliceIdToken = (await redeem(s.url, alice.code, alice.verifier)).body.id_token;
      expect(bobIdToken).toBeTypeOf('string');
    });

    it('for the signed-in user -> a code, also with prompt=none', async () => {
      const jar = new CookieJar();
      await signIn(s.url, jar, 'alice');
      expectCode(await jar.fetch((await url({ id_token_hint: aliceIdToken, prompt: 'none' })).url), s.url);
    });

    it('for another user forces the login page; signing in as that user gives a code', async () => {
      const jar = new CookieJar();
      await signIn(s.url, jar, 'alice');
      const page = await startAt(jar, (await url({ id_token_hint: bobIdToken })).url, 'login');
      expectCode(await loginAndResume(jar, s.url, page, 'bob'), s.url);
    });

    it('for another user, signing in as the wrong user again -> login_required', async () => {
      const jar = new CookieJar();
      await signIn(s.url, jar, 'alice');
      const page = await startAt(jar, (await url({ id_token_hint: bobIdToken })).url, 'login');
      expectRedirectError(await loginAndResume(jar, s.url, page, 'alice'), { issuer: s.url, error: 'login_required', state: 'st-1' });
    });

    it('for another user with prompt=none -> login_required', async () => {
      const jar = new CookieJar();
      await signIn(s.url, jar, 'alice');
      expectRedirectError(await jar.fetch((await url({ id_token_hint: bobIdToken, prompt: 'none' })).url), {
        issuer: s.url,
        error: 'login_required',
        state: 'st-1',
      });
    });

    it('issued to another client -> invalid_request', async () => {
      expectRedirectError(await new CookieJar().fetch((await url({ ...pubScopes(), id_token_hint: bobIdToken })).url), {
        issuer: s.url,
        error: 'invalid_request',
        state: 'st-1',
        redirectUri: PUB_REDIRECT,
      });
    });
  });

  it('login_hint prefills the username field', async () => {
    const page = await startAt(new CookieJar(), (await url({ login_hint: 'bob' })).url, 'login');
    expect(page.html).toMatch(/id="username"[^>]*value="bob"/);
  });

  it('login_hint is escaped in the page', async () => {
    const page = await startAt(new CookieJar(), (await url({ login_hint: '"><script>x()</script>' })).url, 'login');
    expect(page.html).not.toContain('<script>x()');
  });

  it('ui_locales=de renders the German login page', async () => {
    const page = await startAt(new CookieJar(), (await url({ ui_locales: 'de-CH en' })).url, 'login');
    expect(page.html).toContain('<html lang="de"');
    expect(page.html).toContain('Bei Ihrem Konto anmelden');
    expect(page.html).toContain('Passwort');
  });

  it('ui_locales=de also translates the consent page', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u11');
    const page = await startAt(jar, (await url({ ...pubScopes(), ui_locales: 'de' })).url, 'consent');
    expect(page.html).toContain('Erlauben');
  });

  it('prompt=select_account shows the login page', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'u12');
    const page = await startAt(jar, (await url({ prompt: 'select_account' })).url, 'login');
    expect(isLoginPage(page.html)).toBe(true);
  });

  describe('several interactions at once', () => {
    it('two tabs for two clients: finish the second, then the first; both get codes', async () => {
      const jar = new CookieJar();
      const tab1 = await url({ state: 'tab-1' });
      const tab2 = await url({ ...pubScopes(), state: 'tab-2' });
      const page1 = await startAt(jar, tab1.url, 'login');
      const page2 = await startAt(jar, tab2.url, 'login');
      expect(page1.url).not.toBe(page2.url);
      // Tab 2: login, then consent.
      const afterLogin = await loginAndResume(jar, s.url, page2, 'u13');
      const consent = await openPage(jar, afterLogin.headers.get('location')!);
      const code2 = expectCode(await consentAndResume(jar, s.url, consent), s.url, PUB_REDIRECT, 'tab-2');
      // Tab 1 still shows its login form; submitting it works too.
      const code1 = expectCode(await loginAndResume(jar, s.url, page1, 'u13'), s.url, undefined, 'tab-1');
      expect((await redeem(s.url, code1, tab1.verifier)).status).toBe(200);
      expect((await redeem(s.url, code2, tab2.verifier, PUB)).status).toBe(200);
    });

    it('a tab opened before another tab signed in continues with the new session', async () => {
      const jar = new CookieJar();
      const tab1 = await url({ state: 'tab-1' });
      const page1 = await startAt(jar, tab1.url, 'login');
      await signIn(s.url, jar, 'u14');
      const id = new URL(page1.url).searchParams.get('id')!;
      expectCode(await jar.fetch(`${s.url}/connect/authorize/resume?id=${id}`), s.url, undefined, 'tab-1');
    });

    it('another browser cannot use the interaction', async () => {
      const jar = new CookieJar();
      const page = await startAt(jar, (await url()).url, 'login');
      const other = new CookieJar();
      const res = await other.fetch(page.url);
      expect(res.status).toBe(400);
      expect(await res.text()).not.toContain('name="password"');
    });
  });
});
