/**
 * Interop: an independent relying party library (openid-client v6) runs the
 * authorization code flow with PKCE against Gatehouse, validating the ID
 * token, calling userinfo and rotating the refresh token (demo config,
 * client `interactive.confidential`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';
import { signInThroughLoginPage } from '../helpers/login-page-flow.js';

describe('openid-client v6 against Gatehouse (code + PKCE)', () => {
  let s: TestServer;
  let config: oidc.Configuration;

  beforeAll(async () => {
    s = await startTestServer();
    // The test issuer is http://127.0.0.1:<port>; openid-client refuses http unless told.
    config = await oidc.discovery(new URL(s.url), 'interactive.confidential', 'secret', undefined, {
      execute: [oidc.allowInsecureRequests],
    });
  });
  afterAll(() => s?.close());

  it('discovers the issuer', () => {
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(s.url);
    expect(meta.code_challenge_methods_supported).toContain('S256');
  });

  it('signs alice in, validates the ID token, reads userinfo and rotates the refresh token', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CONFIDENTIAL_REDIRECT,
      scope: 'openid profile email api offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    expect(url.origin + url.pathname).toBe(`${s.url}/connect/authorize`);

    const callback = await signInThroughLoginPage(url, 'alice', 'alice', CONFIDENTIAL_REDIRECT);
    expect(callback.searchParams.get('iss')).toBe(s.url);

    // Validates state, iss, the code exchange and the ID token (signature, iss, aud, nonce, exp, at_hash).
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe('1');
    expect(claims.iss).toBe(s.url);
    expect(claims.aud).toBe('interactive.confidential');
    expect(claims.nonce).toBe(nonce);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope?.split(' ').sort()).toEqual(['api', 'email', 'offline_access', 'openid', 'profile']);
    expect(tokens.refresh_token).toBeTypeOf('string');

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({
      sub: '1',
      name: 'Alice Smith',
      given_name: 'Alice',
      family_name: 'Smith',
      website: 'http://alice.example.com',
      email: 'AliceSmith@example.com',
      email_verified: true,
    });

    const first = tokens.refresh_token!;
    const refreshed = await oidc.refreshTokenGrant(config, first);
    expect(refreshed.access_token).toBeTypeOf('string');
    expect(refreshed.refresh_token).toBeTypeOf('string');
    expect(refreshed.refresh_token).not.toBe(first);
    if (refreshed.id_token) expect(refreshed.claims()!.sub).toBe('1');

    // One-time-use refresh tokens: the old one is refused after rotation, once past the
    // confidential client's refreshTokenRetryWindow (10 s; within it, a retry while the new token is unused).
    s.clock.advance(11);
    const reuse = await oidc.refreshTokenGrant(config, first).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(reuse).toBeInstanceOf(oidc.ResponseBodyError);
    expect((reuse as oidc.ResponseBodyError).error).toBe('invalid_grant');
    // Reuse revokes the whole grant, including the rotated token.
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('lets openid-client reject a callback whose ID token nonce does not match', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CONFIDENTIAL_REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce: 'sent-nonce',
    });
    const callback = await signInThroughLoginPage(url, 'bob', 'bob', CONFIDENTIAL_REDIRECT);
    const err = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: 'other-nonce' }).then(
      () => undefined,
      (e: unknown) => e as oidc.ClientError,
    );
    expect(err?.code).toBe('OAUTH_JWT_CLAIM_COMPARISON_FAILED');
    expect(JSON.stringify((err?.cause as { cause?: unknown } | undefined)?.cause)).toContain('nonce');
  });
});
