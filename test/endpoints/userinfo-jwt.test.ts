/**
 * Signed and/or encrypted UserInfo responses (OIDC Core §5.3.2) through the
 * HTTP handler, their errors, and the discovery metadata of signed and
 * encrypted responses (Discovery 1.0 §3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactDecrypt, createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import type { ClientConfig } from '../../src/config/schema.js';
import { authorizeWithLogin, CONFIDENTIAL_REDIRECT, exchangeCode } from '../helpers/flow.js';
import { demoConfig, startTestServer, type TestServer } from '../helpers/server.js';

describe('signed and encrypted userinfo', () => {
  let s: TestServer;
  let rsaKey: CryptoKey;
  let ecKey: CryptoKey;

  beforeAll(async () => {
    const rsa = await generateKeyPair('RSA-OAEP', { extractable: true });
    const ec = await generateKeyPair('ECDH-ES+A128KW', { extractable: true });
    rsaKey = rsa.privateKey;
    ecKey = ec.privateKey;
    const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa' };
    const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: 'ec', use: 'enc' };
    const config = demoConfig();
    config.keys = { algorithms: ['RS256', 'ES256'] };
    const base = config.clients!.find((c) => c.clientId === 'interactive.confidential')!;
    const like = (clientId: string, extra: Partial<ClientConfig>) => ({ ...structuredClone(base), clientId, ...extra }) as ClientConfig;
    config.clients!.push(
      like('ui.signed', { userinfoSignedResponseAlg: 'ES256' }),
      like('ui.encrypted', { userinfoEncryptedResponseAlg: 'RSA-OAEP', jwks: { keys: [rsaJwk] } }),
      // Port 9 (discard) on loopback: nothing listens; the key fetch fails.
      like('ui.unreachable', { userinfoEncryptedResponseAlg: 'RSA-OAEP', jwksUri: 'http://127.0.0.1:9/jwks' }),
      like('ui.both', {
        userinfoSignedResponseAlg: 'RS256',
        userinfoEncryptedResponseAlg: 'ECDH-ES+A128KW',
        userinfoEncryptedResponseEnc: 'A128GCM',
        jwks: { keys: [ecJwk] },
      }),
    );
    s = await startTestServer({ config });
  });
  afterAll(() => s?.close());

  const providerKeys = () => createRemoteJWKSet(new URL(`${s.url}/.well-known/openid-configuration/jwks`));

  async function signIn(clientId: string) {
    const flow = await authorizeWithLogin(s.url, { clientId, scope: 'openid profile email' });
    const { status, body } = await exchangeCode(s.url, flow.code, flow.verifier, clientId);
    expect(status).toBe(200);
    return { jar: flow.jar, accessToken: body.access_token as string, idToken: body.id_token as string };
  }
  const accessToken = async (clientId: string) => (await signIn(clientId)).accessToken;
  const userinfo = (token: string) => fetch(`${s.url}/connect/userinfo`, { headers: { authorization: `Bearer ${token}` } });

  it('signs the claims with the client alg and adds iss and aud (application/jwt)', async () => {
    const res = await userinfo(await accessToken('ui.signed'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jwt');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const jwt = await res.text();
    expect(decodeProtectedHeader(jwt).alg).toBe('ES256');
    const { payload } = await jwtVerify(jwt, providerKeys(), { issuer: s.url, audience: 'ui.signed' });
    expect(payload).toMatchObject({ sub: '1', name: 'Alice Smith', email: 'AliceSmith@example.com' });
  });

  it('encrypts the plain claims to the client key when only encryption is registered', async () => {
    const res = await userinfo(await accessToken('ui.encrypted'));
    expect(res.headers.get('content-type')).toBe('application/jwt');
    const { plaintext, protectedHeader } = await compactDecrypt(await res.text(), rsaKey);
    expect(protectedHeader).toEqual({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', kid: 'rsa' });
    const claims = JSON.parse(new TextDecoder().decode(plaintext)) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: '1', name: 'Alice Smith' });
    expect(claims.iss).toBeUndefined();
  });

  it('signs then encrypts when both are registered (nested JWT)', async () => {
    const res = await userinfo(await accessToken('ui.both'));
    const { plaintext, protectedHeader } = await compactDecrypt(await res.text(), ecKey);
    expect(protectedHeader).toMatchObject({ alg: 'ECDH-ES+A128KW', enc: 'A128GCM', cty: 'JWT', kid: 'ec' });
    const { payload, protectedHeader: inner } = await jwtVerify(new TextDecoder().decode(plaintext), providerKeys(), { issuer: s.url, audience: 'ui.both' });
    expect(inner.alg).toBe('RS256');
    expect(payload.sub).toBe('1');
  });

  it('answers a bad token with 401 and WWW-Authenticate, as JSON, never a JWT', async () => {
    const good = await accessToken('ui.both');
    for (const token of [`${good.slice(0, -4)}AAAA`, 'opaque-unknown']) {
      const res = await userinfo(token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
    const none = await fetch(`${s.url}/connect/userinfo`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
  });

  it('answers invalid_client_metadata (400, not a 5xx) when the client key cannot be fetched', async () => {
    const res = await userinfo(await accessToken('ui.unreachable'));
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_client_metadata"/);
    expect(await res.json()).toEqual({ error: 'invalid_client_metadata', error_description: 'the client jwks_uri could not be fetched' });
  });

  it('does not take a signed userinfo response (iss, sub, aud, but no exp or iat) for an ID token as id_token_hint', async () => {
    const { jar, accessToken: at, idToken } = await signIn('ui.signed');
    const signedUserinfo = await (await userinfo(at)).text();
    const authorize = async (hint: string) => {
      const params = new URLSearchParams({
        client_id: 'ui.signed',
        redirect_uri: CONFIDENTIAL_REDIRECT,
        response_type: 'code',
        scope: 'openid',
        prompt: 'none',
        id_token_hint: hint,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      });
      return new URL((await jar.fetch(`${s.url}/connect/authorize?${params}`)).headers.get('location')!);
    };
    expect((await authorize(idToken)).searchParams.get('code')).toBeTruthy();
    const refused = await authorize(signedUserinfo);
    expect(refused.searchParams.get('code')).toBeNull();
    expect(refused.searchParams.get('error')).toBe('invalid_request');
  });

  it('keeps JSON for a client that registered nothing', async () => {
    const res = await userinfo(await accessToken('interactive.confidential'));
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ sub: '1' });
  });

  it('advertises the signing algs of its keys and the JWE algs in discovery', async () => {
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    expect(doc.id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256']);
    expect(doc.userinfo_signing_alg_values_supported).toEqual(['RS256', 'ES256']);
    const algs = ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW'];
    const encs = ['A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512', 'A128GCM', 'A192GCM', 'A256GCM'];
    for (const what of ['id_token', 'userinfo']) {
      expect(doc[`${what}_encryption_alg_values_supported`]).toEqual(algs);
      expect(doc[`${what}_encryption_enc_values_supported`]).toEqual(encs);
    }
  });
});
