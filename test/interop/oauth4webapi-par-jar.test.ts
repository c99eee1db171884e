/**
 * Interop: oauth4webapi v3 pushes authorization requests (RFC 9126,
 * `pushedAuthorizationRequest`) and signs request objects (RFC 9101,
 * `issueRequestObject`) against a provider with the demo configuration;
 * the user signs in through the built-in login page and the client
 * redeems the code, checking iss (RFC 9207), state and the ID token.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInThroughLoginPage } from '../helpers/login-page-flow.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'http://localhost:3000/callback';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

let s: TestServer;
let as: oauth.AuthorizationServer;
let privateKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'interop-jar', alg: 'ES256', use: 'sig' };
  s = await startTestServer({
    mutate: (c) => {
      c.clients!.push({
        clientId: 'interop.jar',
        clientSecrets: [{ value: createHash('sha256').update('secret').digest('base64') }],
        jwks: { keys: [jwk] },
        requireSignedRequestObject: true,
        allowedGrantTypes: ['authorization_code'],
        redirectUris: [REDIRECT],
        allowedScopes: ['openid', 'profile'],
      });
    },
  });
  const issuer = new URL(s.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
});
afterAll(() => s?.close());

async function requestParameters() {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const parameters = {
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid profile',
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  };
  return { verifier, state, nonce, parameters };
}

/** Browser to the authorization endpoint with client_id and request_uri (or request); the client redeems the code. */
async function finish(
  client: oauth.Client,
  query: Record<string, string>,
  r: Awaited<ReturnType<typeof requestParameters>>,
  auth: oauth.ClientAuth = oauth.ClientSecretBasic('secret'),
) {
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({ client_id: client.client_id, ...query }).toString();
  const callback = await signInThroughLoginPage(url, 'alice', 'alice', REDIRECT);
  const params = oauth.validateAuthResponse(as, client, callback, r.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, r.verifier, insecure);
  return oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: r.nonce, requireIdToken: true });
}

describe('oauth4webapi v3: PAR and JAR', () => {
  it('discovery advertises PAR and request objects', () => {
    expect(as.pushed_authorization_request_endpoint).toBe(`${s.url}/connect/par`);
    expect(as.request_parameter_supported).toBe(true);
    expect(as.request_object_signing_alg_values_supported).toContain('ES256');
  });

  it('pushedAuthorizationRequest for interactive.confidential.par (PAR required), then the code flow', async () => {
    const client: oauth.Client = { client_id: 'interactive.confidential.par' };
    const r = await requestParameters();
    const response = await oauth.pushedAuthorizationRequest(as, client, oauth.ClientSecretBasic('secret'), r.parameters, insecure);
    const pushed = await oauth.processPushedAuthorizationResponse(as, client, response);
    expect(pushed.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(pushed.expires_in).toBe(60);
    const result = await finish(client, { request_uri: pushed.request_uri }, r);
    expect(oauth.getValidatedIdTokenClaims(result)?.sub).toBe('1');
  });

  it('issueRequestObject signed with the registered key, pushed, then the code flow', async () => {
    const client: oauth.Client = { client_id: 'interop.jar' };
    const r = await requestParameters();
    const request = await oauth.issueRequestObject(as, client, r.parameters, { key: privateKey, kid: 'interop-jar' });
    const response = await oauth.pushedAuthorizationRequest(as, client, oauth.ClientSecretBasic('secret'), { request }, insecure);
    const pushed = await oauth.processPushedAuthorizationResponse(as, client, response);
    const result = await finish(client, { request_uri: pushed.request_uri }, r);
    expect(oauth.getValidatedIdTokenClaims(result)?.aud).toBe('interop.jar');
  });

  it('issueRequestObject by value at the authorization endpoint', async () => {
    const client: oauth.Client = { client_id: 'interop.jar' };
    const r = await requestParameters();
    const request = await oauth.issueRequestObject(as, client, r.parameters, { key: privateKey, kid: 'interop-jar' });
    const result = await finish(client, { request }, r);
    expect(result.access_token).toBeTruthy();
  });

  it('the demo client interactive.confidential.jwt: private_key_jwt at the PAR endpoint and a request object, both with the demo key', async () => {
    const jwk = JSON.parse(readFileSync(new URL('../fixtures/demo-client.private.jwk.json', import.meta.url), 'utf8')) as JWK;
    const demoKey = { key: (await importJWK(jwk, jwk.alg ?? 'RS256')) as CryptoKey, kid: jwk.kid };
    const client: oauth.Client = { client_id: 'interactive.confidential.jwt' };
    const auth = oauth.PrivateKeyJwt(demoKey);
    const r = await requestParameters();
    const request = await oauth.issueRequestObject(as, client, r.parameters, demoKey);
    const pushed = await oauth.processPushedAuthorizationResponse(as, client, await oauth.pushedAuthorizationRequest(as, client, auth, { request }, insecure));
    const result = await finish(client, { request_uri: pushed.request_uri }, r, auth);
    expect(oauth.getValidatedIdTokenClaims(result)?.aud).toBe('interactive.confidential.jwt');
  });

  it('a refused push surfaces as the RFC 9126 §2.3 error to the client library', async () => {
    const client: oauth.Client = { client_id: 'interop.jar' };
    const r = await requestParameters();
    const response = await oauth.pushedAuthorizationRequest(as, client, oauth.ClientSecretBasic('secret'), r.parameters, insecure);
    await expect(oauth.processPushedAuthorizationResponse(as, client, response)).rejects.toMatchObject({ error: 'invalid_request', status: 400 });
  });
});
