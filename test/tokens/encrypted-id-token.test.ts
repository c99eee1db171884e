/**
 * Encrypted ID tokens (OIDC Core §10.2) and the per-client ID token signing
 * alg (Registration §2), through real HTTP: the test holds the client's
 * private keys, decrypts the JWE and verifies the inner JWS with the
 * provider's published JWKS.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactDecrypt, createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose';
import type { ClientConfig, ConfigInput } from '../../src/config/schema.js';
import { tokenHash } from '../../src/tokens/id-token.js';
import { authorizeWithLogin, CONFIDENTIAL_REDIRECT, exchangeCode } from '../helpers/flow.js';
import { basic, demoConfig, form, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let jwksServer: http.Server;
let rsa: { privateKey: CryptoKey; jwk: JWK };
let ec: { privateKey: CryptoKey; jwk: JWK };

async function keyPair(alg: string, kid: string, extra: JWK = {}) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, ...extra } };
}

/** A copy of the demo's interactive.confidential client under another id. */
function clientLike(config: ConfigInput, clientId: string, extra: Partial<ClientConfig>): ClientConfig {
  const base = config.clients!.find((c) => c.clientId === 'interactive.confidential')!;
  return { ...structuredClone(base), clientId, ...extra } as ClientConfig;
}

beforeAll(async () => {
  rsa = await keyPair('RSA-OAEP-256', 'rsa-enc', { use: 'enc' });
  ec = await keyPair('ECDH-ES+A256KW', 'ec-enc', { use: 'enc' });
  const sig = await keyPair('ES256', 'sig-only', { use: 'sig' });
  // /jwks: a signature key and the EC encryption key; /sig-only: no key to encrypt to.
  const sets: Record<string, { keys: JWK[] }> = { '/jwks': { keys: [sig.jwk, ec.jwk] }, '/sig-only': { keys: [sig.jwk] } };
  jwksServer = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(sets[req.url!] ?? {})));
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
  const jwksUri = `${base}/jwks`;
  const config = demoConfig();
  config.keys = { algorithms: ['RS256', 'ES256'] };
  config.clients!.push(
    clientLike(config, 'enc.rsa', { idTokenSignedResponseAlg: 'ES256', idTokenEncryptedResponseAlg: 'RSA-OAEP-256', jwks: { keys: [rsa.jwk] } }),
    clientLike(config, 'enc.ec', { idTokenEncryptedResponseAlg: 'ECDH-ES+A256KW', idTokenEncryptedResponseEnc: 'A256GCM', jwksUri }),
    clientLike(config, 'sig.es256', { idTokenSignedResponseAlg: 'ES256' }),
    clientLike(config, 'enc.sig-only', { idTokenEncryptedResponseAlg: 'ECDH-ES', jwksUri: `${base}/sig-only` }),
    // Port 9 (discard) on loopback: nothing listens, the fetch fails fast.
    clientLike(config, 'enc.unreachable', { idTokenEncryptedResponseAlg: 'RSA-OAEP', jwksUri: 'http://127.0.0.1:9/jwks' }),
  );
  s = await startTestServer({ config });
});
afterAll(async () => {
  await s?.close();
  jwksServer?.closeAllConnections();
  await new Promise((r) => jwksServer?.close(r));
});

const providerKeys = () => createRemoteJWKSet(new URL(`${s.url}/.well-known/openid-configuration/jwks`));

/** Signs alice in for `clientId` and redeems the code. */
async function codeTokens(clientId: string) {
  const flow = await authorizeWithLogin(s.url, { clientId });
  const res = await exchangeCode(s.url, flow.code, flow.verifier, clientId);
  return { ...res, flow };
}

/** Decrypts a nested JWT and verifies the inner ID token against the provider's JWKS. */
async function openIdToken(jwe: string, key: CryptoKey, clientId: string) {
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, key);
  const inner = new TextDecoder().decode(plaintext);
  const { payload, protectedHeader: jws } = await jwtVerify(inner, providerKeys(), { issuer: s.url, audience: clientId });
  return { jwe: protectedHeader, jws, payload, inner };
}

