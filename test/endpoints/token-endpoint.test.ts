/**
 * The token endpoint with client_credentials (RFC 6749 §4.4): JWT access
 * tokens per RFC 9068, reference tokens, RFC 8707 resource indicators.
 */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, StoredRecord } from '../../src/stores/types.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { handleId } from '../../src/tokens/handles.js';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { addM2mClient, introspectAsApi, token } from './helpers.js';

async function verifyWithJwks(s: TestServer, jwt: string) {
  const jwks = (await (await fetch(`${s.url}/.well-known/openid-configuration/jwks`)).json()) as JSONWebKeySet;
  return jwtVerify(jwt, createLocalJWKSet(jwks), { issuer: s.url, typ: 'at+jwt', currentDate: new Date(s.clock.now() * 1000) });
}

describe('client_credentials: JWT access token (RFC 9068)', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());

  it('issues a no-store Bearer token response for m2m (RFC 6749 §5.1)', async () => {
    const r = await token(s.url, { grant_type: 'client_credentials', scope: 'api' }, { authorization: basic('m2m', 'secret') });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('pragma')).toBe('no-cache');
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'api' });
    expect(r.body).not.toHaveProperty('refresh_token');
    expect(r.body).not.toHaveProperty('id_token');
  });

  it('signs the token with the published key: typ at+jwt, kid, and the RFC 9068 §2.2 claims', async () => {
    const r = await token(s.url, { grant_type: 'client_credentials', scope: 'api' }, { authorization: basic('m2m', 'secret') });
    const jwt = r.body.access_token as string;
    const header = decodeProtectedHeader(jwt);
    expect(header.typ).toBe('at+jwt');
    expect(header.kid).toBeTypeOf('string');
    const { payload, protectedHeader } = await verifyWithJwks(s, jwt);
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ iss: s.url, sub: 'm2m', aud: 'api', client_id: 'm2m', scope: 'api' });
    expect(payload.jti).toBeTypeOf('string');
    const now = s.clock.now();
    expect(payload.iat).toBe(now);
    expect(payload.nbf).toBe(now);
    expect(payload.exp).toBe(now + 3600);
  });

  it('grants the client its allowed API scopes when scope is omitted (RFC 6749 §3.3)', async () => {
    const r = await token(s.url, { grant_type: 'client_credentials' }, { authorization: basic('m2m', 'secret') });
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('api');
    const { payload } = await verifyWithJwks(s, r.body.access_token as string);
    expect(payload.aud).toBe('api');
  });

  it('gives each token its own jti', async () => {
    const a = await token(s.url, { grant_type: 'client_credentials' }, { authorization: basic('m2m', 'secret') });
    const b = await token(s.url, { grant_type: 'client_credentials' }, { authorization: basic('m2m', 'secret') });
    const ja = (await verifyWithJwks(s, a.body.access_token as string)).payload.jti;
    const jb = (await verifyWithJwks(s, b.body.access_token as string)).payload.jti;
    expect(ja).not.toBe(jb);
  });
});

describe('client_credentials: reference tokens', () => {
  let s: TestServer;
  const puts: StoredRecord[] = [];
  beforeAll(async () => {
    const backend: Backend = createMemoryBackend();
    const put = backend.records.put.bind(backend.records);
    backend.records.put = async (rec) => {
      puts.push(structuredClone(rec));
      return put(rec);
    };
    s = await startTestServer({
      mutate: (c) =>
        addM2mClient(c, { clientId: 'm2m.ref', clientSecrets: [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }], accessTokenType: 'reference' }),
      options: { backend },
    });
  });
  afterAll(() => s.close());

  it('issues an opaque handle, stores only its hash, and introspection answers its claims', async () => {
    const r = await token(s.url, { grant_type: 'client_credentials', scope: 'api' }, { authorization: basic('m2m.ref', 'secret') });
    expect(r.status).toBe(200);
    const handle = r.body.access_token as string;
    expect(handle).not.toContain('.');
    expect(handle.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    const stored = puts.filter((p) => p.kind === 'reference_token');
    expect(stored).toHaveLength(1);
    expect(stored[0].id).not.toBe(handle);
    expect(stored[0].id).toBe(handleId(handle));
    expect(JSON.stringify(stored[0])).not.toContain(handle);
    const intro = await introspectAsApi(s.url, handle);
    expect(intro.status).toBe(200);
    expect(intro.body).toMatchObject({ active: true, client_id: 'm2m.ref', sub: 'm2m.ref', aud: 'api', scope: 'api', iss: s.url });
    expect(intro.body.exp).toBe(s.clock.now() + 3600);
  });
});

