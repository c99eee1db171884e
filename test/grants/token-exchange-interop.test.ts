/**
 * Interop: openid-client v6 (an independent client) exchanges tokens
 * (RFC 8693) against the real server through its generic grant request:
 * discovery advertises the grant, the response parses, the issued token
 * verifies against the published JWKS, and an error arrives as an OAuth error.
 */
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { AT, GRANT } from './token-exchange-fixture.js';

describe('openid-client: token exchange', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  const options = () => ({ execute: [oidc.allowInsecureRequests] });
  const client = (id: string) => oidc.discovery(new URL(s.url), id, undefined, oidc.ClientSecretBasic('secret'), options());

  it('discovers the grant, exchanges m2m’s token with an actor, and the result verifies (typ at+jwt, act)', async () => {
    const exchange = await client('exchange');
    expect(exchange.serverMetadata().grant_types_supported).toContain(GRANT);
    const m2m = await client('m2m');
    const subject = (await oidc.clientCredentialsGrant(m2m, { scope: 'api' })).access_token;
    const tokens = await oidc.genericGrantRequest(exchange, GRANT, {
      subject_token: subject,
      subject_token_type: AT,
      actor_token: subject,
      actor_token_type: AT,
      audience: 'api',
    });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.issued_token_type).toBe(AT);
    expect(tokens.scope).toBe('api');
    expect(tokens.expiresIn()).toBeGreaterThan(0);
    const jwks = createRemoteJWKSet(new URL(exchange.serverMetadata().jwks_uri!));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: s.url, audience: 'api', typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: 'm2m', client_id: 'exchange', act: { sub: 'm2m' } });
  });

  it('an invalid subject token is an OAuth error response (invalid_request, RFC 8693 §2.2.2)', async () => {
    const exchange = await client('exchange');
    const err = await oidc.genericGrantRequest(exchange, GRANT, { subject_token: 'nope', subject_token_type: AT }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oidc.ResponseBodyError);
    expect((err as oidc.ResponseBodyError).error).toBe('invalid_request');
    expect((err as oidc.ResponseBodyError).status).toBe(400);
  });
});
