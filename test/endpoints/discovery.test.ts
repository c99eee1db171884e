/** OpenID Connect Discovery 1.0 §3/§4, RFC 8414 §3, and the JWKS (RFC 7517 §5). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('discovery and JWKS', () => {
  let s: TestServer;
  let doc: Record<string, unknown>;
  beforeAll(async () => {
    s = await startTestServer();
    doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  });
  afterAll(() => s.close());

  it('states the issuer exactly as configured (Discovery §4.3: must be identical)', () => {
    expect(doc.issuer).toBe(s.url);
  });

  it('lists every endpoint the server has, each answering at its URL', async () => {
    const endpoints = {
      jwks_uri: '/.well-known/openid-configuration/jwks',
      token_endpoint: '/connect/token',
      introspection_endpoint: '/connect/introspect',
      revocation_endpoint: '/connect/revocation',
      authorization_endpoint: '/connect/authorize',
      userinfo_endpoint: '/connect/userinfo',
      end_session_endpoint: '/connect/endsession',
      check_session_iframe: '/connect/checksession',
    };
    for (const [name, path] of Object.entries(endpoints)) {
      expect(doc[name], name).toBe(s.url + path);
      // Every listed endpoint exists (no 404): GET answers 200, 302/303, 400, 401 or 405.
      const res = await fetch(doc[name] as string, { redirect: 'manual' });
      await res.arrayBuffer();
      expect(res.status, name).not.toBe(404);
      expect(res.status, name).toBeLessThan(500);
    }
  });

  it('describes what the server supports', () => {
    expect(doc.grant_types_supported).toEqual(expect.arrayContaining(['client_credentials', 'authorization_code', 'refresh_token']));
    expect(doc.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt']),
    );
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'api', 'offline_access']));
    expect(doc.response_types_supported).toContain('code');
    expect(doc.subject_types_supported).toEqual(['public']);
    expect(doc.id_token_signing_alg_values_supported).toContain('RS256');
    // Front-Channel Logout 1.0 §3, Back-Channel Logout 1.0 §2.1.
    expect(doc).toMatchObject({
      frontchannel_logout_supported: true,
      frontchannel_logout_session_supported: true,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
    // RFC 8414 §2: the auth methods of introspection never include none.
    expect(doc.introspection_endpoint_auth_methods_supported).not.toContain('none');
  });

  it('serves the same document as RFC 8414 authorization server metadata', async () => {
    const res = await fetch(`${s.url}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(doc);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await fetch(`${s.url}/.well-known/openid-configuration`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('publishes signing keys with kid, alg and use, and no private members', async () => {
    const res = await fetch(doc.jwks_uri as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/(jwk-set\+)?json/);
    const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key.kid).toBeTypeOf('string');
      expect(key.alg).toBe('RS256');
      expect(key.use).toBe('sig');
      // RFC 7518 §6.3.2 / §6.2.2 / §6.4: private members.
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) expect(key, member).not.toHaveProperty(member);
    }
    expect(new Set(jwks.keys.map((k) => k.kid)).size).toBe(jwks.keys.length);
  });

  it('refuses POST on discovery with 405 and Allow', async () => {
    const res = await fetch(`${s.url}/.well-known/openid-configuration`, { method: 'POST', body: '' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
  });
});

describe('code_challenge_methods_supported: what clients may use', () => {
  const methods = async (s: TestServer) =>
    ((await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>).code_challenge_methods_supported;

  it('S256 only when no client may use plain (the demo)', async () => {
    const s = await startTestServer();
    try {
      expect(await methods(s)).toEqual(['S256']);
    } finally {
      await s.close();
    }
  });

  it('plain too when an enabled client allows plain PKCE; a disabled one does not count', async () => {
    const plainClient = (clientId: string, enabled: boolean) => ({
      clientId,
      enabled,
      requireClientSecret: false,
      allowPlainTextPkce: true,
      allowedGrantTypes: ['authorization_code'],
      redirectUris: ['http://localhost:3000/legacy'],
      allowedScopes: ['openid'],
    });
    const off = await startTestServer({ mutate: (c) => void (c.clients as unknown[]).push(plainClient('legacy.off', false)) });
    const on = await startTestServer({ mutate: (c) => void (c.clients as unknown[]).push(plainClient('legacy', true)) });
    try {
      expect(await methods(off)).toEqual(['S256']);
      expect(await methods(on)).toEqual(['S256', 'plain']);
    } finally {
      await off.close();
      await on.close();
    }
  });
});
