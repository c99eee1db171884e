/**
 * What every framework example must do, asserted the same way for each: an
 * openid-client relying party signs alice in (code + PKCE through the
 * built-in login page, driven over HTTP), then calls the example's protected
 * API with the access token (200), without one (401) and on a route that
 * needs a scope the token lacks (403).
 */
import { expect } from 'vitest';
import * as oidc from 'openid-client';
import { signInThroughLoginPage } from '../helpers/login-page-flow.js';

const REDIRECT = 'http://127.0.0.1/callback';

export async function signInAndCallApi(issuer: string): Promise<void> {
  const config = await oidc.discovery(new URL(issuer), 'example.app', 'secret', undefined, { execute: [oidc.allowInsecureRequests] });
  expect(config.serverMetadata().issuer).toBe(issuer);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile api',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const callback = await signInThroughLoginPage(url, 'alice', 'alice', REDIRECT);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  expect(tokens.claims()!.sub).toBe('1');

  const hello = await fetch(`${issuer}/api/hello`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  expect(hello.status).toBe(200);
  expect(await hello.json()).toEqual({ message: 'Hello, 1', scopes: ['openid', 'profile', 'api'] });
  // openid-client's protected-resource helper sends the same request.
  const viaClient = await oidc.fetchProtectedResource(config, tokens.access_token, new URL(`${issuer}/api/hello`), 'GET');
  expect(viaClient.status).toBe(200);

  const anonymous = await fetch(`${issuer}/api/hello`);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');

  const forged = await fetch(`${issuer}/api/hello`, { headers: { authorization: `Bearer ${tokens.access_token.slice(0, -2)}AA` } });
  expect(forged.status).toBe(401);
  expect(forged.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);

  const admin = await fetch(`${issuer}/api/admin`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  expect(admin.status).toBe(403);
  expect(admin.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="api.admin"/);
  expect(await admin.json()).toMatchObject({ error: 'insufficient_scope' });
}
