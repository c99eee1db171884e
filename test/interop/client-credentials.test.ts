/**
 * Interop: openid-client v6 (an independent OAuth client) against the real
 * server: discovery, client_credentials with client_secret_basic and
 * private_key_jwt, introspection and revocation.
 */
import * as oidc from 'openid-client';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('openid-client: client credentials', () => {
  let s: TestServer;
  let key: CryptoKey;
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    key = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'interop-1', alg: 'ES256', use: 'sig' };
    s = await startTestServer({
      mutate: (c) => {
        // The demo's m2m.jwt gives way to one with a key made here.
        c.clients = c.clients!.filter((x) => x.clientId !== 'm2m.jwt');
        (c.clients as unknown[]).push({
          clientId: 'm2m.jwt',
          jwks: { keys: [jwk] },
          allowedGrantTypes: ['client_credentials'],
          allowedScopes: ['api'],
        });
      },
    });
  });
  afterAll(() => s.close());

  const options = () => ({ execute: [oidc.allowInsecureRequests] });
  const m2m = () => oidc.discovery(new URL(s.url), 'm2m', undefined, oidc.ClientSecretBasic('secret'), options());

  it('discovers the server: issuer and endpoints', async () => {
    const config = await m2m();
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(s.url);
    expect(meta.token_endpoint).toBe(`${s.url}/connect/token`);
    expect(meta.introspection_endpoint).toBe(`${s.url}/connect/introspect`);
    expect(meta.revocation_endpoint).toBe(`${s.url}/connect/revocation`);
  });

  it('gets a token with client_secret_basic that verifies against the remote JWKS (typ at+jwt)', async () => {
    const config = await m2m();
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expiresIn()).toBeGreaterThan(0);
    expect(tokens.scope).toBe('api');
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: s.url,
      audience: 'api',
      typ: 'at+jwt',
    });
    expect(protectedHeader.kid).toBeTypeOf('string');
    expect(payload).toMatchObject({ sub: 'm2m', client_id: 'm2m', scope: 'api' });
  });

  it('gets a token with private_key_jwt (inline jwks)', async () => {
    const config = await oidc.discovery(new URL(s.url), 'm2m.jwt', undefined, oidc.PrivateKeyJwt({ key, kid: 'interop-1' }), options());
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api' });
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: s.url, audience: 'api', typ: 'at+jwt' });
    expect(payload.client_id).toBe('m2m.jwt');
    // Each call signs a fresh assertion (new jti), so repeated requests work.
    expect((await oidc.clientCredentialsGrant(config, { scope: 'api' })).access_token).toBeTypeOf('string');
  });

  it('introspects and revokes: after revocation introspection says active false', async () => {
    const config = await m2m();
    const { access_token } = await oidc.clientCredentialsGrant(config, { scope: 'api' });
    const before = await oidc.tokenIntrospection(config, access_token);
    expect(before.active).toBe(true);
    expect(before.client_id).toBe('m2m');
    expect(before.scope).toBe('api');
    await oidc.tokenRevocation(config, access_token);
    const after = await oidc.tokenIntrospection(config, access_token);
    expect(after.active).toBe(false);
  });

  it('introspection and revocation with private_key_jwt too', async () => {
    const config = await oidc.discovery(new URL(s.url), 'm2m.jwt', undefined, oidc.PrivateKeyJwt({ key, kid: 'interop-1' }), options());
    const { access_token } = await oidc.clientCredentialsGrant(config, { scope: 'api' });
    expect((await oidc.tokenIntrospection(config, access_token)).active).toBe(true);
    await oidc.tokenRevocation(config, access_token, { token_type_hint: 'access_token' });
    expect((await oidc.tokenIntrospection(config, access_token)).active).toBe(false);
  });

  it('surfaces a wrong secret as a 401 Basic challenge with invalid_client (RFC 6749 §5.2)', async () => {
    const config = await oidc.discovery(new URL(s.url), 'm2m', undefined, oidc.ClientSecretBasic('wrong'), options());
    const err = await oidc.clientCredentialsGrant(config, { scope: 'api' }).catch((e: unknown) => e);
    // openid-client reports the WWW-Authenticate challenge before the body.
    expect(err).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    const challenge = err as oidc.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause[0]?.scheme).toBe('basic');
    expect(((await challenge.response.json()) as { error: string }).error).toBe('invalid_client');
  });
});
