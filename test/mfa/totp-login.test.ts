/**
 * TOTP and recovery codes through the built-in pages with the form driver:
 * the demo user carol (password, then a code from JBSWY3DPEHPK3PXP), wrong,
 * reused and far-step codes, recovery codes (single use), lockout after
 * repeated second-factor failures, set-up on the account security page and
 * step-up by acr_values on an existing session. amr/acr from the ID token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeCode } from '../helpers/flow.js';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { PAPE_MULTI_FACTOR } from '../../src/config/mfa-schema.js';
import { actionOf, claimsOf, field, followToCallback, passwordStep, post, submitSecondFactor, totpAt } from './mfa-helpers.js';

const CAROL = 'JBSWY3DPEHPK3PXP';
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({
    mutate: (c) => {
      c.authentication = { ...c.authentication, lockoutThreshold: 3 };
      c.users!.push({ subjectId: '40', username: 'dave', password: 'dave', totpSecret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' });
      c.users!.push({ subjectId: '41', username: 'erin', password: 'erin', totpSecret: 'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U' });
      c.users!.push({ subjectId: '42', username: 'frank', password: 'frank', mfaRequired: true });
    },
  });
});
afterAll(() => s?.close());

async function idTokenClaims(jar: CookieJar, location: string, verifier: string) {
  const code = await followToCallback(jar, location);
  const tokens = await exchangeCode(s.url, code, verifier);
  expect(tokens.status).toBe(200);
  return claimsOf(tokens.body.id_token as string);
}

describe('bad input to the MFA routes', () => {
  it('answers a page or a 4xx, never a 5xx: no interaction, no session, forged ids, oversized and repeated fields, bad credentials JSON', async () => {
    const a = await passwordStep(s.url, 'carol', 'carol');
    const id = new URL(a.location).searchParams.get('id')!;
    const paths = [
      '/ui/login/mfa',
      '/ui/login/passkey/options',
      '/ui/login/passkey',
      '/ui/account/security',
      '/ui/account/security/totp/start',
      '/ui/account/security/totp/confirm',
      '/ui/account/security/totp/remove',
      '/ui/account/security/recovery',
      '/ui/account/security/passkeys/options',
      '/ui/account/security/passkeys/add',
      '/ui/account/security/passkeys/remove',
      '/ui/account/security/devices/forget',
    ];
    const bodies = [
      '',
      'csrf=x&code=1&code=2',
      `code=${'9'.repeat(5000)}&method=recovery`,
      'credential=%7B%22id%22%3A1%7D&csrf=a',
      'credential=' + encodeURIComponent(JSON.stringify({ id: 'x', response: { userHandle: '!!', clientDataJSON: 'e30' } })),
      'method=setup&code=%00%01',
    ];
    for (const path of paths) {
      for (const query of ['', `?id=${id}`, '?id=' + 'A'.repeat(43), '?id=%ZZ']) {
        for (const jar of [a.jar, new CookieJar()]) {
          const get = await jar.fetch(`${s.url}${path}${query}`);
          expect(get.status, `GET ${path}${query}`).toBeLessThan(500);
          for (const body of bodies) {
            const res = await jar.fetch(`${s.url}${path}${query}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
            expect(res.status, `POST ${path}${query} ${body.slice(0, 40)}`).toBeLessThan(500);
          }
        }
      }
    }
  });
});

describe('discovery', () => {
  it('advertises the multi-factor acr in acr_values_supported', async () => {
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as { acr_values_supported?: string[] };
    expect(doc.acr_values_supported).toContain(PAPE_MULTI_FACTOR);
  });
});

describe('TOTP second factor (carol, demo contract)', () => {
  it('asks carol for a code after her password; a right code signs her in with amr ["pwd","otp"] and the multi-factor acr', async () => {
    const { jar, verifier, location } = await passwordStep(s.url, 'carol', 'carol');
    expect(new URL(location).pathname).toBe('/ui/login/mfa');
    const page = await (await jar.fetch(location)).text();
    expect(page).toContain('autocomplete="one-time-code"');
    const res = await submitSecondFactor(jar, location, totpAt(CAROL, s.clock.now()));
    expect(res.status).toBe(303);
    const claims = await idTokenClaims(jar, new URL(res.headers.get('location')!, s.url).href, verifier);
    expect(claims.sub).toBe('3');
    expect(claims.amr).toEqual(['pwd', 'otp']);
    expect(claims.acr).toBe(PAPE_MULTI_FACTOR);
  });

  it('refuses a wrong code, a code already used (same step) and a code three steps away; never a 5xx', async () => {
    s.clock.advance(60);
    const a = await passwordStep(s.url, 'carol', 'carol');
    const good = totpAt(CAROL, s.clock.now());
    const wrong = good === '000000' ? '111111' : '000000';
    let res = await submitSecondFactor(a.jar, a.location, wrong);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('That code is not correct');
    res = await submitSecondFactor(a.jar, a.location, totpAt(CAROL, s.clock.now() + 90));
    expect(res.status).toBe(400);
    res = await submitSecondFactor(a.jar, a.location, good);
    expect(res.status).toBe(303);
    // Another browser presents the same code within its step: a replay.
    const b = await passwordStep(s.url, 'carol', 'carol');
    res = await submitSecondFactor(b.jar, b.location, good);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('already used');
    // The previous step's code (within the window) is older than the used one: refused too.
    res = await submitSecondFactor(b.jar, b.location, totpAt(CAROL, s.clock.now() - 30));
    expect(res.status).toBe(400);
    // A CSRF token that is not the interaction's: 403, the page again.
    const page = await (await b.jar.fetch(b.location)).text();
    res = await post(b.jar, new URL(actionOf(page, '/ui/login/mfa?')!, s.url).href, { csrf: 'forged', method: 'totp', code: good });
    expect(res.status).toBe(403);
  });

  it('locks the address out after repeated second-factor failures (the login lockout), even for the right code then', async () => {
    const a = await passwordStep(s.url, 'dave', 'dave');
    expect(new URL(a.location).pathname).toBe('/ui/login/mfa');
    let res = await submitSecondFactor(a.jar, a.location, '000001');
    expect(res.status).toBe(400);
    res = await submitSecondFactor(a.jar, a.location, '000002');
    expect(res.status).toBe(400);
    res = await submitSecondFactor(a.jar, a.location, '000003');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    res = await submitSecondFactor(a.jar, a.location, totpAt('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', s.clock.now()));
    expect(res.status).toBe(429);
    expect(await res.text()).toContain('Too many failed attempts');
  });
});

describe('recovery codes', () => {
  it('are created on the security page (shown once), sign in once each, and a reused one is refused', async () => {
    // erin signs in with her TOTP, then creates recovery codes on the account security page.
    const a = await passwordStep(s.url, 'erin', 'erin');
    let res = await submitSecondFactor(a.jar, a.location, totpAt('MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U', s.clock.now()));
    expect(res.status).toBe(303);
    await idTokenClaims(a.jar, new URL(res.headers.get('location')!, s.url).href, a.verifier);
    const security = await (await a.jar.fetch(`${s.url}/ui/account/security`)).text();
    expect(security).toContain('An authenticator app is set up.');
    res = await post(a.jar, `${s.url}/ui/account/security/recovery`, { csrf: field(security, 'csrf')! });
    expect(res.status).toBe(200);
    const codes = [...(await res.text()).matchAll(/<code>([A-Z2-7-]{19})<\/code>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);

    const b = await passwordStep(s.url, 'erin', 'erin');
    res = await submitSecondFactor(b.jar, b.location, codes[3].toLowerCase(), 'recovery');
    expect(res.status).toBe(303);
    const claims = await idTokenClaims(b.jar, new URL(res.headers.get('location')!, s.url).href, b.verifier);
    expect(claims.amr).toEqual(['pwd', 'otp']);

    const c = await passwordStep(s.url, 'erin', 'erin');
    res = await submitSecondFactor(c.jar, c.location, codes[3], 'recovery');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not valid or was already used');
    expect(await (await a.jar.fetch(`${s.url}/ui/account/security`)).text()).toContain('9 unused recovery codes left.');
  });
});

describe('set-up and step-up', () => {
  it('a user who must have a second factor sets up TOTP on the way (QR code and key, confirmed by a code)', async () => {
    const a = await passwordStep(s.url, 'frank', 'frank');
    const page = await (await a.jar.fetch(a.location)).text();
    expect(page).toContain('src="data:image/png;base64,');
    const secret = page.match(/<code class="gh-secret">([A-Z2-7 ]+)<\/code>/)![1].replace(/ /g, '');
    let res = await submitSecondFactor(a.jar, a.location, '123456' === totpAt(secret, s.clock.now()) ? '654321' : '123456');
    expect(res.status).toBe(400);
    res = await submitSecondFactor(a.jar, a.location, totpAt(secret, s.clock.now()));
    expect(res.status).toBe(303);
    const claims = await idTokenClaims(a.jar, new URL(res.headers.get('location')!, s.url).href, a.verifier);
    expect(claims.amr).toEqual(['pwd', 'otp']);
  });

  it('acr_values with the multi-factor acr makes a password-only session step up: alice sets up TOTP on the security page, then is asked for it', async () => {
    const a = await passwordStep(s.url, 'alice', 'alice');
    let claims = await idTokenClaims(a.jar, a.location, a.verifier);
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.acr).toBeUndefined();
    // Set up an authenticator app on the security page: a wrong code first, then the right one.
    let security = await (await a.jar.fetch(`${s.url}/ui/account/security`)).text();
    let res = await post(a.jar, `${s.url}/ui/account/security/totp/start`, { csrf: field(security, 'csrf')! });
    expect(res.status).toBe(303);
    security = await (await a.jar.fetch(new URL(res.headers.get('location')!, s.url).href)).text();
    const secret = security.match(/<code class="gh-secret">([A-Z2-7 ]+)<\/code>/)![1].replace(/ /g, '');
    res = await post(a.jar, `${s.url}/ui/account/security/totp/confirm`, { csrf: field(security, 'csrf')!, code: 'abc' });
    expect(res.status).toBe(400);
    res = await post(a.jar, `${s.url}/ui/account/security/totp/confirm`, { csrf: field(security, 'csrf')!, code: totpAt(secret, s.clock.now()) });
    expect(res.status).toBe(303);
    // A forged CSRF token on the security page: 403.
    res = await post(a.jar, `${s.url}/ui/account/security/totp/remove`, { csrf: 'forged' });
    expect(res.status).toBe(403);

    // Step-up: the existing session is single-factor; the login page sends alice to the second factor only.
    s.clock.advance(30);
    const b = await passwordStep(s.url, 'alice', 'alice', { jar: a.jar, params: { acr_values: PAPE_MULTI_FACTOR } });
    expect(new URL(b.location).pathname).toBe('/ui/login/mfa');
    res = await submitSecondFactor(a.jar, b.location, totpAt(secret, s.clock.now()));
    expect(res.status).toBe(303);
    claims = await idTokenClaims(a.jar, new URL(res.headers.get('location')!, s.url).href, b.verifier);
    expect(claims.amr).toEqual(['pwd', 'otp']);
    expect(claims.acr).toBe(PAPE_MULTI_FACTOR);
  });

  it('prompt=none with acr_values asking for MFA on a single-factor session answers login_required', async () => {
    const a = await passwordStep(s.url, 'bob', 'bob');
    await followToCallback(a.jar, a.location);
    const b = await passwordStep(s.url, 'bob', 'bob', { jar: a.jar, params: { acr_values: PAPE_MULTI_FACTOR, prompt: 'none' } });
    expect(new URL(b.location).searchParams.get('error')).toBe('login_required');
  });
});
