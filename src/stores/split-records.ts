/**
 * Records split by kind between two stores: ephemeral kinds (interactions,
 * codes, replay and lockout records) in Redis, the rest durable in SQL. Bulk
 * deletes and purge run on both and add up; a failure of either is thrown, so
 * a revocation never reports success while half done.
 */
import type { OperationalStore, RecordFilter, RecordKind, StoredRecord } from './types.js';

/** Kinds kept in Redis when it is configured: short-lived, and losing them only ends a login or a code early. */
export const EPHEMERAL_KINDS: readonly RecordKind[] = ['interaction', 'authorization_code', 'replay', 'lockout'];

export class SplitRecords implements OperationalStore {
  private readonly ephemeralKinds: ReadonlySet<string>;
  /** Present when the store holding the kind can count (the durable SQL one can; sessions live there). */
  readonly countActive?: (kind: RecordKind, now: number) => Promise<number>;

  constructor(
    private readonly durable: OperationalStore,
    private readonly ephemeral: OperationalStore,
    kinds: readonly RecordKind[] = EPHEMERAL_KINDS,
  ) {
    this.ephemeralKinds = new Set(kinds);
    if (durable.countActive) {
      this.countActive = (kind, now) => {
        const store = this.of(kind);
        if (!store.countActive) return Promise.reject(new Error(`cannot count ${kind} records`));
        return store.countActive(kind, now);
      };
    }
  }

  private of(kind: RecordKind): OperationalStore {
    return this.ephemeralKinds.has(kind) ? this.ephemeral : this.durable;
  }
  private async both(run: (s: OperationalStore) => Promise<number>): Promise<number> {
    const [a, b] = await Promise.all([run(this.durable), run(this.ephemeral)]);
    return a + b;
  }

  put(rec: StoredRecord): Promise<void> {
    return this.of(rec.kind).put(rec);
  }
  insertIfAbsent(rec: StoredRecord, now: number): Promise<boolean> {
    return this.of(rec.kind).insertIfAbsent(rec, now);
  }
  find<P = unknown>(kind: RecordKind, id: string): Promise<StoredRecord<P> | undefined> {
    return this.of(kind).find<P>(kind, id);
  }
  consume<P = unknown>(kind: RecordKind, id: string, now: number): Promise<StoredRecord<P> | undefined> {
    return this.of(kind).consume<P>(kind, id, now);
  }
  findMany<P = unknown>(kind: RecordKind, filter?: RecordFilter): Promise<StoredRecord<P>[]> {
    return this.of(kind).findMany<P>(kind, filter);
  }
  delete(kind: RecordKind, id: string): Promise<boolean> {
    return this.of(kind).delete(kind, id);
  }
  deleteByGrantId(grantId: string): Promise<number> {
    return this.both((s) => s.deleteByGrantId(grantId));
  }
  deleteBySubject(subjectId: string, filter: { clientId?: string; kind?: RecordKind } = {}): Promise<number> {
    if (filter.kind !== undefined) return this.of(filter.kind).deleteBySubject(subjectId, filter);
    return this.both((s) => s.deleteBySubject(subjectId, filter));
  }
  deleteBySession(sessionId: string, filter: { kind?: RecordKind } = {}): Promise<number> {
    if (filter.kind !== undefined) return this.of(filter.kind).deleteBySession(sessionId, filter);
    return this.both((s) => s.deleteBySession(sessionId, filter));
  }
  purgeExpired(now: number): Promise<number> {
    return this.both((s) => s.purgeExpired(now));
  }
}
