/**
 * A {@link ReplayStore} over the provider's operational store, so a proof
 * `jti` seen by one node is refused by every other: the same `replay`
 * records and atomic `insertIfAbsent` as client-assertion `jti`s
 * (client-auth/client-assertion.ts). Keys are hashed with a namespace so
 * they cannot meet a client assertion's record id.
 */
import { createHash } from 'node:crypto';
import type { OperationalStore } from '../stores/types.js';
import { replayMarkerStore } from '../stores/typed/replay.js';
import type { ReplayStore } from './replay.js';

export function operationalReplayStore(records: Pick<OperationalStore, 'insertIfAbsent'>, clock: () => number, namespace = 'dpop-jti'): ReplayStore {
  const markers = replayMarkerStore(records);
  return {
    async markOnce(key, expiresAt) {
      const id = createHash('sha256').update(`${namespace}\u0001${key}`).digest('base64url');
      return markers.markOnce(id, clock(), expiresAt);
    },
  };
}
