/**
 * Clients the admin API manages: stored like registered clients (kind
 * `registered_client`, durable, seen by every node through the client
 * registry's TTL cache), marked `managedBy: admin` in their metadata.
 * Configured clients (the file, a host's store) are listed read-only.
 */
import { randomBytes } from 'node:crypto';
import type { ClientConfig } from '../config/schema.js';
import { hashSecret } from '../client-auth/secrets.js';
import type { ClientDefinition } from '../extensions/client-store.js';
import type { RegisteredClientPayload } from '../stores/typed/registered-clients.js';

export type ClientSource = 'configuration' | 'admin' | 'registration';

export const sourceOf = (p: RegisteredClientPayload): ClientSource => (p.metadata.managedBy === 'admin' ? 'admin' : 'registration');

/** A new client secret: 256 random bits, base64url. */
export const newClientSecret = (): string => randomBytes(32).toString('base64url');

/** ISO date-time `seconds` from `now`; undefined for 0 (never expires). */
export const expirationAfter = (now: number, seconds: number): string | undefined => (seconds > 0 ? new Date((now + seconds) * 1000).toISOString() : undefined);

/** The stored secret entry of a plain secret (hashed: the plain value is shown once, never stored). */
export function storedSecret(
  plain: string,
  expiration: string | undefined,
  description: string | undefined,
): NonNullable<ClientDefinition['clientSecrets']>[number] {
  return { value: hashSecret(plain), type: 'SharedSecret', ...(expiration ? { expiration } : {}), ...(description ? { description } : {}) };
}

/** The payload of a client made by the admin API or `gatehouse admin-client create`. */
export function adminClientPayload(definition: ClientDefinition, now: number, extra: Record<string, unknown> = {}): RegisteredClientPayload {
  return {
    metadata: { managedBy: 'admin', updatedAt: now, ...extra },
    definition,
    // No registration access token: RFC 7592 calls cannot reach this client.
    registrationTokenHash: '',
    clientIdIssuedAt: now,
    clientSecretExpiresAt: 0,
  };
}

/** The answer's view of a client: no secret values. */
export function clientView(def: ClientConfig | ClientDefinition, source: ClientSource, createdAt?: number): Record<string, unknown> {
  const { clientSecrets, ...rest } = def as ClientConfig;
  return {
    ...rest,
    source,
    readOnly: source === 'configuration',
    secrets: (clientSecrets ?? []).map((s) => ({
      type: s.type ?? 'SharedSecret',
      ...(s.description ? { description: s.description } : {}),
      ...(s.expiration ? { expiration: s.expiration } : {}),
    })),
    ...(createdAt !== undefined ? { createdAt } : {}),
  };
}
