/**
 * Interop: openid-client v6 with `enableDecryptingResponses` runs the code
 * flow for a client that registered encrypted ID tokens (RSA-OAEP-256,
 * A256GCM), ES256 signatures, and signed and encrypted userinfo: it decrypts
 * both with the client's private key and validates the inner JWTs against
 * the provider's JWKS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { compactDecrypt, decodeProtectedHeader, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { startTestServer, demoConfig, type TestServer } from '../helpers/server.js';
import { CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';
import { signInThroughLoginPage } from '../helpers/login-page-flow.js';

describe('openid-client v6 decrypts Gatehouse encrypted responses', () => {
  let s: TestServer;
  let config: oidc.Configuration;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'rp-enc', use: 'enc', alg: 'RSA-OAEP-256' };
    const c = demoConfig();
    c.keys = { algorithms: ['RS256', 'ES256'] };
    const base = c.clients!.find((x) => x.clientId === 'interactive.confidential')!;
    c.clients!.push({
      ...structuredClone(base),
      clientId: 'encrypted.rp',
      jwks: { keys: [jwk] },
      idTokenSignedResponseAlg: 'ES256',
      idTokenEncryptedResponseAlg: 'RSA-OAEP-256',
      idTokenEncryptedResponseEnc: 'A256GCM',
      userinfoSignedResponseAlg: 'ES256',
      userinfoEncryptedResponseAlg: 'RSA-OAEP-256',
    });
    s = await startTestServer({ config: c });
    config = await oidc.discovery(
      new URL(s.url),
      'encrypted.rp',
      { client_secret: 'secret', id_token_signed_response_alg: 'ES256', userinfo_signed_response_alg: 'ES256' },
      undefined,
      { execute: [oidc.allowInsecureRequests] },
    );
    oidc.enableDecryptingResponses(config, ['A256GCM', 'A128CBC-HS256'], { key: privateKey, kid: 'rp-enc' });
  });
  afterAll(() => s?.close());

  it('validates the decrypted ID token and the decrypted, signed userinfo', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CONFIDENTIAL_REDIRECT,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
    });
    const callback = await signInThroughLoginPage(url, 'alice', 'alice', CONFIDENTIAL_REDIRECT);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, idTokenExpected: true });
    // The raw response is a JWE; openid-client decrypted it and validated the inner ES256 token.
    expect(tokens.id_token!.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(tokens.id_token!)).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: '1', iss: s.url, aud: 'encrypted.rp', nonce });

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: '1', name: 'Alice Smith', email: 'AliceSmith@example.com' });

    // The same answer by hand: application/jwt, a JWE whose inner JWT is signed ES256 with iss and aud.
    const res = await fetch(`${s.url}/connect/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(res.headers.get('content-type')).toBe('application/jwt');
    const { plaintext, protectedHeader } = await compactDecrypt(await res.text(), privateKey);
    expect(protectedHeader).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A128CBC-HS256', cty: 'JWT', kid: 'rp-enc' });
    const inner = new TextDecoder().decode(plaintext);
    expect(decodeProtectedHeader(inner).alg).toBe('ES256');
  });
});
