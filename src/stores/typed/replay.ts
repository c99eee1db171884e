/** Replay markers (kind 'replay'): a client assertion's or a DPoP proof's jti, seen once. */
import type { OperationalStore } from '../types.js';

export interface ReplayMarkerStore {
  /** True the first time `id` is marked (until `expiresAt`); false for a replay. Atomic across nodes. */
  markOnce(id: string, now: number, expiresAt: number, clientId?: string): Promise<boolean>;
}

export function replayMarkerStore(records: Pick<OperationalStore, 'insertIfAbsent'>): ReplayMarkerStore {
  return {
    markOnce: (id, now, expiresAt, clientId) => records.insertIfAbsent({ kind: 'replay', id, clientId, createdAt: now, expiresAt, payload: {} }, now),
  };
}
