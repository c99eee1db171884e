/**
 * The resource server follows the issuer's key rotation: a token signed with
 * a key it has not seen makes it fetch the JWKS again, at most once per
 * `jwksRefetchInterval`, so made-up key ids cannot flood the issuer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, SignJWT } from 'jose';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { m2mToken } from '../endpoints/helpers.js';
import { startApi, type Api } from './helpers.js';

const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid as string;

describe('resource server: key rotation', () => {
  let s: TestServer;
  let api: Api;
  beforeAll(async () => {
    // A new key signs 10 minutes after a rotation starts.
    s = await startTestServer({ mutate: (c) => (c.keys = { ...c.keys, propagationTime: 600 }) });
    api = await startApi(s, { jwksMaxAge: 86_400, jwksRefetchInterval: 30 });
  });
  afterAll(async () => {
    await api?.close();
    await s?.close();
  });
  const jwksFetches = () => api.calls.get('/.well-known/openid-configuration/jwks') ?? 0;

  it('fetches metadata and JWKS once, then serves from the cache', async () => {
    for (let i = 0; i < 3; i++) expect((await api.get(await m2mToken(s.url))).status).toBe(200);
    expect(api.calls.get('/.well-known/openid-configuration')).toBe(1);
    expect(jwksFetches()).toBe(1);
  });

  it('refetches for an unknown kid at most once per interval', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const now = s.clock.now();
    const forged = (kid: string) =>
      new SignJWT({ iss: s.url, sub: 'x', aud: 'api', client_id: 'x', jti: kid, iat: now, exp: now + 60, scope: 'api' })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid })
        .sign(privateKey);
    s.clock.advance(31);
    expect((await api.get(await forged('made-up-1'))).status).toBe(401);
    expect(jwksFetches()).toBe(2);
    for (let i = 2; i < 6; i++) expect((await api.get(await forged(`made-up-${i}`))).status).toBe(401);
    expect(jwksFetches()).toBe(2);
    s.clock.advance(31);
    expect((await api.get(await forged('made-up-7'))).status).toBe(401);
    expect(jwksFetches()).toBe(3);
  });

  it('accepts tokens of a rotated-in key (rotated by the key manager) after refetching the JWKS', async () => {
    const before = await m2mToken(s.url);
    expect((await api.get(before)).status).toBe(200);
    const fetched = jwksFetches();
    const [created] = await s.gh.context.keys.rotate();
    expect(created).toBeDefined();
    s.clock.advance(601); // the new key signs now
    const after = await m2mToken(s.url);
    expect(kidOf(after)).toBe(created.kid);
    expect(kidOf(after)).not.toBe(kidOf(before));
    expect((await api.get(after)).status).toBe(200);
    expect(jwksFetches()).toBe(fetched + 1);
    // The retired key stays published, so its tokens keep working without another fetch.
    expect((await api.get(before)).status).toBe(200);
    expect(jwksFetches()).toBe(fetched + 1);
  });

  it('answers 503 (not 401) while the issuer cannot be reached', async () => {
    const down = await startApi(s, { fetch: () => Promise.reject(new TypeError('fetch failed')) });
    try {
      const r = await down.get(await m2mToken(s.url));
      expect(r.status).toBe(503);
      expect(r.body.error).toBe('temporarily_unavailable');
      expect(r.headers.get('www-authenticate')).toBeNull();
    } finally {
      await down.close();
    }
  });
});
