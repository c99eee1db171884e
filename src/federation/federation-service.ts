/**
 * The federation gateway of one provider instance (hangs off the context as
 * `ctx.federation`): the providers in force, their upstream clients, the
 * link store, and the choice of providers for a client.
 */
import type { ProviderContext } from '../context.js';
import type { Client } from '../model/types.js';
import { createOutboundFetch, trustedPolicy, type OutboundFetch } from '../net/index.js';
import type { FederationStore } from '../stores/types.js';
import { MemoryFederation } from '../stores/memory-federation.js';
import { ProviderRegistry } from './provider-registry.js';
import type { ResolvedProvider } from './presets.js';
import { UpstreamClients } from './upstream-client.js';

export const FEDERATION_PATH = '/federation';

export interface Federation {
  registry: ProviderRegistry;
  upstream: UpstreamClients;
  store: FederationStore;
  fetchOut: OutboundFetch;
  /** The providers a client may use (its `identityProviderRestrictions`; all when empty). */
  providersFor(client: Pick<Client, 'identityProviderRestrictions'>): Promise<ResolvedProvider[]>;
  /** The provider named by `acr_values=idp:NAME` (IdentityServer's convention), if allowed for the client. */
  requestedProvider(acrValues: readonly string[], client: Pick<Client, 'identityProviderRestrictions'>): Promise<ResolvedProvider | undefined>;
  /** Home-realm discovery: the provider whose `domains` include the email's domain. */
  providerForEmail(email: string, client: Pick<Client, 'identityProviderRestrictions'>): Promise<ResolvedProvider | undefined>;
  /** Path (below the issuer) that starts a sign-in at `name` for interaction `id`. */
  startPath(name: string, interactionId: string, loginHint?: string): string;
}

/** The client of an interaction, as loadPage finds it (a host client store's or a registered one included). */
export async function clientOf(ctx: ProviderContext, clientId: string): Promise<Client | undefined> {
  return ctx.clients.load ? ctx.clients.load(clientId) : ctx.clients.find(clientId);
}

export function createFederation(ctx: ProviderContext): Federation {
  const store = ctx.backend.federation ?? new MemoryFederation();
  const registry = new ProviderRegistry(
    () => ctx.config.externalProviders,
    store,
    ctx.config.federation.providerCacheTtl,
    () => ctx.clock.now(),
    ctx.logger,
  );
  const fetchOut = createOutboundFetch(trustedPolicy(ctx.config.outbound));
  const upstream = new UpstreamClients(fetchOut, () => ctx.clock.now());
  const providersFor: Federation['providersFor'] = async (client) => {
    const all = await registry.all();
    const allow = client.identityProviderRestrictions ?? [];
    return allow.length ? all.filter((p) => allow.includes(p.name)) : all;
  };
  return {
    registry,
    upstream,
    store,
    fetchOut,
    providersFor,
    async requestedProvider(acrValues, client) {
      const name = acrValues.find((v) => v.startsWith('idp:'))?.slice(4);
      if (!name) return undefined;
      return (await providersFor(client)).find((p) => p.name === name);
    },
    async providerForEmail(email, client) {
      const at = email.lastIndexOf('@');
      if (at < 1) return undefined;
      const domain = email.slice(at + 1).toLowerCase();
      return (await providersFor(client)).find((p) => p.config.domains.includes(domain));
    },
    startPath: (name, interactionId, loginHint) =>
      `${FEDERATION_PATH}/${name}/start?${new URLSearchParams({ id: interactionId, ...(loginHint ? { login_hint: loginHint } : {}) })}`,
  };
}
