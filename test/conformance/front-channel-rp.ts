/**
 * The relying-party checks of the implicit and hybrid modules (the suite's
 * OIDCCServerTest on a front-channel response), on top of rp.ts: the
 * response arrives in the fragment (or form_post), carries what the response
 * type asks for and nothing else, and its ID token's at_hash, c_hash and
 * s_hash are right (OIDC Core §3.2.2.9-10, §3.3.2.11; FAPI 1.0 Advanced §5.1).
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { AuthorizationOutcome, CookieJar, Rp } from './rp.js';

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
