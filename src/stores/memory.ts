/** In-memory backend for tests and single-process experiments. Not durable. */
import { MemoryFederation } from './memory-federation.js';
import { MemoryUserMfa } from './memory-user-mfa.js';
import { MemoryOutbox } from './memory-outbox.js';
import { MemoryAuditLog } from './memory-audit-log.js';
import {
  FIND_MANY_LIMIT,
  type Backend,
  type ConfigDocument,
  type ConfigDocumentStore,
  type KeyStore,
  type OperationalStore,
  type RecordFilter,
  type RecordKind,
  type RecordWrite,
  type StoredKey,
  type StoredRecord,
  type StoredUser,
  type UserTable,
} from './types.js';

const keyOf = (kind: RecordKind, id: string) => `${kind}\u0000${id}`;

class MemoryRecords implements OperationalStore {
  private readonly map = new Map<string, StoredRecord>();

  async put(rec: StoredRecord): Promise<void> {
    this.map.set(keyOf(rec.kind, rec.id), structuredClone(rec));
  }
  async insertIfAbsent(rec: StoredRecord, now: number): Promise<boolean> {
    const existing = this.map.get(keyOf(rec.kind, rec.id));
    if (existing && existing.expiresAt > now) return false;
    this.map.set(keyOf(rec.kind, rec.id), structuredClone(rec));
    return true;
  }
  async find<P>(kind: RecordKind, id: string): Promise<StoredRecord<P> | undefined> {
    const r = this.map.get(keyOf(kind, id));
    return r ? (structuredClone(r) as StoredRecord<P>) : undefined;
  }
  async consume<P>(kind: RecordKind, id: string, now: number): Promise<StoredRecord<P> | undefined> {
    // Single-threaded event loop: check and mark happen without an await in between.
    const r = this.map.get(keyOf(kind, id));
    if (!r || r.consumedAt !== undefined) return undefined;
    r.consumedAt = now;
    return structuredClone(r) as StoredRecord<P>;
  }
  async findMany<P>(kind: RecordKind, filter: RecordFilter = {}): Promise<StoredRecord<P>[]> {
    const limit = Math.min(filter.limit ?? FIND_MANY_LIMIT, FIND_MANY_LIMIT);
    const found = [...this.map.values()].filter(
      (r) =>
        r.kind === kind &&
        (filter.subjectId === undefined || r.subjectId === filter.subjectId) &&
        (filter.sessionId === undefined || r.sessionId === filter.sessionId) &&
        (filter.clientId === undefined || r.clientId === filter.clientId) &&
        (filter.grantId === undefined || r.grantId === filter.grantId) &&
        (filter.clientIdsInclude === undefined || (r.clientIds ?? []).includes(filter.clientIdsInclude)) &&
        (filter.expiredAt === undefined || r.expiresAt <= filter.expiredAt) &&
        (filter.after === undefined || r.createdAt > filter.after.createdAt || (r.createdAt === filter.after.createdAt && r.id > filter.after.id)),
    );
    found.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return found.slice(0, Math.max(0, limit)).map((r) => structuredClone(r) as StoredRecord<P>);
  }
  async delete(kind: RecordKind, id: string): Promise<boolean> {
    return this.map.delete(keyOf(kind, id));
  }
  async writeAll(writes: readonly RecordWrite[]): Promise<void> {
    // Copies first: nothing is applied unless every record can be stored.
    const copies = writes.map((w) => ('put' in w ? { put: structuredClone(w.put) } : w));
    for (const w of copies) {
      if ('put' in w) this.map.set(keyOf(w.put.kind, w.put.id), w.put);
      else this.map.delete(keyOf(w.delete.kind, w.delete.id));
    }
  }
  private deleteWhere(pred: (r: StoredRecord) => boolean): number {
    let n = 0;
    for (const [k, r] of this.map) {
      if (pred(r)) {
        this.map.delete(k);
        n++;
      }
    }
    return n;
  }
  async deleteByGrantId(grantId: string): Promise<number> {
    return this.deleteWhere((r) => r.grantId === grantId);
  }
  async deleteBySubject(subjectId: string, filter: { clientId?: string; kind?: RecordKind } = {}): Promise<number> {
    return this.deleteWhere(
      (r) =>
        r.subjectId === subjectId && (filter.clientId === undefined || r.clientId === filter.clientId) && (filter.kind === undefined || r.kind === filter.kind),
    );
  }
  async deleteBySession(sessionId: string, filter: { kind?: RecordKind } = {}): Promise<number> {
    return this.deleteWhere((r) => r.sessionId === sessionId && (filter.kind === undefined || r.kind === filter.kind));
  }
  async purgeExpired(now: number): Promise<number> {
    return this.deleteWhere((r) => r.expiresAt <= now);
  }
  async countActive(kind: RecordKind, now: number): Promise<number> {
    let n = 0;
    for (const r of this.map.values()) if (r.kind === kind && r.expiresAt > now) n++;
    return n;
  }
}

