import { describe, expect, it } from 'vitest';
import { compileClients, compileResources, parseConfig } from '../../src/config/index.js';

const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] };
const hashed = { value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' };

function compile(clients: Record<string, unknown>[]) {
  const withGrants = clients.map((c) => ({ allowedGrantTypes: ['client_credentials'], ...c }));
  return compileClients(parseConfig({ clients: withGrants }).config);
}
const methods = (registry: ReturnType<typeof compile>, id: string) => [...registry.find(id)!.authMethods].sort();

describe('compileClients', () => {
  it('derives authMethods from secrets and keys', () => {
    const r = compile([
      { clientId: 'shared', clientSecrets: [hashed] },
      { clientId: 'symmetric', clientSecrets: [{ value: 'plain-hmac-key', type: 'SymmetricKey' }] },
      { clientId: 'keys', jwks },
      { clientId: 'keys-uri', jwksUri: 'https://client.example.com/jwks', clientSecrets: [hashed] },
      { clientId: 'public', requireClientSecret: false, allowedGrantTypes: ['urn:ietf:params:oauth:grant-type:device_code'], jwks },
      { clientId: 'explicit', clientSecrets: [hashed], jwks, tokenEndpointAuthMethods: ['private_key_jwt'] },
    ]);
    expect(methods(r, 'shared')).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(methods(r, 'symmetric')).toEqual(['client_secret_basic', 'client_secret_jwt', 'client_secret_post']);
    expect(methods(r, 'keys')).toEqual(['private_key_jwt']);
    expect(methods(r, 'keys-uri')).toEqual(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);
    expect(methods(r, 'public')).toEqual(['none']);
    expect(methods(r, 'explicit')).toEqual(['private_key_jwt']);
    expect(r.find('public')!.isPublic).toBe(true);
    expect(r.find('shared')!.isPublic).toBe(false);
  });

  it('builds lookup sets; origins without trailing slash', () => {
    const r = compile([
      {
        clientId: 'web',
        clientSecrets: [hashed],
        allowedGrantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: ['https://app.example.com/cb'],
        allowedScopes: [],
        allowedCorsOrigins: ['https://app.example.com/', 'http://localhost:3000'],
      },
    ]);
    const web = r.find('web')!;
    expect([...web.grantTypeSet]).toEqual(['authorization_code', 'refresh_token']);
    expect(web.redirectUriSet.has('https://app.example.com/cb')).toBe(true);
    expect([...web.corsOriginSet]).toEqual(['https://app.example.com', 'http://localhost:3000']);
  });

  it('find answers enabled clients only; all lists every client', () => {
    const r = compile([
      { clientId: 'on', clientSecrets: [hashed] },
      { clientId: 'off', clientSecrets: [hashed], enabled: false },
    ]);
    expect(r.find('off')).toBeUndefined();
    expect(r.find('nope')).toBeUndefined();
    expect(r.all().map((c) => c.clientId)).toEqual(['on', 'off']);
  });
});

describe('compileResources', () => {
  it('maps resources by name and API scopes to the resources that list them', () => {
    const { config } = parseConfig({
      identityResources: ['openid', { name: 'custom', userClaims: ['x'] }, { name: 'hidden', enabled: false }],
      apiScopes: [{ name: 'read' }, { name: 'write' }, { name: 'admin' }],
      apiResources: [
        { name: 'orders', scopes: ['read', 'write'] },
        { name: 'invoices', scopes: ['read'] },
        { name: 'retired', scopes: ['admin'], enabled: false },
      ],
    });
    const res = compileResources(config);
    expect([...res.identity.keys()]).toEqual(['openid', 'custom']);
    expect([...res.apiScopes.keys()]).toEqual(['read', 'write', 'admin']);
    expect([...res.apiResources.keys()]).toEqual(['orders', 'invoices']);
    expect(res.resourcesByScope.get('read')!.map((r) => r.name)).toEqual(['orders', 'invoices']);
    expect(res.resourcesByScope.get('write')!.map((r) => r.name)).toEqual(['orders']);
    expect(res.resourcesByScope.get('admin')).toEqual([]);
  });
});
