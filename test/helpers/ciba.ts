/**
 * Drives CIBA (OpenID Connect CIBA Core 1.0) over real HTTP: the backchannel
 * authentication request, the token polls, and the user's decision on the
 * built-in home page (signed in through the login page, the form posted with
 * its CSRF field, as a browser would).
 */
import { expect } from 'vitest';
import { authorizeWithLogin } from './flow.js';
import { basic, CookieJar, form } from './server.js';

export const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';

export interface OAuthAnswer {
  status: number;
  headers: Headers;
  body: Record<string, any>;
}

async function answer(res: Response): Promise<OAuthAnswer> {
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

/** POSTs a backchannel authentication request (client_secret_basic unless `auth` says otherwise; `auth: null` sends none). */
export async function cibaRequest(base: string, params: Record<string, string>, auth: string | null = basic('ciba', 'secret')): Promise<OAuthAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth) headers.authorization = auth;
  return answer(await fetch(`${base}/connect/ciba`, { method: 'POST', headers, body: form(params) }));
}

/** One token request with the CIBA grant. */
export async function cibaPoll(base: string, authReqId: string, client = 'ciba', secret = 'secret'): Promise<OAuthAnswer> {
  return answer(
    await fetch(`${base}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic(client, secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: CIBA_GRANT, auth_req_id: authReqId }),
    }),
  );
}

/** A browser with a signed-in session of `username` (through the login page of a code flow). */
export async function signedInBrowser(base: string, username: string): Promise<CookieJar> {
  const { jar } = await authorizeWithLogin(base, { username, password: username });
  expect(jar.cookies.has('gh.session')).toBe(true);
  return jar;
}

export interface PendingForm {
  id: string;
  csrf: string;
  /** The form's HTML (client name, binding message, scopes). */
  html: string;
}

const attr = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];

/** The home page's HTML and its pending-request forms. */
export async function homePage(base: string, jar: CookieJar): Promise<{ html: string; forms: PendingForm[] }> {
  const res = await jar.fetch(`${base}/ui/`);
  expect(res.status).toBe(200);
  const html = await res.text();
  const forms = [...html.matchAll(/<form[^>]*action="\/ui\/ciba\/decide"[^>]*>([\s\S]*?)<\/form>/g)].map((m) => ({
    id: attr(m[1], 'id')!,
    csrf: attr(m[1], 'csrf')!,
    html: m[1],
  }));
  return { html, forms };
}

/** Posts the decision form of a pending request as the browser would; answers the redirect's status. */
export async function decide(base: string, jar: CookieJar, f: Pick<PendingForm, 'id' | 'csrf'>, decision: 'approve' | 'deny'): Promise<number> {
  const res = await jar.fetch(`${base}/ui/ciba/decide`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ csrf: f.csrf, id: f.id, decision }),
  });
  return res.status;
}

/** Finds the one pending request whose form shows `bindingMessage` and decides it. */
export async function decideOnHomePage(base: string, jar: CookieJar, bindingMessage: string, decision: 'approve' | 'deny'): Promise<void> {
  const { forms } = await homePage(base, jar);
  const matching = forms.filter((f) => f.html.includes(bindingMessage));
  expect(matching).toHaveLength(1);
  expect(await decide(base, jar, matching[0], decision)).toBe(303);
}

/** The claims of a compact JWT (no verification: the tests check what the server put in). */
export function jwtClaims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}