class MemoryKeys implements KeyStore {
  private readonly keys = new Map<string, StoredKey>();
  private chain: Promise<unknown> = Promise.resolve();

  async list(): Promise<StoredKey[]> {
    return [...this.keys.values()].map((k) => ({ ...k }));
  }
  async insert(key: StoredKey): Promise<boolean> {
    if (this.keys.has(key.kid)) return false;
    this.keys.set(key.kid, { ...key });
    return true;
  }
  async setRetiresAt(kid: string, retiresAt: number): Promise<void> {
    const k = this.keys.get(kid);
    if (k) k.retiresAt = retiresAt;
  }
  async delete(kid: string): Promise<void> {
    this.keys.delete(kid);
  }
  withLock<T>(_name: string, fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

class MemoryUsers implements UserTable {
  private readonly bySub = new Map<string, StoredUser>();

  async findByUsername(username: string): Promise<StoredUser | undefined> {
    for (const u of this.bySub.values()) if (u.username === username) return { ...u };
    return undefined;
  }
  async findBySubject(subjectId: string): Promise<StoredUser | undefined> {
    const u = this.bySub.get(subjectId);
    return u ? { ...u } : undefined;
  }
  async insert(user: StoredUser): Promise<boolean> {
    if (this.bySub.has(user.subjectId) || (await this.findByUsername(user.username))) return false;
    this.bySub.set(user.subjectId, { ...user });
    return true;
  }
  async list(): Promise<StoredUser[]> {
    return [...this.bySub.values()].map((u) => ({ ...u }));
  }
  async update(subjectId: string, changes: Partial<Omit<StoredUser, 'subjectId' | 'createdAt'>>): Promise<boolean> {
    const u = this.bySub.get(subjectId);
    if (!u) return false;
    Object.assign(u, changes);
    return true;
  }
  async delete(subjectId: string): Promise<boolean> {
    return this.bySub.delete(subjectId);
  }
}

class MemoryConfigDocuments implements ConfigDocumentStore {
  private docs: ConfigDocument[] = [];
  private v = 0;

  async load(): Promise<{ version: number; documents: ConfigDocument[] }> {
    return { version: this.v, documents: structuredClone(this.docs) };
  }
  async version(): Promise<number> {
    return this.v;
  }
  async replaceAll(documents: readonly ConfigDocument[]): Promise<number> {
    const key = (d: ConfigDocument) => `${d.kind}\u0000${d.id}`;
    this.docs = structuredClone([...documents]).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return ++this.v;
  }
}

/** A fresh in-memory backend. */
export function createMemoryBackend(): Backend {
  let closed = false;
  return {
    records: new MemoryRecords(),
    keys: new MemoryKeys(),
    users: new MemoryUsers(),
    userMfa: new MemoryUserMfa(),
    outbox: new MemoryOutbox(),
    auditLog: new MemoryAuditLog(),
    configDocuments: new MemoryConfigDocuments(),
    federation: new MemoryFederation(),
    ping: async () => {
      if (closed) throw new Error('memory store is closed');
    },
    close: async () => {
      closed = true;
    },
  };
}
