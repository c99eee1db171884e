import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateClient } from '../../src/client-auth/authenticate-client.js';
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/client-auth/client-assertion.js';
import { OAuthError } from '../../src/errors.js';
import { ISSUER, NOW, createTestContext, tokenRequest, type TestContext } from './context.js';

const HMAC_KEY = 'a-symmetric-key-of-more-than-32-bytes!!';
const TOKEN_URL = `${ISSUER}/connect/token`;

let rsa: { privateKey: CryptoKey; publicJwk: JWK };
let ec: { privateKey: CryptoKey; publicJwk: JWK };
let other: CryptoKey;
let server: Server;
let jwksUri: string;
let jwksFetches = 0;

beforeAll(async () => {
  const r = await generateKeyPair('RS256');
  rsa = { privateKey: r.privateKey, publicJwk: { ...(await exportJWK(r.publicKey)), kid: 'rsa-1', use: 'sig' } };
  const e = await generateKeyPair('ES256');
  ec = { privateKey: e.privateKey, publicJwk: { ...(await exportJWK(e.publicKey)), kid: 'ec-1' } };
  other = (await generateKeyPair('RS256')).privateKey;
  server = createServer((_req, res) => {
    jwksFetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [ec.publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function context(acceptEndpointAudience?: boolean): TestContext {
  return createTestContext(
    [
      { clientId: 'hmac', clientSecrets: [{ type: 'SymmetricKey', value: HMAC_KEY }] },
      { clientId: 'inline', jwks: { keys: [rsa.publicJwk] } },
      { clientId: 'remote', jwksUri },
      { clientId: 'basic-only', clientSecrets: [{ type: 'SymmetricKey', value: HMAC_KEY }], tokenEndpointAuthMethods: ['client_secret_basic'] },
      { clientId: 'legacy', jwks: { keys: [rsa.publicJwk] }, acceptEndpointAudience: true },
    ],
    acceptEndpointAudience === undefined ? {} : { clientAuthentication: { acceptEndpointAudience } },
  );
}

function claims(clientId: string, extra: JWTPayload = {}): JWTPayload {
  return { iss: clientId, sub: clientId, aud: ISSUER, jti: crypto.randomUUID(), iat: NOW, exp: NOW + 60, ...extra };
}

async function sign(payload: JWTPayload, key: CryptoKey | Uint8Array, alg: string, kid?: string): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, kid }).sign(key);
}
const hs = (payload: JWTPayload, alg = 'HS256', key = HMAC_KEY) => sign(payload, new TextEncoder().encode(key), alg);
const rs = (payload: JWTPayload, key: CryptoKey = rsa.privateKey) => sign(payload, key, 'RS256', 'rsa-1');

function assertionRequest(assertion: string, form: Record<string, string> = {}) {
  return tokenRequest({ client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion, ...form });
}

async function failure(p: Promise<unknown>): Promise<OAuthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OAuthError);
  return err as OAuthError;
}
function expectInvalidClient(err: OAuthError, description?: string) {
  expect(err.error).toBe('invalid_client');
  expect(err.status).toBe(401);
  expect(err.headers?.['www-authenticate']).toMatch(/^Basic /);
  if (description) expect(err.description).toBe(description);
}

describe('client_secret_jwt', () => {
  it.each(['HS256', 'HS384', 'HS512'])('accepts an assertion signed with %s', async (alg) => {
    const { client, method } = await authenticateClient(assertionRequest(await hs(claims('hmac'), alg)), context(), 'token');
    expect([client.clientId, method]).toEqual(['hmac', 'client_secret_jwt']);
  });

  it('rejects a wrong HMAC key with the generic message', async () => {
    const err = await failure(
      authenticateClient(assertionRequest(await hs(claims('hmac'), 'HS256', 'another-key-another-key-another-key')), context(), 'token'),
    );
    expectInvalidClient(err, 'client authentication failed');
  });

  it('refuses a client that is not allowed client_secret_jwt', async () => {
    const err = await failure(authenticateClient(assertionRequest(await hs(claims('basic-only'))), context(), 'token'));
    expectInvalidClient(err, 'client authentication failed');
  });

  it('refuses an assertion plus a client_secret', async () => {
    const req = assertionRequest(await hs(claims('hmac')), { client_id: 'hmac', client_secret: HMAC_KEY });
    const err = await failure(authenticateClient(req, context(), 'token'));
    expect(err.error).toBe('invalid_request');
  });
});

