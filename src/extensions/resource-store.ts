/**
 * The resource store (IdentityServer's IResourceStore): identity resources,
 * API scopes and API resources that live in the host's database. They are
 * merged after the configuration's, compiled into the same lookup maps the
 * request handlers read synchronously, and read again when the cache's TTL
 * has passed (`gatehouse.refreshStores()`, or the provider's timer).
 */
import type { z } from 'zod';
import { compileResources } from '../config/compile.js';
import { apiResourceSchema, apiScopeSchema, identityResourceSchema, type Config } from '../config/schema.js';
import type { Clock, Resources } from '../model/types.js';
import { TtlCache } from './ttl-cache.js';

export interface ResourceDefinitions {
  /** Standard names (`'profile'`) or full definitions. */
  identityResources?: (string | z.input<typeof identityResourceSchema>)[];
  apiScopes?: z.input<typeof apiScopeSchema>[];
  apiResources?: z.input<typeof apiResourceSchema>[];
}

/**
 * @example
 * const resourceStore: ResourceStore = {
 *   getAllResources: async () => ({ apiScopes: await db.all('SELECT name FROM api_scopes'), apiResources: [] }),
 * };
 */
export interface ResourceStore {
  /** Every resource (the discovery document lists them; scope validation needs them all). */
  getAllResources(): Promise<ResourceDefinitions>;
}

/**
 * Caches a store's answer for `ttl` seconds; concurrent readers share one query.
 *
 * @example const cached = cachingResourceStore(resourceStore, { ttl: 60 }, systemClock);
 */
export function cachingResourceStore(store: ResourceStore, options: { ttl?: number }, clock: Clock): ResourceStore {
  const cache = new TtlCache<'all', ResourceDefinitions>({ ttl: options.ttl ?? 300, maxEntries: 1, clock });
  let pending: Promise<ResourceDefinitions> | undefined;
  return {
    getAllResources() {
      const hit = cache.get('all');
      if (hit) return Promise.resolve(hit.value);
      pending ??= store
        .getAllResources()
        .then((all) => (cache.set('all', all), all))
        .finally(() => (pending = undefined));
      return pending;
    },
  };
}

/** The store's resources and the configuration's, compiled; the configuration's win on a name clash. */
export function mergedResources(config: Pick<Config, 'identityResources' | 'apiScopes' | 'apiResources'>, extra: ResourceDefinitions): Resources {
  const identity = (extra.identityResources ?? []).map((r) => (typeof r === 'string' ? r : identityResourceSchema.parse(r)));
  return compileResources({
    identityResources: [...identity, ...config.identityResources],
    apiScopes: [...(extra.apiScopes ?? []).map((s) => apiScopeSchema.parse(s)), ...config.apiScopes],
    apiResources: [...(extra.apiResources ?? []).map((r) => apiResourceSchema.parse(r)), ...config.apiResources],
  });
}
