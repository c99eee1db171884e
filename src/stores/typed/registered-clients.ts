/**
 * Dynamically registered clients (kind 'registered_client', RFC 7591/7592) and
 * initial access tokens (kind 'initial_access_token'). Durable records of the
 * backend, so every node sees them; secrets and tokens only as hashes.
 */
import type { OperationalStore } from '../types.js';
import type { ClientDefinition } from '../../extensions/client-store.js';

/** A registered client as stored (id: the client_id). */
export interface RegisteredClientPayload {
  /** The registered metadata in RFC 7591 names (no secrets), answered by RFC 7592 reads. */
  metadata: Record<string, unknown>;
  /** The client as the client store hands it to the provider (its secret hashed). */
  definition: ClientDefinition;
  /** handleId() of the registration access token. */
  registrationTokenHash: string;
  clientIdIssuedAt: number;
  /** 0: the secret does not expire. */
  clientSecretExpiresAt: number;
  /** Registered without an initial access token: updates stay under the anonymous policy. */
  anonymous?: boolean;
}

/** An initial access token as stored (id: its hash). */
export interface InitialAccessTokenPayload {
  /** Spent by its first registration. */
  singleUse: boolean;
  description?: string;
}

/** Records of registered clients never expire by time: they live until deleted (100 years). */
const FOREVER = 100 * 365 * 86400;

export interface RegisteredClientStore {
  find(clientId: string): Promise<RegisteredClientPayload | undefined>;
  put(clientId: string, payload: RegisteredClientPayload, now: number): Promise<void>;
  delete(clientId: string): Promise<boolean>;
}

export function registeredClientStore(records: Pick<OperationalStore, 'find' | 'put' | 'delete'>): RegisteredClientStore {
  return {
    async find(clientId) {
      const rec = await records.find<RegisteredClientPayload>('registered_client', clientId);
      return rec?.payload;
    },
    put: (clientId, payload, now) =>
      records.put({ kind: 'registered_client', id: clientId, clientId, createdAt: payload.clientIdIssuedAt, expiresAt: now + FOREVER, payload }),
    delete: (clientId) => records.delete('registered_client', clientId),
  };
}

export interface InitialAccessTokenStore {
  add(hash: string, payload: InitialAccessTokenPayload, now: number, expiresAt: number): Promise<void>;
  /** The token's payload when valid at `now`; a single-use token is spent by this call (atomically, one caller wins). */
  use(hash: string, now: number): Promise<InitialAccessTokenPayload | undefined>;
}

export function initialAccessTokenStore(records: Pick<OperationalStore, 'find' | 'put' | 'consume'>): InitialAccessTokenStore {
  return {
    add: (hash, payload, now, expiresAt) => records.put({ kind: 'initial_access_token', id: hash, createdAt: now, expiresAt, payload }),
    async use(hash, now) {
      const rec = await records.find<InitialAccessTokenPayload>('initial_access_token', hash);
      if (!rec || rec.expiresAt <= now || rec.consumedAt !== undefined) return undefined;
      if (!rec.payload.singleUse) return rec.payload;
      const spent = await records.consume<InitialAccessTokenPayload>('initial_access_token', hash, now);
      return spent && spent.expiresAt > now ? spent.payload : undefined;
    },
  };
}