describe('private_key_jwt', () => {
  it('accepts an assertion verified with inline jwks', async () => {
    const { client, method } = await authenticateClient(assertionRequest(await rs(claims('inline'))), context(), 'token');
    expect([client.clientId, method]).toEqual(['inline', 'private_key_jwt']);
  });

  it('accepts a matching client_id parameter and rejects a different one', async () => {
    const ctx = context();
    await authenticateClient(assertionRequest(await rs(claims('inline')), { client_id: 'inline' }), ctx, 'token');
    const err = await failure(authenticateClient(assertionRequest(await rs(claims('inline')), { client_id: 'hmac' }), ctx, 'token'));
    expectInvalidClient(err, 'client_id does not match the client credentials');
  });

  it('fetches jwksUri once and caches it', async () => {
    const ctx = context();
    const before = jwksFetches;
    for (let i = 0; i < 3; i++) {
      const assertion = await sign(claims('remote'), ec.privateKey, 'ES256', 'ec-1');
      expect((await authenticateClient(assertionRequest(assertion), ctx, 'token')).client.clientId).toBe('remote');
    }
    expect(jwksFetches - before).toBe(1);
  });

  it('rejects a signature by another key', async () => {
    const err = await failure(authenticateClient(assertionRequest(await rs(claims('inline'), other)), context(), 'token'));
    expectInvalidClient(err, 'client authentication failed');
  });

  it.each([
    ['the issuer', ISSUER],
    ['the issuer in a one-element array', [ISSUER]],
  ])('accepts %s as audience', async (_name, aud) => {
    await authenticateClient(assertionRequest(await rs(claims('inline', { aud }))), context(), 'token');
  });

  // draft-ietf-oauth-rfc7523bis: the issuer identifier is the sole audience value.
  it.each([
    ['the token endpoint', TOKEN_URL],
    ['the called endpoint', `${ISSUER}/connect/introspect`],
    ['an array holding the token endpoint and a foreign value', ['https://elsewhere.example', TOKEN_URL]],
    ['an array holding the issuer and a foreign value', [ISSUER, 'https://elsewhere.example']],
    ['the issuer twice', [ISSUER, ISSUER]],
    ['an empty array', []],
    ['the issuer with a trailing slash', `${ISSUER}/`],
  ])('rejects %s as audience by default', async (_name, aud) => {
    const err = await failure(authenticateClient(assertionRequest(await rs(claims('inline', { aud }))), context(), 'introspection'));
    expectInvalidClient(err, 'client assertion aud claim invalid');
  });

  it('rejects an assertion without aud', async () => {
    const { aud: _aud, ...rest } = claims('inline');
    const err = await failure(authenticateClient(assertionRequest(await rs(rest)), context(), 'token'));
    expectInvalidClient(err, 'client assertion aud claim invalid');
  });

  describe('with clientAuthentication.acceptEndpointAudience', () => {
    it.each([
      ['the issuer', ISSUER],
      ['the token endpoint', TOKEN_URL],
      ['the issuer and the token endpoint', [ISSUER, TOKEN_URL]],
    ])('accepts %s as audience', async (_name, aud) => {
      await authenticateClient(assertionRequest(await rs(claims('inline', { aud }))), context(true), 'token');
    });

    it('accepts the called endpoint as audience only at that endpoint', async () => {
      const ctx = context(true);
      const aud = `${ISSUER}/connect/introspect`;
      await authenticateClient(assertionRequest(await rs(claims('inline', { aud }))), ctx, 'introspection');
      const err = await failure(authenticateClient(assertionRequest(await rs(claims('inline', { aud }))), ctx, 'revocation'));
      expectInvalidClient(err, 'client assertion aud claim invalid');
    });

    it('still rejects a list with a foreign value, and a wrong audience', async () => {
      const ctx = context(true);
      for (const aud of [['https://elsewhere.example', TOKEN_URL], [ISSUER, 'https://attacker.example'], 'https://other.example/token']) {
        const err = await failure(authenticateClient(assertionRequest(await rs(claims('inline', { aud }))), ctx, 'token'));
        expectInvalidClient(err, 'client assertion aud claim invalid');
      }
    });
  });

  it('a client of its own may accept the endpoint audience; the others stay strict', async () => {
    const ctx = context();
    await authenticateClient(assertionRequest(await rs(claims('legacy', { aud: TOKEN_URL }))), ctx, 'token');
    const err = await failure(authenticateClient(assertionRequest(await rs(claims('inline', { aud: TOKEN_URL }))), ctx, 'token'));
    expectInvalidClient(err, 'client assertion aud claim invalid');
    // and a client may opt out of a global compatibility setting
    const strict = createTestContext([{ clientId: 'inline', jwks: { keys: [rsa.publicJwk] }, acceptEndpointAudience: false }], {
      clientAuthentication: { acceptEndpointAudience: true },
    });
    expectInvalidClient(
      await failure(authenticateClient(assertionRequest(await rs(claims('inline', { aud: TOKEN_URL }))), strict, 'token')),
      'client assertion aud claim invalid',
    );
  });

  it('rejects a wrong audience', async () => {
    const err = await failure(authenticateClient(assertionRequest(await rs(claims('inline', { aud: 'https://other.example/token' }))), context(), 'token'));
    expectInvalidClient(err, 'client assertion aud claim invalid');
  });

  it('rejects an expired assertion, allowing 60 s of skew', async () => {
    const ctx = context();
    await authenticateClient(assertionRequest(await rs(claims('inline', { exp: NOW - 50 }))), ctx, 'token');
    const err = await failure(authenticateClient(assertionRequest(await rs(claims('inline', { exp: NOW - 61 }))), ctx, 'token'));
    expectInvalidClient(err, 'client assertion expired');
  });

  it('rejects an assertion without exp', async () => {
    const { exp: _exp, ...rest } = claims('inline');
    const err = await failure(authenticateClient(assertionRequest(await rs(rest)), context(), 'token'));
    expectInvalidClient(err, 'client assertion exp claim invalid');
  });

  it('rejects exp more than an hour ahead', async () => {
    const err = await failure(authenticateClient(assertionRequest(await rs(claims('inline', { exp: NOW + 7200 }))), context(), 'token'));
    expectInvalidClient(err, 'client assertion exp too far in the future');
  });

  it('rejects nbf and iat in the future beyond the skew', async () => {
    const ctx = context();
    const nbf = await failure(authenticateClient(assertionRequest(await rs(claims('inline', { nbf: NOW + 120 }))), ctx, 'token'));
    expectInvalidClient(nbf, 'client assertion nbf claim invalid');
    const iat = await failure(authenticateClient(assertionRequest(await rs(claims('inline', { iat: NOW + 120 }))), ctx, 'token'));
    expectInvalidClient(iat, 'client assertion iat claim invalid');
  });

  it('rejects an assertion without jti', async () => {
    const { jti: _jti, ...rest } = claims('inline');
    const err = await failure(authenticateClient(assertionRequest(await rs(rest)), context(), 'token'));
    expectInvalidClient(err, 'client assertion jti claim invalid');
  });

  it('rejects a replayed jti per client', async () => {
    const ctx = context();
    const assertion = await rs(claims('inline', { jti: 'once' }));
    await authenticateClient(assertionRequest(assertion), ctx, 'token');
    const err = await failure(authenticateClient(assertionRequest(assertion), ctx, 'token'));
    expectInvalidClient(err, 'client assertion has already been used');
    // the same jti from another client is a different assertion
    await authenticateClient(assertionRequest(await hs(claims('hmac', { jti: 'once' }))), ctx, 'token');
  });

  it('rejects iss different from sub', async () => {
    const err = await failure(authenticateClient(assertionRequest(await rs(claims('inline', { iss: 'hmac' }))), context(), 'token'));
    expectInvalidClient(err, 'client assertion iss must equal sub');
  });

  it('refuses alg none', async () => {
    const unsecured = new UnsecuredJWT(claims('inline')).encode();
    const err = await failure(authenticateClient(assertionRequest(unsecured), context(), 'token'));
    expectInvalidClient(err, 'client authentication failed');
    expect(err.detail).toMatch(/alg/i);
  });

  it('refuses an HMAC assertion for a private_key_jwt client', async () => {
    const err = await failure(authenticateClient(assertionRequest(await hs(claims('inline'))), context(), 'token'));
    expectInvalidClient(err, 'client authentication failed');
    expect(err.detail).toMatch(/may not use client_secret_jwt/);
  });

  it('checks client_assertion_type and the assertion format', async () => {
    const ctx = context();
    const wrongType = tokenRequest({ client_assertion_type: 'urn:example:saml', client_assertion: await rs(claims('inline')) });
    expectInvalidClient(await failure(authenticateClient(wrongType, ctx, 'token')), 'unsupported client_assertion_type');
    const missingType = tokenRequest({ client_assertion: await rs(claims('inline')) });
    expect((await failure(authenticateClient(missingType, ctx, 'token'))).error).toBe('invalid_request');
    const notJwt = assertionRequest('not.a.jwt');
    expectInvalidClient(await failure(authenticateClient(notJwt, ctx, 'token')), 'client_assertion is not a valid JWT');
    const tooLong = assertionRequest('a'.repeat(8193));
    expect((await failure(authenticateClient(tooLong, ctx, 'token'))).error).toBe('invalid_request');
  });
});
