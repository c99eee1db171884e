/**
 * The demo's protected API (demo contract, "A protected API"): GET
 * {issuer}/api/test through the resource-server middleware, and its RFC 9728
 * metadata, on the demo configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { m2mToken } from '../endpoints/helpers.js';
import { challengeParams } from './helpers.js';

describe('demo: GET {issuer}/api/test', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s?.close());
  const call = async (token?: string) => {
    const res = await fetch(`${s.url}/api/test`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const userToken = async (scope: string) => {
    const flow = await authorizeWithLogin(s.url, { scope });
    return (await exchangeCode(s.url, flow.code, flow.verifier)).body.access_token as string;
  };

  it('answers the claims of a token with scope api as [{ type, value }] strings, scope one entry each', async () => {
    const r = await call(await userToken('openid profile email api offline_access'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const claims = r.body as { type: string; value: string }[];
    for (const c of claims) expect(Object.keys(c).sort()).toEqual(['type', 'value']);
    for (const c of claims) expect(typeof c.value).toBe('string');
    const values = (type: string) => claims.filter((c) => c.type === type).map((c) => c.value);
    expect(values('scope').sort()).toEqual(['api', 'email', 'offline_access', 'openid', 'profile']);
    expect(values('sub')).toEqual(['1']);
    expect(values('client_id')).toEqual(['interactive.confidential']);
    expect(values('iss')).toEqual([s.url]);
    expect(values('aud')).toEqual(['api']);
    expect(values('exp')[0]).toMatch(/^\d+$/);
    expect(values('amr')).toEqual(['pwd']);
  });

  it('accepts a client-credentials token with scope api', async () => {
    const r = await call(await m2mToken(s.url, { scope: 'api' }));
    expect(r.status).toBe(200);
    expect(r.body).toContainEqual({ type: 'client_id', value: 'm2m' });
    expect(r.body).toContainEqual({ type: 'scope', value: 'api' });
  });

  it('answers 401 with a challenge naming the metadata for a missing token, invalid_token for a bad one', async () => {
    const missing = await call();
    expect(missing.status).toBe(401);
    // RFC 9449 §7.1: the API accepts DPoP too, so it offers that scheme with its algorithms beside Bearer.
    expect(missing.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${s.url}/.well-known/oauth-protected-resource/api/test", DPoP algs="ES256 PS256 EdDSA RS256"`,
    );
    const bad = await call('not-a-token');
    expect(bad.status).toBe(401);
    expect(challengeParams(bad.headers.get('www-authenticate')).params.error).toBe('invalid_token');
  });

  it('answers 403 insufficient_scope for a valid token without api', async () => {
    const r = await call(await userToken('openid profile'));
    expect(r.status).toBe(403);
    const { scheme, params } = challengeParams(r.headers.get('www-authenticate'));
    expect(scheme).toBe('Bearer');
    expect(params).toMatchObject({ error: 'insufficient_scope', scope: 'api', resource_metadata: `${s.url}/.well-known/oauth-protected-resource/api/test` });
  });

  it('serves its RFC 9728 metadata', async () => {
    const res = await fetch(`${s.url}/.well-known/oauth-protected-resource/api/test`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      resource: `${s.url}/api/test`,
      authorization_servers: [s.url],
      scopes_supported: ['api'],
      bearer_methods_supported: ['header'],
      resource_name: 'Gatehouse test API',
    });
  });

  it('follows an issuer with a path (the standalone server mounts there)', async () => {
    const mounted = await startTestServer({ mutate: (c) => (c.server = { ...c.server, issuer: `${c.server!.issuer}/id` }), options: { mountPath: '/id' } });
    try {
      const issuer = `${mounted.url}/id`;
      const res = await fetch(`${issuer}/api/test`, { headers: { authorization: `Bearer ${await m2mToken(issuer)}` } });
      expect(res.status).toBe(200);
      const meta = (await (await fetch(`${issuer}/.well-known/oauth-protected-resource/api/test`)).json()) as Record<string, unknown>;
      expect(meta).toMatchObject({ resource: `${issuer}/api/test`, authorization_servers: [issuer] });
    } finally {
      await mounted.close();
    }
  });

  it('is off unless testApi.enabled', async () => {
    const plain = await startTestServer({ mutate: (c) => delete (c as { testApi?: unknown }).testApi });
    try {
      expect((await fetch(`${plain.url}/api/test`)).status).toBe(404);
      expect((await fetch(`${plain.url}/.well-known/oauth-protected-resource/api/test`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
