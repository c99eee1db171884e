/** Every record of a kind matching a filter, page after page (findMany returns at most FIND_MANY_LIMIT). */
import { FIND_MANY_LIMIT, type OperationalStore, type RecordFilter, type RecordKind, type StoredRecord } from '../types.js';

export async function findAll<P>(records: OperationalStore, kind: RecordKind, filter: RecordFilter): Promise<StoredRecord<P>[]> {
  const all: StoredRecord<P>[] = [];
  let after: RecordFilter['after'];
  for (;;) {
    const page = await records.findMany<P>(kind, { ...filter, limit: FIND_MANY_LIMIT, after });
    all.push(...page);
    if (page.length < FIND_MANY_LIMIT) return all;
    const last = page[page.length - 1];
    after = { createdAt: last.createdAt, id: last.id };
  }
}
