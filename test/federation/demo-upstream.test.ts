/** The demo's external provider (demo contract, "An external provider"): added only when UPSTREAM_OIDC_ISSUER is set. */
import { describe, expect, it } from 'vitest';
import { applyEnv } from '../../src/cli/start.js';
import { parseConfig } from '../../src/config/load.js';
import { resolveProvider } from '../../src/federation/presets.js';
import { demoConfig } from '../helpers/server.js';

describe('demo: UPSTREAM_OIDC_ISSUER', () => {
  it('adds provider "upstream" exactly as the demo contract says', () => {
    const { config } = parseConfig(applyEnv(demoConfig(), { UPSTREAM_OIDC_ISSUER: 'https://upstream.example/' }));
    expect(config.externalProviders).toHaveLength(1);
    const p = resolveProvider(config.externalProviders[0]);
    expect(p).toMatchObject({
      name: 'upstream',
      displayName: 'Upstream',
      protocol: 'oidc',
      issuer: 'https://upstream.example',
      scopes: ['openid', 'profile', 'email'],
    });
    expect(p.config).toMatchObject({ clientId: 'gatehouse', clientSecret: 'secret', tokenEndpointAuthMethod: 'client_secret_basic', usePkce: true });
  });

  it('adds nothing without it', () => {
    expect(parseConfig(applyEnv(demoConfig(), {})).config.externalProviders).toEqual([]);
  });
});
