import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadConfigFile, mapAppSettings, parseConfig } from '../../src/config/index.js';

const fixture = fileURLToPath(new URL('../fixtures/appsettings.json', import.meta.url));

describe('IdentityServer appsettings.json', () => {
  it('maps the IdentityServer section onto the model and ignores other sections', async () => {
    const { config } = await loadConfig(fixture);
    expect(config.server.issuer).toBe('https://login.example.com');
    const [m2m, interactive] = config.clients;
    expect(m2m).toMatchObject({
      clientId: 'm2m.client',
      clientName: 'Client Credentials Client',
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['scope1'],
      accessTokenType: 'reference',
      accessTokenLifetime: 600,
      claims: [{ type: 'tenant', value: 'acme' }],
      alwaysSendClientClaims: true,
      clientClaimsPrefix: '',
      requireClientSecret: true,
    });
    expect(m2m.clientSecrets).toEqual([
      { value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=', type: 'SharedSecret', description: 'primary', expiration: '2099-01-01T00:00:00Z' },
    ]);
    expect(m2m.userSsoLifetime).toBeUndefined();
    // The logout settings' defaults (IdentityServer's).
    expect(m2m).toMatchObject({ frontChannelLogoutSessionRequired: true, backChannelLogoutSessionRequired: true, coordinateLifetimeWithUserSession: false });
    expect(interactive).toMatchObject({
      clientId: 'interactive',
      requireConsent: true,
      allowRememberConsent: false,
      redirectUris: ['https://localhost:44300/signin-oidc'],
      frontChannelLogoutUri: 'https://localhost:44300/signout-oidc',
      frontChannelLogoutSessionRequired: false,
      backChannelLogoutUri: 'https://localhost:44300/bff/backchannel',
      backChannelLogoutSessionRequired: true,
      coordinateLifetimeWithUserSession: true,
      postLogoutRedirectUris: ['https://localhost:44300/signout-callback-oidc'],
      allowedCorsOrigins: ['https://localhost:44300'],
      refreshTokenUsage: 'reUse',
      refreshTokenExpiration: 'sliding',
      absoluteRefreshTokenLifetime: 86400,
      slidingRefreshTokenLifetime: 3600,
      alwaysIncludeUserClaimsInIdToken: true,
      // IdentityServer's AllowOfflineAccess alone enables refresh tokens.
      allowedGrantTypes: ['authorization_code', 'refresh_token'],
      allowedScopes: ['openid', 'profile', 'scope2', 'offline_access'],
    });
  });

  it('maps resources and test users (claims list to record, value types honoured)', async () => {
    const { config } = await loadConfig(fixture);
    expect(config.identityResources.map((r) => (typeof r === 'string' ? r : r.name))).toEqual(['openid', 'profile', 'offline_access']);
    expect(config.identityResources[1]).toMatchObject({ name: 'profile', emphasize: true, userClaims: ['name', 'website'] });
    expect(config.apiScopes[1]).toMatchObject({ name: 'scope2', displayName: 'Scope 2', required: true, userClaims: ['role'] });
    expect(config.apiResources[0]).toMatchObject({ name: 'api1', scopes: ['scope1', 'scope2'], userClaims: ['role'], requireResourceIndicator: true });
    expect(config.apiResources[0].apiSecrets[0].value).toBe('K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=');
    expect(config.users[0]).toMatchObject({ subjectId: '818727', username: 'alice', password: 'alice', isActive: true });
    expect(config.users[0].claims).toEqual({
      name: 'Alice Smith',
      email_verified: true,
      role: ['admin', 'user'],
      address: { street_address: 'One Hacker Way', country: 'Germany' },
    });
  });

  it('warns about IdentityServer settings it drops with a non-default value, silently drops defaults', async () => {
    const { warnings } = await loadConfig(fixture);
    const paths = warnings.map((w) => w.path);
    expect(paths).toContain('IdentityServer.Clients[1].EnableLocalLogin');
    // AllowAccessTokensViaBrowser is implemented (docs/response-types.md): mapped, not dropped.
    expect(paths).not.toContain('IdentityServer.Clients[1].AllowAccessTokensViaBrowser');
    expect(paths).not.toContain('IdentityServer.Clients[0].AllowAccessTokensViaBrowser');
    expect(paths).not.toContain('IdentityServer.EmitStaticAudienceClaim');
    expect(paths).toContain('users[0].password');
  });

  it('AllowAccessTokensViaBrowser maps onto allowAccessTokensViaBrowser', async () => {
    const { config } = await loadConfig(fixture);
    expect(config.clients.map((c) => c.allowAccessTokensViaBrowser)).toEqual([false, true]);
  });

  it('loadConfigFile returns the mapped input model', async () => {
    const input = await loadConfigFile(fixture);
    expect(input.clients?.[0]?.clientId).toBe('m2m.client');
    expect(input).not.toHaveProperty('logging');
  });

  it('reports misspelt appsettings keys as errors, with a hint', () => {
    const doc = {
      IdentityServer: {
        ApiScopes: [{ Name: 'api' }],
        Clients: [{ ClientId: 'c', ClientSecrets: [{ Value: 'x' }], AllowedGrantTypes: ['client_credentials'], AllowedScope: ['api'] }],
      },
    };
    const err = captureError(() => parseConfig(doc));
    expect(err.issues).toContainEqual({ path: 'clients[0].allowedScope', message: 'unknown key (did you mean "allowedScopes"?)' });
  });

  it('maps JWK secrets to the client key set and rejects unknown enum values', () => {
    const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
    const { input } = mapAppSettings({
      IdentityServer: { Clients: [{ ClientId: 'k', ClientSecrets: [{ Type: 'JWK', Value: JSON.stringify(jwk) }], AccessTokenType: 'Opaque' }] },
    });
    expect((input.clients as Record<string, unknown>[])[0]).toEqual({ clientId: 'k', clientSecrets: [], jwks: { keys: [jwk] }, accessTokenType: 'Opaque' });
    const err = captureError(() => parseConfig({ IdentityServer: { Clients: [{ ClientId: 'k', AccessTokenType: 'Opaque' }] } }));
    expect(err.issues.map((i) => i.path)).toEqual(['clients[0].accessTokenType']);
  });
});

function captureError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
