/**
 * JWT access tokens at an API protected by the resource-server middleware,
 * with a real Gatehouse as the authorization server: RFC 9068 §4 checks,
 * strict compact parsing and RFC 6750 answers.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, SignJWT } from 'jose';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { m2mToken } from '../endpoints/helpers.js';
import { signJwt } from '../../src/tokens/sign-jwt.js';
import { challengeParams, startApi, type Api } from './helpers.js';

describe('resource server: JWT access tokens', () => {
  let s: TestServer;
  let api: Api;
  beforeAll(async () => {
    s = await startTestServer();
    api = await startApi(s, { realm: 'demo', resourceMetadataUrl: 'https://api.example/.well-known/oauth-protected-resource' }, { scopes: ['api'] });
  });
  afterAll(async () => {
    await api?.close();
    await s?.close();
  });

  /** Claims of a valid token for the API, to re-sign with changes using Gatehouse's own signing key. */
  const claims = (over: Record<string, unknown> = {}) => {
    const now = s.clock.now();
    return { iss: s.url, sub: 'm2m', aud: 'api', client_id: 'm2m', jti: 'j1', iat: now, nbf: now, exp: now + 60, scope: 'api', ...over };
  };
  const signed = (over: Record<string, unknown> = {}, typ = 'at+jwt') => signJwt(claims(over), s.gh.context.keys.signingKey(), typ);
  const expectInvalid = (r: Awaited<ReturnType<Api['get']>>, description: RegExp) => {
    expect(r.status).toBe(401);
    const { scheme, params } = challengeParams(r.headers.get('www-authenticate'));
    expect(scheme).toBe('Bearer');
    expect(params.error).toBe('invalid_token');
    expect(params.error_description).toMatch(description);
    expect(r.body).toMatchObject({ error: 'invalid_token' });
  };

  it('accepts a client-credentials JWT for audience api with scope api', async () => {
    const r = await api.get(await m2mToken(s.url, { scope: 'api' }));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ format: 'jwt', scheme: 'Bearer', subject: 'm2m', clientId: 'm2m', scopes: ['api'], audiences: ['api'] });
    expect(r.body.claims.iss).toBe(s.url);
  });

  it("accepts a user's token from the code flow", async () => {
    const flow = await authorizeWithLogin(s.url, { scope: 'openid api' });
    const t = await exchangeCode(s.url, flow.code, flow.verifier);
    const r = await api.get(t.body.access_token as string);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ subject: '1', clientId: 'interactive.confidential', scopes: ['openid', 'api'] });
  });

  it('answers 401 without an error code when no token is sent (RFC 6750 §3.1), with realm and resource_metadata', async () => {
    const r = await api.get();
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="demo", resource_metadata="https://api.example/.well-known/oauth-protected-resource"');
    // An unsupported scheme is the same as no credentials.
    const basic = await api.get(undefined, { authorization: 'Basic bTJtOnNlY3JldA==' });
    expect(basic.status).toBe(401);
    expect(challengeParams(basic.headers.get('www-authenticate')).params.error).toBeUndefined();
  });

  it('answers 400 invalid_request for malformed credentials', async () => {
    for (const authorization of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer  abc', 'Bearer a,b']) {
      const r = await api.get(undefined, { authorization });
      expect(r.status, authorization).toBe(400);
      expect(challengeParams(r.headers.get('www-authenticate')).params.error).toBe('invalid_request');
    }
  });

  it('copes with a malformed Host header and an absolute-form target', async () => {
    const token = await m2mToken(s.url);
    const { port } = new URL(api.url);
    for (const [host, path] of [
      ['a b', '/api/test'],
      ['x:99999', '/api/test'],
      ['127.0.0.1', '//evil.example/api'],
    ]) {
      const status = await new Promise<number>((resolve, reject) =>
        http
          .get({ host: '127.0.0.1', port, path, headers: { host, authorization: `Bearer ${token}` } }, (res) => resolve(res.resume().statusCode!))
          .on('error', reject),
      );
      expect(status, host).toBe(200);
    }
  });

  it('reads the scheme case-insensitively', async () => {
    const r = await api.get(undefined, { authorization: `bEARER ${await m2mToken(s.url)}` });
    expect(r.status).toBe(200);
  });

  it('refuses an expired token, allowing a small leeway', async () => {
    const token = await m2mToken(s.url);
    const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp as number;
    const start = s.clock.t;
    try {
      s.clock.t = exp + 5; // within the 10 s leeway
      expect((await api.get(token)).status).toBe(200);
      s.clock.t = exp + 11;
      expectInvalid(await api.get(token), /expired/);
    } finally {
      s.clock.t = start;
    }
  });

  it('refuses a token that is not valid yet', async () => {
    expectInvalid(await api.get(await signed({ nbf: s.clock.now() + 60 })), /not valid yet/);
  });

  it('refuses a token for another audience', async () => {
    expectInvalid(await api.get(await signed({ aud: 'billing' })), /aud/);
    expectInvalid(await api.get(await signed({ aud: ['billing', 'other'] })), /aud/);
    // A user token without an API scope names no API resource (aud {issuer}/resources).
    const flow = await authorizeWithLogin(s.url, { scope: 'openid profile' });
    const t = await exchangeCode(s.url, flow.code, flow.verifier);
    expectInvalid(await api.get(t.body.access_token as string), /aud/);
  });

  it('refuses a token of another issuer', async () => {
    expectInvalid(await api.get(await signed({ iss: `${s.url}/other` })), /another issuer/);
    // A token of a second Gatehouse: its key is not in the first issuer's JWKS.
    const other = await startTestServer();
    try {
      expectInvalid(await api.get(await m2mToken(other.url)), /unknown key/);
    } finally {
      await other.close();
    }
  });

  it('refuses a JWT whose typ is not at+jwt (an ID token, RFC 9068 §4)', async () => {
    const flow = await authorizeWithLogin(s.url, { scope: 'openid api' });
    const t = await exchangeCode(s.url, flow.code, flow.verifier);
    expectInvalid(await api.get(t.body.id_token as string), /typ at\+jwt/);
    expectInvalid(await api.get(await signed({}, 'JWT')), /typ at\+jwt/);
    expectInvalid(await api.get(await signJwt(claims(), s.gh.context.keys.signingKey())), /typ at\+jwt/);
    expect((await api.get(await signed({}, 'application/at+jwt'))).status).toBe(200);
  });

  it('refuses an algorithm that is not allowed: none, HS256, or one left out of the options', async () => {
    const unsigned = (header: object) =>
      `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`;
    expectInvalid(await api.get(unsigned({ alg: 'none', typ: 'at+jwt' })), /base64url|algorithm/);
    const hs = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: s.gh.context.keys.signingKey().kid })
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expectInvalid(await api.get(hs), /algorithm/);
    const esOnly = await startApi(s, { algorithms: ['ES256'] });
    try {
      expectInvalid(await esOnly.get(await m2mToken(s.url)), /algorithm/);
    } finally {
      await esOnly.close();
    }
  });

  it('refuses a token with a crit header or a wrong signature', async () => {
    const key = await generateKeyPair('RS256');
    const kid = s.gh.context.keys.signingKey().kid;
    const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(key.privateKey);
    expectInvalid(await api.get(forged), /signature/);
    const token = await m2mToken(s.url);
    const [h, p, sig] = token.split('.') as [string, string, string];
    const header = { ...JSON.parse(Buffer.from(h, 'base64url').toString()), crit: ['exp'] };
    expectInvalid(await api.get(`${Buffer.from(JSON.stringify(header)).toString('base64url')}.${p}.${sig}`), /crit/);
  });

  it('accepts only the canonical compact serialization', async () => {
    const token = await m2mToken(s.url);
    expect((await api.get(token)).status).toBe(200);
    const [h, p, sig] = token.split('.') as [string, string, string];
    // RS256: 256 signature bytes are 342 base64url characters with 4 unused bits; setting them
    // spells the same bytes differently, which a lenient decoder would accept.
    const last = sig.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) | 0b1111];
    expect(twin).not.toBe(last);
    expect(Buffer.from(sig.slice(0, -1) + twin, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expectInvalid(await api.get(`${h}.${p}.${sig.slice(0, -1)}${twin}`), /canonical/);
    // Padding, a JWE-like five-segment token and a JSON serialization are refused too.
    const padded = await api.get(undefined, { authorization: `Bearer ${h}.${p}.${sig}==` });
    expect(padded.status).toBe(401);
    expectInvalid(await api.get(`${h}.${p}.${sig}.x.y`), /not a JWT/);
    const flattened = Buffer.from(JSON.stringify({ protected: h, payload: p, signature: sig })).toString('base64url');
    expectInvalid(await api.get(flattened), /not a JWT/);
  });

  it('refuses a token without the RFC 9068 claims', async () => {
    expectInvalid(await api.get(await signed({ client_id: undefined })), /client_id/);
    expectInvalid(await api.get(await signed({ exp: undefined })), /exp/);
    expectInvalid(await api.get(await signed({ exp: '9999999999' })), /exp/);
    expectInvalid(await api.get(await signed({ scope: ['api'] })), /scope/);
  });

  it('answers 403 insufficient_scope with the scope needed', async () => {
    const strict = await startApi(s, {}, { scopes: ['api', 'api.admin'] });
    try {
      const r = await strict.get(await m2mToken(s.url));
      expect(r.status).toBe(403);
      const { scheme, params } = challengeParams(r.headers.get('www-authenticate'));
      expect(scheme).toBe('Bearer');
      expect(params).toMatchObject({ error: 'insufficient_scope', scope: 'api api.admin' });
      expect(r.body).toMatchObject({ error: 'insufficient_scope' });
    } finally {
      await strict.close();
    }
  });

  it('works for fetch Requests too (Hono, Bun, Deno)', async () => {
    const token = await m2mToken(s.url);
    const ok = await api.rs.verifyFetch(new Request('http://api.test/x', { headers: { authorization: `Bearer ${token}` } }), { scopes: ['api'] });
    expect(ok.ok && ok.auth.subject).toBe('m2m');
    const handler = api.rs.protect((_req, auth) => Response.json({ sub: auth.subject }), { scopes: ['api'] });
    expect(await (await handler(new Request('http://api.test/x', { headers: { authorization: `Bearer ${token}` } }))).json()).toEqual({ sub: 'm2m' });
    const refused = await handler(new Request('http://api.test/x'));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Bearer');
  });
});
