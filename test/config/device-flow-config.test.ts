/**
 * The device flow's configuration (RFC 8628): defaults, per-client settings,
 * IdentityServer's names in appsettings, bad values, and the startup warnings
 * for a guessable user code space or unlimited guesses (§5.1).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, mapAppSettings, parseConfig } from '../../src/config/index.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const input = (deviceFlow?: Record<string, unknown>, client: Record<string, unknown> = {}) => ({
  identityResources: ['openid'],
  clients: [{ clientId: 'tv', requireClientSecret: false, allowedGrantTypes: [GRANT], allowedScopes: ['openid'], ...client }],
  ...(deviceFlow && { deviceFlow }),
});

describe('deviceFlow configuration', () => {
  it('has the defaults of docs/device-flow.md; a client may set its own lifetime and interval', () => {
    const { config, warnings } = parseConfig(input(undefined, { deviceCodeLifetime: '2m', pollingInterval: 10 }));
    expect(config.deviceFlow).toEqual({
      deviceCodeLifetime: 300,
      interval: 5,
      userCodeAlphabet: 'BCDFGHJKLMNPQRSTVWXZ',
      userCodeLength: 8,
      verificationPerIp: 10,
    });
    expect([config.clients[0].deviceCodeLifetime, config.clients[0].pollingInterval]).toEqual([120, 10]);
    expect(warnings).toEqual([]);
  });

  it('refuses an alphabet with repeats, lower case or too few characters, and out-of-range numbers', () => {
    for (const bad of [
      { userCodeAlphabet: 'BBCDFGHJKL' },
      { userCodeAlphabet: 'bcdfghjklm' },
      { userCodeAlphabet: 'BCDF' },
      { userCodeLength: 4 },
      { interval: 0 },
    ]) {
      expect(() => parseConfig(input(bad))).toThrow(ConfigError);
    }
  });

  it('warns when guesses are not limited or the code space is small, only with a device client', () => {
    const unlimited = parseConfig(input({ verificationPerIp: 0 })).warnings;
    expect(unlimited.map((w) => w.path)).toEqual(['deviceFlow.verificationPerIp']);
    const small = parseConfig(input({ userCodeAlphabet: 'BCDFGHJKLM', userCodeLength: 6 })).warnings;
    expect(small.map((w) => w.path)).toEqual(['deviceFlow.userCodeLength']);
    const noDeviceClient = parseConfig({ ...input({ verificationPerIp: 0 }), clients: [] }).warnings;
    expect(noDeviceClient).toEqual([]);
  });

  it("maps IdentityServer's DeviceCodeLifetime and PollingInterval from appsettings.json", () => {
    const mapped = mapAppSettings({
      IdentityServer: {
        Clients: [
          { ClientId: 'tv', RequireClientSecret: false, AllowedGrantTypes: [GRANT], AllowedScopes: ['openid'], DeviceCodeLifetime: 90, PollingInterval: 5 },
        ],
      },
    });
    const client = (mapped.input as { clients: Record<string, unknown>[] }).clients[0];
    expect([client.deviceCodeLifetime, client.pollingInterval]).toEqual([90, 5]);
  });
});
