/**
 * Scope and resource validation shared by the authorize and token endpoints:
 * RFC 6749 §3.3 (scope), RFC 8707 (resource indicators).
 */
import { InvalidRequest, InvalidScope, InvalidTarget } from '../errors.js';
import type { ApiResource, Client, Resources } from './types.js';

export interface ValidatedScopes {
  /** Every granted scope, in request order. */
  scopes: string[];
  identityScopes: string[];
  apiScopes: string[];
  /** API resources that are the audience of the access token. */
  resources: ApiResource[];
  offlineAccess: boolean;
}

export interface ScopeRequest {
  requested: readonly string[];
  /** RFC 8707 resource parameters. */
  resourceIndicators?: readonly string[];
  /** Identity scopes are not allowed (client credentials). */
  apiOnly?: boolean;
}

const MAX_SCOPES = 100;

/** The scopes a request gets, or the specific OAuth error. */
export function validateScopes(resources: Resources, client: Client, req: ScopeRequest): ValidatedScopes {
  if (req.requested.length > MAX_SCOPES) throw new InvalidScope('too many scopes requested');
  const identityScopes: string[] = [];
  const apiScopes: string[] = [];
  let offlineAccess = false;
  for (const scope of req.requested) {
    const identity = resources.identity.get(scope);
    const api = resources.apiScopes.get(scope);
    if ((!identity || !identity.enabled) && (!api || !api.enabled)) throw new InvalidScope(`unknown scope: ${scope.slice(0, 100)}`);
    if (scope === 'offline_access') {
      // IdentityServer semantics: allowOfflineAccess alone decides.
      if (!client.allowOfflineAccess || req.apiOnly) throw new InvalidScope('offline_access is not allowed for this client');
      offlineAccess = true;
      continue;
    }
    if (!client.scopeSet.has(scope)) throw new InvalidScope(`scope not allowed for this client: ${scope}`);
    if (identity?.enabled) {
      if (req.apiOnly) throw new InvalidScope(`identity scope ${scope} cannot be requested with this grant`);
      identityScopes.push(scope);
    } else apiScopes.push(scope);
  }
  const indicators = req.resourceIndicators ?? [];
  const audience = resolveAudience(resources, apiScopes, indicators);
  if (indicators.length === 0) return { scopes: [...req.requested], identityScopes, apiScopes, resources: audience, offlineAccess };
  // RFC 8707 §2, as IdentityServer does: with resource indicators, the token carries only the
  // API scopes of the named resources (the audience would not accept the others).
  const named = new Set(audience.map((r) => r.name));
  const kept = apiScopes.filter((s) => (resources.resourcesByScope.get(s) ?? []).some((r) => named.has(r.name)));
  const keptSet = new Set(kept);
  const scopes = req.requested.filter((s) => !resources.apiScopes.has(s) || resources.identity.has(s) || keptSet.has(s));
  return { scopes, identityScopes, apiScopes: kept, resources: audience, offlineAccess };
}

/** RFC 8707 §2: each resource is an absolute URI without fragment, or (IdentityServer style) an API resource name. */
function resolveAudience(resources: Resources, apiScopes: readonly string[], indicators: readonly string[]): ApiResource[] {
  const named = new Set<string>();
  for (const ind of indicators) {
    if (ind.includes('#')) throw new InvalidTarget('resource must not contain a fragment');
    if (ind.length > 512) throw new InvalidRequest('resource is too long');
    const res = resources.apiResources.get(ind);
    if (!res || !res.enabled) throw new InvalidTarget(`unknown resource: ${ind.slice(0, 100)}`);
    named.add(ind);
  }
  const out = new Map<string, ApiResource>();
  for (const scope of apiScopes) {
    for (const res of resources.resourcesByScope.get(scope) ?? []) {
      if (!res.enabled) continue;
      if (named.size ? named.has(res.name) : !res.requireResourceIndicator) out.set(res.name, res);
    }
  }
  for (const name of named) {
    // RFC 8707 §2: a resource the granted scopes do not reach cannot be an audience.
    if (!out.has(name)) throw new InvalidTarget(`resource ${name} is not reachable with the requested scopes`);
  }
  return [...out.values()];
}
