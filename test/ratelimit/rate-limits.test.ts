/**
 * Rate limits and brute-force protection: 429 with Retry-After on the token
 * endpoint (OAuth JSON), the authorize endpoint (error page) and the login
 * form (the page's message); per IP, per client and per username; a flood of
 * failed logins from one address locks out neither the server nor other
 * users. Clients bind distinct loopback addresses (127.0.0.x) to be distinct IPs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, CookieJar, form, startTestServer, type TestServer } from '../helpers/server.js';
import { requestFrom as request } from '../helpers/from-address.js';
import { authorizeUrl, authParams, FORM, field, loginAndResume, expectCode, startAt, actions } from '../interaction/interaction-helpers.js';

const cc = (url: string, from = '127.0.0.1', client = 'm2m') =>
  request(`${url}/connect/token`, {
    method: 'POST',
    from,
    headers: { authorization: basic(client, 'secret'), ...FORM },
    body: 'grant_type=client_credentials&scope=api',
  });

describe('token and authorize limits (memory)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => (c.rateLimits = { tokenPerIp: 3, authorizePerIp: 2 }) });
  });
  afterAll(() => s.close());

  it('the token endpoint answers 429 with Retry-After and OAuth JSON past the per-IP limit; other IPs are unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await cc(s.url, '127.0.0.2')).status).toBe(200);
    const refused = await cc(s.url, '127.0.0.2');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'temporarily_unavailable' });
    expect((await cc(s.url, '127.0.0.3')).status).toBe(200);
  });

  it('the window ends: after it the address may call again', async () => {
    s.clock.advance(61);
    expect((await cc(s.url, '127.0.0.2')).status).toBe(200);
  });

  it('the authorize endpoint answers 429 with Retry-After on its error page, never redirecting', async () => {
    const { params } = await authParams();
    const url = authorizeUrl(s.url, params);
    for (let i = 0; i < 2; i++) expect((await request(url, { from: '127.0.0.4' })).status).toBe(303);
    const refused = await request(url, { from: '127.0.0.4' });
    expect(refused.status).toBe(429);
    expect(refused.headers.location).toBeUndefined();
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.body).toContain('temporarily_unavailable');
  });
});

describe('per-client limit', () => {
  it('counts the client named in the request across addresses', async () => {
    const s = await startTestServer({ mutate: (c) => (c.rateLimits = { tokenPerClient: 2 }) });
    try {
      expect((await cc(s.url, '127.0.0.5')).status).toBe(200);
      expect((await cc(s.url, '127.0.0.6')).status).toBe(200);
      expect((await cc(s.url, '127.0.0.7')).status).toBe(429);
      // Another client has its own budget.
      const other = await request(`${s.url}/connect/token`, {
        method: 'POST',
        headers: FORM,
        body: form({ grant_type: 'client_credentials', client_id: 'interactive.public' }).toString(),
      });
      expect(other.status).not.toBe(429);
    } finally {
      await s.close();
    }
  });
});

describe('login form: a flood of failed logins', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => (c.rateLimits = { loginPerIp: 10, loginPerUsername: 6 }) });
  });
  afterAll(() => s.close());

  /** A login page for `from`, then its form target, csrf and cookies. */
  async function loginForm(from: string) {
    const jar = new CookieJar();
    const { params } = await authParams();
    const first = await request(authorizeUrl(s.url, params), { from });
    const cookie = (first.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const page = await request(new URL(first.headers.location!, s.url).toString(), { from, headers: { cookie } });
    const action = new URL(
      actions(page.body).find((a) => a.includes('/ui/login?'))!,
      s.url,
    ).toString();
    return { jar, cookie, action, csrf: field(page.body, 'csrf')! };
  }
  const post = (f: Awaited<ReturnType<typeof loginForm>>, from: string, username: string, password: string) =>
    request(f.action, { method: 'POST', from, headers: { ...FORM, cookie: f.cookie }, body: form({ csrf: f.csrf, username, password }).toString() });

  it('refuses the flooding address with 429, Retry-After and the page message; the server and other users carry on', async () => {
    const attacker = await loginForm('127.0.0.8');
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await post(attacker, '127.0.0.8', `user${i % 7}`, `guess-${i}`)).status);
    expect(statuses.slice(0, 10).every((x) => x === 400)).toBe(true);
    expect(statuses.slice(10).every((x) => x === 429)).toBe(true);
    const refused = await post(attacker, '127.0.0.8', 'alice', 'alice');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toMatch(/Try again in/);
    expect(refused.body).toContain('name="password"'); // still the login page, not an error dump

    // alice, from her own address, signs in normally.
    const jar = new CookieJar();
    const { params } = await authParams();
    const page = await startAt(jar, authorizeUrl(s.url, params), 'login');
    expectCode(await loginAndResume(jar, s.url, page, 'alice', 'alice'), s.url);
  });

  it('counts only failed attempts: a busy address with correct passwords is never throttled', async () => {
    for (let i = 0; i < 14; i++) {
      const f = await loginForm('127.0.3.1');
      expect((await post(f, '127.0.3.1', 'alice', 'alice')).status).toBe(303);
    }
  });

  it('throttles one username tried from many addresses, without touching other usernames', async () => {
    const results: number[] = [];
    for (let i = 0; i < 8; i++) {
      const from = `127.0.1.${i + 1}`;
      const f = await loginForm(from);
      results.push((await post(f, from, 'bob', `guess-${i}`)).status);
    }
    // Six attempts count (the lockout after 5 failures answers 400 with its own message), then 429.
    expect(results.slice(0, 6).every((x) => x === 400)).toBe(true);
    expect(results.slice(6)).toEqual([429, 429]);
    const f = await loginForm('127.0.2.1');
    expect((await post(f, '127.0.2.1', 'alice', 'alice')).status).toBe(303);
  });
});
