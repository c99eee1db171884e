/**
 * The OpenID conformance suite's Config OP plan (oidcc-config-certification-
 * test-plan) and RP-Initiated Logout OP plan (oidcc-rp-initiated-logout-
 * certification-test-plan), re-expressed as black-box tests against
 * `gatehouse start` over https, one test per module, plus the https checks
 * the suite makes of every run (all endpoints https, issuer exact, cookies
 * Secure).
 */
import { BROWSER_STATE_COOKIE } from '../../src/sessions/browser-state.js';
import { cookieName } from '../../src/core/cookies.js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, POST_LOGOUT, Rp, readFormPost } from './rp.js';
import { startHttpsOp, type HttpsOp } from './https-op.js';
import { requirePrograms } from '../helpers/requirements.js';

// The https OP's certificate comes from `gatehouse dev-cert` (openssl).
const skip = requirePrograms(['openssl']);

let op: HttpsOp;
let rp: Rp;
beforeAll(async () => {
  op = await startHttpsOp();
  rp = await new Rp(op.url).init();
});
afterAll(() => op?.close());

describe.skipIf(!!skip)('Config OP', () => {
  it('oidcc-discovery-endpoint-verification', async () => {
    const res = await fetch(`${op.url}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const d = (await res.json()) as Record<string, any>;
    // The issuer is exactly the URL the configuration was fetched from, minus the well-known suffix (Discovery §4.3).
    expect(d.issuer).toBe(op.url);
    expect(d.issuer).toMatch(/^https:\/\/localhost:\d+$/);
    for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
      expect(d[name], name).toMatch(/^https:\/\//);
    }
    expect(d.scopes_supported).toContain('openid');
    expect(d.response_types_supported).toContain('code');
    for (const t of d.subject_types_supported) expect(['public', 'pairwise']).toContain(t);
    expect(d.id_token_signing_alg_values_supported).toContain('RS256');
    expect(d.id_token_signing_alg_values_supported).not.toContain('none');
    expect(typeof d.claims_parameter_supported).toBe('boolean');
    for (const c of ['sub', 'iss', 'aud', 'exp', 'iat']) expect(d.claims_supported).toContain(c);
    expect(d.grant_types_supported).toContain('authorization_code');
    expect(d.token_endpoint_auth_methods_supported).toContain('client_secret_basic');
    // Every advertised endpoint (any *_endpoint or *_uri member) is https on the issuer's origin.
    const endpoints = Object.entries(d).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri');
    expect(endpoints.length).toBeGreaterThanOrEqual(7);
    for (const [k, v] of endpoints) expect(new URL(v as string).origin, k).toBe(op.url);
    // The JWKS: public keys only, each with kty and kid, and use sig when given.
    const jwks = (await (await fetch(d.jwks_uri)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const k of jwks.keys) {
      expect(k.kty).toBeTypeOf('string');
      expect(k.kid).toBeTypeOf('string');
      if (k.use) expect(k.use).toBe('sig');
      for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(k).not.toHaveProperty(privatePart);
    }
    // Fetched over https from the discovered location, the document is the same.
    expect(await (await fetch(`${d.issuer}/.well-known/openid-configuration`)).json()).toEqual(d);
  });
});

describe.skipIf(!!skip)('RP-Initiated Logout OP', () => {
  /** Logs alice in and returns the browser and the ID token. */
  async function signedIn() {
    const flow = await rp.loginFlow();
    return { jar: flow.jar, idToken: flow.idToken };
  }

  async function endSession(jar: CookieJar, params: Record<string, string>) {
    const res = await jar.fetch(`${rp.discovery.end_session_endpoint}?${new URLSearchParams(params)}`);
    return {
      status: res.status,
      location: res.headers.get('location'),
      html: res.status === 200 || res.status >= 400 ? await res.text() : '',
      type: res.headers.get('content-type') ?? '',
    };
  }

  /** The user confirms on the OP's sign-out page, when one is shown. */
  async function confirmIfAsked(jar: CookieJar, answer: { status: number; html: string; location: string | null }) {
    const confirm = answer.status === 200 ? readFormPost(answer.html) : undefined;
    if (!confirm || confirm.params.get('confirm') !== '1') return answer;
    const res = await jar.fetch(new URL(confirm.action, op.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: confirm.params,
    });
    return {
      status: res.status,
      location: res.headers.get('location'),
      html: res.status === 200 ? await res.text() : '',
      type: res.headers.get('content-type') ?? '',
    };
  }

  /** After a logout, prompt=none must fail with login_required (the session is gone). */
  async function expectLoggedOut(jar: CookieJar) {
    const sent = rp.request({ prompt: 'none' });
    expect(rp.expectRedirectedError(await rp.authorize(sent, { jar, login: false }), sent, ['login_required', 'interaction_required'])).toBe('login_required');
  }

  /** The session survives (a refused logout must not have ended it silently either way; the suite checks no redirect). */
  const notRedirectedTo = (answer: { location: string | null }) => expect(answer.location ?? '').not.toContain(POST_LOGOUT);

  it('oidcc-rp-initiated-logout-discovery-endpoint-verification', () => {
    expect(rp.discovery.end_session_endpoint).toBe(`${op.url}/connect/endsession`);
    expect(rp.discovery.end_session_endpoint).toMatch(/^https:\/\//);
  });

  it('oidcc-rp-initiated-logout', async () => {
    const { jar, idToken } = await signedIn();
    const answer = await endSession(jar, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT, state: 'logout-state' });
    expect(answer.status).toBe(303);
    const back = new URL(answer.location!);
    expect(`${back.origin}${back.pathname}`).toBe(POST_LOGOUT);
    // Only state comes back, unchanged.
    expect([...back.searchParams.keys()]).toEqual(['state']);
    expect(back.searchParams.get('state')).toBe('logout-state');
    await expectLoggedOut(jar);
  });

  it('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri', async () => {
    const { jar, idToken } = await signedIn();
    const answer = await endSession(jar, { id_token_hint: idToken, post_logout_redirect_uri: 'https://attacker.example/post_logout_redirect', state: 's' });
    notRedirectedTo(answer);
    expect(answer.location).toBeNull();
    expect(answer.status).toBe(400);
    expect(answer.type).toMatch(/^text\/html/);
  });

  it('oidcc-rp-initiated-logout-modified-id-token-hint', async () => {
    const { jar, idToken } = await signedIn();
    // Changed to alg none, signature removed.
    const [, payload] = idToken.split('.');
    const modified = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    const answer = await endSession(jar, { id_token_hint: modified, post_logout_redirect_uri: POST_LOGOUT, state: 's' });
    expect(answer.location).toBeNull();
    expect(answer.status).toBe(400);
    expect(answer.html).toMatch(/id_token_hint/);
  });

  it('oidcc-rp-initiated-logout-no-id-token-hint', async () => {
    const { jar } = await signedIn();
    const answer = await endSession(jar, { post_logout_redirect_uri: POST_LOGOUT, state: 's' });
    // No redirect: an error page or a question to the user.
    expect(answer.location).toBeNull();
    expect(answer.type).toMatch(/^text\/html/);
  });

  it('oidcc-rp-initiated-logout-no-params', async () => {
    const { jar } = await signedIn();
    const asked = await endSession(jar, {});
    expect(asked.location).toBeNull();
    const done = await confirmIfAsked(jar, asked);
    expect(done.status).toBe(200);
    expect(done.location).toBeNull();
    await expectLoggedOut(jar);
  });

  it('oidcc-rp-initiated-logout-no-post-logout-redirect-uri', async () => {
    const { jar, idToken } = await signedIn();
    const answer = await endSession(jar, { id_token_hint: idToken, state: 's' });
    expect(answer.status).toBe(200);
    expect(answer.location).toBeNull();
    expect(answer.type).toMatch(/^text\/html/);
    await expectLoggedOut(jar);
  });

  it('oidcc-rp-initiated-logout-no-state', async () => {
    const { jar, idToken } = await signedIn();
    const answer = await endSession(jar, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(POST_LOGOUT);
    await expectLoggedOut(jar);
  });

  it('oidcc-rp-initiated-logout-only-state', async () => {
    const { jar } = await signedIn();
    const done = await confirmIfAsked(jar, await endSession(jar, { state: 's' }));
    expect(done.status).toBe(200);
    expect(done.location).toBeNull();
    await expectLoggedOut(jar);
  });

  it('oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri', async () => {
    const { jar, idToken } = await signedIn();
    const answer = await endSession(jar, { id_token_hint: idToken, post_logout_redirect_uri: `${POST_LOGOUT}?foo=bar`, state: 's' });
    expect(answer.location).toBeNull();
    expect(answer.status).toBe(400);
    expect(answer.html).toMatch(/post_logout_redirect_uri/);
  });

  it('oidcc-rp-initiated-logout-bad-id-token-hint', async () => {
    const { jar, idToken } = await signedIn();
    // Same claims, signed by someone else (the suite signs with a key derived from the client secret).
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    const fake = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('secret'.padEnd(32, '!')));
    const answer = await endSession(jar, { id_token_hint: fake, post_logout_redirect_uri: POST_LOGOUT, state: 's' });
    expect(answer.location).toBeNull();
    expect(answer.status).toBe(400);
  });
});

describe.skipIf(!!skip)('https', () => {
  it('every cookie the OP sets over https is Secure and SameSite, and HttpOnly unless it is the browser state', async () => {
    /** A browser that keeps every Set-Cookie line it received. */
    class RecordingJar extends CookieJar {
      lines: string[] = [];
      override store(res: Response): void {
        this.lines.push(...res.headers.getSetCookie());
        super.store(res);
      }
    }
    const jar = new RecordingJar();
    const { idToken } = await rp.loginFlow({}, { jar });
    await jar.fetch(`${rp.discovery.end_session_endpoint}?${new URLSearchParams({ id_token_hint: idToken })}`);
    // Interaction cookie, session cookie, and their removal at the end.
    expect(new Set(jar.lines.map((l) => l.split('=')[0])).size).toBeGreaterThanOrEqual(2);
    for (const c of jar.lines) {
      expect(c).toMatch(/;\s*Secure/i);
      expect(c).toMatch(/;\s*SameSite=(Lax|Strict|None)/i);
      // Session Management 1.0 §4.1: the OP iframe's script reads the browser state, so that one
      // cookie cannot be HttpOnly; it holds a random value, not the session handle or sid.
      // On https every cookie carries the __Host- prefix (src/core/cookies.ts).
      expect(c).toMatch(/^__Host-/);
      if (c.startsWith(`${cookieName(BROWSER_STATE_COOKIE, true)}=`)) expect(c).not.toMatch(/;\s*HttpOnly/i);
      else expect(c).toMatch(/;\s*HttpOnly/i);
    }
  });

  it('answers with HSTS on https', async () => {
    const res = await fetch(`${op.url}/.well-known/openid-configuration`);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});
