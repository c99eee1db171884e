/**
 * The admin API as an API resource of the provider itself: `gatehouse.admin`
 * holds the scopes `gatehouse.admin` (read and write) and
 * `gatehouse.admin.read` (read only), so a token asked with one of them has
 * the audience `gatehouse.admin`, which the admin API's resource-server check requires.
 */
import { apiResourceSchema, apiScopeSchema, type Config } from '../config/schema.js';
import type { ApiResource, Resources } from '../model/types.js';

export const ADMIN_RESOURCE = 'gatehouse.admin';
export const ADMIN_SCOPE = 'gatehouse.admin';
export const ADMIN_READ_SCOPE = 'gatehouse.admin.read';

/** `resources` plus the admin API resource and its scopes when `admin.enabled`; the same object otherwise. */
export function withAdminResource(resources: Resources, config: Pick<Config, 'admin'>): Resources {
  if (!config.admin.enabled || resources.apiResources.has(ADMIN_RESOURCE)) return resources;
  const resource: ApiResource = apiResourceSchema.parse({ name: ADMIN_RESOURCE, displayName: 'Gatehouse admin API', scopes: [ADMIN_SCOPE, ADMIN_READ_SCOPE] });
  const apiScopes = new Map(resources.apiScopes);
  for (const [name, displayName] of [
    [ADMIN_SCOPE, 'Manage Gatehouse'],
    [ADMIN_READ_SCOPE, 'Read Gatehouse settings'],
  ]) {
    if (!apiScopes.has(name)) apiScopes.set(name, apiScopeSchema.parse({ name, displayName, showInDiscoveryDocument: false }));
  }
  const resourcesByScope = new Map(resources.resourcesByScope);
  for (const s of resource.scopes) resourcesByScope.set(s, [...(resourcesByScope.get(s) ?? []), resource]);
  return { ...resources, apiScopes, apiResources: new Map(resources.apiResources).set(ADMIN_RESOURCE, resource), resourcesByScope };
}