describe('RFC 8707 resource indicators', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        (c.apiScopes as unknown[]).push({ name: 'orders.read' });
        (c.apiResources as unknown[]).push({ name: 'https://orders.example.com', scopes: ['api', 'orders.read'] });
        (c.clients as { clientId: string; allowedScopes: string[] }[]).find((x) => x.clientId === 'm2m')!.allowedScopes.push('orders.read');
      },
    });
  });
  afterAll(() => s.close());
  const auth = { authorization: basic('m2m', 'secret') };

  it('without resource, the audience is every API resource of the granted scopes', async () => {
    const r = await token(s.url, { grant_type: 'client_credentials', scope: 'api' }, auth);
    const { payload } = await verifyWithJwks(s, r.body.access_token as string);
    expect(payload.aud).toEqual(['api', 'https://orders.example.com']);
  });

  it('a known resource becomes the only audience', async () => {
    for (const resource of ['api', 'https://orders.example.com']) {
      const r = await token(s.url, { grant_type: 'client_credentials', scope: 'api', resource }, auth);
      expect(r.status, resource).toBe(200);
      const { payload } = await verifyWithJwks(s, r.body.access_token as string);
      expect(payload.aud).toBe(resource);
    }
  });

  it('several resources may be named (RFC 8707 §2: the parameter may repeat)', async () => {
    const r = await token(s.url, { grant_type: 'client_credentials', scope: 'api', resource: ['api', 'https://orders.example.com'] }, auth);
    expect(r.status).toBe(200);
    const { payload } = await verifyWithJwks(s, r.body.access_token as string);
    expect(payload.aud).toEqual(['api', 'https://orders.example.com']);
  });

  it('a scope of only the second resource selects it as audience', async () => {
    const r = await token(s.url, { grant_type: 'client_credentials', scope: 'orders.read' }, auth);
    const { payload } = await verifyWithJwks(s, r.body.access_token as string);
    expect(payload.aud).toBe('https://orders.example.com');
  });

  it('an unknown resource is invalid_target (RFC 8707 §2)', async () => {
    const r = await token(s.url, { grant_type: 'client_credentials', scope: 'api', resource: 'https://unknown.example.com' }, auth);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_target');
  });

  it('a resource the granted scopes do not reach is invalid_target', async () => {
    const r = await token(s.url, { grant_type: 'client_credentials', scope: 'orders.read', resource: 'api' }, auth);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_target');
  });

  it("with a resource, the scope narrows to that resource's API scopes (as IdentityServer does)", async () => {
    const r = await token(s.url, { grant_type: 'client_credentials', scope: 'api orders.read', resource: 'api' }, auth);
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('api');
    const { payload } = await verifyWithJwks(s, r.body.access_token as string);
    expect(payload).toMatchObject({ aud: 'api', scope: 'api' });
  });

  it('a resource with a fragment is invalid_target', async () => {
    const r = await token(s.url, { grant_type: 'client_credentials', scope: 'api', resource: 'https://orders.example.com#x' }, auth);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_target');
  });
});

describe('client credentials without any API scope', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        (c.clients as unknown[]).push({
          clientId: 'no-scopes',
          clientSecrets: [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }],
          allowedGrantTypes: ['client_credentials'],
        });
      },
    });
  });
  afterAll(() => s.close());

  it('no scope requested and none to default to is invalid_scope (RFC 6749 §3.3)', async () => {
    const r = await token(s.url, { grant_type: 'client_credentials' }, { authorization: basic('no-scopes', 'secret') });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_scope');
  });
});