describe('encrypted ID tokens', () => {
  it('encrypts to the inline RSA key (RSA-OAEP-256, default enc A128CBC-HS256) a token signed with the client alg ES256', async () => {
    const { status, body } = await codeTokens('enc.rsa');
    expect(status).toBe(200);
    const idToken = body.id_token as string;
    expect(idToken.split('.')).toHaveLength(5);
    const opened = await openIdToken(idToken, rsa.privateKey, 'enc.rsa');
    expect(opened.jwe).toEqual({ alg: 'RSA-OAEP-256', enc: 'A128CBC-HS256', cty: 'JWT', kid: 'rsa-enc' });
    expect(opened.jws.alg).toBe('ES256');
    expect(opened.jws.typ).toBe('JWT');
    expect(opened.payload).toMatchObject({ sub: '1', nonce: 'nn' });
    // OIDC Core §3.1.3.6: at_hash with the hash of the inner token's alg.
    expect(opened.payload.at_hash).toBe(tokenHash('ES256', body.access_token as string));
  });

  it('encrypts to the EC key of the jwksUri (ECDH-ES+A256KW, A256GCM), skipping the signature key there', async () => {
    const { status, body } = await codeTokens('enc.ec');
    expect(status).toBe(200);
    const opened = await openIdToken(body.id_token as string, ec.privateKey, 'enc.ec');
    expect(opened.jwe).toMatchObject({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT', kid: 'ec-enc' });
    // No signing alg registered: the first of keys.algorithms.
    expect(opened.jws.alg).toBe('RS256');
  });

  it('encrypts the ID token of a refresh too (every issuer goes through the same finish step)', async () => {
    const { body } = await codeTokens('enc.rsa');
    const res = await fetch(`${s.url}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic('enc.rsa', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'refresh_token', refresh_token: body.refresh_token as string }),
    });
    expect(res.status).toBe(200);
    const refreshed = (await res.json()) as { id_token: string };
    expect((await openIdToken(refreshed.id_token, rsa.privateKey, 'enc.rsa')).jws.alg).toBe('ES256');
  });

  it('signs with the client alg without encrypting when only idTokenSignedResponseAlg is set', async () => {
    const { body } = await codeTokens('sig.es256');
    const idToken = body.id_token as string;
    expect(decodeProtectedHeader(idToken)).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    await jwtVerify(idToken, providerKeys(), { issuer: s.url, audience: 'sig.es256' });
  });

  it('answers invalid_client_metadata (400, not a 5xx) when the jwksUri has no key for the alg, or cannot be fetched', async () => {
    for (const clientId of ['enc.sig-only', 'enc.unreachable']) {
      const { status, body } = await codeTokens(clientId);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: 'invalid_client_metadata' });
      expect(JSON.stringify(body)).not.toContain('127.0.0.1');
    }
  });

  it('accepts the decrypted inner ID token as id_token_hint (OIDC Core §3.1.2.1), not the encrypted one', async () => {
    const { body, flow } = await codeTokens('enc.rsa');
    const { inner } = await openIdToken(body.id_token as string, rsa.privateKey, 'enc.rsa');
    const authorize = (hint: string) =>
      flow.jar.fetch(
        `${s.url}/connect/authorize?${new URLSearchParams({
          client_id: 'enc.rsa',
          redirect_uri: CONFIDENTIAL_REDIRECT,
          response_type: 'code',
          scope: 'openid',
          prompt: 'none',
          id_token_hint: hint,
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        })}`,
      );
    const ok = new URL((await authorize(inner)).headers.get('location')!);
    expect(ok.searchParams.get('code')).toBeTruthy();
    const refused = new URL((await authorize(body.id_token as string)).headers.get('location')!);
    expect(refused.searchParams.get('error')).toBeTruthy();
    expect(refused.searchParams.get('code')).toBeNull();
  });
});
