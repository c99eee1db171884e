/**
 * The demo API as an RFC 8707 resource indicator. MCP clients (and any client
 * that read the API's RFC 9728 metadata) send `resource={issuer}/api/test`;
 * the token they get must have that audience (RFC 8707 §2, MCP authorization
 * "Token Audience Binding"). So with `testApi.enabled` the API's URL is an API
 * resource holding the API's scope, issued as audience only when named
 * (`requireResourceIndicator`): tokens that do not name it keep their usual
 * audience (`api`).
 */
import { apiResourceSchema, type Config } from '../config/schema.js';
import type { ApiResource, Resources } from '../model/types.js';

/** `resources` plus the test API's URL as an API resource; the same object when the test API is off or the name is taken. */
export function withTestApiResource(resources: Resources, config: Pick<Config, 'testApi'>, issuer: string): Resources {
  const cfg = config.testApi;
  const name = issuer + cfg.path;
  if (!cfg.enabled || resources.apiResources.has(name) || !resources.apiScopes.has(cfg.scope)) return resources;
  const resource: ApiResource = apiResourceSchema.parse({
    name,
    displayName: 'Gatehouse test API',
    scopes: [cfg.scope],
    requireResourceIndicator: true,
  });
  const apiResources = new Map(resources.apiResources).set(name, resource);
  const resourcesByScope = new Map(resources.resourcesByScope);
  resourcesByScope.set(cfg.scope, [...(resourcesByScope.get(cfg.scope) ?? []), resource]);
  return { ...resources, apiResources, resourcesByScope };
}
