/** Client and resource stores in the host's database, behind TTL caches (through HTTP). */
import { afterEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/client-auth/secrets.js';
import type { ClientDefinition, ClientStore } from '../../src/extensions/client-store.js';
import type { ResourceDefinitions, ResourceStore } from '../../src/extensions/resource-store.js';
import { TtlCache } from '../../src/extensions/ttl-cache.js';
import { startTestServer, TestClock, type TestServer } from '../helpers/server.js';
import { claimsOf, tokenRequest, userinfo } from './helpers.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';

function hostClients() {
  const rows = new Map<string, ClientDefinition>([
    [
      'db.m2m',
      { clientId: 'db.m2m', clientSecrets: [{ value: hashSecret('db-secret') }], allowedGrantTypes: ['client_credentials'], allowedScopes: ['api', 'orders'] },
    ],
    [
      'db.off',
      {
        clientId: 'db.off',
        enabled: false,
        clientSecrets: [{ value: hashSecret('db-secret') }],
        allowedGrantTypes: ['client_credentials'],
        allowedScopes: ['api'],
      },
    ],
  ]);
  const lookups: string[] = [];
  const store: ClientStore = {
    async findClientById(id) {
      lookups.push(id);
      return rows.get(id);
    },
  };
  return { rows, lookups, store };
}

function hostResources() {
  const data: ResourceDefinitions = { apiScopes: [{ name: 'orders', displayName: 'Orders' }], apiResources: [{ name: 'orders-api', scopes: ['orders'] }] };
  let reads = 0;
  const store: ResourceStore = {
    async getAllResources() {
      reads++;
      return structuredClone(data);
    },
  };
  return { data, store, reads: () => reads };
}

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('client store', () => {
  it("authenticates a client from the host's store, asking the store once per TTL", async () => {
    const host = hostClients();
    const clock = new TestClock();
    s = await startTestServer({ clock, options: { clientStore: host.store, storeCache: { ttl: 60 } } });
    const cc = () => tokenRequest(s!.url, { grant_type: 'client_credentials', scope: 'api' }, 'db.m2m', 'db-secret');
    const first = await cc();
    expect(first.status).toBe(200);
    expect(claimsOf(first.body.access_token)).toMatchObject({ sub: 'db.m2m', client_id: 'db.m2m', aud: 'api' });
    expect((await cc()).status).toBe(200);
    expect(host.lookups).toEqual(['db.m2m']);
    // After the TTL the store is asked again and sees changes (a wrong secret now).
    host.rows.get('db.m2m')!.clientSecrets = [{ value: hashSecret('rotated') }];
    expect((await cc()).status).toBe(200);
    clock.advance(61);
    const afterTtl = await cc();
    expect(afterTtl).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(host.lookups).toEqual(['db.m2m', 'db.m2m']);
  });

  it('configured clients answer first without asking the store; unknown and disabled clients are invalid_client', async () => {
    const host = hostClients();
    s = await startTestServer({ options: { clientStore: host.store } });
    expect((await tokenRequest(s.url, { grant_type: 'client_credentials', scope: 'api' }, 'm2m')).status).toBe(200);
    expect(host.lookups).toEqual([]);
    for (const id of ['db.off', 'nobody', 'nobody']) {
      expect(await tokenRequest(s.url, { grant_type: 'client_credentials', scope: 'api' }, id, 'db-secret')).toMatchObject({
        status: 401,
        body: { error: 'invalid_client' },
      });
    }
    // An unknown id is cached too: the flood of one made-up id costs one query.
    expect(host.lookups).toEqual(['db.off', 'nobody']);
  });

  it('allows the CORS origins of store clients once they are cached', async () => {
    const host = hostClients();
    host.rows.get('db.m2m')!.allowedCorsOrigins = ['https://spa.example'];
    s = await startTestServer({ options: { clientStore: host.store } });
    const preflight = () =>
      fetch(`${s!.url}/connect/token`, { method: 'OPTIONS', headers: { origin: 'https://spa.example', 'access-control-request-method': 'POST' } });
    expect((await preflight()).headers.get('access-control-allow-origin')).toBeNull();
    expect((await tokenRequest(s.url, { grant_type: 'client_credentials', scope: 'api' }, 'db.m2m', 'db-secret')).status).toBe(200);
    expect((await preflight()).headers.get('access-control-allow-origin')).toBe('https://spa.example');
  });

  it('treats a definition that does not parse, or names another client, as unknown', async () => {
    const host = hostClients();
    host.rows.set('db.bad', {
      clientId: 'db.bad',
      clientSecrets: [{ value: hashSecret('db-secret') }],
      allowedGrantTypes: ['client_credentials'],
      accessTokenLifetime: -5,
    });
    host.rows.set('db.alias', { ...host.rows.get('db.m2m')! });
    s = await startTestServer({ options: { clientStore: host.store } });
    for (const id of ['db.bad', 'db.alias']) {
      expect(await tokenRequest(s.url, { grant_type: 'client_credentials', scope: 'api' }, id, 'db-secret')).toMatchObject({
        status: 401,
        body: { error: 'invalid_client' },
      });
    }
  });
});

describe('client store in the user flows', () => {
  it('signs a user in to a store client; once the store disables it, its tokens get no userinfo (401)', async () => {
    const host = hostClients();
    host.rows.set('db.web', {
      clientId: 'db.web',
      clientSecrets: [{ value: hashSecret('db-secret') }],
      allowedGrantTypes: ['authorization_code'],
      allowedScopes: ['openid', 'profile'],
      redirectUris: ['https://db-web.example/cb'],
    });
    const clock = new TestClock();
    s = await startTestServer({ clock, options: { clientStore: host.store, storeCache: { ttl: 60 } } });
    const flow = await authorizeWithLogin(s.url, { clientId: 'db.web', redirectUri: 'https://db-web.example/cb', scope: 'openid profile' });
    const tokens = await exchangeCode(s.url, flow.code, flow.verifier, 'db.web', 'db-secret', 'https://db-web.example/cb');
    expect(tokens.status).toBe(200);
    expect((await userinfo(s.url, tokens.body.access_token)).body).toMatchObject({ sub: '1', name: 'Alice Smith' });
    host.rows.get('db.web')!.enabled = false;
    clock.advance(61);
    const info = await userinfo(s.url, tokens.body.access_token);
    expect(info.status).toBe(401);
    expect(info.wwwAuthenticate).toMatch(/error="invalid_token"/);
  });
});

describe('resource store', () => {
  it("grants the host's API scopes; discovery lists them; refreshStores reads the store again", async () => {
    const host = hostResources();
    const clients = hostClients();
    s = await startTestServer({ options: { resourceStore: host.store, clientStore: clients.store } });
    const res = await tokenRequest(s.url, { grant_type: 'client_credentials', scope: 'orders' }, 'db.m2m', 'db-secret');
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token)).toMatchObject({ aud: 'orders-api', scope: 'orders' });
    const discovery = async () =>
      ((await (await fetch(`${s!.url}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] }).scopes_supported;
    expect(await discovery()).toContain('orders');
    expect(await discovery()).toContain('api');
    host.data.apiScopes!.push({ name: 'invoices' });
    expect(await discovery()).not.toContain('invoices');
    // Cached: within the TTL the store is not read again.
    await s.gh.refreshStores();
    expect(await discovery()).not.toContain('invoices');
    expect(host.reads()).toBe(1);
  });

  it('reads the store again after the TTL', async () => {
    const host = hostResources();
    const clock = new TestClock();
    s = await startTestServer({ clock, options: { resourceStore: host.store, storeCache: { ttl: 30 } } });
    host.data.apiScopes!.push({ name: 'invoices' });
    clock.advance(31);
    await s.gh.refreshStores();
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] };
    expect(doc.scopes_supported).toContain('invoices');
    expect(host.reads()).toBe(2);
  });
});

describe('TtlCache', () => {
  it('is bounded: the oldest entry goes first', () => {
    const cache = new TtlCache<string, number>({ ttl: 10, maxEntries: 2, clock: { now: () => 0 } });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.get('c')).toEqual({ value: 3 });
  });
});
