/** Lockout records (kind 'lockout'): failed sign-ins per username and address. */
import type { OperationalStore, StoredRecord } from '../types.js';

export interface LockoutStore {
  find<P>(id: string): Promise<StoredRecord<P> | undefined>;
  put(rec: StoredRecord): Promise<void>;
  delete(id: string): Promise<boolean>;
}

const KIND = 'lockout';

export function lockoutStore(records: OperationalStore): LockoutStore {
  return {
    find: <P>(id: string) => records.find<P>(KIND, id),
    put: (rec) => records.put(rec),
    delete: (id) => records.delete(KIND, id),
  };
}
