/** Remembered consent per user and client (kind 'consent'). */
import type { OperationalStore, StoredRecord } from '../types.js';

export interface ConsentPayload {
  scopes: string[];
}

export interface ConsentStore {
  find(id: string): Promise<StoredRecord<ConsentPayload> | undefined>;
  put(rec: StoredRecord<ConsentPayload>): Promise<void>;
}

export function consentStore(records: OperationalStore): ConsentStore {
  return {
    find: (id) => records.find<ConsentPayload>('consent', id),
    put: (rec) => records.put(rec),
  };
}
