/** The federation gateway: external identity providers (docs/federation.md). */
import type { ProviderContext } from '../context.js';
import type { Route, RouteTable } from '../core/router.js';
import { createFederation, type Federation } from './federation-service.js';
import { federationRoutes, type FederationRouteDeps } from './federation-routes.js';
import { withUpstreamLogout } from './federated-logout.js';
import { ACCOUNTS_PATH, linkedAccountRoutes } from './linked-accounts.js';

export { createFederation, type Federation } from './federation-service.js';
export { externalProviderSchema, type ExternalProviderConfig } from './provider-schema.js';

/** A route table that also answers the `/federation/NAME/...` paths of providers added at run time. */
class FederationRouteTable extends Map<string, Route> {
  constructor(
    entries: Iterable<[string, Route]>,
    private readonly fallback: (path: string) => Route | undefined,
  ) {
    super(entries);
  }
  override get(path: string): Route | undefined {
    return super.get(path) ?? this.fallback(path);
  }
}

/**
 * Sets `ctx.federation` and returns a function that completes the route
 * table: the federation routes, the linked-accounts API and the sign-out
 * routes (`signOutPaths`) wrapped so the upstream session ends too.
 */
export function federationGateway(
  ctx: ProviderContext,
  deps: Omit<FederationRouteDeps, 'accountsPath'>,
): (routes: RouteTable, signOutPaths: string[]) => RouteTable {
  const fed: Federation = createFederation(ctx);
  ctx.federation = fed;
  const actions = federationRoutes(ctx, fed, { ...deps, accountsPath: ctx.issuer + ACCOUNTS_PATH });
  const accounts = linkedAccountRoutes(ctx, fed);
  return (routes, signOutPaths) => {
    const out = new FederationRouteTable([...routes, ...accounts], (path) => actions.resolve(path));
    for (const path of signOutPaths) {
      const r = out.get(path);
      if (r) out.set(path, withUpstreamLogout(ctx, fed, r));
    }
    return out;
  };
}
