/**
 * Applies the writes one request owes as one batch: a single transaction on
 * stores that offer OperationalStore.writeAll (SQLite, memory), one write
 * after another on the others (PostgreSQL, where a transaction would add
 * round trips, and the split store, whose kinds live in two databases).
 */
import type { OperationalStore, RecordWrite } from './types.js';

/**
 * @example
 * await writeRecords(ctx.backend.records, [{ put: codeRecord }, { delete: { kind: 'interaction', id } }]);
 */
export async function writeRecords(store: OperationalStore, writes: readonly RecordWrite[]): Promise<void> {
  if (writes.length === 0) return;
  if (writes.length > 1 && store.writeAll) return store.writeAll(writes);
  for (const w of writes) {
    if ('put' in w) await store.put(w.put);
    else await store.delete(w.delete.kind, w.delete.id);
  }
}
