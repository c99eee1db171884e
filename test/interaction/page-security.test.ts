/**
 * Security headers and markup of every built-in page, and a seeded random
 * sweep of garbage input that must never produce a 5xx (or hang).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, authParams, CONF_REDIRECT, FORM, field, loginAndResume, openPage, PUB, signIn, startAt } from './interaction-helpers.js';

/** Mulberry32: a small seeded PRNG so a failure is reproducible. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectPageHeaders(res: Response, html: string, opts: { nonce?: boolean; assetScripts?: number } = {}) {
  const csp = res.headers.get('content-security-policy')!;
  expect(csp).toBeTruthy();
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/object-src 'none'/);
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('cache-control')).toContain('no-store');
  expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
  // No inline event handlers or style attributes; scripts only with this response's nonce.
  expect(html).not.toMatch(/\son[a-z]+=/i);
  expect(html).not.toMatch(/\sstyle="/i);
  const scripts = [...html.matchAll(/<script([^>]*)>/g)];
  if (opts.assetScripts !== undefined) {
    // Served scripts (the passkey buttons', docs/mfa.md), each with this response's nonce.
    const nonce = csp.match(/script-src 'nonce-([^']+)'/)?.[1];
    expect(nonce).toBeTruthy();
    expect(scripts).toHaveLength(opts.assetScripts);
    for (const [, attrs] of scripts) expect(attrs).toMatch(new RegExp(`^ src="/ui/assets/[a-z-]+\\.js" nonce="${nonce}" defer$`));
  } else if (!opts.nonce) {
    expect(scripts).toHaveLength(0);
    expect(csp).toContain("script-src 'none'");
  } else {
    const nonce = csp.match(/script-src 'nonce-([^']+)'/)?.[1];
    expect(nonce).toBeTruthy();
    expect(scripts).toHaveLength(1);
    expect(scripts[0][1]).toBe(` nonce="${nonce}"`);
  }
}

describe('security headers of the built-in pages', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());
  const url = async (over: Record<string, string> = {}) => authorizeUrl(s.url, (await authParams(over)).params);

  it('login page', async () => {
    const page = await startAt(new CookieJar(), await url(), 'login');
    // The passwordless passkey button's two scripts (webauthn-browser.js, mfa.js).
    expectPageHeaders(page.res, page.html, { assetScripts: 2 });
    // The login form posts to us; the cancel lands at the client, so its origin may be a form target.
    expect(page.res.headers.get('content-security-policy')).toMatch(/form-action 'self'/);
  });

  it('consent page', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'alice');
    const page = await startAt(jar, await url({ client_id: PUB }), 'consent');
    expectPageHeaders(page.res, page.html);
  });

  it('error page', async () => {
    const res = await new CookieJar().fetch(await url({ client_id: 'nope' }));
    expectPageHeaders(res, await res.text());
  });

  it('home page, signed in and not', async () => {
    const jar = new CookieJar();
    let res = await jar.fetch(`${s.url}/ui/`);
    expectPageHeaders(res, await res.text());
    await signIn(s.url, jar, 'bob');
    res = await jar.fetch(`${s.url}/ui/`);
    expectPageHeaders(res, await res.text());
  });

  it('signed-out page', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'bob');
    const res = await jar.fetch(`${s.url}/connect/endsession`);
    expectPageHeaders(res, await res.text());
  });

  it('form_post page: the only inline script, with a fresh nonce each time', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'bob');
    const a = await jar.fetch(await url({ response_mode: 'form_post' }));
    const b = await jar.fetch(await url({ response_mode: 'form_post' }));
    expectPageHeaders(a, await a.text(), { nonce: true });
    expectPageHeaders(b, await b.text(), { nonce: true });
    expect(a.headers.get('content-security-policy')).not.toBe(b.headers.get('content-security-policy'));
    expect(a.headers.get('content-security-policy')).toMatch(/form-action 'self' http:\/\/localhost:3000/);
  });

  it('form_post escapes a hostile state', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'bob');
    const res = await jar.fetch(await url({ response_mode: 'form_post', state: '"><script>alert(1)</script>' }));
    const html = await res.text();
    expect(html).not.toContain('<script>alert');
    expectPageHeaders(res, html, { nonce: true });
    expect(html).toContain(`action="${CONF_REDIRECT}"`);
  });
});

describe('garbage input never yields a 5xx', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());

  const NAMES = [
    'client_id',
    'redirect_uri',
    'response_type',
    'scope',
    'state',
    'nonce',
    'code_challenge',
    'code_challenge_method',
    'prompt',
    'max_age',
    'response_mode',
    'ui_locales',
    'login_hint',
    'id_token_hint',
    'request',
    'request_uri',
    'resource',
    'claims',
    'acr_values',
    'display',
    'id',
    'csrf',
    'username',
    'password',
    'remember',
    'decision',
    'x',
    '',
    '__proto__',
    'constructor',
  ];
  const VALUES = [
    'interactive.confidential',
    'interactive.public',
    'm2m',
    'device',
    CONF_REDIRECT,
    'http://127.0.0.1:1/callback',
    'code',
    'token',
    'openid profile',
    'openid nonsense',
    'offline_access',
    'S256',
    'plain',
    'none',
    'login consent',
    'none login',
    '0',
    '-1',
    '1e9',
    'fragment',
    'form_post',
    'de',
    'en',
    'a.b.c',
    'eyJhbGciOiJub25lIn0.e30.',
    '',
    ' ',
    '%',
    '\u0000',
    '\ud800',
    '😀',
    '<script>',
    '../../etc',
    'allow',
    'deny',
    '1',
    'A'.repeat(43),
  ];

  const randomString = (r: () => number) => {
    const len = Math.floor(r() * (r() < 0.1 ? 6000 : 40));
    let out = '';
    for (let i = 0; i < len; i++) out += String.fromCharCode(r() < 0.9 ? 32 + Math.floor(r() * 95) : Math.floor(r() * 0xffff));
    return out;
  };
  const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)];

  /** A query string: mostly well-formed pairs, sometimes raw junk with broken escapes. */
  const randomQuery = (r: () => number) => {
    if (r() < 0.15)
      return Array.from({ length: 1 + Math.floor(r() * 8) }, () => pick(r, ['%', '%zz', '&', '=', '==', '+', '%00', '%ff', 'a', ';', '#'])).join('');
    const p = new URLSearchParams();
    const n = Math.floor(r() * 12);
    for (let i = 0; i < n; i++) p.append(r() < 0.9 ? pick(r, NAMES) : randomString(r), r() < 0.7 ? pick(r, VALUES) : randomString(r));
    return p.toString();
  };

  const send = async (jar: CookieJar, url: string, init: RequestInit = {}) => {
    const res = await jar.fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
    const body = await res.text();
    return { status: res.status, body };
  };

  it('200 random query strings on /connect/authorize (GET and POST)', async () => {
    const r = rng(20240601);
    const jar = new CookieJar();
    await signIn(s.url, jar, 'alice');
    for (let i = 0; i < 200; i++) {
      const qs = randomQuery(r);
      const { status, body } =
        i % 4 === 3
          ? await send(jar, `${s.url}/connect/authorize`, { method: 'POST', headers: FORM, body: qs })
          : await send(i % 2 ? jar : new CookieJar(), `${s.url}/connect/authorize?${qs}`);
      expect(status, `#${i} ${qs.slice(0, 300)}\n${body.slice(0, 300)}`).toBeLessThan(500);
    }
  });

  it('the error page tolerates a repeated or oversized ui_locales', async () => {
    for (const qs of ['ui_locales=de&ui_locales=en', `ui_locales=${'de-'.repeat(100)}`, 'ui_locales=de&client_id=a&client_id=b']) {
      const { status, body } = await send(new CookieJar(), `${s.url}/connect/authorize?${qs}`);
      expect(status, qs).toBe(400);
      expect(body).toContain('invalid_request');
    }
    const home = await send(new CookieJar(), `${s.url}/ui/?ui_locales=de&ui_locales=en`);
    expect(home.status).toBeLessThan(500);
  });

  it('random POST bodies to /ui/login and /ui/consent, with live and bogus interaction ids', async () => {
    const r = rng(7);
    // A browser with a live login interaction, one with a live consent interaction.
    const loginJar = new CookieJar();
    const loginPage = await startAt(loginJar, authorizeUrl(s.url, (await authParams()).params), 'login');
    const consentJar = new CookieJar();
    const c = await startAt(consentJar, authorizeUrl(s.url, (await authParams({ client_id: PUB })).params), 'login');
    const afterLogin = await loginAndResume(consentJar, s.url, c, 'bob');
    const consentPage = await openPage(consentJar, afterLogin.headers.get('location')!);
    const targets = [
      { jar: loginJar, path: '/ui/login', id: new URL(loginPage.url).searchParams.get('id')!, csrf: field(loginPage.html, 'csrf')! },
      { jar: consentJar, path: '/ui/consent', id: new URL(consentPage.url).searchParams.get('id')!, csrf: field(consentPage.html, 'csrf')! },
      { jar: loginJar, path: '/ui/login/cancel', id: new URL(loginPage.url).searchParams.get('id')!, csrf: 'nope' },
    ];
    for (let i = 0; i < 150; i++) {
      const t = pick(r, targets);
      const id = r() < 0.6 ? t.id : pick(r, [randomString(r), '', 'A'.repeat(43)]);
      const body = new URLSearchParams(randomQuery(r));
      // Mostly without the real csrf so the interaction survives; sometimes a wrong one, rarely the real one with junk.
      if (r() < 0.3) body.set('csrf', r() < 0.2 ? t.csrf : randomString(r));
      if (r() < 0.2) body.append('id', 'x');
      const query = new URLSearchParams({ id }).toString() + (r() < 0.1 ? '&id=2' : '');
      const contentType = r() < 0.1 ? 'text/plain' : FORM['content-type'];
      const { status, body: text } = await send(t.jar, `${s.url}${t.path}?${query}`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: body.toString(),
      });
      expect(status, `#${i} ${t.path}?${query.slice(0, 100)} ${body.toString().slice(0, 300)}\n${text.slice(0, 300)}`).toBeLessThan(500);
    }
  });

  it('GET on the pages with random query strings', async () => {
    const r = rng(99);
    for (let i = 0; i < 60; i++) {
      const path = pick(r, ['/ui/login', '/ui/consent', '/ui/', '/connect/authorize/resume', '/connect/endsession']);
      const { status } = await send(new CookieJar(), `${s.url}${path}?${randomQuery(r)}`);
      expect(status, path).toBeLessThan(500);
    }
  });
});
