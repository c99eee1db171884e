/**
 * Startup validation of the signed/encrypted response settings
 * (config/response-crypto-schema.ts, config/response-crypto-checks.ts).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';

const secret = [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }];
const rsaEnc = { kty: 'RSA', use: 'enc', kid: 'r1', n: 'sXch', e: 'AQAB' };
const ecSig = { kty: 'EC', use: 'sig', crv: 'P-256', kid: 'e1', x: 'AA', y: 'AA' };

function input(client: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    identityResources: ['openid'],
    apiScopes: [{ name: 'api' }],
    apiResources: [{ name: 'api', scopes: ['api'] }],
    clients: [
      {
        clientId: 'web',
        clientSecrets: secret,
        allowedGrantTypes: ['authorization_code'],
        redirectUris: ['https://app.example.com/cb'],
        allowedScopes: ['openid'],
        ...client,
      },
    ],
    ...extra,
  };
}

function issues(value: unknown): { path: string; message: string }[] {
  try {
    parseConfig(value);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  return [];
}

describe('signed and encrypted response settings', () => {
  it('accepts a client signing with a configured alg and encrypting to an inline key', () => {
    const { config } = parseConfig(
      input(
        { idTokenSignedResponseAlg: 'ES256', idTokenEncryptedResponseAlg: 'RSA-OAEP', userinfoSignedResponseAlg: 'RS256', jwks: { keys: [rsaEnc] } },
        { keys: { algorithms: ['RS256', 'ES256'] } },
      ),
    );
    expect(config.clients[0]).toMatchObject({ idTokenSignedResponseAlg: 'ES256', idTokenEncryptedResponseAlg: 'RSA-OAEP' });
    // No enc configured: the default is applied when encrypting (Registration §2), the setting stays absent.
    expect(config.clients[0].idTokenEncryptedResponseEnc).toBeUndefined();
  });

  it('refuses a signing alg the server has no key for', () => {
    expect(issues(input({ idTokenSignedResponseAlg: 'ES256' }))).toContainEqual({
      path: 'clients[0].idTokenSignedResponseAlg',
      message: 'the server has no ES256 signing key: keys.algorithms is RS256; add ES256 there or use one of them',
    });
    expect(issues(input({ userinfoSignedResponseAlg: 'PS256' }, { keys: { algorithms: ['ES256'] } }))[0].path).toBe('clients[0].userinfoSignedResponseAlg');
    expect(issues(input({}, { apiResources: [{ name: 'api', scopes: ['api'], introspectionSignedResponseAlg: 'EdDSA' }] }))[0].path).toBe(
      'apiResources[0].introspectionSignedResponseAlg',
    );
  });

  it('refuses unsupported algs and encs (RSA1_5, none, HS256, A128KW)', () => {
    for (const [field, value] of [
      ['idTokenEncryptedResponseAlg', 'RSA1_5'],
      ['idTokenEncryptedResponseAlg', 'dir'],
      ['idTokenSignedResponseAlg', 'none'],
      ['userinfoSignedResponseAlg', 'HS256'],
      ['userinfoEncryptedResponseEnc', 'A128KW'],
    ]) {
      expect(issues(input({ [field]: value, jwks: { keys: [rsaEnc] } })).map((i) => i.path)).toContain(`clients[0].${field}`);
    }
  });

  it('refuses an enc without its alg (Registration §2)', () => {
    expect(issues(input({ userinfoEncryptedResponseEnc: 'A256GCM' }))).toContainEqual({
      path: 'clients[0].userinfoEncryptedResponseEnc',
      message: 'needs userinfoEncryptedResponseAlg',
    });
  });

  it('refuses encryption without keys, or with an inline JWK Set that has no key for the alg', () => {
    expect(issues(input({ idTokenEncryptedResponseAlg: 'RSA-OAEP' }))).toContainEqual({
      path: 'clients[0].idTokenEncryptedResponseAlg',
      message: 'encryption needs the public key to encrypt to: add jwks or jwksUri with a key for RSA-OAEP',
    });
    // An RSA key for ECDH-ES, a signature-only key, and an RSA key restricted to another alg: none fits.
    const mismatches: [string, Record<string, unknown>][] = [
      ['ECDH-ES', rsaEnc],
      ['RSA-OAEP', ecSig],
      ['RSA-OAEP', { ...rsaEnc, alg: 'RSA-OAEP-256' }],
      ['RSA-OAEP', { ...rsaEnc, use: 'sig' }],
      ['RSA-OAEP', { ...rsaEnc, d: 'private' }],
    ];
    for (const [alg, key] of mismatches) {
      const found = issues(input({ idTokenEncryptedResponseAlg: alg, jwks: { keys: [key] } }));
      expect(found.map((i) => i.path)).toEqual(['clients[0].idTokenEncryptedResponseAlg']);
      expect(found[0].message).toMatch(new RegExp(`^jwks has no public key for ${alg}`));
    }
    // A jwksUri is checked when used (token endpoint: invalid_client_metadata), not at startup.
    expect(issues(input({ idTokenEncryptedResponseAlg: 'RSA-OAEP', jwksUri: 'https://app.example.com/jwks' }))).toEqual([]);
  });

  it('checks the encryption settings of API resources for introspection responses', () => {
    expect(issues(input({}, { apiResources: [{ name: 'api', scopes: ['api'], introspectionEncryptedResponseAlg: 'ECDH-ES' }] }))[0]).toMatchObject({
      path: 'apiResources[0].introspectionEncryptedResponseAlg',
    });
  });
});
