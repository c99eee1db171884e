/**
 * Interop: an independent relying party library (openid-client v6) runs CIBA
 * in poll mode against Gatehouse with the demo's `ciba` client: it reads the
 * endpoint from discovery, starts the request, and polls until the user
 * (bob, on the built-in home page) approved; it validates the token response
 * and the ID token itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { decideOnHomePage, signedInBrowser } from '../helpers/ciba.js';

describe('openid-client v6 against Gatehouse (CIBA, poll mode)', () => {
  let s: TestServer;
  let config: oidc.Configuration;

  beforeAll(async () => {
    // A 1 second interval keeps the client's wait before its first poll short.
    s = await startTestServer({ mutate: (c) => void (c.ciba = { interval: 1 }) });
    config = await oidc.discovery(new URL(s.url), 'ciba', 'secret', undefined, { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(() => s?.close());

  it('discovers the backchannel authentication endpoint and poll mode', () => {
    const meta = config.serverMetadata();
    expect(meta.backchannel_authentication_endpoint).toBe(`${s.url}/connect/ciba`);
    expect(meta.backchannel_token_delivery_modes_supported).toContain('poll');
    expect(meta.backchannel_user_code_parameter_supported).toBe(false);
  });

  it('bob approves on the home page; the client gets validated tokens', async () => {
    const bob = await signedInBrowser(s.url, 'bob');
    const started = await oidc.initiateBackchannelAuthentication(config, { scope: 'openid profile email api', login_hint: 'bob', binding_message: 'RP 4711' });
    expect(started).toMatchObject({ expires_in: 300, interval: 1 });
    await decideOnHomePage(s.url, bob, 'RP 4711', 'approve');

    const tokens = await oidc.pollBackchannelAuthenticationGrant(config, started);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('openid profile email api');
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: s.url, sub: '2', aud: 'ciba' });

    const info = await oidc.fetchUserInfo(config, tokens.access_token, '2');
    expect(info).toMatchObject({ sub: '2', name: 'Bob Smith', email: 'BobSmith@example.com' });
  });

  it('surfaces access_denied when the user denies', async () => {
    const alice = await signedInBrowser(s.url, 'alice');
    const started = await oidc.initiateBackchannelAuthentication(config, { scope: 'openid', login_hint: 'alice', binding_message: 'RP 0815' });
    await decideOnHomePage(s.url, alice, 'RP 0815', 'deny');
    await expect(oidc.pollBackchannelAuthenticationGrant(config, started)).rejects.toMatchObject({ error: 'access_denied' });
  });

  it('surfaces unknown_user_id from the backchannel authentication endpoint', async () => {
    await expect(oidc.initiateBackchannelAuthentication(config, { scope: 'openid', login_hint: 'nobody' })).rejects.toMatchObject({ error: 'unknown_user_id' });
  });
});
