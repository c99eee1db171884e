/**
 * Dynamic client registration (RFC 7591) and client configuration (RFC 7592)
 * through real HTTP: the demo's anonymous policy, initial access tokens,
 * software statements, every RFC 7591 error code, registration access
 * tokens, and registered clients seen by a second node on the same store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import * as oidc from 'openid-client';
import pino from 'pino';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { basic, demoConfig, form, startTestServer, TestClock, type TestServer } from '../helpers/server.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { createGatehouse } from '../../src/provider.js';
import { createInitialAccessToken } from '../../src/registration/initial-access-token.js';

const json = (body: unknown, token?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});

async function register(base: string, body: unknown, token?: string) {
  const res = await fetch(`${base}/connect/register`, json(body, token));
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

async function clientCredentials(base: string, id: string, secret: string) {
  const res = await fetch(`${base}/connect/token`, {
    method: 'POST',
    headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'client_credentials', scope: 'api' }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('registration in the demo configuration (anonymous, loopback redirect URIs)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  it('advertises the registration endpoint and metadata documents', async () => {
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.registration_endpoint).toBe(`${s.url}/connect/register`);
    expect(doc.client_id_metadata_document_supported).toBe(true);
  });

  it('openid-client registers a confidential client that gets tokens (RFC 7591 §3.2.1 answer)', async () => {
    const config = await oidc.dynamicClientRegistration(
      new URL(s.url),
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'api', client_name: 'Robot' },
      undefined,
      { execute: [oidc.allowInsecureRequests] },
    );
    const meta = config.clientMetadata();
    expect(meta.client_secret).toEqual(expect.any(String));
    expect(meta.registration_access_token).toEqual(expect.any(String));
    expect(meta.registration_client_uri).toBe(`${s.url}/connect/register?client_id=${encodeURIComponent(meta.client_id)}`);
    expect(meta.client_secret_expires_at).toBe(0);
    expect(meta.client_id_issued_at).toBe(s.clock.now());
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api' });
    expect(tokens.access_token).toEqual(expect.any(String));
    // Stored hashed: the record holds neither the secret nor the registration access token.
    const rec = await s.gh.context.backend.records.find('registered_client', meta.client_id);
    expect(JSON.stringify(rec)).not.toContain(meta.client_secret as string);
    expect(JSON.stringify(rec)).not.toContain(meta.registration_access_token as string);
  });

  it('a registered public client signs a user in with the code flow (consent asked)', async () => {
    const reg = await register(s.url, {
      redirect_uris: ['http://127.0.0.1/cb'],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile',
      client_name: 'Native',
    });
    expect(reg.status).toBe(201);
    expect(reg.body.client_secret).toBeUndefined();
    expect(reg.body).toMatchObject({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile',
    });
    const flow = await authorizeWithLogin(s.url, { clientId: reg.body.client_id, redirectUri: 'http://127.0.0.1:8123/cb', scope: 'openid profile' });
    expect(flow.code).not.toBe('');
    const res = await fetch(`${s.url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({
        grant_type: 'authorization_code',
        client_id: reg.body.client_id,
        code: flow.code,
        redirect_uri: 'http://127.0.0.1:8123/cb',
        code_verifier: flow.verifier,
      }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Record<string, unknown>).id_token).toEqual(expect.any(String));
  });

  it('reads, replaces and deletes a client with its registration access token (RFC 7592)', async () => {
    const reg = await register(s.url, { redirect_uris: ['http://localhost:3000/cb'], client_name: 'Web', scope: 'openid' });
    expect(reg.status).toBe(201);
    const uri = reg.body.registration_client_uri as string;
    const auth = { authorization: `Bearer ${reg.body.registration_access_token}` };
    const read = await fetch(uri, { headers: auth });
    expect(read.status).toBe(200);
    expect(read.headers.get('cache-control')).toContain('no-store');
    const got = (await read.json()) as Record<string, any>;
    expect(got).toMatchObject({ client_id: reg.body.client_id, client_name: 'Web', redirect_uris: ['http://localhost:3000/cb'] });
    expect(got.client_secret).toBeUndefined();

    // PUT replaces the metadata (RFC 7592 §2.2): omitted fields are gone, the secret stays.
    const put = await fetch(uri, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: reg.body.client_id,
        client_secret: reg.body.client_secret,
        redirect_uris: ['http://localhost:3000/other'],
        scope: 'openid',
      }),
    });
    expect(put.status).toBe(200);
    const updated = (await put.json()) as Record<string, any>;
    expect(updated.redirect_uris).toEqual(['http://localhost:3000/other']);
    expect(updated.client_name).toBeUndefined();
    const flow = await authorizeWithLogin(s.url, { clientId: reg.body.client_id, redirectUri: 'http://localhost:3000/other', scope: 'openid' });
    const tokens = await exchangeCode(s.url, flow.code, flow.verifier, reg.body.client_id, reg.body.client_secret, 'http://localhost:3000/other');
    expect(tokens.status).toBe(200);

    // A client_secret that is not the current one, a client_id of another client: invalid_client_metadata.
    for (const body of [
      { client_id: reg.body.client_id, client_secret: 'guess', redirect_uris: ['http://localhost:3000/cb'] },
      { client_id: 'someone-else', redirect_uris: ['http://localhost:3000/cb'] },
    ]) {
      const bad = await fetch(uri, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as Record<string, unknown>).error).toBe('invalid_client_metadata');
    }

    const del = await fetch(uri, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(204);
    expect((await fetch(uri, { headers: auth })).status).toBe(401);
    const after = await exchangeCode(s.url, 'x', 'y'.repeat(43), reg.body.client_id, reg.body.client_secret);
    expect(after.status).toBe(401);
  });

  it('refuses a wrong, missing or other client’s registration access token with 401 invalid_token', async () => {
    const a = await register(s.url, { grant_types: ['client_credentials'], scope: 'api' });
    const b = await register(s.url, { grant_types: ['client_credentials'], scope: 'api' });
    const uriA = a.body.registration_client_uri as string;
    for (const headers of [
      { authorization: `Bearer ${b.body.registration_access_token}` },
      { authorization: 'Bearer wrong' },
      { authorization: 'Basic eDp5' },
    ]) {
      const res = await fetch(uriA, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('invalid_token');
      expect(((await res.json()) as Record<string, unknown>).error).toBe('invalid_token');
    }
    const none = await fetch(uriA);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(uriA, { method: 'DELETE', headers: { authorization: `Bearer ${b.body.registration_access_token}` } })).status).toBe(401);
    expect((await fetch(uriA, { headers: { authorization: `Bearer ${a.body.registration_access_token}` } })).status).toBe(200);
  });

  it.each([
    ['a redirect URI off the loopback hosts (anonymous policy)', { redirect_uris: ['https://evil.example/cb'] }, 'invalid_redirect_uri', '$.redirect_uris[0]'],
    ['a redirect URI with a fragment', { redirect_uris: ['http://localhost/cb#x'] }, 'invalid_redirect_uri', '$.redirect_uris[0]'],
    ['no redirect URI for the code flow', { redirect_uris: [] }, 'invalid_redirect_uri', '$.redirect_uris'],
    ['redirect_uris not an array', { redirect_uris: 'http://localhost/cb' }, 'invalid_redirect_uri', '$.redirect_uris'],
    ['an unknown grant type', { grant_types: ['urn:example:magic'], redirect_uris: ['http://localhost/cb'] }, 'invalid_client_metadata', '$.grant_types[0]'],
    ['a grant outside the policy', { grant_types: ['password'] }, 'invalid_client_metadata', '$.grant_types[0]'],
    ['an unsupported response type', { response_types: ['token'], redirect_uris: ['http://localhost/cb'] }, 'invalid_client_metadata', '$.response_types[0]'],
    ['code without authorization_code', { grant_types: ['client_credentials'], response_types: ['code'] }, 'invalid_client_metadata', '$.response_types'],
    [
      'an unsupported auth method',
      { token_endpoint_auth_method: 'tls_client_auth', grant_types: ['client_credentials'] },
      'invalid_client_metadata',
      '$.token_endpoint_auth_method',
    ],
    [
      'private_key_jwt without keys',
      { token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'] },
      'invalid_client_metadata',
      '$.token_endpoint_auth_method',
    ],
    [
      'jwks and jwks_uri together',
      { grant_types: ['client_credentials'], jwks: { keys: [{ kty: 'EC' }] }, jwks_uri: 'https://a.example/jwks' },
      'invalid_client_metadata',
      '$.jwks',
    ],
    [
      'a private key in jwks',
      {
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }] },
      },
      'invalid_client_metadata',
      '$.jwks.keys[0].d',
    ],
    [
      'a symmetric key in jwks',
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
      'invalid_client_metadata',
      '$.jwks.keys[0].kty',
    ],
    ['a scope outside the policy', { grant_types: ['client_credentials'], scope: 'api nope' }, 'invalid_client_metadata', '$.scope'],
    ['a malformed client_uri', { grant_types: ['client_credentials'], client_uri: 'not a url' }, 'invalid_client_metadata', '$.client_uri'],
    ['a wrong type', { grant_types: ['client_credentials'], contacts: 'me' }, 'invalid_client_metadata', '$.contacts'],
    [
      'an ID token alg the server has no key for',
      { redirect_uris: ['http://localhost/cb'], id_token_signed_response_alg: 'ES256' },
      'invalid_client_metadata',
      '$.id_token_signed_response_alg',
    ],
    [
      'a public client with client_credentials',
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      'invalid_client_metadata',
      '$.grant_types',
    ],
    [
      'an unsigned software statement',
      { grant_types: ['client_credentials'], software_statement: 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.' },
      'invalid_software_statement',
      '$.software_statement',
    ],
    [
      'a software statement that is no JWT',
      { grant_types: ['client_credentials'], software_statement: 'hello' },
      'invalid_software_statement',
      '$.software_statement',
    ],
  ])('refuses %s', async (_what, body, error, path) => {
    const res = await register(s.url, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(error);
    expect(res.body.error_description).toContain(path);
  });

  it('answers odd requests with 4xx, never a 5xx', async () => {
    const reg = await register(s.url, { grant_types: ['client_credentials'], scope: 'api' });
    const uri = reg.body.registration_client_uri as string;
    const auth = { authorization: `Bearer ${reg.body.registration_access_token}` };
    const requests: Array<[string, RequestInit]> = [
      [`${s.url}/connect/register`, { method: 'GET' }],
      [`${s.url}/connect/register?client_id=a&client_id=b`, { method: 'GET', headers: auth }],
      [`${s.url}/connect/register?client_id=${'x'.repeat(300)}`, { method: 'GET', headers: auth }],
      [`${s.url}/connect/register?client_id=x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }],
      [uri, { method: 'PUT', headers: { ...auth, 'content-type': 'text/plain' }, body: 'hello' }],
      [uri, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: '"str"' }],
      [uri, { method: 'PATCH', headers: auth }],
      [
        `${s.url}/connect/register`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'x'.repeat(70000) }) },
      ],
      [
        `${s.url}/connect/register`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [{}], grant_types: [1] }) },
      ],
      [
        `${s.url}/connect/register`,
        { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + 'a'.repeat(600) }, body: '{}' },
      ],
    ];
    for (const [url, init] of requests) {
      const res = await fetch(url, init);
      expect(res.status, `${init.method} ${url.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('a client registered with an unusable JWK Set is refused at the token endpoint, not a 5xx', async () => {
    const reg = await register(s.url, {
      grant_types: ['client_credentials'],
      scope: 'api',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ kty: 'EC', crv: 'P-256' }] },
    });
    expect(reg.status).toBe(201);
    const { privateKey } = await generateKeyPair('ES256');
    const assertion = await new SignJWT({ jti: 'j1' })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(reg.body.client_id)
      .setSubject(reg.body.client_id)
      .setAudience(s.url)
      .setIssuedAt(s.clock.now())
      .setExpirationTime(s.clock.now() + 60)
      .sign(privateKey);
    const res = await fetch(`${s.url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({
        grant_type: 'client_credentials',
        client_id: reg.body.client_id,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    });
    expect(res.status).toBe(401);
  });

  it('refuses a body that is not a JSON object and a form body', async () => {
    for (const init of [
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1]' },
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' },
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'redirect_uris=x' },
    ]) {
      const res = await fetch(`${s.url}/connect/register`, init);
      expect(res.status).toBe(400);
      expect(((await res.json()) as Record<string, unknown>).error).toBe('invalid_client_metadata');
    }
  });
});

describe('the demo API as an RFC 8707 resource indicator (MCP audience binding)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  const token = async (extra: Record<string, string>) => {
    const res = await fetch(`${s.url}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic('m2m', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'client_credentials', scope: 'api', ...extra }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const aud = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { aud: unknown }).aud;

  it('resource={issuer}/api/test gives a token with that audience only, which the API accepts', async () => {
    const t = await token({ resource: `${s.url}/api/test` });
    expect(t.status).toBe(200);
    expect(aud(t.body.access_token)).toBe(`${s.url}/api/test`);
    const api = await fetch(`${s.url}/api/test`, { headers: { authorization: `Bearer ${t.body.access_token}` } });
    expect(api.status).toBe(200);
  });

  it('without resource the audience stays api; an unknown resource is invalid_target', async () => {
    expect(aud((await token({})).body.access_token)).toBe('api');
    const bad = await token({ resource: `${s.url}/api/other` });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_target');
  });

  it('with registration off there is no registration endpoint', async () => {
    const off = await startTestServer({ mutate: (c) => void (c.registration = { enabled: false }) });
    try {
      const doc = (await (await fetch(`${off.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(doc.registration_endpoint).toBeUndefined();
      expect((await register(off.url, { redirect_uris: ['http://localhost/cb'] })).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

describe('registration with initial access tokens and software statements', () => {
  let s: TestServer;
  let trustedKey: CryptoKey;
  let otherKey: CryptoKey;
  beforeAll(async () => {
    const trusted = await generateKeyPair('ES256', { extractable: true });
    const other = await generateKeyPair('ES256', { extractable: true });
    trustedKey = trusted.privateKey;
    otherKey = other.privateKey;
    const jwk: JWK = { ...(await exportJWK(trusted.publicKey)), alg: 'ES256', kid: 'k1' };
    s = await startTestServer({
      mutate: (c) => {
        c.registration = {
          enabled: true,
          initialAccessToken: 'required',
          redirectUriPatterns: ['https://*.app.example/cb'],
          allowedScopes: ['openid', 'api'],
          softwareStatements: { issuers: [{ issuer: 'https://statements.example', jwks: { keys: [jwk] } }] },
        };
      },
    });
  });
  afterAll(() => s.close());

  const statement = (claims: Record<string, unknown>, key: CryptoKey, iss = 'https://statements.example') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(iss).setIssuedAt(s.clock.now()).sign(key);

  it('needs an initial access token; a minted one registers, a wrong or expired one does not', async () => {
    const body = { redirect_uris: ['https://one.app.example/cb'] };
    const none = await register(s.url, body);
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('invalid_token');
    expect((await register(s.url, body, 'not-a-token')).status).toBe(401);
    const token = await createInitialAccessToken(s.gh.context, { lifetime: 600 });
    const ok = await register(s.url, body, token);
    expect(ok.status).toBe(201);
    const once = await createInitialAccessToken(s.gh.context, { lifetime: 600, singleUse: true });
    expect((await register(s.url, body, once)).status).toBe(201);
    expect((await register(s.url, body, once)).status).toBe(401);
    s.clock.advance(601);
    expect((await register(s.url, body, token)).status).toBe(401);
  });

  it('applies redirect URI patterns to token holders too', async () => {
    const token = await createInitialAccessToken(s.gh.context, { lifetime: 600 });
    const res = await register(s.url, { redirect_uris: ['https://app.example.evil/cb'] }, token);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_redirect_uri');
    const sub = await register(s.url, { redirect_uris: ['https://a.b.app.example/cb'] }, token);
    expect(sub.body.error).toBe('invalid_redirect_uri');
  });

  it('a trusted software statement’s claims override the request’s (RFC 7591 §2.3)', async () => {
    const token = await createInitialAccessToken(s.gh.context, { lifetime: 600 });
    const ss = await statement({ client_name: 'Signed name', software_id: 'sw-1' }, trustedKey);
    const res = await register(s.url, { redirect_uris: ['https://x.app.example/cb'], client_name: 'Plain name', software_statement: ss }, token);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ client_name: 'Signed name', software_id: 'sw-1' });
    expect(res.body.software_statement).toBeUndefined();
  });

  it('refuses a statement of an untrusted issuer, with a wrong key, or expired', async () => {
    const token = await createInitialAccessToken(s.gh.context, { lifetime: 600 });
    const base = { redirect_uris: ['https://x.app.example/cb'] };
    const untrusted = await register(s.url, { ...base, software_statement: await statement({}, trustedKey, 'https://other.example') }, token);
    expect(untrusted.status).toBe(400);
    expect(untrusted.body.error).toBe('unapproved_software_statement');
    const forged = await register(s.url, { ...base, software_statement: await statement({}, otherKey) }, token);
    expect(forged.body.error).toBe('invalid_software_statement');
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('https://statements.example')
      .setExpirationTime(s.clock.now() - 3600)
      .sign(trustedKey);
    expect((await register(s.url, { ...base, software_statement: expired }, token)).body.error).toBe('invalid_software_statement');
  });
});

describe('registered clients on two nodes sharing one store', () => {
  it('a client registered on one node works on the other; its deletion reaches the other within registration.cacheTime', async () => {
    const backend = createMemoryBackend();
    const clock = new TestClock();
    const nodes = await Promise.all(
      [0, 1].map(async () => {
        const server = http.createServer();
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        return server;
      }),
    );
    const issuer = `http://127.0.0.1:${(nodes[0].address() as AddressInfo).port}`;
    const config = demoConfig();
    config.server = { issuer };
    config.keys = { keyEncryptionKey: Buffer.alloc(32, 7).toString('base64') };
    const ghs = [];
    for (const server of nodes) {
      const gh = await createGatehouse(config, { clock, backend, logger: pino({ level: 'silent' }), timers: false });
      server.on('request', gh.handler);
      ghs.push(gh);
    }
    const [a, b] = nodes.map((n) => `http://127.0.0.1:${(n.address() as AddressInfo).port}`);
    try {
      const reg = await register(a, { grant_types: ['client_credentials'], scope: 'api' });
      expect(reg.status).toBe(201);
      expect((await clientCredentials(b, reg.body.client_id, reg.body.client_secret)).status).toBe(200);
      const del = await fetch(`${a}/connect/register?client_id=${reg.body.client_id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${reg.body.registration_access_token}` },
      });
      expect(del.status).toBe(204);
      expect((await clientCredentials(a, reg.body.client_id, reg.body.client_secret)).status).toBe(401);
      clock.advance(61);
      expect((await clientCredentials(b, reg.body.client_id, reg.body.client_secret)).status).toBe(401);
    } finally {
      for (const n of nodes) {
        n.closeAllConnections();
        await new Promise((r) => n.close(r));
      }
      for (const gh of ghs) await gh.close();
    }
  });
});
