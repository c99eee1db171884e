/**
 * Grant families and what a user's grants with a client hold, across kinds:
 * deleting a family (codes, refresh and reference tokens sharing a grant id),
 * deleting or listing a user's holdings per client.
 */
import type { OperationalStore, RecordKind } from '../types.js';

/** The kinds a user's grant with a client leaves behind. */
const HELD: readonly RecordKind[] = ['refresh_token', 'reference_token', 'authorization_code', 'consent'];

export interface GrantStore {
  /** Deletes every record of a grant family; the number deleted. */
  deleteFamily(grantId: string): Promise<number>;
  /** Deletes what a client holds for a user; the number deleted per kind. */
  deleteHeld(subjectId: string, clientId: string): Promise<Map<RecordKind, number>>;
  /** Clients holding a live consent, refresh or reference token for a user. */
  clientsHolding(subjectId: string, now: number): Promise<string[]>;
}

export function grantStore(records: OperationalStore): GrantStore {
  return {
    deleteFamily: (grantId) => records.deleteByGrantId(grantId),
    async deleteHeld(subjectId, clientId) {
      const removed = new Map<RecordKind, number>();
      for (const kind of HELD) removed.set(kind, await records.deleteBySubject(subjectId, { clientId, kind }));
      return removed;
    },
    async clientsHolding(subjectId, now) {
      const ids = new Set<string>();
      for (const kind of ['consent', 'refresh_token', 'reference_token'] as const) {
        for (const rec of await records.findMany(kind, { subjectId })) if (rec.clientId && rec.expiresAt > now) ids.add(rec.clientId);
      }
      return [...ids];
    },
  };
}
