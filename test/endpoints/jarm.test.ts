/**
 * JARM (JWT Secured Authorization Response Mode for OAuth 2.0) through real
 * HTTP: each response mode (§2.3), the claims and signature of the response
 * JWT (§2.1), errors as JARM (§2.2 of the error case), an encrypted response
 * decrypted with the client's key, unknown modes, and oauth4webapi's
 * validateJwtAuthResponse end to end.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactDecrypt, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { authorizeWithLogin, CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';
import { CookieJar, pkce, startTestServer, type TestServer } from '../helpers/server.js';

const HYBRID = 'interactive.confidential.hybrid';

describe('JARM response modes', () => {
  let t: TestServer;
  let jar: CookieJar;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  const encryption = generateKeyPairSync('rsa', { modulusLength: 2048 });

  beforeAll(async () => {
    t = await startTestServer({
      mutate: (c) => {
        const base = c.clients!.find((x) => x.clientId === 'interactive.confidential')!;
        const publicJwk = { ...encryption.publicKey.export({ format: 'jwk' }), use: 'enc', kid: 'enc-1' };
        c.clients = [
          ...(c.clients ?? []),
          { ...base, clientId: 'jarm.encrypted', authorizationEncryptedResponseAlg: 'RSA-OAEP-256', jwks: { keys: [publicJwk] } },
        ];
      },
    });
    jwks = createRemoteJWKSet(new URL(`${t.url}/.well-known/openid-configuration/jwks`));
    // One sign-in; the requests below ride on its session (SSO), so each answers at once.
    jar = (await authorizeWithLogin(t.url)).jar;
  });
  afterAll(async () => t?.close());

  async function authorize(params: Record<string, string>, withJar: CookieJar | null = jar) {
    const { challenge } = await pkce();
    const q = new URLSearchParams({
      client_id: 'interactive.confidential',
      redirect_uri: CONFIDENTIAL_REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: 'st-1',
      nonce: 'n-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...params,
    });
    const url = `${t.url}/connect/authorize?${q}`;
    return withJar ? withJar.fetch(url) : fetch(url, { redirect: 'manual' });
  }

  const verify = (jwt: string, audience = 'interactive.confidential') => jwtVerify(jwt, jwks, { issuer: t.url, audience });

  it('advertises the jwt modes and the signing and encryption algorithms', async () => {
    const doc = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    expect(doc.response_modes_supported).toEqual(expect.arrayContaining(['jwt', 'query.jwt', 'fragment.jwt', 'form_post.jwt']));
    expect(doc.authorization_signing_alg_values_supported).toContain('RS256');
    expect(doc.authorization_encryption_alg_values_supported).toContain('RSA-OAEP-256');
    expect(doc.authorization_encryption_enc_values_supported).toContain('A128CBC-HS256');
  });

  it('query.jwt: only `response` in the query; a signed JWT with iss, aud, exp, code and state', async () => {
    const res = await authorize({ response_mode: 'query.jwt' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(CONFIDENTIAL_REDIRECT);
    expect([...location.searchParams.keys()]).toEqual(['response']);
    const { payload, protectedHeader } = await verify(location.searchParams.get('response')!);
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ iss: t.url, aud: 'interactive.confidential', state: 'st-1' });
    expect(typeof payload.code).toBe('string');
    expect(payload.exp! - t.clock.now()).toBeGreaterThan(0);
    expect(payload.exp! - t.clock.now()).toBeLessThanOrEqual(600);
  });

  it('jwt for response_type code is query.jwt (§2.3.4)', async () => {
    const res = await authorize({ response_mode: 'jwt' });
    const location = new URL(res.headers.get('location')!);
    expect(location.hash).toBe('');
    expect((await verify(location.searchParams.get('response')!)).payload.code).toBeTruthy();
  });

  it('fragment.jwt: `response` in the fragment', async () => {
    const res = await authorize({ response_mode: 'fragment.jwt' });
    const location = new URL(res.headers.get('location')!);
    expect(location.search).toBe('');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect([...fragment.keys()]).toEqual(['response']);
    expect((await verify(fragment.get('response')!)).payload.state).toBe('st-1');
  });

  it('jwt for a hybrid response type is fragment.jwt, with the tokens inside the JWT', async () => {
    const res = await authorize({ client_id: HYBRID, response_type: 'code id_token', response_mode: 'jwt' });
    const location = new URL(res.headers.get('location')!);
    const fragment = new URLSearchParams(location.hash.slice(1));
    const { payload } = await verify(fragment.get('response')!, HYBRID);
    expect(typeof payload.code).toBe('string');
    expect(typeof payload.id_token).toBe('string');
  });

  it('query.jwt is refused for a response type that returns a token (§2.3.1): invalid_request in the fragment', async () => {
    const res = await authorize({ client_id: HYBRID, response_type: 'code id_token', response_mode: 'query.jwt' });
    const location = new URL(res.headers.get('location')!);
    expect(location.search).toBe('');
    expect(new URLSearchParams(location.hash.slice(1)).get('error')).toBe('invalid_request');
  });

  it('form_post.jwt: an auto-submitting form with one `response` field', async () => {
    const res = await authorize({ response_mode: 'form_post.jwt' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`action="${CONFIDENTIAL_REDIRECT}"`);
    const fields = [...html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1], m[2]]);
    expect(fields.map((f) => f[0])).toEqual(['response']);
    expect((await verify(fields[0][1])).payload.code).toBeTruthy();
  });

  it('an error is a JARM response too: login_required for prompt=none without a session', async () => {
    const res = await authorize({ response_mode: 'query.jwt', prompt: 'none' }, null);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    const { payload } = await verify(location.searchParams.get('response')!);
    expect(payload).toMatchObject({ error: 'login_required', state: 'st-1', iss: t.url, aud: 'interactive.confidential' });
    expect(payload.code).toBeUndefined();
  });

  it('an invalid request with a verified redirect URI answers invalid_request as JARM', async () => {
    const res = await authorize({ response_mode: 'query.jwt', scope: 'openid unknown-scope' });
    const location = new URL(res.headers.get('location')!);
    const { payload } = await verify(location.searchParams.get('response')!);
    expect(payload.error).toBe('invalid_scope');
  });

  it('encrypted: a nested JWT (JWE of the signed response) decrypted with the client key', async () => {
    const res = await authorize({ client_id: 'jarm.encrypted', response_mode: 'jwt' });
    const location = new URL(res.headers.get('location')!);
    const jwe = location.searchParams.get('response')!;
    expect(jwe.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(jwe)).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A128CBC-HS256', cty: 'JWT', kid: 'enc-1' });
    const { plaintext } = await compactDecrypt(jwe, encryption.privateKey);
    const { payload } = await verify(new TextDecoder().decode(plaintext), 'jarm.encrypted');
    expect(payload.code).toBeTruthy();
  });

  it('an unknown response mode with a verified redirect URI: invalid_request, redirected in the default mode', async () => {
    const res = await authorize({ response_mode: 'jwt.query' });
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toContain('response_mode');
  });

  it('an unknown response mode with an unregistered redirect URI: an error page, never a redirect', async () => {
    const res = await authorize({ response_mode: 'jwt.query', redirect_uri: 'https://attacker.example/cb' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('oauth4webapi validateJwtAuthResponse accepts the response and returns the code', async () => {
    const as = await oauth.processDiscoveryResponse(new URL(t.url), await oauth.discoveryRequest(new URL(t.url), { [oauth.allowInsecureRequests]: true }));
    const client: oauth.Client = { client_id: 'interactive.confidential' };
    const res = await authorize({ response_mode: 'jwt' });
    const params = await oauth.validateJwtAuthResponse(as, client, new URL(res.headers.get('location')!), 'st-1', { [oauth.allowInsecureRequests]: true });
    expect(params.get('code')).toBeTruthy();
    expect(params.get('iss')).toBe(t.url);
    // And a tampered response is refused.
    const tampered = new URL(res.headers.get('location')!);
    const jwt = tampered.searchParams.get('response')!;
    tampered.searchParams.set('response', jwt.slice(0, -4) + (jwt.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
    await expect(oauth.validateJwtAuthResponse(as, client, tampered, 'st-1', { [oauth.allowInsecureRequests]: true })).rejects.toThrow();
  });
});
