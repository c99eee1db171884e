import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/index.js';

const secret = [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }];
const base = () => ({
  identityResources: ['openid', 'profile'],
  apiScopes: [{ name: 'api' }],
  apiResources: [{ name: 'api', scopes: ['api'] }],
  clients: [
    {
      clientId: 'web',
      clientSecrets: secret,
      allowedGrantTypes: ['authorization_code'],
      redirectUris: ['https://app.example.com/cb'],
      allowedScopes: ['openid', 'api'],
    },
  ] as Record<string, unknown>[],
  users: [{ subjectId: '1', username: 'alice', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' }] as Record<string, unknown>[],
});

function errorOf(input: unknown, opts?: Parameters<typeof parseConfig>[1]): ConfigError {
  try {
    parseConfig(input, opts);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('accepts a valid configuration without warnings; durations become seconds', () => {
    const { config, warnings } = parseConfig({ ...base(), keys: { retentionTime: '2d' } });
    expect(warnings).toEqual([]);
    expect(config.keys.rotationInterval).toBe(90 * 86400);
    expect(config.keys.retentionTime).toBe(2 * 86400);
    expect(config.authentication.cookieLifetime).toBe(10 * 3600);
    expect(config.identityResources[0]).toMatchObject({ name: 'openid', userClaims: ['sub'], required: true });
  });

  it('lists every error at once, each with its path and reason', () => {
    const input = base();
    input.clients.push(
      {
        clientId: 'spa',
        requireClientSecret: false,
        allowedGrantTypes: ['authorization_code', 'client_credentials'],
        redirectUris: ['https://spa.example.com/cb#frag'],
        allowedScopes: ['openid', 'photos'],
      },
      { clientId: 'web', clientSecrets: secret, allowedGrantTypes: ['saml2-bearer'], redirectUri: 'https://x.example.com/cb' },
      { clientId: 'api-only', clientSecrets: secret, allowedGrantTypes: ['authorization_code'] },
    );
    input.users.push({ subjectId: '1', username: 'ALICE', password: 'x' });
    const err = errorOf({ ...input, apiResources: [{ name: 'api', scopes: ['api', 'orders'] }] });
    expect(err.issues).toEqual(
      expect.arrayContaining([
        { path: 'clients[1].redirectUris[0]', message: 'must be an absolute URI without fragment' },
        { path: 'clients[1].allowedScopes[1]', message: 'scope "photos" is not defined in identityResources or apiScopes' },
        { path: 'clients[1].allowedGrantTypes[1]', message: 'client_credentials needs a confidential client (requireClientSecret is false)' },
        { path: 'clients[2].clientId', message: 'duplicate clientId "web" (also clients[0])' },
        { path: 'clients[2].redirectUri', message: 'unknown key (did you mean "redirectUris"?)' },
        { path: 'clients[3].redirectUris', message: 'at least one redirect URI is required for the authorization_code, implicit and hybrid grants' },
        { path: 'apiResources[0].scopes[1]', message: 'API scope "orders" is not defined in apiScopes' },
        { path: 'users[1].subjectId', message: 'duplicate subjectId "1" (also users[0])' },
      ]),
    );
    expect(err.issues.find((i) => i.path === 'clients[2].allowedGrantTypes[0]')?.message).toMatch(/^unknown grant type "saml2-bearer"/);
    expect(err.issues.find((i) => i.path === 'users[1].username')?.message).toMatch(/^duplicate username "ALICE"/);
    expect(err.message).toContain(`Invalid configuration (${err.issues.length} problems):`);
    expect(err.message).toContain('\n  clients[1].redirectUris[0]: must be an absolute URI without fragment');
  });

  it('reports type errors, union branches and unknown keys at any depth', () => {
    const err = errorOf({
      server: { port: 'eighty', issuer: 'not a uri', colour: 1 },
      keys: { rotationInterval: 'often' },
      identityResources: ['openid', 'profil', { name: 'custom', userClaim: ['x'] }],
      clients: [{ clientId: 'x', accessTokenLifetime: true, allowedCorsOrigins: ['*'] }],
    });
    const byPath = Object.fromEntries(err.issues.map((i) => [i.path, i.message]));
    expect(byPath['server.port']).toMatch(/expected number/);
    expect(byPath['server.issuer']).toBe('must be an absolute URI without fragment');
    expect(byPath['server.colour']).toBe('unknown key');
    expect(byPath['keys.rotationInterval']).toBe('must be seconds or a duration such as "90d", "12h", "30m"');
    expect(byPath['identityResources[1]']).toMatch(/^unknown standard identity resource "profil"/);
    expect(byPath['identityResources[2].userClaim']).toBe('unknown key (did you mean "userClaims"?)');
    expect(byPath['clients[0].accessTokenLifetime']).toBe('expected number or string');
    expect(byPath['clients[0].allowedCorsOrigins[0]']).toBe('must be an origin (scheme://host[:port]) without path');
  });

  it('accepts extra grant types registered by the host', () => {
    const input = base();
    input.clients[0].allowedGrantTypes = ['authorization_code', 'urn:example:custom'];
    expect(errorOf(input).issues.map((i) => i.path)).toEqual(['clients[0].allowedGrantTypes[1]']);
    expect(() => parseConfig(input, { extraGrantTypes: ['urn:example:custom'] })).not.toThrow();
  });

  it('rejects a non-object', () => {
    expect(errorOf([1, 2]).issues).toEqual([{ path: '(root)', message: 'must be an object' }]);
  });
});

describe('warnings name the insecure setting', () => {
  it.each([
    ['implicit grant', { allowedGrantTypes: ['implicit'] }, 'clients[0].allowedGrantTypes[0]', /implicit grant is insecure/],
    ['password grant', { allowedGrantTypes: ['password'] }, 'clients[0].allowedGrantTypes[0]', /password grant/],
    ['plain PKCE', { allowPlainTextPkce: true }, 'clients[0].allowPlainTextPkce', /plain PKCE/],
    ['PKCE off', { requirePkce: false }, 'clients[0].requirePkce', /requirePkce is false/],
    ['http redirect', { redirectUris: ['http://app.example.com/cb'] }, 'clients[0].redirectUris[0]', /http URI off loopback/],
    ['http post-logout', { postLogoutRedirectUris: ['http://app.example.com/'] }, 'clients[0].postLogoutRedirectUris[0]', /http URI off loopback/],
    ['symmetric secret', { clientSecrets: [{ value: 'shh', type: 'SymmetricKey' }] }, 'clients[0].clientSecrets[0].type', /plain text/],
    ['offline_access without allowOfflineAccess', { allowedScopes: ['openid', 'offline_access'] }, 'clients[0].allowOfflineAccess', /no refresh tokens/],
  ])('%s', (_, patch, path, message) => {
    const input = base();
    input.clients[0] = { ...input.clients[0], ...patch };
    const { warnings } = parseConfig({ ...input, identityResources: ['openid', 'offline_access'] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0].path).toBe(path);
    expect(warnings[0].message).toMatch(message);
  });

  it('loopback http redirect URIs are not warned about', () => {
    const input = base();
    input.clients[0].redirectUris = ['http://localhost:3000/cb', 'http://127.0.0.1/cb', 'http://[::1]:8080/cb', 'com.example.app:/cb'];
    expect(parseConfig(input).warnings).toEqual([]);
  });

  it('server, keys and users', () => {
    const input = { ...base(), server: { issuer: 'http://login.example.com' }, keys: { keyEncryptionKey: 'a2V5' } };
    input.users[0] = { subjectId: '1', username: 'alice', password: 'alice' };
    const paths = parseConfig(input).warnings.map((w) => w.path);
    expect(paths).toEqual(['server.issuer', 'keys.keyEncryptionKey', 'users[0].password']);
    expect(parseConfig({ ...base(), server: { issuer: 'http://localhost:5000' } }).warnings).toEqual([]);
  });
});

describe('loading files', () => {
  it('loads YAML', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-config-'));
    const file = join(dir, 'gatehouse.yaml');
    await writeFile(
      file,
      [
        'identityResources: [openid]',
        'apiScopes:',
        '  - name: api',
        'clients:',
        '  - clientId: m2m',
        '    clientSecrets: [{ value: abc }]',
        '    allowedGrantTypes: [client_credentials]',
        '    allowedScopes: [api]',
        '    accessTokenLifetime: 30m',
        '',
      ].join('\n'),
    );
    const { config } = await loadConfig(file);
    expect(config.clients[0]).toMatchObject({ clientId: 'm2m', allowedScopes: ['api'], accessTokenLifetime: 1800 });
  });

  it('names the file on syntax errors and validation errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-config-'));
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "clients": [ }');
    await expect(loadConfig(broken)).rejects.toThrow(/Invalid configuration in .*broken\.json \(1 problem\):\n {2}\(file\): syntax error/);
    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, JSON.stringify({ clients: [{ clientId: '' }] }));
    await expect(loadConfig(invalid)).rejects.toThrow(/invalid\.json.*\n {2}clients\[0\]\.clientId: /);
  });
});
