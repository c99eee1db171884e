/**
 * Helpers for the interaction tests: building authorization requests,
 * reading the built-in pages and asserting the two error channels.
 */
import { expect } from 'vitest';
import { basic, CookieJar, form, pkce } from '../helpers/server.js';

export const CONF = 'interactive.confidential';
export const CONF_REDIRECT = 'http://localhost:3000/callback';
export const PUB = 'interactive.public';
export const PUB_REDIRECT = 'http://localhost:3000/spa/callback';
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const unescape = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'");

/** The value of the first `name="<name>" value="..."` input. */
export const field = (html: string, name: string) => {
  const m = html.match(new RegExp(`name="${name}"[^>]*?value="([^"]*)"`));
  return m ? unescape(m[1]) : undefined;
};

/** Every form action of a page, unescaped. */
export const actions = (html: string) => [...html.matchAll(/action="([^"]*)"/g)].map((m) => unescape(m[1]));

/** A fresh PKCE pair plus authorization parameters with defaults for the confidential client. */
export async function authParams(over: Record<string, string | undefined> = {}): Promise<{ params: URLSearchParams; verifier: string }> {
  const { verifier, challenge } = await pkce();
  const base: Record<string, string | undefined> = {
    client_id: CONF,
    redirect_uri: over.client_id === PUB ? PUB_REDIRECT : CONF_REDIRECT,
    response_type: 'code',
    scope: 'openid profile',
    state: 'st-1',
    nonce: 'n-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...over,
  };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(base)) if (v !== undefined) params.append(k, v);
  return { params, verifier };
}

export const authorizeUrl = (base: string, params: URLSearchParams | string) => `${base}/connect/authorize?${params.toString()}`;

/** The error page: HTML, 400, the code and the request id visible, never a Location header. */
export async function expectErrorPage(res: Response, error: string, status = 400): Promise<string> {
  const html = await res.text();
  expect(res.status, html.slice(0, 300)).toBe(status);
  expect(res.headers.get('location')).toBeNull();
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(html).toContain(error);
  const requestId = res.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  expect(html).toContain(requestId!);
  return html;
}

/** A redirected error (OIDC Core §3.1.2.6, RFC 9207): 303 to the redirect URI with error, description, state, iss. */
export function expectRedirectError(
  res: Response,
  o: { issuer: string; error: string; redirectUri?: string; state?: string | null; fragment?: boolean },
): URLSearchParams {
  expect(res.status).toBe(303);
  const location = res.headers.get('location')!;
  expect(location.startsWith(o.redirectUri ?? CONF_REDIRECT)).toBe(true);
  const url = new URL(location);
  const p = o.fragment ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
  if (o.fragment) expect(url.search).toBe('');
  expect(p.get('error')).toBe(o.error);
  expect(p.get('error_description')).toBeTruthy();
  expect(p.get('iss')).toBe(o.issuer);
  if (o.state !== undefined) expect(p.get('state')).toBe(o.state);
  expect(p.get('code')).toBeNull();
  return p;
}

/** The callback parameters of a successful redirect. */
export function expectCode(res: Response, issuer: string, redirectUri = CONF_REDIRECT, state: string | null = 'st-1'): string {
  expect(res.status).toBe(303);
  const location = res.headers.get('location')!;
  expect(location.startsWith(redirectUri), location).toBe(true);
  const url = new URL(location);
  expect(url.searchParams.get('error'), location).toBeNull();
  expect(url.searchParams.get('iss')).toBe(issuer);
  expect(url.searchParams.get('state')).toBe(state);
  const code = url.searchParams.get('code');
  expect(code).toBeTruthy();
  return code!;
}

export interface PageAt {
  url: string;
  html: string;
  status: number;
  res: Response;
}

/** Runs an authorization request and expects a redirect to one of the pages; returns that page. */
export async function startAt(jar: CookieJar, url: string, kind: 'login' | 'consent'): Promise<PageAt> {
  const res = await jar.fetch(url);
  expect(res.status, await res.clone().text()).toBe(303);
  const location = res.headers.get('location')!;
  expect(location).toContain(`/ui/${kind}?id=`);
  return openPage(jar, location);
}

export async function openPage(jar: CookieJar, url: string): Promise<PageAt> {
  const res = await jar.fetch(url);
  return { url, html: await res.text(), status: res.status, res };
}

export const isLoginPage = (html: string) => html.includes('name="password"');
export const isConsentPage = (html: string) => html.includes('name="decision" value="allow"');

/** Posts the login form of a page; returns the raw response (on success the flow's next answer: the client's redirect or the consent page). */
export function postLogin(jar: CookieJar, base: string, page: PageAt, body: Record<string, string>): Promise<Response> {
  const action = actions(page.html).find((a) => a.includes('/ui/login?'))!;
  return jar.fetch(new URL(action, base).toString(), { method: 'POST', headers: FORM, body: form({ csrf: field(page.html, 'csrf')!, ...body }) });
}

/**
 * Logs in on a login page; returns the flow's answer. The built-in pages
 * continue the flow in the login POST itself (no redirect to the resume endpoint).
 */
export async function loginAndResume(
  jar: CookieJar,
  base: string,
  page: PageAt,
  username = 'alice',
  password = username,
  extra: Record<string, string> = {},
): Promise<Response> {
  const res = await postLogin(jar, base, page, { username, password, ...extra });
  expect(res.headers.get('location') ?? '', 'no detour through the resume endpoint').not.toContain('/connect/authorize/resume');
  return res;
}

/** Posts the consent form; `scopes` default to every scope checkbox/hidden input on the page. */
export async function consentAndResume(
  jar: CookieJar,
  base: string,
  page: PageAt,
  o: { decision?: string; scopes?: string[]; remember?: boolean; csrf?: string | null } = {},
): Promise<Response> {
  const action = actions(page.html).find((a) => a.includes('/ui/consent?'))!;
  const scopes = o.scopes ?? [...page.html.matchAll(/name="scope" value="([^"]*)"/g)].map((m) => m[1]);
  const body: Record<string, string | string[]> = { decision: o.decision ?? 'allow', scope: scopes };
  if (o.csrf !== null) body.csrf = o.csrf ?? field(page.html, 'csrf')!;
  if (o.remember) body.remember = '1';
  return jar.fetch(new URL(action, base).toString(), { method: 'POST', headers: FORM, body: form(body) });
}

/** Token request for either demo interactive client (public: client_id in the body). */
export async function redeem(base: string, code: string, verifier: string, clientId = CONF, redirectUri = clientId === PUB ? PUB_REDIRECT : CONF_REDIRECT) {
  const headers: Record<string, string> = { ...FORM };
  const body: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier };
  if (clientId === CONF) headers.authorization = basic(CONF, 'secret');
  else body.client_id = clientId;
  const res = await fetch(`${base}/connect/token`, { method: 'POST', headers, body: form(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Signs `username` in for the confidential client in `jar` and returns the code response's tokens. */
export async function signIn(base: string, jar: CookieJar, username = 'alice', over: Record<string, string> = {}) {
  const { params, verifier } = await authParams(over);
  const page = await startAt(jar, authorizeUrl(base, params), 'login');
  const res = await loginAndResume(jar, base, page, username);
  const code = expectCode(res, base, params.get('redirect_uri')!, params.get('state'));
  return { code, verifier };
}
