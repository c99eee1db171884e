/**
 * Passkeys through HTTP with a software authenticator: registration on the
 * account security page, passwordless sign-in, and every refusal the issue
 * names: a wrong challenge, a wrong origin, a stale signature counter (a
 * cloned authenticator, WebAuthn §7.2 step 21), a challenge used twice or
 * from another browser. Never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeCode } from '../helpers/flow.js';
import { CookieJar, pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { actionOf, claimsOf, field, followToCallback, passwordStep, post } from './mfa-helpers.js';
import { SoftAuthenticator } from './soft-authenticator.js';

let s: TestServer;
let authenticator: SoftAuthenticator;

beforeAll(async () => {
  s = await startTestServer();
  authenticator = new SoftAuthenticator('127.0.0.1', '1');
});
afterAll(() => s?.close());

/** Registration options from the security page of a signed-in browser. */
async function registrationOptions(jar: CookieJar) {
  const page = await (await jar.fetch(`${s.url}/ui/account/security`)).text();
  const csrf = field(page, 'csrf')!;
  const res = await post(jar, `${s.url}/ui/account/security/passkeys/options`, { csrf, name: 'Soft key' });
  expect(res.status).toBe(200);
  return {
    csrf,
    options: (await res.json()) as { challenge: string; rp: { id: string }; authenticatorSelection: { residentKey: string }; attestation: string },
  };
}

async function passkeyLoginPage() {
  const jar = new CookieJar();
  const { verifier, location } = await passwordStepless(jar);
  const page = await (await jar.fetch(location)).text();
  return { jar, verifier, page, csrf: field(page, 'csrf')!, action: new URL(actionOf(page, '/ui/login/passkey?')!, s.url).href, location };
}

/** Starts an authorization request and stops at the login page. */
async function passwordStepless(jar: CookieJar) {
  const { verifier, challenge } = await pkce();
  const q = new URLSearchParams({
    client_id: 'interactive.confidential',
    redirect_uri: 'http://localhost:3000/callback',
    response_type: 'code',
    scope: 'openid profile',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const res = await jar.fetch(`${s.url}/connect/authorize?${q}`);
  return { verifier, location: new URL(res.headers.get('location')!, s.url).href };
}

async function assertionOptions(jar: CookieJar, location: string, csrf: string) {
  const id = new URL(location).searchParams.get('id')!;
  const res = await post(jar, `${s.url}/ui/login/passkey/options?id=${id}`, { csrf });
  expect(res.status).toBe(200);
  return (await res.json()) as { challenge: string; allowCredentials?: unknown[]; rpId: string };
}

describe('passkey registration', () => {
  it('offers discoverable credentials with attestation none; refuses a wrong origin, a wrong challenge and a spent challenge; accepts the right response', async () => {
    const a = await passwordStep(s.url, 'alice', 'alice');
    await followToCallback(a.jar, a.location);

    let { csrf, options } = await registrationOptions(a.jar);
    expect(options.attestation).toBe('none');
    expect(options.authenticatorSelection.residentKey).toBe('required');
    expect(options.rp.id).toBe('127.0.0.1');
    let res = await post(a.jar, `${s.url}/ui/account/security/passkeys/add`, {
      csrf,
      name: 'Soft key',
      credential: JSON.stringify(authenticator.register(options.challenge, 'https://evil.example')),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('could not be verified');

    ({ csrf, options } = await registrationOptions(a.jar));
    res = await post(a.jar, `${s.url}/ui/account/security/passkeys/add`, { csrf, credential: JSON.stringify(authenticator.register('d3Jvbmc', s.url)) });
    expect(res.status).toBe(400);
    // The challenge was spent by that attempt: the right response to it is refused too.
    res = await post(a.jar, `${s.url}/ui/account/security/passkeys/add`, {
      csrf,
      credential: JSON.stringify(authenticator.register(options.challenge, s.url)),
    });
    expect(res.status).toBe(400);
    res = await post(a.jar, `${s.url}/ui/account/security/passkeys/add`, { csrf, credential: 'not json' });
    expect(res.status).toBe(400);

    ({ csrf, options } = await registrationOptions(a.jar));
    res = await post(a.jar, `${s.url}/ui/account/security/passkeys/add`, {
      csrf,
      name: 'Soft key',
      credential: JSON.stringify(authenticator.register(options.challenge, s.url)),
    });
    expect(res.status).toBe(303);
    expect(await (await a.jar.fetch(`${s.url}/ui/account/security`)).text()).toContain('Soft key');
  });
});

describe('passwordless sign-in with the passkey', () => {
  it('refuses a wrong challenge and a wrong origin (back to the login page with a message), then signs in; a stale counter and a replayed challenge are refused', async () => {
    authenticator.counter = 5;
    let p = await passkeyLoginPage();
    let options = await assertionOptions(p.jar, p.location, p.csrf);
    expect(options.allowCredentials ?? []).toEqual([]);
    let res = await post(p.jar, p.action, { csrf: p.csrf, credential: JSON.stringify(authenticator.assert('d3Jvbmc', s.url)) });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('passkey=failed');
    expect(await (await p.jar.fetch(new URL(res.headers.get('location')!, s.url).href)).text()).toContain('The passkey could not be used');

    options = await assertionOptions(p.jar, p.location, p.csrf);
    res = await post(p.jar, p.action, { csrf: p.csrf, credential: JSON.stringify(authenticator.assert(options.challenge, 'http://localhost:9')) });
    expect(res.headers.get('location')).toContain('passkey=failed');

    options = await assertionOptions(p.jar, p.location, p.csrf);
    const good = authenticator.assert(options.challenge, s.url);
    res = await post(p.jar, p.action, { csrf: p.csrf, credential: JSON.stringify(good) });
    expect(res.status).toBe(303);
    const code = await followToCallback(p.jar, new URL(res.headers.get('location')!, s.url).href);
    const tokens = await exchangeCode(s.url, code, p.verifier);
    expect(claimsOf(tokens.body.id_token as string)).toMatchObject({ sub: '1', amr: ['hwk', 'user', 'mfa'] });

    // The same counter again (a clone of the authenticator): refused.
    p = await passkeyLoginPage();
    options = await assertionOptions(p.jar, p.location, p.csrf);
    res = await post(p.jar, p.action, { csrf: p.csrf, credential: JSON.stringify(authenticator.assert(options.challenge, s.url)) });
    expect(res.headers.get('location')).toContain('passkey=failed');

    // A response to another browser's challenge: this browser has no challenge cookie for it.
    const other = await passkeyLoginPage();
    const otherOptions = await assertionOptions(other.jar, other.location, other.csrf);
    authenticator.counter = 9;
    res = await post(p.jar, p.action, { csrf: p.csrf, credential: JSON.stringify(authenticator.assert(otherOptions.challenge, s.url)) });
    expect(res.headers.get('location')).toContain('passkey=failed');
    // Options without the interaction's CSRF token: 403.
    res = await post(p.jar, `${s.url}/ui/login/passkey/options?id=${new URL(p.location).searchParams.get('id')}`, { csrf: 'forged' });
    expect(res.status).toBe(403);
  });
});
