/**
 * Interop: DPoP (RFC 9449) with independent clients against the demo
 * configuration: oauth4webapi v3 (client_credentials for m2m.dpop.nonce,
 * whose first proof is answered use_dpop_nonce and retried with the
 * DPoP-Nonce given; then the demo API) and openid-client v6 (client
 * credentials for m2m.dpop, the code flow with dpop_jkt, userinfo, refresh
 * and the demo API, all DPoP-bound).
 */
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';
import { signInThroughLoginPage } from '../helpers/login-page-flow.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  // The clients date their proofs by the system clock: the test clock is never moved here.
  s = await startTestServer();
});
afterAll(() => s?.close());

describe('oauth4webapi v3', () => {
  const insecure = { [oauth.allowInsecureRequests]: true } as const;

  it('m2m.dpop.nonce: use_dpop_nonce, the retry with the nonce, a DPoP token, then the demo API', async () => {
    const issuer = new URL(s.url);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
    expect(as.dpop_signing_alg_values_supported).toContain('ES256');
    const client: oauth.Client = { client_id: 'm2m.dpop.nonce' };
    const auth = oauth.ClientSecretBasic('secret');
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const grant = () => oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams({ scope: 'api' }), { DPoP, ...insecure });
    let result: oauth.TokenEndpointResponse;
    try {
      result = await oauth.processClientCredentialsResponse(as, client, await grant());
      throw new Error('expected use_dpop_nonce');
    } catch (err) {
      expect(oauth.isDPoPNonceError(err)).toBe(true);
      result = await oauth.processClientCredentialsResponse(as, client, await grant());
    }
    expect(result.token_type).toBe('dpop');
    expect(decodeJwt(result.access_token).cnf).toEqual({ jkt: await DPoP.calculateThumbprint() });
    const api = await oauth.protectedResourceRequest(result.access_token, 'GET', new URL(`${s.url}/api/test`), new Headers(), null, { DPoP, ...insecure });
    expect(api.status).toBe(200);
    expect(await api.json()).toContainEqual({ type: 'client_id', value: 'm2m.dpop.nonce' });
  });
});

describe('openid-client v6', () => {
  const options = { execute: [oidc.allowInsecureRequests] };

  it('m2m.dpop: client credentials with DPoP, then the demo API', async () => {
    const config = await oidc.discovery(new URL(s.url), 'm2m.dpop', 'secret', undefined, options);
    const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api' }, { DPoP });
    expect(tokens.token_type).toBe('dpop');
    const api = await oidc.fetchProtectedResource(config, tokens.access_token, new URL(`${s.url}/api/test`), 'GET', undefined, undefined, { DPoP });
    expect(api.status).toBe(200);
  });

  it('code flow with dpop_jkt: bound tokens, userinfo, refresh', async () => {
    const config = await oidc.discovery(new URL(s.url), 'interactive.confidential', 'secret', undefined, options);
    const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CONFIDENTIAL_REDIRECT,
      scope: 'openid profile api offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      dpop_jkt: await DPoP.calculateThumbprint(),
    });
    const callback = await signInThroughLoginPage(url, 'alice', 'alice', CONFIDENTIAL_REDIRECT);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }, undefined, { DPoP });
    expect(tokens.token_type).toBe('dpop');
    const sub = tokens.claims()!.sub;
    const info = await oidc.fetchUserInfo(config, tokens.access_token, sub, { DPoP });
    expect(info.name).toBe('Alice Smith');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP });
    expect(refreshed.token_type).toBe('dpop');
    expect(decodeJwt(refreshed.access_token).cnf).toEqual({ jkt: await DPoP.calculateThumbprint() });
  });
});
