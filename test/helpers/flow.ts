/** Drives the authorization code flow through the built-in HTML pages. */
import { expect } from 'vitest';
import { CookieJar, pkce, basic, form } from './server.js';

export const CONFIDENTIAL_REDIRECT = 'http://localhost:3000/callback';

const field = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]?.replace(/&amp;/g, '&');
const formAction = (html: string, contains: string) =>
  [...html.matchAll(/action="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).find((a) => a.includes(contains));

export interface FlowResult {
  jar: CookieJar;
  code: string;
  verifier: string;
  callback: URL;
}

/**
 * Runs authorize -> login form -> (consent form) -> callback and returns the code.
 * `params` override the authorization request parameters.
 */
export async function authorizeWithLogin(
  base: string,
  opts: {
    username?: string;
    password?: string;
    clientId?: string;
    redirectUri?: string;
    scope?: string;
    params?: Record<string, string>;
    jar?: CookieJar;
    consent?: boolean;
  } = {},
): Promise<FlowResult> {
  const jar = opts.jar ?? new CookieJar();
  const { verifier, challenge } = await pkce();
  const q = new URLSearchParams({
    client_id: opts.clientId ?? 'interactive.confidential',
    redirect_uri: opts.redirectUri ?? CONFIDENTIAL_REDIRECT,
    response_type: 'code',
    scope: opts.scope ?? 'openid profile email api offline_access',
    state: 'st',
    nonce: 'nn',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...opts.params,
  });
  let res = await jar.fetch(`${base}/connect/authorize?${q}`);
  let location = res.headers.get('location')!;
  expect(res.status).toBe(303);
  if (location.includes('/ui/login')) {
    const page = await (await jar.fetch(location)).text();
    const action = formAction(page, '/ui/login?')!;
    res = await jar.fetch(new URL(action, base).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrf: field(page, 'csrf')!, username: opts.username ?? 'alice', password: opts.password ?? 'alice' }),
    });
    // The built-in login page continues the flow itself: the client's redirect or the consent page.
    expect(res.status).toBe(303);
    location = res.headers.get('location')!;
  }
  if (location.includes('/ui/consent')) {
    const page = await (await jar.fetch(location)).text();
    const scopes = [...page.matchAll(/name="scope" value="([^"]*)"/g)].map((m) => m[1]);
    res = await jar.fetch(new URL(formAction(page, '/ui/consent?')!, base).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrf: field(page, 'csrf')!, decision: opts.consent === false ? 'deny' : 'allow', scope: scopes, remember: '1' }),
    });
    location = res.headers.get('location')!;
  }
  const callback = new URL(location);
  return { jar, code: callback.searchParams.get('code') ?? '', verifier, callback };
}

/** Exchanges a code at the token endpoint with client_secret_basic. */
export async function exchangeCode(
  base: string,
  code: string,
  verifier: string,
  client = 'interactive.confidential',
  secret = 'secret',
  redirectUri = CONFIDENTIAL_REDIRECT,
) {
  const res = await fetch(`${base}/connect/token`, {
    method: 'POST',
    headers: { authorization: basic(client, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
