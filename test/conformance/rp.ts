/**
 * The relying party side of the conformance modules, re-expressed: it does
 * what the OpenID conformance suite does against an OP, through HTTP only
 * (discovery, the authorization endpoint, the built-in login and consent
 * pages, the token and userinfo endpoints), and hands the raw answers to the
 * test, which checks what the module checks.
 */
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import { CookieJar, basic, form, pkce } from '../helpers/server.js';

export const CLIENT = 'conformance.client';
export const CLIENT2 = 'conformance.client2';
export const SECRET = 'secret';
/** The redirect and post-logout URIs of the suite's local docker deployment (config/conformance.json). */
export const SUITE = 'https://localhost.emobix.co.uk:8443/test/a/gatehouse';
export const REDIRECT = `${SUITE}/callback`;
export const POST_LOGOUT = `${SUITE}/post_logout_redirect`;

export type Mode = 'default' | 'form_post';

export interface AuthorizationOutcome {
  /** The authorization response parameters, when the OP answered the client. */
  params?: URLSearchParams;
  /** Where the parameters came from. */
  via?: 'query' | 'fragment' | 'form_post';
  /** An error page the OP showed instead of answering the client. */
  errorPage?: { status: number; html: string; contentType: string };
  /** Pages the user saw: 'login', 'consent'. */
  pages: string[];
  /** The login page HTML when one was shown. */
  loginHtml?: string;
}

const field = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]?.replace(/&amp;/g, '&');
const formAction = (html: string, contains: string) =>
  [...html.matchAll(/action="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).find((a) => a.includes(contains));
const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Reads the auto-submitting form of a form_post response (OAuth 2.0 Form Post Response Mode §2). */
export function readFormPost(html: string): { action: string; params: URLSearchParams } | undefined {
  const action = html.match(/<form[^>]*method="post"[^>]*action="([^"]*)"|<form[^>]*action="([^"]*)"[^>]*method="post"/i);
  if (!action) return undefined;
  const params = new URLSearchParams();
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = m[0].match(/name="([^"]*)"/)?.[1];
    const value = m[0].match(/value="([^"]*)"/)?.[1];
    if (name !== undefined) params.append(unescapeHtml(name), unescapeHtml(value ?? ''));
  }
  return { action: unescapeHtml(action[1] ?? action[2]), params };
}

export class Rp {
  discovery!: Record<string, any>;
  private jwks!: ReturnType<typeof createLocalJWKSet>;

  constructor(
    readonly issuer: string,
    readonly mode: Mode = 'default',
  ) {}

