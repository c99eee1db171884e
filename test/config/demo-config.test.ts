import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileClients, compileResources, loadConfig, type Config, type ConfigWarning } from '../../src/config/index.js';
import { clientResponseTypes } from '../../src/endpoints/authorize/response-types.js';

const demoPath = fileURLToPath(new URL('../../config/demo.json', import.meta.url));
const sha256 = (s: string) => createHash('sha256').update(s).digest('base64');
const ALL_SCOPES = ['openid', 'profile', 'email', 'api', 'offline_access'];
/** demo-keys/client.public.jwks.json of the contract, as the test fixture copies it (the project never reads ../shared). */
const CLIENT_JWKS = JSON.parse(readFileSync(new URL('../fixtures/demo-client.public.jwks.json', import.meta.url), 'utf8')) as unknown;

let config: Config;
let warnings: ConfigWarning[];
beforeAll(async () => {
  ({ config, warnings } = await loadConfig(demoPath));
});
const client = (id: string) => {
  const c = config.clients.find((x) => x.clientId === id);
  if (!c) throw new Error(`no client ${id}`);
  return c;
};

describe('demo configuration (public contract)', () => {
  it('parses without errors; only the test-user password warnings, the password grant warning and the front-channel token warnings', () => {
    const at = (id: string) => config.clients.findIndex((c) => c.clientId === id);
    expect(warnings.map((w) => w.path)).toEqual([
      `clients[${at('ro.client')}].allowedGrantTypes[0]`,
      `clients[${at('interactive.confidential.hybrid')}].allowAccessTokensViaBrowser`,
      `clients[${at('interactive.implicit')}].allowedGrantTypes[0]`,
      'users[0].password',
      'users[1].password',
      'users[2].password',
    ]);
    expect(warnings[0].message).toMatch(/password grant/);
    expect(warnings[1].message).toMatch(/front channel/);
    expect(warnings[2].message).toMatch(/implicit grant is insecure/);
    expect(config.server.issuer).toBeUndefined();
    expect(config.server.port).toBe(5000);
  });

  it.each([
    ['alice', '1', 'Alice Smith', 'Alice', 'AliceSmith@example.com', 'http://alice.example.com'],
    ['bob', '2', 'Bob Smith', 'Bob', 'BobSmith@example.com', 'http://bob.example.com'],
  ])('user %s', (username, sub, name, given, email, website) => {
    const u = config.users.find((x) => x.username === username)!;
    expect(u.password).toBe(username);
    expect(u.subjectId).toBe(sub);
    expect(u.isActive).toBe(true);
    expect(u.claims).toEqual({ name, given_name: given, family_name: 'Smith', email, email_verified: true, website });
  });

  it('user carol: password, then a TOTP code from JBSWY3DPEHPK3PXP (demo contract "More users")', () => {
    const u = config.users.find((x) => x.username === 'carol')!;
    expect(u.password).toBe('carol');
    expect(u.subjectId).toBe('3');
    expect(u.totpSecret).toBe('JBSWY3DPEHPK3PXP');
    expect(u.claims).toEqual({ name: 'Carol Jones', given_name: 'Carol', family_name: 'Jones', email: 'CarolJones@example.com', email_verified: true });
  });

  it('identity resources, API scope and API resource', () => {
    const resources = compileResources(config);
    expect([...resources.identity.keys()]).toEqual(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);
    expect(resources.identity.get('openid')!.required).toBe(true);
    expect(resources.identity.get('email')!.userClaims).toEqual(['email', 'email_verified']);
    expect(resources.apiScopes.get('api')!.displayName).toBeTruthy();
    expect(resources.resourcesByScope.get('api')!.map((r) => r.name)).toEqual(['api']);
    expect(resources.apiResources.get('api')!.apiSecrets[0].value).toBe(sha256('secret'));
  });

  it('interactive.confidential', () => {
    const c = client('interactive.confidential');
    expect(c.clientSecrets.map((s) => [s.value, s.type])).toEqual([[sha256('secret'), 'SharedSecret']]);
    expect(c.allowedGrantTypes).toEqual(['authorization_code', 'refresh_token']);
    expect([c.requirePkce, c.allowPlainTextPkce, c.requireConsent, c.allowOfflineAccess]).toEqual([true, false, false, true]);
    expect(c.allowedScopes).toEqual(ALL_SCOPES);
    expect(c.redirectUris).toEqual([
      'http://localhost:3000/api/auth/callback/identity-server4',
      'http://localhost:3000/api/auth/callback/duende-identity-server6',
      'http://localhost:3000/auth/callback/identity-server4',
      'http://localhost:3000/auth/callback/duende-identity-server6',
      'http://localhost:3000/callback',
    ]);
    expect(c.postLogoutRedirectUris).toEqual(['http://localhost:3000/']);
    expect(c.allowedCorsOrigins).toEqual([]);
    expect(c.refreshTokenUsage).toBe('oneTimeOnly');
    expect(c.accessTokenType).toBe('jwt');
  });

  it('interactive.public', () => {
    const c = client('interactive.public');
    expect(c.requireClientSecret).toBe(false);
    expect(c.clientSecrets).toEqual([]);
    expect(c.allowedGrantTypes).toEqual(['authorization_code', 'refresh_token']);
    expect([c.requirePkce, c.allowPlainTextPkce, c.requireConsent, c.allowOfflineAccess]).toEqual([true, false, true, true]);
    expect(c.allowedScopes).toEqual(ALL_SCOPES);
    expect(c.redirectUris).toEqual(['http://localhost:3000/spa/callback', 'http://127.0.0.1/callback']);
    expect(c.postLogoutRedirectUris).toEqual(['http://localhost:3000/spa/', 'http://127.0.0.1/']);
    expect(c.allowedCorsOrigins).toEqual(['http://localhost:3000']);
    expect(c.refreshTokenUsage).toBe('oneTimeOnly');
  });

  it('m2m', () => {
    const c = client('m2m');
    expect(c.clientSecrets.map((s) => s.value)).toEqual([sha256('secret')]);
    expect(c.allowedGrantTypes).toEqual(['client_credentials']);
    expect(c.allowedScopes).toEqual(['api']);
    expect([c.redirectUris, c.postLogoutRedirectUris, c.allowedCorsOrigins]).toEqual([[], [], []]);
  });

  it('m2m.jwt: as m2m, private_key_jwt only with the demo client key', () => {
    const c = client('m2m.jwt');
    expect(c.clientSecrets).toEqual([]);
    expect(c.tokenEndpointAuthMethods).toEqual(['private_key_jwt']);
    expect(c.jwks).toEqual(CLIENT_JWKS);
    expect([c.allowedGrantTypes, c.allowedScopes, c.accessTokenType]).toEqual([['client_credentials'], ['api'], 'jwt']);
    expect([c.requireDpop, c.requireDpopNonce]).toEqual([false, false]);
  });

  it.each([
    ['m2m.dpop', false],
    ['m2m.dpop.nonce', true],
  ])('%s: as m2m, DPoP required (nonce %s)', (id, nonce) => {
    const c = client(id);
    expect(c.clientSecrets.map((s) => s.value)).toEqual([sha256('secret')]);
    expect([c.allowedGrantTypes, c.allowedScopes, c.accessTokenType]).toEqual([['client_credentials'], ['api'], 'jwt']);
    expect([c.requireDpop, c.requireDpopNonce]).toEqual([true, nonce]);
  });

  it('interactive.confidential.jwt: as interactive.confidential, private_key_jwt only', () => {
    const { clientId: _a, clientName: _b, clientSecrets: _c, tokenEndpointAuthMethods: _d, jwks, ...rest } = client('interactive.confidential.jwt');
    const { clientId: _e, clientName: _f, clientSecrets: _g, tokenEndpointAuthMethods: _h, ...base } = client('interactive.confidential');
    expect(rest).toEqual(base);
    expect(jwks).toEqual(CLIENT_JWKS);
    expect(client('interactive.confidential.jwt').tokenEndpointAuthMethods).toEqual(['private_key_jwt']);
  });

  it('DPoP accepted from any client (RFC 9449)', () => {
    expect(config.dpop.enabled).toBe(true);
    expect(config.dpop.requireNonce).toBe(false);
  });

  it('device', () => {
    const c = client('device');
    expect(c.requireClientSecret).toBe(false);
    expect(c.allowedGrantTypes).toEqual(['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token']);
    expect([c.requireConsent, c.allowOfflineAccess]).toEqual([true, true]);
    expect(c.allowedScopes).toEqual(ALL_SCOPES);
    expect([c.redirectUris, c.postLogoutRedirectUris, c.allowedCorsOrigins]).toEqual([[], [], []]);
    expect(c.refreshTokenUsage).toBe('oneTimeOnly');
    // Second milestone: device codes live 90 s, the polling interval is 5 s.
    expect([c.deviceCodeLifetime, c.pollingInterval]).toEqual([90, 5]);
  });

  it('ciba (second milestone): secret, the CIBA grant in poll mode, openid profile email api', () => {
    const c = client('ciba');
    expect(c.clientSecrets.map((s) => s.value)).toEqual([sha256('secret')]);
    expect(c.requireClientSecret).toBe(true);
    expect(c.allowedGrantTypes).toEqual(['urn:openid:params:grant-type:ciba']);
    expect(c.backchannelTokenDeliveryMode).toBe('poll');
    expect(c.allowedScopes).toEqual(['openid', 'profile', 'email', 'api']);
    expect([c.redirectUris, c.postLogoutRedirectUris, c.allowedCorsOrigins]).toEqual([[], [], []]);
  });

  // "as X" in the contract: every value of X except the access token lifetime (75 s) and the id.
  it.each(['m2m', 'interactive.confidential', 'interactive.public'])('%s.short is %s with access tokens of 75 s', (id) => {
    const { clientId, clientName: _n, accessTokenLifetime, ...rest } = client(`${id}.short`);
    const { clientName: _m, accessTokenLifetime: original, ...base } = client(id);
    expect(clientId).toBe(`${id}.short`);
    expect([accessTokenLifetime, original]).toEqual([75, 3600]);
    expect({ ...rest, clientId: id }).toEqual(base);
  });

  it('interactive.confidential.par is interactive.confidential with pushed authorization requests required', () => {
    const { clientId, clientName: _n, requirePushedAuthorizationRequests, ...rest } = client('interactive.confidential.par');
    const { clientName: _m, requirePushedAuthorizationRequests: original, ...base } = client('interactive.confidential');
    expect(clientId).toBe('interactive.confidential.par');
    expect([requirePushedAuthorizationRequests, original]).toEqual([true, false]);
    expect({ ...rest, clientId: 'interactive.confidential' }).toEqual(base);
  });

  it('ro.client: password and refresh_token, secret, all scopes', () => {
    const c = client('ro.client');
    expect(c.clientSecrets.map((s) => s.value)).toEqual([sha256('secret')]);
    expect(c.allowedGrantTypes).toEqual(['password', 'refresh_token']);
    expect(c.allowedScopes).toEqual(ALL_SCOPES);
    expect([c.allowOfflineAccess, c.refreshTokenUsage, c.accessTokenType]).toEqual([true, 'oneTimeOnly', 'jwt']);
    expect([c.redirectUris, c.postLogoutRedirectUris, c.allowedCorsOrigins]).toEqual([[], [], []]);
  });

  it('interactive.confidential.hybrid: as interactive.confidential, with the hybrid response types', () => {
    const c = client('interactive.confidential.hybrid');
    const base = client('interactive.confidential');
    const { clientId, clientName, allowedGrantTypes, allowAccessTokensViaBrowser, ...rest } = c;
    const { clientId: _i, clientName: _n, allowedGrantTypes: _g, allowAccessTokensViaBrowser: _a, ...baseRest } = base;
    expect(rest).toEqual(baseRest);
    expect([clientId, clientName]).toEqual(['interactive.confidential.hybrid', 'Interactive client (confidential, hybrid)']);
    expect(allowedGrantTypes).toEqual(['authorization_code', 'hybrid', 'refresh_token']);
    expect(allowAccessTokensViaBrowser).toBe(true);
    expect(clientResponseTypes(compileClients(config).find(clientId)!)).toEqual(['code', 'code id_token', 'code token', 'code id_token token']);
  });

  it('interactive.implicit', () => {
    const c = client('interactive.implicit');
    expect(c.requireClientSecret).toBe(false);
    expect(c.clientSecrets).toEqual([]);
    expect(c.allowedGrantTypes).toEqual(['implicit']);
    expect([c.allowAccessTokensViaBrowser, c.requireConsent, c.allowOfflineAccess]).toEqual([true, false, false]);
    expect(c.allowedScopes).toEqual(['openid', 'profile', 'email', 'api']);
    expect(c.redirectUris).toEqual(['http://localhost:3000/implicit/callback', 'http://localhost:3000/callback']);
    expect(c.postLogoutRedirectUris).toEqual(['http://localhost:3000/']);
    expect(clientResponseTypes(compileClients(config).find('interactive.implicit')!)).toEqual(['id_token', 'id_token token']);
  });

  it('exchange (second milestone): token exchange of access tokens of audience api, impersonation and delegation', () => {
    const c = client('exchange');
    expect(c.clientSecrets.map((s) => [s.value, s.type])).toEqual([[sha256('secret'), 'SharedSecret']]);
    expect(c.requireClientSecret).toBe(true);
    expect(c.allowedGrantTypes).toEqual(['urn:ietf:params:oauth:grant-type:token-exchange']);
    expect(c.allowedScopes).toEqual(['api']);
    expect(c.tokenExchange).toEqual({
      subjectTokenTypes: ['urn:ietf:params:oauth:token-type:access_token'],
      subjectTokenAudiences: ['api'],
      subjectTokenClients: ['*'],
      allowedAudiences: [],
      impersonation: true,
      delegation: true,
    });
    expect([c.redirectUris, c.postLogoutRedirectUris, c.allowedCorsOrigins]).toEqual([[], [], []]);
  });

  it('exactly the contract clients, compiled with the expected auth methods', () => {
    const registry = compileClients(config);
    const methods = (id: string) => [...registry.find(id)!.authMethods].sort();
    expect(registry.all().map((c) => c.clientId)).toEqual([
      'interactive.confidential',
      'interactive.confidential.jwt',
      'interactive.public',
      'm2m',
      'm2m.jwt',
      'm2m.dpop',
      'm2m.dpop.nonce',
      'device',
      'm2m.short',
      'interactive.confidential.short',
      'interactive.confidential.par',
      'interactive.public.short',
      'ro.client',
      'ciba',
      'interactive.confidential.hybrid',
      'interactive.implicit',
      'exchange',
    ]);
    expect(methods('interactive.confidential.hybrid')).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(methods('interactive.implicit')).toEqual(['none']);
    expect(methods('m2m.jwt')).toEqual(['private_key_jwt']);
    expect(methods('interactive.confidential.jwt')).toEqual(['private_key_jwt']);
    expect(methods('m2m.dpop')).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(methods('interactive.confidential')).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(methods('interactive.public')).toEqual(['none']);
    expect(methods('m2m')).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(methods('device')).toEqual(['none']);
    expect(methods('ro.client')).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(methods('interactive.public.short')).toEqual(['none']);
    expect(methods('ciba')).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(methods('exchange')).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(registry.find('interactive.public')!.corsOriginSet.has('http://localhost:3000')).toBe(true);
  });
});
