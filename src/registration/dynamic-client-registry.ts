/**
 * The client registry seen by the provider once registration or metadata
 * documents are on: the inner registry (configuration, a host's store) first,
 * then registered clients (durable records, every node) and Client ID
 * Metadata Documents (https client ids), through a bounded per-node cache.
 *
 * A registered client is cached `ttl` seconds: an update or deletion made on
 * another node takes effect here within that time; on the node that made it,
 * at once (`forget`).
 */
import { compileClient } from '../config/compile.js';
import { clientSchema } from '../config/schema.js';
import type { ClientRegistry } from '../context.js';
import type { Client, Clock } from '../model/types.js';
import type { RegisteredClientStore } from '../stores/typed/registered-clients.js';
import type { MetadataDocumentResolver } from './metadata-document.js';

export interface DynamicClientRegistry extends ClientRegistry {
  /** Drops the cached entry of a client this node changed or deleted. */
  forget(clientId: string): void;
  /** The client came from a registration or a metadata document (its URLs are the client's, not the operator's). */
  isDynamic(clientId: string): boolean;
}

export interface DynamicClientOptions {
  clock: Clock;
  registered?: RegisteredClientStore;
  documents?: MetadataDocumentResolver;
  /** Seconds a registered client (or an unknown id) is cached. */
  ttl: number;
  maxEntries?: number;
  onInvalid?: (clientId: string, problems: string) => void;
}

const MAX_CLIENT_ID = 200;

/** @example ctx.clients = dynamicClientRegistry(compileClients(config), { clock, registered, ttl: 60 }); */
export function dynamicClientRegistry(inner: ClientRegistry, o: DynamicClientOptions): DynamicClientRegistry {
  const cache = new Map<string, { client: Client | null; until: number }>();
  const inFlight = new Map<string, Promise<Client | undefined>>();
  const maxEntries = o.maxEntries ?? 1000;
  const remember = (clientId: string, client: Client | null, ttl: number) => {
    cache.delete(clientId);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    cache.set(clientId, { client, until: o.clock.now() + ttl });
  };
  const compile = (clientId: string, def: unknown): Client | null => {
    const parsed = clientSchema.safeParse(def);
    if (parsed.success && parsed.data.clientId === clientId) return compileClient(parsed.data);
    o.onInvalid?.(clientId, parsed.success ? 'another clientId' : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return null;
  };
  const fetchClient = async (clientId: string): Promise<Client | undefined> => {
    if (o.documents && clientId.startsWith('https://')) {
      const doc = await o.documents.resolve(clientId);
      const client = compile(clientId, doc.definition);
      remember(clientId, client, doc.ttl);
      return client ?? undefined;
    }
    const stored = o.registered ? await o.registered.find(clientId) : undefined;
    const client = stored ? compile(clientId, stored.definition) : null;
    remember(clientId, client, o.ttl);
    return client?.enabled ? client : undefined;
  };
  const cached = (clientId: string) => {
    const c = cache.get(clientId)?.client;
    return c?.enabled ? c : undefined;
  };
  return {
    find: (clientId) => inner.find(clientId) ?? cached(clientId),
    all: () => [...inner.all(), ...[...cache.values()].flatMap((e) => (e.client ? [e.client] : []))],
    async load(clientId) {
      const known = inner.load ? await inner.load(clientId) : inner.find(clientId);
      if (known || clientId.length > MAX_CLIENT_ID) return known;
      const entry = cache.get(clientId);
      if (entry && entry.until > o.clock.now()) return entry.client?.enabled ? entry.client : undefined;
      let pending = inFlight.get(clientId);
      if (!pending) {
        pending = fetchClient(clientId).finally(() => inFlight.delete(clientId));
        inFlight.set(clientId, pending);
      }
      return pending;
    },
    forget: (clientId) => void cache.delete(clientId),
    isDynamic: (clientId) => cache.get(clientId)?.client != null,
  };
}
