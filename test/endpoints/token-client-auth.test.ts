/**
 * Client authentication at the token endpoint through HTTP: client_secret_post
 * (RFC 6749 §2.3.1), client_secret_jwt and private_key_jwt (RFC 7523 §2.2, §3,
 * OIDC Core §9), with inline keys and a jwks_uri served over HTTP.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CryptoKey, JWK } from 'jose';
import { parseConfig } from '../../src/config/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addM2mClient, assertion, assertionParams, clientKeyPair, post, token, type Answer } from './helpers.js';

const HMAC_SECRET = 'a-symmetric-key-of-at-least-32-bytes!';
const encoder = new TextEncoder();

function expectInvalidClient(r: Answer) {
  expect(r.status, r.text).toBe(401);
  expect(r.body.error).toBe('invalid_client');
  expect(r.headers.get('www-authenticate')).toBeTruthy();
}

describe('client authentication methods at the token endpoint', () => {
  let s: TestServer;
  let jwksServer: http.Server;
  let inline: { privateKey: CryptoKey; jwk: JWK };
  let remote: { privateKey: CryptoKey; jwk: JWK };
  let other: { privateKey: CryptoKey };
  let tokenUrl: string;

  beforeAll(async () => {
    inline = await clientKeyPair('inline-1');
    remote = await clientKeyPair('remote-1');
    other = await clientKeyPair('other');
    jwksServer = http.createServer((req, res) => {
      if (req.url === '/broken') {
        res.writeHead(500, { 'content-type': 'text/html' });
        return res.end('<h1>oops</h1>');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [remote.jwk] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
    s = await startTestServer({
      mutate: (c) => {
        addM2mClient(c, { clientId: 'hmac', clientSecrets: [{ type: 'SymmetricKey', value: HMAC_SECRET }] });
        addM2mClient(c, { clientId: 'pkjwt', jwks: { keys: [inline.jwk] } });
        addM2mClient(c, { clientId: 'pkjwt.uri', jwksUri });
        addM2mClient(c, { clientId: 'pkjwt.broken', jwksUri: jwksUri.replace('/jwks', '/broken') });
        addM2mClient(c, { clientId: 'pkjwt.down', jwksUri: 'http://127.0.0.1:1/jwks' });
      },
    });
    tokenUrl = `${s.url}/connect/token`;
  });
  afterAll(async () => {
    await s.close();
    jwksServer.closeAllConnections();
    await new Promise((r) => jwksServer.close(r));
  });

  const cc = (extra: Record<string, string>) => token(s.url, { grant_type: 'client_credentials', ...extra });
  const now = () => s.clock.now();

  describe('client_secret_post', () => {
    it('accepts client_id and client_secret in the body', async () => {
      const r = await cc({ client_id: 'm2m', client_secret: 'secret' });
      expect(r.status, r.text).toBe(200);
      expect(r.body.access_token).toBeTypeOf('string');
    });

    it('refuses a wrong secret and a missing client_id', async () => {
      expectInvalidClient(await cc({ client_id: 'm2m', client_secret: 'nope' }));
      expectInvalidClient(await cc({ client_secret: 'secret' }));
    });
  });

  describe('client_secret_jwt', () => {
    const sign = (o: Parameters<typeof assertion>[3] = {}) => assertion(encoder.encode(HMAC_SECRET), 'HS256', 'hmac', { aud: s.url, now: now(), ...o });

    it('accepts an HS256 assertion with the issuer as audience, as a string or a one-element array', async () => {
      for (const aud of [s.url, [s.url]]) {
        const r = await cc(assertionParams(await sign({ aud })));
        expect(r.status, r.text).toBe(200);
      }
    });

    it('refuses the token endpoint as audience, and a list with a foreign value (audience injection)', async () => {
      for (const aud of [tokenUrl, [s.url, 'https://attacker.example'], ['https://attacker.example', tokenUrl]]) {
        expectInvalidClient(await cc(assertionParams(await sign({ aud }))));
      }
    });

    it('refuses a bad signature', async () => {
      const jwt = await assertion(encoder.encode('another-secret-another-secret-xx!'), 'HS256', 'hmac', { aud: s.url, now: now() });
      expectInvalidClient(await cc(assertionParams(jwt)));
    });

    it('refuses a wrong audience, an expired assertion and a replayed jti', async () => {
      expectInvalidClient(await cc(assertionParams(await sign({ aud: 'https://elsewhere.example/token' }))));
      expectInvalidClient(await cc(assertionParams(await sign({ now: now() - 600, expIn: 60 }))));
      const jti = randomUUID();
      expect((await cc(assertionParams(await sign({ jti })))).status).toBe(200);
      expectInvalidClient(await cc(assertionParams(await sign({ jti }))));
    });

    it('refuses a wrong client_assertion_type', async () => {
      const r = await cc({ client_assertion_type: 'urn:example:other', client_assertion: await sign() });
      expectInvalidClient(r);
    });

    it('refuses an assertion for a client that has no SymmetricKey (m2m)', async () => {
      const jwt = await assertion(encoder.encode(HMAC_SECRET), 'HS256', 'm2m', { aud: s.url, now: now() });
      expectInvalidClient(await cc(assertionParams(jwt)));
    });
  });

  describe('private_key_jwt', () => {
    it('accepts an ES256 assertion checked against inline jwks', async () => {
      const jwt = await assertion(inline.privateKey, 'ES256', 'pkjwt', { aud: s.url, now: now(), kid: 'inline-1' });
      const r = await cc(assertionParams(jwt));
      expect(r.status, r.text).toBe(200);
    });

    it('accepts an assertion checked against keys fetched from jwksUri', async () => {
      const jwt = await assertion(remote.privateKey, 'ES256', 'pkjwt.uri', { aud: s.url, now: now(), kid: 'remote-1' });
      const r = await cc(assertionParams(jwt));
      expect(r.status, r.text).toBe(200);
    });

    it('answers 401, not 5xx, when the client jwks_uri fails or is unreachable', async () => {
      for (const clientId of ['pkjwt.broken', 'pkjwt.down']) {
        const jwt = await assertion(remote.privateKey, 'ES256', clientId, { aud: s.url, now: now(), kid: 'remote-1' });
        expectInvalidClient(await cc(assertionParams(jwt)));
      }
    });

    it('refuses a bad signature (inline and remote)', async () => {
      expectInvalidClient(await cc(assertionParams(await assertion(other.privateKey, 'ES256', 'pkjwt', { aud: s.url, now: now(), kid: 'inline-1' }))));
      expectInvalidClient(await cc(assertionParams(await assertion(other.privateKey, 'ES256', 'pkjwt.uri', { aud: s.url, now: now(), kid: 'remote-1' }))));
    });

    it('refuses a wrong audience, an expired assertion, and a replayed jti', async () => {
      const sign = (o: Parameters<typeof assertion>[3]) => assertion(inline.privateKey, 'ES256', 'pkjwt', { aud: s.url, now: now(), ...o });
      expectInvalidClient(await cc(assertionParams(await sign({ aud: 'https://elsewhere.example' }))));
      expectInvalidClient(await cc(assertionParams(await sign({ now: now() - 3600, expIn: 60 }))));
      const jti = randomUUID();
      expect((await cc(assertionParams(await sign({ jti })))).status).toBe(200);
      expectInvalidClient(await cc(assertionParams(await sign({ jti }))));
    });

    it('refuses iss different from sub and an unsigned (alg none) assertion', async () => {
      expectInvalidClient(await cc(assertionParams(await assertion(inline.privateKey, 'ES256', 'pkjwt', { iss: 'm2m', aud: s.url, now: now() }))));
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const unsigned = `${b64({ alg: 'none' })}.${b64({ iss: 'pkjwt', sub: 'pkjwt', aud: s.url, exp: now() + 60, jti: randomUUID() })}.`;
      expectInvalidClient(await cc(assertionParams(unsigned)));
    });

    it('refuses an assertion that is not canonical compact JWS (whitespace, padding, stray bits)', async () => {
      const good = await assertion(inline.privateKey, 'ES256', 'pkjwt', { aud: s.url, now: now() });
      const [h, p, sig] = good.split('.') as [string, string, string];
      // ES256: 64-byte signature = 86 characters, the last carrying 4 unused bits; flipping them keeps the bytes.
      const sibling = String.fromCharCode(sig.charCodeAt(sig.length - 1) + 1);
      const variants = [
        `${h}.${p}.${sig.slice(0, 10)}\n${sig.slice(10)}`,
        ` ${good}`,
        `${good} `,
        `${good}\n`,
        `${h}.${p}.${sig}==`,
        `${h}.${p}.${sig.slice(0, -1)}${sibling}`,
        `${h}.${p}.${sig}.`,
      ];
      for (const jwt of variants) expectInvalidClient(await cc(assertionParams(jwt)));
      // The untouched assertion passes (so the refusals above are for the form alone).
      expect((await cc(assertionParams(good))).status).toBe(200);
    });

    it('refuses garbage in client_assertion without a 5xx', async () => {
      for (const garbage of ['x', 'a.b.c', 'eyJhbGciOiJFUzI1NiJ9.e30.', '....']) {
        const r = await cc(assertionParams(garbage));
        expect(r.status, garbage).toBeLessThan(500);
        expect([400, 401]).toContain(r.status);
      }
    });

    it('refuses an assertion together with a client_secret (two methods)', async () => {
      const jwt = await assertion(inline.privateKey, 'ES256', 'pkjwt', { aud: s.url, now: now() });
      const r = await cc({ ...assertionParams(jwt), client_id: 'pkjwt', client_secret: 'secret' });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_request');
    });
  });
});

describe('clientAuthentication.acceptEndpointAudience (compatibility with pre-2025 clients)', () => {
  let s: TestServer;
  let key: { privateKey: CryptoKey; jwk: JWK };
  beforeAll(async () => {
    key = await clientKeyPair('compat-1');
    s = await startTestServer({
      mutate: (c) => {
        c.clientAuthentication = { acceptEndpointAudience: true };
        addM2mClient(c, { clientId: 'pkjwt', jwks: { keys: [key.jwk] } });
        addM2mClient(c, { clientId: 'pkjwt.strict', jwks: { keys: [key.jwk] }, acceptEndpointAudience: false });
      },
    });
  });
  afterAll(() => s.close());

  const sign = (clientId: string, aud: string | string[]) => assertion(key.privateKey, 'ES256', clientId, { aud, now: s.clock.now() });
  const cc = async (clientId: string, aud: string | string[], path = '/connect/token', extra: Record<string, string> = {}) =>
    post(s.url, path, { ...(path === '/connect/token' ? { grant_type: 'client_credentials' } : {}), ...assertionParams(await sign(clientId, aud)), ...extra });

  it('accepts the issuer, the token endpoint, and both in one list', async () => {
    for (const aud of [s.url, `${s.url}/connect/token`, [s.url, `${s.url}/connect/token`]]) {
      const r = await cc('pkjwt', aud);
      expect(r.status, `${JSON.stringify(aud)} ${r.text}`).toBe(200);
    }
  });

  it('accepts the endpoint the assertion is presented to (revocation)', async () => {
    const r = await cc('pkjwt', `${s.url}/connect/revocation`, '/connect/revocation', { token: 'unknown-token' });
    expect(r.status, r.text).toBe(200);
    expectInvalidClient(await cc('pkjwt', `${s.url}/connect/introspect`, '/connect/revocation', { token: 'unknown-token' }));
  });

  it('starts with a warning naming the setting', () => {
    const { warnings } = parseConfig({
      clientAuthentication: { acceptEndpointAudience: true },
      clients: [{ clientId: 'c', jwksUri: 'https://c.example/jwks', acceptEndpointAudience: true, allowedGrantTypes: ['client_credentials'] }],
    });
    expect(warnings.map((w) => w.path)).toEqual(expect.arrayContaining(['clientAuthentication.acceptEndpointAudience', 'clients[0].acceptEndpointAudience']));
  });

  it('still refuses a list with a foreign value, and a client that opted out', async () => {
    expectInvalidClient(await cc('pkjwt', [`${s.url}/connect/token`, 'https://attacker.example']));
    expectInvalidClient(await cc('pkjwt.strict', `${s.url}/connect/token`));
    expect((await cc('pkjwt.strict', s.url)).status).toBe(200);
  });
});
