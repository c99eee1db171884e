/** Drives the sign-in pages with a second factor (the form driver of test/helpers/flow.ts, one step further). */
import * as OTPAuth from 'otpauth';
import { expect } from 'vitest';
import { CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';
import { CookieJar, form, pkce } from '../helpers/server.js';

export const field = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]?.replace(/&amp;/g, '&');
export const actionOf = (html: string, contains: string) =>
  [...html.matchAll(/action="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).find((a) => a.includes(contains));

/** The TOTP code of a base32 secret at `seconds` (epoch), as an authenticator app shows it. */
export const totpAt = (secret: string, seconds: number) =>
  new OTPAuth.TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: seconds * 1000 });

export const post = (jar: CookieJar, url: string, body: Record<string, string>) =>
  jar.fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(body) });

/** Starts an authorization request and signs in with the password; returns where the browser is sent next. */
export async function passwordStep(base: string, username: string, password: string, opts: { jar?: CookieJar; params?: Record<string, string> } = {}) {
  const jar = opts.jar ?? new CookieJar();
  const { verifier, challenge } = await pkce();
  const q = new URLSearchParams({
    client_id: 'interactive.confidential',
    redirect_uri: CONFIDENTIAL_REDIRECT,
    response_type: 'code',
    scope: 'openid profile',
    state: 'st',
    nonce: 'nn',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...opts.params,
  });
  let res = await jar.fetch(`${base}/connect/authorize?${q}`);
  expect(res.status).toBe(303);
  let location = new URL(res.headers.get('location')!, base).href;
  if (location.includes('/ui/login?')) {
    res = await jar.fetch(location);
    location = res.status === 303 ? new URL(res.headers.get('location')!, base).href : location;
    if (res.status === 200) {
      const page = await res.text();
      res = await post(jar, new URL(actionOf(page, '/ui/login?')!, base).href, { csrf: field(page, 'csrf')!, username, password });
      expect(res.status).toBe(303);
      location = new URL(res.headers.get('location')!, base).href;
    }
  }
  return { jar, verifier, location };
}

/** Follows redirects until the client's callback; returns the code. */
export async function followToCallback(jar: CookieJar, location: string): Promise<string> {
  let next = location;
  while (!next.startsWith(CONFIDENTIAL_REDIRECT)) {
    const res = await jar.fetch(next);
    expect(res.status).toBe(303);
    next = new URL(res.headers.get('location')!, next).href;
  }
  const code = new URL(next).searchParams.get('code');
  expect(code).toBeTruthy();
  return code!;
}

/** Submits the second-factor form; the response. */
export async function submitSecondFactor(jar: CookieJar, mfaUrl: string, code: string, method = 'totp', extra: Record<string, string> = {}) {
  const page = await (await jar.fetch(method === 'recovery' ? `${mfaUrl}&method=recovery` : mfaUrl)).text();
  return post(jar, new URL(actionOf(page, '/ui/login/mfa?')!, mfaUrl).href, {
    csrf: field(page, 'csrf')!,
    method: field(page, 'method') ?? method,
    code,
    ...extra,
  });
}

export const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
