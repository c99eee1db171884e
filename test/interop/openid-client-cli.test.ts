/**
 * Interop: openid-client v6 against `gatehouse start` (the CLI as the README
 * starts it, demo configuration, SQLite): discovery; client_credentials with
 * every client authentication method; code + PKCE for the confidential and the
 * public client; userinfo; refresh rotation and reuse detection;
 * introspection; revocation; the end-session URL.
 */
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../helpers/server.js';
import { HMAC_SECRET, startInteropServer, type InteropServer } from './cli-demo.js';
import { signIn } from './user-agent.js';

const CONFIDENTIAL_REDIRECT = 'http://localhost:3000/callback';
const insecure = { execute: [oidc.allowInsecureRequests] };

let gh: InteropServer;
beforeAll(async () => {
  gh = await startInteropServer();
});
afterAll(() => gh?.close());

const discover = (clientId: string, auth?: oidc.ClientAuth, secret?: string) => oidc.discovery(new URL(gh.url), clientId, secret, auth, insecure);

async function verifyAccessToken(config: oidc.Configuration, token: string) {
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  return jwtVerify(token, jwks, { issuer: gh.url, audience: 'api', typ: 'at+jwt' });
}

/** Code + PKCE through the login pages; returns the openid-client token response. */
async function codeFlow(config: oidc.Configuration, redirectUri: string, scope: string, jar?: CookieJar) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const { callback, pages, jar: browser } = await signIn(url, redirectUri, { jar });
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  return { tokens, pages, jar: browser };
}

describe('openid-client v6 against gatehouse start', () => {
  it('discovers every endpoint the server has', async () => {
    const meta = (await discover('m2m', oidc.ClientSecretBasic('secret'))).serverMetadata();
    expect(meta.issuer).toBe(gh.url);
    expect(gh.url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(meta).toMatchObject({
      authorization_endpoint: `${gh.url}/connect/authorize`,
      token_endpoint: `${gh.url}/connect/token`,
      userinfo_endpoint: `${gh.url}/connect/userinfo`,
      introspection_endpoint: `${gh.url}/connect/introspect`,
      revocation_endpoint: `${gh.url}/connect/revocation`,
      end_session_endpoint: `${gh.url}/connect/endsession`,
      jwks_uri: `${gh.url}/.well-known/openid-configuration/jwks`,
    });
    expect(meta.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none']),
    );
  });

  const methods: Array<[string, () => Promise<oidc.Configuration>, string]> = [
    ['client_secret_basic', () => discover('m2m', oidc.ClientSecretBasic('secret')), 'm2m'],
    ['client_secret_post', () => discover('m2m', oidc.ClientSecretPost('secret')), 'm2m'],
    ['client_secret_jwt', () => discover('m2m.hmac', oidc.ClientSecretJwt(HMAC_SECRET)), 'm2m.hmac'],
    ['private_key_jwt', () => discover('m2m.jwt', oidc.PrivateKeyJwt({ key: gh.jwtClientKey, kid: 'interop-es256' })), 'm2m.jwt'],
  ];
  it.each(methods)('client_credentials with %s: a verifiable RFC 9068 access token', async (_m, make, clientId) => {
    const config = await make();
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope).toBe('api');
    const { payload } = await verifyAccessToken(config, tokens.access_token);
    expect(payload).toMatchObject({ client_id: clientId, scope: 'api', sub: clientId });
    // Again: a fresh assertion (new jti) each time for the JWT methods.
    expect((await oidc.clientCredentialsGrant(config, { scope: 'api' })).access_token).not.toBe(tokens.access_token);
  });

  it('a wrong secret is a 401 with invalid_client', async () => {
    const err = await oidc.clientCredentialsGrant(await discover('m2m', oidc.ClientSecretPost('wrong')), { scope: 'api' }).catch((e: unknown) => e);
    // RFC 6749 §5.2: 401 with a challenge naming the schemes the server supports.
    expect(err).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    const challenge = err as oidc.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(((await challenge.response.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('code + PKCE (confidential client): ID token, userinfo, refresh rotation, reuse detection', async () => {
    const config = await discover('interactive.confidential', undefined, 'secret');
    const { tokens, pages } = await codeFlow(config, CONFIDENTIAL_REDIRECT, 'openid profile email api offline_access');
    expect(pages).toEqual(['login']);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: '1', iss: gh.url, aud: 'interactive.confidential', name: 'Alice Smith' });
    await verifyAccessToken(config, tokens.access_token);

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: '1', name: 'Alice Smith', email: 'AliceSmith@example.com', email_verified: true });

    const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(rotated.refresh_token).toBeTypeOf('string');
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    await verifyAccessToken(config, rotated.access_token);
    if (rotated.id_token) expect(rotated.claims()!.sub).toBe('1');
    // The client carries on with the rotated token: the old one is now reuse, not a retry within
    // the confidential client's refreshTokenRetryWindow (which needs its successor unused).
    const next = await oidc.refreshTokenGrant(config, rotated.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // Reuse revoked the family, the current token included.
    await expect(oidc.refreshTokenGrant(config, next.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('code + PKCE (public client, loopback redirect on any port, consent page)', async () => {
    const config = await discover('interactive.public', oidc.None());
    const { tokens, pages } = await codeFlow(config, 'http://127.0.0.1:53682/callback', 'openid profile api offline_access');
    expect(pages).toEqual(['login', 'consent']);
    expect(tokens.claims()!.sub).toBe('1');
    const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(rotated.access_token).toBeTypeOf('string');
  });

  it('introspection as the API resource and as the client, then revocation', async () => {
    const client = await discover('interactive.confidential', undefined, 'secret');
    const { tokens } = await codeFlow(client, CONFIDENTIAL_REDIRECT, 'openid api offline_access');
    const api = await discover('api', oidc.ClientSecretBasic('secret'));
    const asApi = await oidc.tokenIntrospection(api, tokens.access_token);
    expect(asApi).toMatchObject({ active: true, sub: '1', client_id: 'interactive.confidential' });
    expect(asApi.scope?.split(' ')).toContain('api');
    const refreshInfo = await oidc.tokenIntrospection(client, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    expect(refreshInfo.active).toBe(true);

    await oidc.tokenRevocation(client, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    expect((await oidc.tokenIntrospection(client, tokens.refresh_token!)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(client, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    await oidc.tokenRevocation(client, tokens.access_token, { token_type_hint: 'access_token' });
    expect((await oidc.tokenIntrospection(api, tokens.access_token)).active).toBe(false);
    await expect(oidc.fetchUserInfo(client, tokens.access_token, '1')).rejects.toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
  });

  it('the end-session URL signs the user out and returns to the registered URI with state', async () => {
    const config = await discover('interactive.confidential', undefined, 'secret');
    const { tokens, jar } = await codeFlow(config, CONFIDENTIAL_REDIRECT, 'openid');
    const url = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://localhost:3000/', state: 'bye' });
    const res = await jar.fetch(url.href);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('http://localhost:3000/?state=bye');
    // The SSO session is gone: the next authorization asks for a login again.
    const again = await codeFlow(config, CONFIDENTIAL_REDIRECT, 'openid', jar);
    expect(again.pages).toEqual(['login']);
  });
});
