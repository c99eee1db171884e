/**
 * Reference tokens at the resource server: RFC 7662 introspection at a real
 * Gatehouse, answers cached for a bounded time (never past exp), revocation
 * visible once the cache entry ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { addM2mClient, m2mToken, post } from '../endpoints/helpers.js';
import { SHA_SECRET, startApi, type Api } from './helpers.js';

describe('resource server: reference tokens by introspection', () => {
  let s: TestServer;
  let api: Api;
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        addM2mClient(c, { clientId: 'm2m.ref', clientSecrets: [{ value: SHA_SECRET }], accessTokenType: 'reference' });
        addM2mClient(c, { clientId: 'm2m.ref.short', clientSecrets: [{ value: SHA_SECRET }], accessTokenType: 'reference', accessTokenLifetime: 20 });
      },
    });
    api = await startApi(s, { introspection: { clientId: 'api', clientSecret: 'secret', cacheTtl: 60 } }, { scopes: ['api'] });
  });
  afterAll(async () => {
    await api?.close();
    await s?.close();
  });
  const introspections = () => api.calls.get('/connect/introspect') ?? 0;

  it('accepts a reference token and caches the answer', async () => {
    const token = await m2mToken(s.url, {}, 'm2m.ref');
    expect(token.split('.')).toHaveLength(1);
    const before = introspections();
    for (let i = 0; i < 3; i++) {
      const r = await api.get(token);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ format: 'reference', subject: 'm2m.ref', clientId: 'm2m.ref', scopes: ['api'], audiences: ['api'] });
    }
    expect(introspections()).toBe(before + 1);
  });

  it('sees a revocation once the cache entry ends (cacheTtl)', async () => {
    const token = await m2mToken(s.url, {}, 'm2m.ref');
    expect((await api.get(token)).status).toBe(200);
    const revoked = await post(s.url, '/connect/revocation', { token }, { authorization: basic('m2m.ref', 'secret') });
    expect(revoked.status).toBe(200);
    const calls = introspections();
    s.clock.advance(59);
    expect((await api.get(token)).status).toBe(200); // still the cached answer
    expect(introspections()).toBe(calls);
    s.clock.advance(2);
    const r = await api.get(token);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(introspections()).toBe(calls + 1);
  });

  it('never caches past the token expiry', async () => {
    const token = await m2mToken(s.url, {}, 'm2m.ref.short');
    expect((await api.get(token)).status).toBe(200);
    const calls = introspections();
    s.clock.advance(21);
    expect((await api.get(token)).status).toBe(401);
    expect(introspections()).toBe(calls + 1);
  });

  it('caches inactive answers too, so a garbage token costs one call', async () => {
    const calls = introspections();
    for (let i = 0; i < 3; i++) expect((await api.get('not-a-real-token')).status).toBe(401);
    expect(introspections()).toBe(calls + 1);
  });

  it('refuses reference tokens when no introspection credentials are configured', async () => {
    const jwtOnly = await startApi(s);
    try {
      const r = await jwtOnly.get(await m2mToken(s.url, {}, 'm2m.ref'));
      expect(r.status).toBe(401);
      expect(jwtOnly.calls.get('/connect/introspect')).toBeUndefined();
    } finally {
      await jwtOnly.close();
    }
  });

  it('answers 503 when the introspection credentials are refused', async () => {
    const wrong = await startApi(s, { introspection: { clientId: 'api', clientSecret: 'wrong' } });
    try {
      expect((await wrong.get(await m2mToken(s.url, {}, 'm2m.ref'))).status).toBe(503);
    } finally {
      await wrong.close();
    }
  });

  it('with introspectJwts, refuses a revoked JWT within cacheTtl', async () => {
    const strict = await startApi(s, { introspection: { clientId: 'api', clientSecret: 'secret', cacheTtl: 5, introspectJwts: true } });
    try {
      const token = await m2mToken(s.url);
      expect((await strict.get(token)).status).toBe(200);
      expect(strict.calls.get('/connect/introspect')).toBe(1);
      await post(s.url, '/connect/revocation', { token }, { authorization: basic('m2m', 'secret') });
      s.clock.advance(6);
      expect((await strict.get(token)).status).toBe(401);
    } finally {
      await strict.close();
    }
  });
});
