/**
 * "Remember this device" (a signed, expiring cookie per user) and the
 * per-client requirement (`requireMfa`): a remembered browser skips the
 * user's own second factor (the sign-in is then single-factor, amr pwd), not
 * a client's requirement; the cookie expires, and "forget remembered
 * devices" revokes it. A client requiring MFA gets amr pwd+otp even for a
 * user who never set up a factor (set-up on the way).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeCode } from '../helpers/flow.js';
import { startTestServer, type TestServer, type CookieJar } from '../helpers/server.js';
import { claimsOf, field, followToCallback, passwordStep, post, submitSecondFactor, totpAt } from './mfa-helpers.js';

const CAROL = 'JBSWY3DPEHPK3PXP';
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({
    mutate: (c) => {
      c.mfa = { rememberDevice: { enabled: true, lifetime: 3600 } };
      const base = c.clients!.find((x) => x.clientId === 'interactive.confidential')!;
      c.clients!.push({ ...structuredClone(base), clientId: 'interactive.mfa', requireMfa: true });
    },
  });
});
afterAll(() => s?.close());

async function amrOf(jar: CookieJar, location: string, verifier: string, clientId = 'interactive.confidential') {
  const code = await followToCallback(jar, location);
  const tokens = await exchangeCode(s.url, code, verifier, clientId);
  expect(tokens.status).toBe(200);
  return claimsOf(tokens.body.id_token as string).amr;
}

describe('remember this device', () => {
  it('skips the second factor on the remembered browser until the cookie expires or the devices are forgotten', async () => {
    const first = await passwordStep(s.url, 'carol', 'carol');
    expect(await (await first.jar.fetch(first.location)).text()).toContain('name="remember_device"');
    const res = await submitSecondFactor(first.jar, first.location, totpAt(CAROL, s.clock.now()), 'totp', { remember_device: '1' });
    expect(res.status).toBe(303);
    expect(await amrOf(first.jar, new URL(res.headers.get('location')!, s.url).href, first.verifier)).toEqual(['pwd', 'otp']);
    const device = [...first.jar.cookies].find(([k]) => k.startsWith('gh.mfad.'));
    expect(device).toBeTruthy();

    // A new sign-in (prompt=login) in the remembered browser: password only.
    const again = await passwordStep(s.url, 'carol', 'carol', { jar: first.jar, params: { prompt: 'login' } });
    expect(new URL(again.location).pathname).not.toBe('/ui/login/mfa');
    expect(await amrOf(first.jar, again.location, again.verifier)).toEqual(['pwd']);

    // A client that requires MFA is not satisfied by a remembered device.
    const strict = await passwordStep(s.url, 'carol', 'carol', { jar: first.jar, params: { prompt: 'login', client_id: 'interactive.mfa' } });
    expect(new URL(strict.location).pathname).toBe('/ui/login/mfa');

    // A forged or altered cookie does not count.
    const other = await passwordStep(s.url, 'carol', 'carol', { params: {} });
    other.jar.cookies.set(
      device![0],
      device![1].replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    );
    expect(new URL((await passwordStep(s.url, 'carol', 'carol', { jar: other.jar, params: { prompt: 'login' } })).location).pathname).toBe('/ui/login/mfa');

    // Forgetting remembered devices (security page) revokes the cookie.
    const security = await (await first.jar.fetch(`${s.url}/ui/account/security`)).text();
    expect((await post(first.jar, `${s.url}/ui/account/security/devices/forget`, { csrf: field(security, 'csrf')! })).status).toBe(303);
    const forgotten = await passwordStep(s.url, 'carol', 'carol', { jar: first.jar, params: { prompt: 'login' } });
    expect(new URL(forgotten.location).pathname).toBe('/ui/login/mfa');
  });

  it('expires with its lifetime', async () => {
    s.clock.advance(60);
    const a = await passwordStep(s.url, 'carol', 'carol');
    const res = await submitSecondFactor(a.jar, a.location, totpAt(CAROL, s.clock.now()), 'totp', { remember_device: '1' });
    expect(res.status).toBe(303);
    await followToCallback(a.jar, new URL(res.headers.get('location')!, s.url).href);
    s.clock.advance(3601);
    const later = await passwordStep(s.url, 'carol', 'carol', { jar: a.jar, params: { prompt: 'login' } });
    expect(new URL(later.location).pathname).toBe('/ui/login/mfa');
  });
});

describe('a client that requires MFA (requireMfa)', () => {
  it('makes bob set up TOTP on the way; his ID token for that client carries amr pwd, otp', async () => {
    const a = await passwordStep(s.url, 'bob', 'bob', { params: { client_id: 'interactive.mfa' } });
    expect(new URL(a.location).pathname).toBe('/ui/login/mfa');
    const page = await (await a.jar.fetch(a.location)).text();
    const secret = page.match(/<code class="gh-secret">([A-Z2-7 ]+)<\/code>/)![1].replace(/ /g, '');
    const res = await submitSecondFactor(a.jar, a.location, totpAt(secret, s.clock.now()));
    expect(res.status).toBe(303);
    expect(await amrOf(a.jar, new URL(res.headers.get('location')!, s.url).href, a.verifier, 'interactive.mfa')).toEqual(['pwd', 'otp']);
  });
});
