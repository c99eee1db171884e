/**
 * Interop: oauth4webapi v3 (strict, spec-checking low-level client) against
 * `gatehouse start` (CLI, demo configuration): discovery, client_credentials
 * with every client authentication method, RFC 9068 access token validation,
 * code + PKCE with RFC 9207 iss checks, userinfo, refresh rotation,
 * introspection, revocation, and the end-session endpoint.
 */
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HMAC_SECRET, startInteropServer, type InteropServer } from './cli-demo.js';
import { signIn } from './user-agent.js';

const REDIRECT = 'http://localhost:3000/callback';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

let gh: InteropServer;
let as: oauth.AuthorizationServer;
beforeAll(async () => {
  gh = await startInteropServer();
  const issuer = new URL(gh.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
});
afterAll(() => gh?.close());

const confidential: oauth.Client = { client_id: 'interactive.confidential' };
const confidentialAuth = oauth.ClientSecretBasic('secret');

/** A resource server's view: validate a Bearer JWT access token (RFC 9068) with oauth4webapi. */
async function validateAt(token: string) {
  const request = new Request('https://api.example/resource', { headers: { authorization: `Bearer ${token}` } });
  return oauth.validateJwtAccessToken(as, request, 'api', insecure);
}

async function codeFlow(scope: string) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: confidential.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  const { callback, jar } = await signIn(url, REDIRECT);
  // Checks iss (RFC 9207, advertised), state, and that there is no error.
  const params = oauth.validateAuthResponse(as, confidential, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(as, confidential, confidentialAuth, params, REDIRECT, verifier, insecure);
  const result = await oauth.processAuthorizationCodeResponse(as, confidential, response, { expectedNonce: nonce, requireIdToken: true });
  return { result, jar };
}

describe('oauth4webapi v3 against gatehouse start', () => {
  it('discovery: issuer and every endpoint', () => {
    expect(as.issuer).toBe(gh.url);
    for (const k of [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
      'end_session_endpoint',
      'jwks_uri',
    ] as const) {
      expect(as[k], k).toMatch(new RegExp(`^${gh.url}/`));
    }
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
  });

  const methods: Array<[string, string, () => oauth.ClientAuth]> = [
    ['client_secret_basic', 'm2m', () => oauth.ClientSecretBasic('secret')],
    ['client_secret_post', 'm2m', () => oauth.ClientSecretPost('secret')],
    ['client_secret_jwt', 'm2m.hmac', () => oauth.ClientSecretJwt(HMAC_SECRET)],
    ['private_key_jwt', 'm2m.jwt', () => oauth.PrivateKeyJwt({ key: gh.jwtClientKey, kid: 'interop-es256' })],
  ];
  it.each(methods)('client_credentials with %s; the access token validates as RFC 9068', async (_m, clientId, auth) => {
    const client: oauth.Client = { client_id: clientId };
    const response = await oauth.clientCredentialsGrantRequest(as, client, auth(), { scope: 'api' }, insecure);
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    expect(result.token_type).toBe('bearer');
    expect(result.scope).toBe('api');
    const claims = await validateAt(result.access_token);
    expect(claims).toMatchObject({ client_id: clientId, sub: clientId, iss: gh.url, scope: 'api' });
  });

  it('client_credentials with an unknown client: invalid_client', async () => {
    const client: oauth.Client = { client_id: 'nobody' };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretPost('x'), { scope: 'api' }, insecure);
    expect(response.status).toBe(401);
    const err = await oauth.processClientCredentialsResponse(as, client, response).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
  });

  it('code + PKCE: ID token, userinfo, refresh rotation, reuse refused', async () => {
    const { result } = await codeFlow('openid profile email api offline_access');
    const claims = oauth.getValidatedIdTokenClaims(result)!;
    expect(claims).toMatchObject({ sub: '1', iss: gh.url, aud: 'interactive.confidential' });
    expect((await validateAt(result.access_token)).sub).toBe('1');

    const ui = await oauth.processUserInfoResponse(as, confidential, claims.sub, await oauth.userInfoRequest(as, confidential, result.access_token, insecure));
    expect(ui).toMatchObject({ sub: '1', name: 'Alice Smith', email: 'AliceSmith@example.com' });

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      confidential,
      await oauth.refreshTokenGrantRequest(as, confidential, confidentialAuth, result.refresh_token!, insecure),
    );
    expect(refreshed.refresh_token).not.toBe(result.refresh_token);
    expect((await validateAt(refreshed.access_token)).sub).toBe('1');
    // The client carries on with the rotated token: the old one is now reuse, not a retry within
    // the confidential client's refreshTokenRetryWindow (which needs its successor unused).
    await oauth.processRefreshTokenResponse(
      as,
      confidential,
      await oauth.refreshTokenGrantRequest(as, confidential, confidentialAuth, refreshed.refresh_token!, insecure),
    );
    const reuse = await oauth.refreshTokenGrantRequest(as, confidential, confidentialAuth, result.refresh_token!, insecure);
    await expect(oauth.processRefreshTokenResponse(as, confidential, reuse)).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('a wrong state in the callback is caught by the client; an error callback carries iss and state', async () => {
    const url = new URL(as.authorization_endpoint!);
    // prompt=none without a session: the OP answers login_required to the client.
    url.search = new URLSearchParams({
      client_id: confidential.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: 'abc',
      prompt: 'none',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    }).toString();
    const { callback } = await signIn(url, REDIRECT);
    expect(() => oauth.validateAuthResponse(as, confidential, callback, 'other')).toThrow(/state/);
    const err = (() => {
      try {
        oauth.validateAuthResponse(as, confidential, callback, 'abc');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(oauth.AuthorizationResponseError);
    expect((err as oauth.AuthorizationResponseError).error).toBe('login_required');
  });

  it('introspection (API resource) and revocation of access and refresh tokens', async () => {
    const { result } = await codeFlow('openid api offline_access');
    const api: oauth.Client = { client_id: 'api' };
    const introspect = async (token: string) =>
      oauth.processIntrospectionResponse(as, api, await oauth.introspectionRequest(as, api, oauth.ClientSecretBasic('secret'), token, insecure));
    expect(await introspect(result.access_token)).toMatchObject({ active: true, sub: '1', client_id: 'interactive.confidential' });

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, confidential, confidentialAuth, result.access_token, insecure));
    expect((await introspect(result.access_token)).active).toBe(false);
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, confidential, confidentialAuth, result.refresh_token!, {
        ...insecure,
        additionalParameters: { token_type_hint: 'refresh_token' },
      }),
    );
    const after = await oauth.refreshTokenGrantRequest(as, confidential, confidentialAuth, result.refresh_token!, insecure);
    await expect(oauth.processRefreshTokenResponse(as, confidential, after)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('end session with id_token_hint returns to the registered URI and ends the SSO session', async () => {
    const { result, jar } = await codeFlow('openid');
    const url = new URL(as.end_session_endpoint!);
    url.search = new URLSearchParams({ id_token_hint: result.id_token!, post_logout_redirect_uri: 'http://localhost:3000/', state: 's1' }).toString();
    const res = await jar.fetch(url.href);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('http://localhost:3000/?state=s1');
    const again = await jar.fetch(
      `${as.authorization_endpoint}?${new URLSearchParams({ client_id: confidential.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', prompt: 'none', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`,
    );
    expect(new URL(again.headers.get('location')!).searchParams.get('error')).toBe('login_required');
  });
});
