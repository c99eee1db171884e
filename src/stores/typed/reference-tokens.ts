/** Reference access tokens (kind 'reference_token', id = hash of the handle). */
import type { OperationalStore, StoredRecord } from '../types.js';

/** Payload stored for reference tokens: the claims introspection answers. */
export interface ReferenceTokenPayload {
  claims: Record<string, unknown>;
}

export type ReferenceTokenRecord = StoredRecord<ReferenceTokenPayload>;

export interface ReferenceTokenStore {
  issue(rec: ReferenceTokenRecord): Promise<void>;
  find(id: string): Promise<ReferenceTokenRecord | undefined>;
  delete(id: string): Promise<boolean>;
}

const KIND = 'reference_token';

export function referenceTokenStore(records: OperationalStore): ReferenceTokenStore {
  return {
    issue: (rec) => records.put(rec),
    find: (id) => records.find<ReferenceTokenPayload>(KIND, id),
    delete: (id) => records.delete(KIND, id),
  };
}
