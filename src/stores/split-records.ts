/**
 * Records split by kind between two stores: ephemeral kinds (interactions,
 * codes, replay and lockout records) in Redis, the rest durable in SQL. Bulk
 * deletes and purge run on both and add up; a failure of either is thrown, so
 * a revocation never reports success while half done.
 *
 * Batches (writeAll) that stay in one store are that store's atomic batch. A
 * batch spanning both (an authorization answer: the session in SQL, the code
 * and the end of the interaction in Redis) runs in three steps:
 *   1. every record is serialised (a payload that cannot be stored fails here, nothing written);
 *   2. the durable part in one SQL transaction, after reading what it overwrites;
 *   3. the ephemeral part in one Redis MULTI/EXEC.
 * When step 3 fails, step 2 is undone in a second transaction (each record
 * put back as it was read, or deleted when it did not exist) and the error is
 * thrown. The guarantee: a batch that rejects leaves nothing of itself in
 * Redis, and nothing in SQL unless the undo failed too (SQL lost between step 2
 * and the undo; then the durable part, a session record whose cookie was never
 * sent, stays until it expires). Between step 2 and the undo a reader may see
 * the durable part for that moment; the records a batch creates are reachable
 * only through handles the failed response never delivered.
 */
import type { OperationalStore, RecordFilter, RecordKind, RecordWrite, StoredRecord } from './types.js';

/** Kinds kept in Redis when it is configured: short-lived, and losing them only ends a login or a code early. */
export const EPHEMERAL_KINDS: readonly RecordKind[] = [
  'interaction',
  'authorization_code',
  'replay',
  'lockout',
  'device_code',
  'user_code',
  'device_poll',
  'pushed_authorization_request',
  'webauthn_challenge',
];

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
  async writeAll(writes: readonly RecordWrite[]): Promise<void> {
    const kindOf = (w: RecordWrite) => ('put' in w ? w.put.kind : w.delete.kind);
    const durable = writes.filter((w) => this.of(kindOf(w)) === this.durable);
    const ephemeral = writes.filter((w) => this.of(kindOf(w)) === this.ephemeral);
    if (ephemeral.length === 0) return this.durable.writeAll(durable);
    if (durable.length === 0) return this.ephemeral.writeAll(ephemeral);
    for (const w of writes) if ('put' in w) JSON.stringify(w.put);
    const keys = new Map(durable.map((w) => ('put' in w ? w.put : w.delete)).map((k) => [`${k.kind}\u0000${k.id}`, { kind: k.kind, id: k.id }]));
    const before = await Promise.all([...keys.values()].map(async (k) => ({ k, rec: await this.durable.find(k.kind, k.id) })));
    await this.durable.writeAll(durable);
    try {
      await this.ephemeral.writeAll(ephemeral);
    } catch (err) {
      const undo: RecordWrite[] = before.map(({ k, rec }) => (rec ? { put: rec } : { delete: k }));
      await this.durable.writeAll(undo).catch(() => {});
      throw err;
    }
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