  /** What every module does first: discovery, then the JWKS checks (OIDC Core §10.1, RFC 7517 §4.5, RFC 7518 §6.3.2.1). */
  async init(): Promise<this> {
    const res = await fetch(`${this.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    this.discovery = (await res.json()) as Record<string, any>;
    expect(this.discovery.issuer).toBe(this.issuer);
    const jwks = (await (await fetch(this.discovery.jwks_uri)).json()) as { keys: Array<Record<string, unknown>> };
    const kids = jwks.keys.map((k) => k.kid);
    for (const kid of kids) expect(kid).toBeTypeOf('string');
    expect(new Set(kids).size).toBe(kids.length);
    for (const k of jwks.keys) {
      expect(k.kty).not.toBe('oct');
      for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(k).not.toHaveProperty(privatePart);
    }
    this.jwks = createLocalJWKSet(jwks);
    return this;
  }

  /** The base authorization request of the suite: code flow, openid scope, state and nonce, no PKCE. */
  request(overrides: Record<string, string | undefined> = {}, clientId = CLIENT): Record<string, string> {
    const p: Record<string, string | undefined> = {
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: `st-${Math.random().toString(36).slice(2)}`,
      nonce: `nn-${Math.random().toString(36).slice(2)}`,
      ...(this.mode === 'form_post' ? { response_mode: 'form_post' } : {}),
      ...overrides,
    };
    return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Record<string, string>;
  }

  /**
   * Sends the browser to the authorization endpoint and plays the user:
   * signs in as `login` when the login page appears (or stops there when
   * `login` is false), grants consent, and reads the answer to the client.
   */
  async authorize(
    params: Record<string, string>,
    opts: { jar?: CookieJar; login?: { username: string; password: string } | false; method?: 'GET' | 'POST' } = {},
  ): Promise<AuthorizationOutcome & { jar: CookieJar }> {
    const jar = opts.jar ?? new CookieJar();
    const login = opts.login === undefined ? { username: 'alice', password: 'alice' } : opts.login;
    const endpoint = this.discovery.authorization_endpoint as string;
    let res =
      opts.method === 'POST'
        ? await jar.fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(params) })
        : await jar.fetch(`${endpoint}?${new URLSearchParams(params)}`);
    const out: AuthorizationOutcome & { jar: CookieJar } = { jar, pages: [] };
    for (let hops = 0; hops < 10; hops++) {
      const location = res.headers.get('location');
      if (res.status === 303 || res.status === 302) {
        const next = new URL(location!, endpoint);
        if (next.href.startsWith(params.redirect_uri ?? REDIRECT) && !next.href.startsWith(this.issuer)) {
          if (next.hash.length > 1) return { ...out, params: new URLSearchParams(next.hash.slice(1)), via: 'fragment' };
          return { ...out, params: next.searchParams, via: 'query' };
        }
        if (next.pathname.endsWith('/ui/login')) {
          const page = await jar.fetch(next.href);
          const html = await page.text();
          out.pages.push('login');
          out.loginHtml = html;
          if (!login) return out;
          res = await jar.fetch(new URL(formAction(html, '/ui/login?')!, next).href, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: form({ csrf: field(html, 'csrf')!, username: login.username, password: login.password }),
          });
          continue;
        }
        if (next.pathname.endsWith('/ui/consent')) {
          const html = await (await jar.fetch(next.href)).text();
          out.pages.push('consent');
          const scopes = [...html.matchAll(/name="scope" value="([^"]*)"/g)].map((m) => m[1]);
          res = await jar.fetch(new URL(formAction(html, '/ui/consent?')!, next).href, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: form({ csrf: field(html, 'csrf')!, decision: 'allow', scope: scopes }),
          });
          continue;
        }
        res = await jar.fetch(next.href);
        continue;
      }
      const html = await res.text();
      const posted = res.status === 200 ? readFormPost(html) : undefined;
      if (posted && posted.action === (params.redirect_uri ?? REDIRECT)) {
        // The browser will POST it form-encoded (OAuth 2.0 Form Post Response Mode §2): no other enctype.
        expect(html).not.toMatch(/enctype=/i);
        return { ...out, params: posted.params, via: 'form_post' };
      }
      return { ...out, errorPage: { status: res.status, html, contentType: res.headers.get('content-type') ?? '' } };
    }
    throw new Error('too many redirects');
  }

  /** The code from a successful authorization response, after the suite's checks on it. */
  expectCode(outcome: AuthorizationOutcome, sent: Record<string, string>): string {
    expect(outcome.errorPage, outcome.errorPage?.html.slice(0, 300)).toBeUndefined();
    const p = outcome.params!;
    expect(p.get('error'), p.get('error_description') ?? '').toBeNull();
    // The response arrives in the requested mode (query is the default for code).
    expect(outcome.via).toBe(sent.response_mode === 'form_post' ? 'form_post' : sent.response_mode === 'fragment' ? 'fragment' : 'query');
    expect(p.get('state')).toBe(sent.state ?? null);
    // RFC 9207: iss is advertised, so it must be present and exact.
    if (this.discovery.authorization_response_iss_parameter_supported) expect(p.get('iss')).toBe(this.issuer);
    const code = p.get('code');
    expect(code).toMatch(/^[\x21-\x7e]+$/);
    return code!;
  }

  /** The error of an authorization response that went to the client. */
  expectRedirectedError(outcome: AuthorizationOutcome, sent: Record<string, string>, errors: string[]): string {
    expect(outcome.errorPage, outcome.errorPage?.html.slice(0, 300)).toBeUndefined();
    const p = outcome.params!;
    expect(errors).toContain(p.get('error'));
    expect(p.get('code')).toBeNull();
    expect(p.get('state')).toBe(sent.state ?? null);
    if (this.discovery.authorization_response_iss_parameter_supported) expect(p.get('iss')).toBe(this.issuer);
    return p.get('error')!;
  }

  /** The OP must show its own error page and must not redirect to the client. */
  expectErrorPage(outcome: AuthorizationOutcome): string {
    expect(outcome.params).toBeUndefined();
    expect(outcome.errorPage).toBeDefined();
    expect(outcome.errorPage!.status).toBeGreaterThanOrEqual(400);
    expect(outcome.errorPage!.status).toBeLessThan(500);
    expect(outcome.errorPage!.contentType).toMatch(/^text\/html/);
    return outcome.errorPage!.html;
  }

  /** Token request (client_secret_basic unless told). */
  async token(
    params: Record<string, string>,
    auth: 'basic' | 'post' = 'basic',
    clientId = CLIENT,
  ): Promise<{ status: number; body: Record<string, any>; headers: Headers }> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = { ...params };
    if (auth === 'basic') headers.authorization = basic(clientId, SECRET);
    else Object.assign(body, { client_id: clientId, client_secret: SECRET });
    const res = await fetch(this.discovery.token_endpoint, { method: 'POST', headers, body: form(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any>, headers: res.headers };
  }

  async exchange(code: string, extra: Record<string, string> = {}, auth: 'basic' | 'post' = 'basic', clientId = CLIENT) {
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...extra }, auth, clientId);
  }

  /**
   * The suite's token response and ID token checks (OIDC Core §3.1.3.3,
   * §3.1.3.7): token_type Bearer, no-store, a signed ID token whose iss, aud,
   * exp, iat, sub and nonce are right, the kid names a key of the JWKS.
   */
  async expectTokens(res: { status: number; body: Record<string, any>; headers: Headers }, opts: { nonce?: string; clientId?: string } = {}) {
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // CheckTokenEndpointCacheHeaders: one of the Cache-Control directives is exactly no-store.
    expect((res.headers.get('cache-control') ?? '').split(',').map((d) => d.trim())).toContain('no-store');
    expect(String(res.body.token_type).toLowerCase()).toBe('bearer');
    expect(res.body.access_token).toMatch(/^[\x20-\x7e]+$/);
    expect(typeof res.body.expires_in).toBe('number');
    const idToken = res.body.id_token as string;
    expect(idToken).toBeTypeOf('string');
    const claims = await this.verifyIdToken(idToken, opts.clientId ?? CLIENT);
    if (opts.nonce !== undefined) expect(claims.nonce).toBe(opts.nonce);
    else expect(claims.nonce).toBeUndefined();
    return { body: res.body, idToken, claims };
  }

  async verifyIdToken(idToken: string, clientId = CLIENT): Promise<JWTPayload & Record<string, any>> {
    const { payload, protectedHeader } = await jwtVerify(idToken, this.jwks, {
      issuer: this.issuer,
      audience: clientId,
      algorithms: this.discovery.id_token_signing_alg_values_supported,
    });
    expect(protectedHeader.alg).not.toBe('none');
    expect(typeof payload.sub).toBe('string');
    expect(payload.sub!.length).toBeLessThanOrEqual(255);
    expect(typeof payload.iat).toBe('number');
    expect(payload.exp!).toBeGreaterThan(Date.now() / 1000);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(300);
    // §2: with several audiences azp must be the client; a single audience needs none.
    if (Array.isArray(payload.aud) && payload.aud.length > 1) expect(payload.azp).toBe(clientId);
    if (payload.nbf !== undefined) expect(payload.nbf).toBeLessThanOrEqual(Date.now() / 1000 + 5);
    if (payload.auth_time !== undefined) expect(payload.auth_time).toBeTypeOf('number');
    if (payload.acr !== undefined) expect(payload.acr).toBeTypeOf('string');
    checkStandardClaims(payload);
    return payload as JWTPayload & Record<string, any>;
  }

  async userinfo(accessToken: string, how: 'get' | 'post-header' | 'post-body' = 'get') {
    const url = this.discovery.userinfo_endpoint as string;
    const res =
      how === 'get'
        ? await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } })
        : how === 'post-header'
          ? await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } })
          : await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ access_token: accessToken }) });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, any>) : text,
    };
  }

  /** The suite's userinfo check after every flow: 200, JSON, the ID token's sub, well-typed standard claims. */
  async expectUserinfo(accessToken: string, sub: string, how: 'get' | 'post-header' | 'post-body' = 'get') {
    const res = await this.userinfo(accessToken, how);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = res.body as Record<string, unknown>;
    expect(body.sub).toBe(sub);
    checkStandardClaims(body);
    return body;
  }

  /** A complete login as alice: authorize, exchange, checked tokens, userinfo. */
  async loginFlow(
    overrides: Record<string, string | undefined> = {},
    opts: { jar?: CookieJar; login?: { username: string; password: string }; auth?: 'basic' | 'post'; method?: 'GET' | 'POST' } = {},
  ) {
    const sent = this.request(overrides);
    const outcome = await this.authorize(sent, opts);
    const code = this.expectCode(outcome, sent);
    const tokens = await this.expectTokens(await this.exchange(code, {}, opts.auth), { nonce: sent.nonce });
    const userinfo = await this.expectUserinfo(tokens.body.access_token, tokens.claims.sub!);
    return { sent, outcome, code, jar: outcome.jar, userinfo, ...tokens };
  }
}

const STRING_CLAIMS = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
];

/** OIDC Core §5.1: the types of the standard claims, wherever they appear. */
export function checkStandardClaims(claims: Record<string, unknown>): void {
  for (const c of STRING_CLAIMS) if (c in claims) expect(claims[c], c).toBeTypeOf('string');
  for (const c of ['email_verified', 'phone_number_verified']) if (c in claims) expect(claims[c], c).toBeTypeOf('boolean');
  if ('updated_at' in claims) expect(claims.updated_at).toBeTypeOf('number');
  if ('address' in claims) {
    expect(claims.address).toBeTypeOf('object');
    for (const v of Object.values(claims.address as object)) expect(v).toBeTypeOf('string');
  }
}

export { CookieJar, decodeJwt, pkce };
