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
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addM2mClient, assertion, assertionParams, clientKeyPair, token, type Answer } from './helpers.js';

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
    const sign = (o: Parameters<typeof assertion>[3] = {}) => assertion(encoder.encode(HMAC_SECRET), 'HS256', 'hmac', { aud: tokenUrl, now: now(), ...o });

    it('accepts an HS256 assertion with the token endpoint or the issuer as audience', async () => {
      for (const aud of [tokenUrl, s.url]) {
        const r = await cc(assertionParams(await sign({ aud })));
        expect(r.status, r.text).toBe(200);
      }
    });

    it('refuses a bad signature', async () => {
      const jwt = await assertion(encoder.encode('another-secret-another-secret-xx!'), 'HS256', 'hmac', { aud: tokenUrl, now: now() });
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
      const jwt = await assertion(encoder.encode(HMAC_SECRET), 'HS256', 'm2m', { aud: tokenUrl, now: now() });
      expectInvalidClient(await cc(assertionParams(jwt)));
    });
  });

  describe('private_key_jwt', () => {
    it('accepts an ES256 assertion checked against inline jwks', async () => {
      const jwt = await assertion(inline.privateKey, 'ES256', 'pkjwt', { aud: tokenUrl, now: now(), kid: 'inline-1' });
      const r = await cc(assertionParams(jwt));
      expect(r.status, r.text).toBe(200);
    });

    it('accepts an assertion checked against keys fetched from jwksUri', async () => {
      const jwt = await assertion(remote.privateKey, 'ES256', 'pkjwt.uri', { aud: tokenUrl, now: now(), kid: 'remote-1' });
      const r = await cc(assertionParams(jwt));
      expect(r.status, r.text).toBe(200);
    });

    it('answers 401, not 5xx, when the client jwks_uri fails or is unreachable', async () => {
      for (const clientId of ['pkjwt.broken', 'pkjwt.down']) {
        const jwt = await assertion(remote.privateKey, 'ES256', clientId, { aud: tokenUrl, now: now(), kid: 'remote-1' });
        expectInvalidClient(await cc(assertionParams(jwt)));
      }
    });

    it('refuses a bad signature (inline and remote)', async () => {
      expectInvalidClient(await cc(assertionParams(await assertion(other.privateKey, 'ES256', 'pkjwt', { aud: tokenUrl, now: now(), kid: 'inline-1' }))));
      expectInvalidClient(await cc(assertionParams(await assertion(other.privateKey, 'ES256', 'pkjwt.uri', { aud: tokenUrl, now: now(), kid: 'remote-1' }))));
    });

    it('refuses a wrong audience, an expired assertion, and a replayed jti', async () => {
      const sign = (o: Parameters<typeof assertion>[3]) => assertion(inline.privateKey, 'ES256', 'pkjwt', { aud: tokenUrl, now: now(), ...o });
      expectInvalidClient(await cc(assertionParams(await sign({ aud: 'https://elsewhere.example' }))));
      expectInvalidClient(await cc(assertionParams(await sign({ now: now() - 3600, expIn: 60 }))));
      const jti = randomUUID();
      expect((await cc(assertionParams(await sign({ jti })))).status).toBe(200);
      expectInvalidClient(await cc(assertionParams(await sign({ jti }))));
    });

    it('refuses iss different from sub and an unsigned (alg none) assertion', async () => {
      expectInvalidClient(await cc(assertionParams(await assertion(inline.privateKey, 'ES256', 'pkjwt', { iss: 'm2m', aud: tokenUrl, now: now() }))));
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const unsigned = `${b64({ alg: 'none' })}.${b64({ iss: 'pkjwt', sub: 'pkjwt', aud: tokenUrl, exp: now() + 60, jti: randomUUID() })}.`;
      expectInvalidClient(await cc(assertionParams(unsigned)));
    });

    it('refuses garbage in client_assertion without a 5xx', async () => {
      for (const garbage of ['x', 'a.b.c', 'eyJhbGciOiJFUzI1NiJ9.e30.', '....']) {
        const r = await cc(assertionParams(garbage));
        expect(r.status, garbage).toBeLessThan(500);
        expect([400, 401]).toContain(r.status);
      }
    });

    it('refuses an assertion together with a client_secret (two methods)', async () => {
      const jwt = await assertion(inline.privateKey, 'ES256', 'pkjwt', { aud: tokenUrl, now: now() });
      const r = await cc({ ...assertionParams(jwt), client_id: 'pkjwt', client_secret: 'secret' });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_request');
    });
  });
});
