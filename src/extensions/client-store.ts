/**
 * The client store (IdentityServer's IClientStore): clients that live in the
 * host's database. Clients of the configuration answer first, synchronously,
 * as before; the store answers the rest, through a bounded cache with a TTL
 * (`cachingClientStore`), so a busy client costs one query per TTL.
 *
 * Entry points where a client_id first appears (client authentication, the
 * authorize endpoint, userinfo) `load` the client; later steps of the same
 * request read it synchronously with `find` from the cache.
 */
import type { z } from 'zod';
import { compileClient } from '../config/compile.js';
import { clientSchema } from '../config/schema.js';
import type { ClientRegistry, ProviderContext } from '../context.js';
import type { Client, Clock } from '../model/types.js';
import { TtlCache } from './ttl-cache.js';

/** A client as in the configuration's `clients[]` (defaults apply). */
export type ClientDefinition = z.input<typeof clientSchema>;

/**
 * @example
 * const clientStore: ClientStore = {
 *   async findClientById(clientId) {
 *     const row = await db.query('SELECT definition FROM clients WHERE id = $1', [clientId]);
 *     return row ? JSON.parse(row.definition) : undefined;
 *   },
 * };
 * const gh = await createGatehouse(config, { clientStore });
 */
export interface ClientStore {
  /** The client, enabled or not; undefined when unknown. */
  findClientById(clientId: string): Promise<ClientDefinition | undefined>;
}

export interface CacheOptions {
  /** Seconds an entry is used before the store is asked again. Default 300. */
  ttl?: number;
  /** Entries kept at most. Default 1000. */
  maxEntries?: number;
}

const MAX_CLIENT_ID = 200;

/**
 * A client registry over a host's store: configuration clients first, then
 * the store through a TTL cache (unknown ids are cached too, so a flood of
 * made-up ids costs the database one query per id and TTL at most).
 * `find` answers what is cached, also after the TTL, until evicted.
 */
export function storeClientRegistry(
  configClients: ClientRegistry,
  store: ClientStore,
  clock: Clock,
  options: CacheOptions = {},
  onInvalid: (clientId: string, problems: string) => void = () => {},
): ClientRegistry {
  const cache = new TtlCache<string, Client | null>({ ttl: options.ttl ?? 300, maxEntries: options.maxEntries ?? 1000, clock });
  const inFlight = new Map<string, Promise<Client | undefined>>();
  /** A definition that does not parse is as if unknown (and reported): the host's data decides nothing half-way. */
  const compile = (clientId: string, def: ClientDefinition | undefined): Client | null => {
    if (!def) return null;
    const parsed = clientSchema.safeParse(def);
    if (parsed.success && parsed.data.clientId === clientId) return compileClient(parsed.data);
    onInvalid(
      clientId,
      parsed.success ? 'the store returned another clientId' : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
    return null;
  };
  const fetchClient = (clientId: string): Promise<Client | undefined> => {
    let pending = inFlight.get(clientId);
    if (!pending) {
      pending = store
        .findClientById(clientId)
        .then((def) => {
          const client = compile(clientId, def);
          cache.set(clientId, client);
          return client?.enabled ? client : undefined;
        })
        .finally(() => inFlight.delete(clientId));
      inFlight.set(clientId, pending);
    }
    return pending;
  };
  const cached = (clientId: string) => {
    const c = cache.peek(clientId);
    return c?.enabled ? c : undefined;
  };
  return {
    find: (clientId) => configClients.find(clientId) ?? cached(clientId),
    all: () => [...configClients.all(), ...cache.values().filter((c): c is Client => c !== null)],
    async load(clientId) {
      const fromConfig = configClients.find(clientId);
      if (fromConfig || clientId.length > MAX_CLIENT_ID) return fromConfig;
      const fresh = cache.get(clientId);
      if (fresh) return fresh.value?.enabled ? fresh.value : undefined;
      return fetchClient(clientId);
    },
  };
}

/**
 * The enabled client with this id: from the store when the registry has one
 * (awaited), else synchronously from the configuration.
 *
 * @example const client = await loadClient(ctx, clientId);
 */
export function loadClient(ctx: Pick<ProviderContext, 'clients'>, clientId: string): Client | undefined | Promise<Client | undefined> {
  const clients = ctx.clients;
  return clients.load ? clients.load(clientId) : clients.find(clientId);
}
