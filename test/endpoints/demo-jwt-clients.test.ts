/**
 * The demo's private_key_jwt clients (demo contract, second milestone):
 * `m2m.jwt` and `interactive.confidential.jwt` authenticate with the key of
 * demo-keys/client.private.jwk.json (copied to test/fixtures), and with
 * nothing else.
 */
import { readFileSync } from 'node:fs';
import { importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { assertion, assertionParams, token } from './helpers.js';

const privateJwk = JSON.parse(readFileSync(new URL('../fixtures/demo-client.private.jwk.json', import.meta.url), 'utf8')) as JWK;

let s: TestServer;
let key: CryptoKey | Uint8Array;
beforeAll(async () => {
  s = await startTestServer();
  key = await importJWK(privateJwk, 'RS256');
});
afterAll(() => s?.close());

describe('demo private_key_jwt clients', () => {
  it('m2m.jwt: client_credentials with a client assertion signed by the demo client key', async () => {
    const jwt = await assertion(key, 'RS256', 'm2m.jwt', { aud: s.url, kid: 'demo-client-key', now: s.clock.now() });
    const r = await token(s.url, assertionParams(jwt, { grant_type: 'client_credentials', client_id: 'm2m.jwt' }));
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'Bearer', scope: 'api' });
  });

  it.each(['m2m.jwt', 'interactive.confidential.jwt'])('%s: the secret is not accepted', async (clientId) => {
    const r = await token(s.url, { grant_type: 'client_credentials' }, { authorization: basic(clientId, 'secret') });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });

  it('interactive.confidential.jwt authenticates with the demo client key (refresh of an unknown token: invalid_grant, not invalid_client)', async () => {
    const jwt = await assertion(key, 'RS256', 'interactive.confidential.jwt', { aud: s.url, kid: 'demo-client-key', now: s.clock.now() });
    const r = await token(s.url, assertionParams(jwt, { grant_type: 'refresh_token', refresh_token: 'unknown', client_id: 'interactive.confidential.jwt' }));
    expect(r.status, r.text).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
  });
});
