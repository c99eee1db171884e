/**
 * Third-party initiated login (OpenID Connect Core 1.0 §4) with Gatehouse as
 * the initiator: /connect/initiate-login redirects to the client's registered
 * initiate_login_uri with iss (and login_hint, target_link_uri); the home page
 * links the clients that have one. Through real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { demoConfig, startTestServer, CookieJar, type TestServer } from '../helpers/server.js';
import { expectErrorPage, signIn } from '../interaction/interaction-helpers.js';
import { structuralProblems } from '../ui/html-helpers.js';

type ClientInput = NonNullable<ConfigInput['clients']>[number];

const START = 'https://app.example.com/login/start?tenant=blue';
const portal = (clientId: string, extra: Partial<ClientInput> = {}): ClientInput => ({
  clientId,
  clientName: `Portal ${clientId}`,
  allowedGrantTypes: ['authorization_code'],
  redirectUris: ['https://app.example.com/cb', 'https://other.example.org/cb'],
  allowedScopes: ['openid'],
  clientSecrets: [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }],
  initiateLoginUri: START,
  ...extra,
});

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({
    mutate: (c) => void (c.clients = [...(c.clients ?? []), portal('portal.app'), portal('portal.off', { enabled: false })]),
  });
});
afterAll(() => s.close());

const initiate = (query: string) => fetch(`${s.url}/connect/initiate-login?${query}`, { redirect: 'manual' });

describe('third-party initiated login (OIDC Core §4)', () => {
  it("redirects to the client's initiate_login_uri with iss, keeping its own query", async () => {
    const res = await initiate('client_id=portal.app');
    expect(res.status).toBe(303);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe('https://app.example.com/login/start');
    expect(Object.fromEntries(to.searchParams)).toEqual({ tenant: 'blue', iss: s.url });
  });

  it('passes login_hint and a target_link_uri on an origin of the client', async () => {
    for (const target of ['https://app.example.com/reports/42', 'https://other.example.org/x']) {
      const res = await initiate(`client_id=portal.app&login_hint=alice&target_link_uri=${encodeURIComponent(target)}`);
      expect(res.status).toBe(303);
      const to = new URL(res.headers.get('location')!);
      expect(Object.fromEntries(to.searchParams)).toEqual({ tenant: 'blue', iss: s.url, login_hint: 'alice', target_link_uri: target });
    }
  });

  it('refuses a target_link_uri off the client (no open redirector), on the error page', async () => {
    for (const target of ['https://evil.example.net/', 'javascript:alert(1)', 'not a uri']) {
      await expectErrorPage(await initiate(`client_id=portal.app&target_link_uri=${encodeURIComponent(target)}`), 'invalid_request');
    }
  });

  it('refuses an unknown, disabled or missing client, and a client without initiateLoginUri, never redirecting', async () => {
    await expectErrorPage(await initiate('client_id=nobody'), 'invalid_request');
    await expectErrorPage(await initiate('client_id=portal.off'), 'invalid_request');
    await expectErrorPage(await initiate(''), 'invalid_request');
    await expectErrorPage(await initiate('client_id=portal.app&client_id=m2m'), 'invalid_request');
    await expectErrorPage(await initiate('client_id=m2m'), 'unauthorized_client');
  });

  it('links the clients with a login initiation endpoint on the signed-in home page', async () => {
    const anonymous = await (await fetch(`${s.url}/ui/`)).text();
    expect(anonymous).not.toContain('/connect/initiate-login');
    const jar = new CookieJar();
    await signIn(s.url, jar);
    const home = await (await jar.fetch(`${s.url}/ui/`)).text();
    expect(structuralProblems(home)).toEqual([]);
    expect(home).toContain('Open an application');
    expect(home).toContain(`href="${s.url}/connect/initiate-login?client_id=portal.app"`);
    expect(home).toContain('Portal portal.app');
    // Disabled clients and clients without the endpoint are not listed.
    expect(home).not.toContain('client_id=portal.off');
    expect(home).not.toContain('initiate-login?client_id=m2m');
  });

  it('config: initiateLoginUri must be an https URI (Registration 1.0 §2)', () => {
    const config = demoConfig();
    config.clients = [...(config.clients ?? []), portal('portal.http', { initiateLoginUri: 'http://app.example.com/start' })];
    let err: unknown;
    try {
      parseConfig(config);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const index = config.clients.length - 1;
    expect((err as ConfigError).issues).toContainEqual(expect.objectContaining({ path: `clients[${index}].initiateLoginUri` }));
  });
});
