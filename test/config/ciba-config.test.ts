/** CIBA configuration (docs/ciba.md): defaults, the client fields' cross checks (CIBA Core §4) and the insecure-setting warning. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { validateConfig } from '../../src/config/validate.js';

const SECRET = [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }];
const withClient = (client: Record<string, unknown>) => ({
  identityResources: ['openid'],
  clients: [{ clientId: 'c', clientSecrets: SECRET, allowedGrantTypes: ['urn:openid:params:grant-type:ciba'], allowedScopes: ['openid'], ...client }],
});
const problems = (input: unknown): string[] => {
  try {
    validateConfig(input);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
};

describe('CIBA configuration', () => {
  it('has defaults: 300 s requests (at most 1800 s), a 5 s interval, 64-character binding messages; clients poll', () => {
    const { config } = validateConfig(withClient({}));
    expect(config.ciba).toEqual({ defaultExpiry: 300, maxExpiry: 1800, interval: 5, bindingMessageMaxLength: 64, pingRetries: 2 });
    expect(config.clients[0].backchannelTokenDeliveryMode).toBeUndefined();
  });

  it('refuses the CIBA grant for a public client and ping mode without a notification endpoint', () => {
    expect(problems(withClient({ requireClientSecret: false, clientSecrets: [] }))).toEqual([
      'clients[0].allowedGrantTypes[0]: the CIBA grant needs a confidential client (requireClientSecret is false)',
    ]);
    expect(problems(withClient({ backchannelTokenDeliveryMode: 'ping' }))).toEqual([
      'clients[0].backchannelClientNotificationEndpoint: ping mode needs backchannelClientNotificationEndpoint (CIBA Core §4)',
    ]);
    expect(problems(withClient({ backchannelTokenDeliveryMode: 'push', backchannelClientNotificationEndpoint: 'https://rp.example/n' }))).toHaveLength(1);
  });

  it('warns when the ping would carry its bearer token over http off loopback', () => {
    const ping = (endpoint: string) =>
      validateConfig(withClient({ backchannelTokenDeliveryMode: 'ping', backchannelClientNotificationEndpoint: endpoint })).warnings.map((w) => w.path);
    expect(ping('http://rp.example/ciba')).toContain('clients[0].backchannelClientNotificationEndpoint');
    expect(ping('https://rp.example/ciba')).not.toContain('clients[0].backchannelClientNotificationEndpoint');
    expect(ping('http://127.0.0.1:8080/ciba')).not.toContain('clients[0].backchannelClientNotificationEndpoint');
  });

  it("reads IdentityServer's Client.CibaLifetime from an appsettings.json", () => {
    const { config, warnings } = parseConfig({
      IdentityServer: {
        IdentityResources: [{ Name: 'openid', UserClaims: ['sub'] }],
        Clients: [
          {
            ClientId: 'c',
            ClientSecrets: SECRET.map((x) => ({ Value: x.value })),
            AllowedGrantTypes: ['urn:openid:params:grant-type:ciba'],
            AllowedScopes: ['openid'],
            CibaLifetime: 120,
          },
        ],
      },
    });
    expect(config.clients[0].cibaLifetime).toBe(120);
    expect(warnings).toEqual([]);
  });
});
