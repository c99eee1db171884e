/**
 * A client's jwksUri is fetched through the shared outbound client: through
 * the real token endpoint, the configured `outbound.maxBytes` refuses an
 * oversized JWK Set and a redirect is not followed (invalid_client either
 * way); the cache takes a policy per client, so a client that must get the
 * strict policy (a dynamically registered one) cannot point at loopback.
 */
import type { ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateClient } from '../../src/client-auth/authenticate-client.js';
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/client-auth/client-assertion.js';
import { createClientJwksCache } from '../../src/client-auth/client-jwks-cache.js';
import { createPrivateKeyJwt } from '../../src/client-auth/private-key-jwt.js';
import { OAuthError } from '../../src/errors.js';
import { strictPolicy, trustedPolicy } from '../../src/net/index.js';
import { ISSUER, NOW, createTestContext, tokenRequest } from '../client-auth/context.js';
import { form, startTestServer, type TestServer } from '../helpers/server.js';
import { startServer, type CountingServer } from './servers.js';

let key: { privateKey: CryptoKey; jwk: JWK };
let jwks: CountingServer;
let op: TestServer;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  key = { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' } };
  const send = (res: ServerResponse, body: object) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  jwks = await startServer((req, res) => {
    if (req.url === '/jwks') return send(res, { keys: [key.jwk] });
    // The right key, but the document is larger than outbound.maxBytes (4096 in this test).
    if (req.url === '/jwks-padded') return send(res, { keys: [key.jwk], padding: 'x'.repeat(8000) });
    if (req.url === '/jwks-redirect') return res.writeHead(302, { location: `${jwks.base}/jwks` }).end();
    res.writeHead(404).end();
  });
  const client = (clientId: string, path: string) => ({
    clientId,
    jwksUri: `${jwks.base}${path}`,
    tokenEndpointAuthMethods: ['private_key_jwt' as const],
    allowedGrantTypes: ['client_credentials'],
    allowedScopes: ['api'],
  });
  op = await startTestServer({
    mutate: (c) => {
      c.outbound = { maxBytes: 4096 };
      c.clients = [...(c.clients ?? []), client('jwt.remote', '/jwks'), client('jwt.padded', '/jwks-padded'), client('jwt.redirect', '/jwks-redirect')];
    },
  });
});

afterAll(async () => {
  await op?.close();
  await jwks?.close();
});

async function assertion(clientId: string, aud: string): Promise<string> {
  return new SignJWT({ jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(key.privateKey);
}

async function token(clientId: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${op.url}/connect/token`, {
    method: 'POST',
    body: form({
      grant_type: 'client_credentials',
      scope: 'api',
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: await assertion(clientId, op.url),
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('client jwksUri through the outbound client', () => {
  it('authenticates with keys fetched within the limits', async () => {
    const r = await token('jwt.remote');
    expect(r.status).toBe(200);
    expect(r.body.token_type).toBe('Bearer');
  });

  it('refuses a JWK Set larger than outbound.maxBytes: invalid_client', async () => {
    const r = await token('jwt.padded');
    expect([r.status, r.body.error]).toEqual([401, 'invalid_client']);
    expect(jwks.hits).toContain('/jwks-padded');
  });

  it('does not follow a redirect of the jwksUri: invalid_client', async () => {
    const before = jwks.hits.filter((h) => h === '/jwks').length;
    const r = await token('jwt.redirect');
    expect([r.status, r.body.error]).toEqual([401, 'invalid_client']);
    expect(jwks.hits.filter((h) => h === '/jwks').length).toBe(before);
  });

  it('applies the policy chosen per client: a strict client cannot use a loopback jwksUri', async () => {
    const ctx = createTestContext([
      { clientId: 'configured', jwksUri: `${jwks.base}/jwks` },
      { clientId: 'registered', jwksUri: `${jwks.base}/jwks` },
    ]);
    const cache = createClientJwksCache({
      policyFor: (client) => (client.clientId === 'registered' ? { ...strictPolicy(), allowHttp: true } : trustedPolicy()),
    });
    ctx.clientAuthMethods.set('private_key_jwt', createPrivateKeyJwt(cache));
    const request = async (clientId: string) =>
      tokenRequest({
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        client_assertion: await new SignJWT({ jti: crypto.randomUUID() })
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
          .setIssuer(clientId)
          .setSubject(clientId)
          .setAudience(ISSUER)
          .setIssuedAt(NOW)
          .setExpirationTime(NOW + 60)
          .sign(key.privateKey),
      });
    expect((await authenticateClient(await request('configured'), ctx, 'token')).client.clientId).toBe('configured');
    const hits = jwks.hits.length;
    const err = await authenticateClient(await request('registered'), ctx, 'token').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthError);
    expect((err as OAuthError).error).toBe('invalid_client');
    expect(jwks.hits.length).toBe(hits);
  });
});
