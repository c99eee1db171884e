/**
 * Interop: oauth4webapi v3's device flow (RFC 8628) against `gatehouse start`
 * on the demo configuration and its public `device` client: discovery's
 * device_authorization_endpoint, deviceAuthorizationRequest /
 * processDeviceAuthorizationResponse, polling with deviceCodeGrantRequest /
 * processDeviceCodeResponse (authorization_pending, slow_down, tokens,
 * access_denied), the user driven through the verification page by the form
 * driver. The README's curl walkthrough uses the same values.
 */
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer, type CliServer } from '../helpers/cli-server.js';
import { approveOnDevicePage } from '../helpers/device-page-flow.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const client: oauth.Client = { client_id: 'device' };

let gh: CliServer;
let as: oauth.AuthorizationServer;
beforeAll(async () => {
  gh = await startCliServer();
  const issuer = new URL(gh.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
}, 60_000);
afterAll(() => gh?.close());

const authorize = async (scope: string) =>
  oauth.processDeviceAuthorizationResponse(as, client, await oauth.deviceAuthorizationRequest(as, client, oauth.None(), { scope }, insecure));
const poll = async (deviceCode: string) =>
  oauth.processDeviceCodeResponse(as, client, await oauth.deviceCodeGrantRequest(as, client, oauth.None(), deviceCode, insecure));
/** The OAuth error of a poll that did not give tokens. */
const pollError = (deviceCode: string) =>
  poll(deviceCode).then(
    () => 'tokens',
    (e: unknown) => (e instanceof oauth.ResponseBodyError ? e.error : String(e)),
  );

describe('oauth4webapi v3 device flow against gatehouse start (demo)', () => {
  it('discovery advertises the device authorization endpoint and grant', () => {
    expect(as.device_authorization_endpoint).toBe(`${gh.url}/connect/deviceauthorization`);
    expect(as.grant_types_supported).toContain('urn:ietf:params:oauth:grant-type:device_code');
  });

  it('the demo device client: codes live 90 s, interval 5 s, user code XXXX-XXXX on the built-in page', async () => {
    const d = await authorize('openid profile');
    expect([d.expires_in, d.interval]).toEqual([90, 5]);
    expect(d.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(d.verification_uri).toBe(`${gh.url}/ui/device`);
    expect(d.verification_uri_complete).toBe(`${gh.url}/ui/device?user_code=${d.user_code}`);
  });

  it('polls (authorization_pending, slow_down), bob approves on the page, then ID, access and refresh tokens', async () => {
    const d = await authorize('openid profile email api offline_access');
    expect(await pollError(d.device_code)).toBe('authorization_pending');
    expect(await pollError(d.device_code)).toBe('slow_down');
    const page = await approveOnDevicePage(gh.url, d.user_code, { username: 'bob' });
    expect(page.html).toContain('Your device is connected');
    const tokens = await poll(d.device_code);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('openid profile email api offline_access');
    expect(tokens.refresh_token).toBeDefined();
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect([claims.sub, claims.aud, claims.iss]).toEqual(['2', 'device', gh.url]);
    const at = await oauth.validateJwtAccessToken(
      as,
      new Request('https://api.example/', { headers: { authorization: `Bearer ${tokens.access_token}` } }),
      'api',
      insecure,
    );
    expect(at.sub).toBe('2');
    // The refresh token (one-time use) refreshes.
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure),
    );
    expect(refreshed.access_token).toBeDefined();
    // Used up; presented again, it revokes what it issued.
    expect(await pollError(d.device_code)).toBe('invalid_grant');
  });

  it('a denial reaches the device as access_denied', async () => {
    const d = await authorize('openid');
    await approveOnDevicePage(gh.url, d.user_code, { username: 'alice', decision: 'deny' });
    expect(await pollError(d.device_code)).toBe('access_denied');
  });
});
