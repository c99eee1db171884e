/**
 * RFC 9701 JWT introspection responses through the HTTP handler: signed for
 * an API resource, signed and encrypted for a client and for an API resource
 * that registered keys, JSON when not asked for, errors stay JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { compactDecrypt, createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import { basic, form, startTestServer, type TestServer } from '../helpers/server.js';
import { addM2mClient, m2mToken } from './helpers.js';

const SHA_SECRET = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';
const JWT_TYPE = 'application/token-introspection+jwt';

describe('JWT introspection responses (RFC 9701)', () => {
  let s: TestServer;
  let clientKey: CryptoKey;
  let resourceKey: CryptoKey;

  beforeAll(async () => {
    const rsa = await generateKeyPair('RSA-OAEP', { extractable: true });
    const ec = await generateKeyPair('ECDH-ES', { extractable: true });
    clientKey = rsa.privateKey;
    resourceKey = ec.privateKey;
    const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'client-enc', use: 'enc' };
    const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: 'api-enc' };
    s = await startTestServer({
      mutate: (c) => {
        c.keys = { ...c.keys, algorithms: ['RS256', 'ES256'] };
        addM2mClient(c, {
          clientId: 'm2m.enc',
          clientSecrets: [{ value: SHA_SECRET }],
          jwks: { keys: [rsaJwk] },
          introspectionSignedResponseAlg: 'ES256',
          introspectionEncryptedResponseAlg: 'RSA-OAEP',
        });
        (c.apiResources as unknown[]).push({
          name: 'api.enc',
          scopes: ['api'],
          apiSecrets: [{ value: SHA_SECRET }],
          jwks: { keys: [ecJwk] },
          introspectionEncryptedResponseAlg: 'ECDH-ES',
          introspectionEncryptedResponseEnc: 'A256GCM',
        });
      },
    });
  });
  afterAll(() => s.close());

  const introspect = (token: string, id: string, accept = JWT_TYPE) =>
    fetch(`${s.url}/connect/introspect`, {
      method: 'POST',
      headers: { authorization: basic(id, 'secret'), accept, 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ token }),
    });
  const providerKeys = () => createRemoteJWKSet(new URL(`${s.url}/.well-known/openid-configuration/jwks`));

  it('answers a signed JWT (typ token-introspection+jwt; iss, aud, iat, token_introspection) when Accept asks for it', async () => {
    const tok = await m2mToken(s.url);
    const res = await introspect(tok, 'api');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(JWT_TYPE);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const jwt = await res.text();
    // §6: RS256 by default.
    expect(decodeProtectedHeader(jwt)).toMatchObject({ typ: 'token-introspection+jwt', alg: 'RS256' });
    const { payload } = await jwtVerify(jwt, providerKeys(), { issuer: s.url, audience: 'api', typ: 'token-introspection+jwt' });
    expect(payload.iat).toBe(s.clock.now());
    expect(payload.token_introspection).toMatchObject({ active: true, client_id: 'm2m', aud: ['api', 'api.enc'], scope: 'api' });
    expect(payload.sub).toBeUndefined();
  });

  it('is what oauth4webapi reads as a JWT introspection response', async () => {
    const tok = await m2mToken(s.url);
    const as = await oauth.processDiscoveryResponse(new URL(s.url), await oauth.discoveryRequest(new URL(s.url), { [oauth.allowInsecureRequests]: true }));
    const client = { client_id: 'api' };
    const response = await oauth.introspectionRequest(as, client, oauth.ClientSecretBasic('secret'), tok, {
      requestJwtResponse: true,
      [oauth.allowInsecureRequests]: true,
    });
    const result = await oauth.processIntrospectionResponse(as, client, response);
    expect(result).toMatchObject({ active: true, client_id: 'm2m' });
  });

  it('wraps an inactive answer the same way: token_introspection is { active: false }', async () => {
    const res = await introspect('not-a-token', 'api');
    const { payload } = await jwtVerify(await res.text(), providerKeys(), { issuer: s.url, audience: 'api' });
    expect(payload.token_introspection).toEqual({ active: false });
  });

  it('signs with the client alg and encrypts to the client key (nested JWT, cty token-introspection+jwt)', async () => {
    const tok = await m2mToken(s.url, {}, 'm2m.enc');
    const res = await introspect(tok, 'm2m.enc');
    expect(res.headers.get('content-type')).toBe(JWT_TYPE);
    const { plaintext, protectedHeader } = await compactDecrypt(await res.text(), clientKey);
    expect(protectedHeader).toEqual({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', cty: 'token-introspection+jwt', kid: 'client-enc' });
    const inner = new TextDecoder().decode(plaintext);
    expect(decodeProtectedHeader(inner)).toMatchObject({ alg: 'ES256', typ: 'token-introspection+jwt' });
    const { payload } = await jwtVerify(inner, providerKeys(), { issuer: s.url, audience: 'm2m.enc' });
    expect(payload.token_introspection).toMatchObject({ active: true, client_id: 'm2m.enc' });
  });

  it('encrypts to an API resource that registered keys (ECDH-ES, A256GCM)', async () => {
    const tok = await m2mToken(s.url);
    const res = await introspect(tok, 'api.enc');
    const { plaintext, protectedHeader } = await compactDecrypt(await res.text(), resourceKey);
    expect(protectedHeader).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM', kid: 'api-enc' });
    const { payload } = await jwtVerify(new TextDecoder().decode(plaintext), providerKeys(), { issuer: s.url, audience: 'api.enc' });
    expect(payload.token_introspection).toMatchObject({ active: true });
  });

  it('answers JSON without the Accept type, or when it is refused with q=0', async () => {
    const tok = await m2mToken(s.url);
    for (const accept of ['application/json', `${JWT_TYPE};q=0, application/json`]) {
      const res = await introspect(tok, 'api', accept);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ active: true });
    }
    const res = await introspect(tok, 'api', `application/json;q=0.5, ${JWT_TYPE.toUpperCase()}`);
    expect(res.headers.get('content-type')).toBe(JWT_TYPE);
  });

  it('keeps errors as JSON: bad caller credentials answer 401 invalid_client', async () => {
    const res = await fetch(`${s.url}/connect/introspect`, {
      method: 'POST',
      headers: { authorization: basic('api', 'wrong'), accept: JWT_TYPE, 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ token: 'x' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('advertises the algs in discovery (RFC 9701 §8)', async () => {
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    expect(doc.introspection_signing_alg_values_supported).toEqual(['RS256', 'ES256']);
    expect(doc.introspection_encryption_alg_values_supported).toEqual(expect.arrayContaining(['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A256KW']));
    expect(doc.introspection_encryption_enc_values_supported).toEqual(expect.arrayContaining(['A128CBC-HS256', 'A256GCM']));
  });
});
