/**
 * The relying-party checks of the implicit and hybrid modules (the suite's
 * OIDCCServerTest on a front-channel response), on top of rp.ts: the
 * response arrives in the fragment (or form_post), carries what the response
 * type asks for and nothing else, and its ID token's at_hash, c_hash and
 * s_hash are right (OIDC Core §3.2.2.9-10, §3.3.2.11; FAPI 1.0 Advanced §5.1).
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { REDIRECT, checkStandardClaims, readFormPost, type AuthorizationOutcome, type CookieJar, type Mode, type Rp } from './rp.js';

/**
 * The left-most half of the hash of the ASCII value, base64url; the hash of
 * the ID token's alg (SHA-512 for EdDSA with Ed25519, as the OpenID
 * Foundation's suite and oauth4webapi compute it).
 */
export function leftHalfHash(alg: string, value: string): string {
  const hash = alg === 'EdDSA' ? 'sha512' : `sha${alg.slice(2)}`;
  const digest = createHash(hash).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

const has = (type: string, word: string) => type.split(' ').includes(word);

export interface FrontChannelResult {
  params: URLSearchParams;
  code?: string;
  accessToken?: string;
  idToken?: string;
  idClaims?: Record<string, any>;
}

/**
 * A successful implicit or hybrid authorization response, checked as the
 * suite checks it; `clientId` is the audience of the ID token.
 */
export async function expectFrontChannel(rp: Rp, outcome: AuthorizationOutcome, sent: Record<string, string>, clientId: string): Promise<FrontChannelResult> {
  const type = sent.response_type;
  expect(outcome.errorPage, outcome.errorPage?.html.slice(0, 300)).toBeUndefined();
  const p = outcome.params!;
  expect(p.get('error'), p.get('error_description') ?? '').toBeNull();
  // Multiple Response Type Encoding Practices §5: fragment is the default of every type but code.
  expect(outcome.via).toBe(sent.response_mode === 'form_post' ? 'form_post' : 'fragment');
  expect(p.get('state')).toBe(sent.state ?? null);
  if (rp.discovery.authorization_response_iss_parameter_supported) expect(p.get('iss')).toBe(rp.issuer);
  // OIDC Core §3.3.2.5 / §3.2.2.5: exactly the artifacts the response type names; never a refresh token.
  expect(p.has('code')).toBe(has(type, 'code'));
  expect(p.has('id_token')).toBe(has(type, 'id_token'));
  expect(p.has('access_token')).toBe(has(type, 'token'));
  expect(p.has('refresh_token')).toBe(false);
  const out: FrontChannelResult = { params: p };
  if (has(type, 'code')) {
    out.code = p.get('code')!;
    // EnsureMinimumAuthorizationCodeLength / Entropy: at least 128 bits.
    expect(out.code.length).toBeGreaterThanOrEqual(22);
  }
  if (has(type, 'token')) {
    out.accessToken = p.get('access_token')!;
    expect(out.accessToken).toMatch(/^[\x20-\x7e]+$/);
    expect(p.get('token_type')?.toLowerCase()).toBe('bearer');
    expect(Number(p.get('expires_in'))).toBeGreaterThan(0);
  }
  if (has(type, 'id_token')) {
    out.idToken = p.get('id_token')!;
    const claims = await rp.verifyIdToken(out.idToken, clientId);
    out.idClaims = claims;
    // OIDC Core §3.2.2.11 / §3.3.2.12: nonce REQUIRED and equal.
    expect(claims.nonce).toBe(sent.nonce);
    const alg = JSON.parse(Buffer.from(out.idToken.split('.')[0], 'base64url').toString()).alg as string;
    // ExtractAtHash is a FAILURE when a token is returned; ExtractCHash when a code is (OIDC Core §3.3.2.11).
    if (out.accessToken) expect(claims.at_hash).toBe(leftHalfHash(alg, out.accessToken));
    else expect(claims.at_hash).toBeUndefined();
    if (out.code) expect(claims.c_hash).toBe(leftHalfHash(alg, out.code));
    else expect(claims.c_hash).toBeUndefined();
    if (sent.state !== undefined) expect(claims.s_hash).toBe(leftHalfHash(alg, sent.state));
    else expect(claims.s_hash).toBeUndefined();
  }
  return out;
}

export interface FlowOptions {
  jar?: CookieJar;
  login?: { username: string; password: string } | false;
  method?: 'GET' | 'POST';
  auth?: 'basic' | 'post';
}

/**
 * A complete module flow for `clientId`: authorize, the front-channel checks,
 * for a code the token endpoint (OIDC Core §3.3.3: its ID token has the same
 * iss and sub), then userinfo with the access token (front or back channel).
 */
export async function frontChannelFlow(rp: Rp, clientId: string, overrides: Record<string, string | undefined> = {}, opts: FlowOptions = {}) {
  const sent = rp.request({ ...overrides }, clientId);
  const outcome = await rp.authorize(sent, opts);
  const front = await expectFrontChannel(rp, outcome, sent, clientId);
  let tokenBody: Record<string, any> | undefined;
  let tokenClaims: Record<string, any> | undefined;
  if (front.code) {
    const res = await rp.exchange(front.code, {}, opts.auth, clientId);
    // The token endpoint's ID token echoes the nonce of the request (OIDC Core §3.3.3.6 → §3.1.3.6).
    const tokens = await rp.expectTokens(res, { nonce: sent.nonce, clientId });
    tokenBody = tokens.body;
    tokenClaims = tokens.claims;
    // VerifyIdTokenSubConsistentHybridFlow (OIDC Core §3.3.3.6): same iss and sub.
    if (front.idClaims) {
      expect(tokenClaims.sub).toBe(front.idClaims.sub);
      expect(tokenClaims.iss).toBe(front.idClaims.iss);
    }
    // at_hash of the token endpoint's access token, when present, is right (OIDC Core §3.3.3.8).
    if (tokenClaims.at_hash) {
      const alg = JSON.parse(Buffer.from(tokens.idToken.split('.')[0], 'base64url').toString()).alg as string;
      expect(tokenClaims.at_hash).toBe(leftHalfHash(alg, tokenBody.access_token));
    }
  }
  const claims = (tokenClaims ?? front.idClaims) as Record<string, any> & { sub: string; auth_time?: number };
  const accessToken = tokenBody?.access_token ?? front.accessToken;
  const userinfo = accessToken ? await rp.expectUserinfo(accessToken, claims.sub) : undefined;
  return { sent, outcome, front, tokenBody, claims, accessToken, userinfo, jar: outcome.jar };
}

/** One plan variant: the plan's name, its response type and mode, the suite's static clients. */
export interface PlanVariant {
  type: string;
  mode: Mode;
  clientId: string;
  /** The second client of the modules that need one (oidcc-refresh-token). */
  clientId2?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ANY_NONE_ERROR = ['login_required', 'interaction_required', 'session_selection_required', 'consent_required'];

/**
 * The modules the Implicit and Hybrid plans share (OIDCCImplicitTestPlan,
 * OIDCCHybridTestPlan: the rows of the OpenID Connect Conformance Profiles
 * table), each as one test named after the module, checking what it checks.
 * `ctx()` gives the RP of the variant once the plan's beforeAll has run.
 */
export function sharedModules(ctx: () => { rp: Rp; issuer: string }, v: PlanVariant): void {
  const flow = (overrides: Record<string, string | undefined> = {}, opts: FlowOptions = {}) =>
    frontChannelFlow(ctx().rp, v.clientId, { response_type: v.type, ...overrides }, opts);
  const request = (overrides: Record<string, string | undefined> = {}) => ctx().rp.request({ response_type: v.type, ...overrides }, v.clientId);
  const hasToken = v.type === 'id_token token' || v.type.includes(' token');
  const errorVia = v.mode === 'form_post' ? 'form_post' : 'fragment';

  it('oidcc-server', async () => {
    const { claims, outcome, front } = await flow();
    expect(outcome.pages).toEqual(['login']);
    expect(claims.sub).toBe('1');
    expect(claims.aud).toBe(v.clientId);
    expect(typeof claims.auth_time).toBe('number');
    // EnsureIdTokenDoesNotContainName (scope openid only), EnsureIdTokenDoesNotContainNonRequestedClaims.
    if (front.idClaims) expect(front.idClaims).not.toHaveProperty('name');
  });

  it('oidcc-idtoken-signature', async () => {
    const { front, tokenBody } = await flow();
    const idToken = front.idToken ?? (tokenBody!.id_token as string);
    const header = JSON.parse(Buffer.from(idToken.split('.')[0], 'base64url').toString()) as Record<string, string>;
    expect(ctx().rp.discovery.id_token_signing_alg_values_supported).toContain(header.alg);
    const jwks = (await (await fetch(ctx().rp.discovery.jwks_uri)).json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys.filter((k) => k.kid === header.kid)).toHaveLength(1);
  });

  if (v.type.includes('id_token')) {
    it('oidcc-ensure-request-without-nonce-fails', async () => {
      // OIDC Core §3.2.2.1, §3.3.2.11: nonce REQUIRED; invalid_request to the client (never query: a token type).
      const sent = request({ nonce: undefined });
      const outcome = await ctx().rp.authorize(sent);
      expect(ctx().rp.expectRedirectedError(outcome, sent, ['invalid_request'])).toBe('invalid_request');
      expect(outcome.via).toBe(errorVia);
      expect(outcome.params!.get('id_token')).toBeNull();
      expect(outcome.params!.get('access_token')).toBeNull();
      expect(outcome.pages).toEqual([]);
    });
  } else {
    it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow', async () => {
      // OIDC Core §3.3.2.11: nonce is OPTIONAL for code token.
      const { tokenBody, claims } = await flow({ nonce: undefined });
      expect(tokenBody!.access_token).toBeTruthy();
      expect(claims.nonce).toBeUndefined();
    });
  }

  /** AbstractOIDCCReturnedClaimsServerTest: userinfo when there is an access token, else the ID token (OIDC Core §5.4). */
  const scopeCases: Array<[string, string, Record<string, unknown>]> = [
    ['oidcc-scope-profile', 'openid profile', { name: 'Alice Smith', given_name: 'Alice', family_name: 'Smith', website: 'http://alice.example.com' }],
    ['oidcc-scope-email', 'openid email', { email: 'AliceSmith@example.com', email_verified: true }],
    ['oidcc-scope-address', 'openid address', { address: expect.objectContaining({ country: 'US', locality: 'Springfield' }) }],
    ['oidcc-scope-phone', 'openid phone', { phone_number: '+1 555 0100', phone_number_verified: true }],
    [
      'oidcc-scope-all',
      'openid profile email address phone',
      { name: 'Alice Smith', email: 'AliceSmith@example.com', address: expect.any(Object), phone_number: '+1 555 0100' },
    ],
  ];
  it.each(scopeCases)('%s', async (_name, scope, expected) => {
    for (const s of scope.split(' ')) expect(ctx().rp.discovery.scopes_supported).toContain(s);
    const { front, userinfo } = await flow({ scope });
    const returned = userinfo ?? front.idClaims!;
    expect(returned).toMatchObject({ sub: '1', ...expected });
    if (!scope.includes('email')) expect(returned).not.toHaveProperty('email');
    if (!scope.includes('profile')) expect(returned).not.toHaveProperty('name');
    checkStandardClaims(returned);
  });

  it.each(['page', 'popup'])('oidcc-display-%s', async (display) => {
    const { outcome } = await flow({ display });
    expect(outcome.pages).toEqual(['login']);
  });

  it('oidcc-prompt-login', async () => {
    const first = await flow();
    await sleep(1100);
    const second = await flow({ prompt: 'login' }, { jar: first.jar });
    expect(second.outcome.pages).toEqual(['login']);
    expect(second.claims.sub).toBe(first.claims.sub);
    expect(second.claims.auth_time!).toBeGreaterThan(first.claims.auth_time!);
  });

  it('oidcc-prompt-none-not-logged-in', async () => {
    const sent = request({ prompt: 'none' });
    const outcome = await ctx().rp.authorize(sent, { login: false });
    expect(outcome.pages).toEqual([]);
    expect(ctx().rp.expectRedirectedError(outcome, sent, ANY_NONE_ERROR)).toBe('login_required');
    expect(outcome.via).toBe(errorVia);
  });

  it('oidcc-prompt-none-logged-in', async () => {
    const first = await flow();
    const second = await flow({ prompt: 'none' }, { jar: first.jar });
    expect(second.outcome.pages).toEqual([]);
    expect(second.claims.sub).toBe(first.claims.sub);
    expect(second.claims.auth_time).toBe(first.claims.auth_time);
  });

  it('oidcc-max-age-1', async () => {
    const first = await flow();
    await sleep(2100);
    const second = await flow({ max_age: '1' }, { jar: first.jar });
    expect(second.outcome.pages).toEqual(['login']);
    expect(second.claims.auth_time!).toBeGreaterThan(first.claims.auth_time!);
  });

  it('oidcc-max-age-10000', async () => {
    const first = await flow();
    const second = await flow({ max_age: '10000' }, { jar: first.jar });
    expect(second.outcome.pages).toEqual([]);
    expect(second.claims.auth_time).toBe(first.claims.auth_time);
  });

  it('oidcc-ensure-request-with-unknown-parameter-succeeds', async () => {
    const { claims } = await flow({ extra_unknown_param: 'ignored-by-the-op' });
    expect(claims.sub).toBe('1');
  });

  it('oidcc-id-token-hint', async () => {
    const first = await flow();
    const idToken = first.front.idToken ?? (first.tokenBody!.id_token as string);
    const second = await flow({ prompt: 'none', id_token_hint: idToken }, { jar: first.jar });
    expect(second.outcome.pages).toEqual([]);
    expect(second.claims.sub).toBe(first.claims.sub);
    expect(second.claims.auth_time).toBe(first.claims.auth_time);
  });

  it('oidcc-login-hint', async () => {
    const { outcome } = await flow({ login_hint: 'alice' });
    expect(outcome.loginHtml).toMatch(/name="username"[^>]*value="alice"|value="alice"[^>]*name="username"/);
  });

  it('oidcc-ui-locales', async () => {
    const { outcome } = await flow({ ui_locales: 'de' });
    expect(outcome.loginHtml).toContain('<html lang="de"');
  });

  it('oidcc-claims-locales', async () => {
    const { front, userinfo } = await flow({ claims_locales: 'de', scope: 'openid profile' });
    expect(userinfo ?? front.idClaims).toMatchObject({ sub: '1', name: 'Alice Smith' });
  });

  it('oidcc-ensure-request-with-acr-values-succeeds', async () => {
    const { claims } = await flow({ acr_values: '1 2' });
    if (claims.acr !== undefined) expect(claims.acr).toBeTypeOf('string');
  });

  it('oidcc-ensure-registered-redirect-uri', async () => {
    const sent = request({ redirect_uri: `${REDIRECT}/not-registered` });
    const outcome = await ctx().rp.authorize(sent);
    expect(ctx().rp.expectErrorPage(outcome)).toMatch(/redirect_uri/);
    expect(outcome.pages).toEqual([]);
  });

  it('oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported (not applicable to static clients)', async () => {
    const sent = request({ request_uri: 'https://rp.example/request.jwt' });
    const outcome = await ctx().rp.authorize(sent);
    expect(ctx().rp.expectRedirectedError(outcome, sent, ['request_uri_not_supported'])).toBe('request_uri_not_supported');
    expect(outcome.via).toBe(errorVia);
  });

  /** An unsigned request object as the suite builds it: all parameters inside, the OAuth-required ones also outside. */
  function requestObjectRequest(outer: Record<string, string> = {}) {
    const inner = request();
    const claims = { ...inner, iss: inner.client_id, aud: ctx().issuer };
    const object = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const { response_type, client_id, scope, redirect_uri, nonce } = inner;
    return {
      request: object,
      response_type,
      client_id,
      scope,
      redirect_uri,
      nonce,
      ...(v.mode === 'form_post' ? { response_mode: 'form_post' } : {}),
      ...outer,
    };
  }

  /** The request object's own parameters (its state is only inside). */
  const innerOf = (sent: { request: string }) => JSON.parse(Buffer.from(sent.request.split('.')[1], 'base64url').toString()) as Record<string, string>;

  it('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported', async () => {
    // Request objects are supported (docs/par-jar.md): the unsigned object is processed and its state comes back.
    expect(ctx().rp.discovery.request_parameter_supported).toBe(true);
    expect(ctx().rp.discovery.request_object_signing_alg_values_supported).toContain('none');
    const sent = requestObjectRequest();
    const front = await expectFrontChannel(ctx().rp, await ctx().rp.authorize(sent), { ...sent, state: innerOf(sent).state }, v.clientId);
    if (front.idClaims) expect(front.idClaims.sub).toBe('1');
  });

  it('oidcc-ensure-request-object-with-redirect-uri', async () => {
    // The outer redirect_uri is not registered; the request object's is, and wins (OIDC Core §6.1, RFC 9101 §6.3).
    // A signed-in browser goes straight back: the answer must go to the object's redirect_uri.
    const { jar } = await flow();
    const sent = requestObjectRequest({ redirect_uri: `${REDIRECT}/invalid` });
    const res = await jar.fetch(`${ctx().rp.discovery.authorization_endpoint as string}?${new URLSearchParams(sent)}`);
    let params: URLSearchParams;
    if (v.mode === 'form_post') {
      const posted = readFormPost(await res.text());
      expect(posted?.action).toBe(REDIRECT);
      params = posted!.params;
    } else {
      expect(res.status).toBe(303);
      const location = new URL(res.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
      params = new URLSearchParams(location.hash.slice(1));
    }
    expect(params.get('error')).toBeNull();
    expect(params.get('state')).toBe(innerOf(sent).state);
  });

  it('oidcc-claims-essential', async () => {
    const claimsParam = JSON.stringify({ userinfo: { name: { essential: true } } });
    const { front, userinfo } = await flow({ claims: claimsParam, scope: 'openid' });
    // Requested for userinfo only: not in the ID token (EnsureIdTokenDoesNotContainName).
    if (front.idClaims) expect(front.idClaims).not.toHaveProperty('name');
    // VerifyUserInfoContainsName, where the response type yields an access token (OIDC Core §5.5).
    if (userinfo) expect(userinfo).toMatchObject({ sub: '1', name: 'Alice Smith' });
    expect(ctx().rp.discovery.claims_parameter_supported).toBe(true);
  });

  if (hasToken || v.type.startsWith('code')) {
    for (const how of ['get', 'post-header', 'post-body'] as const) {
      it(`oidcc-userinfo-${how}`, async () => {
        const { accessToken } = await flow({ scope: 'openid profile' });
        const res = await ctx().rp.userinfo(accessToken, how);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.body).toMatchObject({ sub: '1', name: 'Alice Smith' });
      });
    }
  }
}

/** oidcc-response-type-missing: run once per plan (the suite's note), for the plan's first variant with a token. */
export function responseTypeMissingModule(ctx: () => { rp: Rp }, v: PlanVariant): void {
  it('oidcc-response-type-missing', async () => {
    const sent = ctx().rp.request({ response_type: undefined }, v.clientId);
    const outcome = await ctx().rp.authorize(sent);
    if (outcome.errorPage) ctx().rp.expectErrorPage(outcome);
    else ctx().rp.expectRedirectedError(outcome, sent, ['invalid_request', 'unsupported_response_type']);
    expect(outcome.pages).toEqual([]);
  });
}
