/**
 * Operational records in Redis (ephemeral kinds beside PostgreSQL): every
 * change is one Lua script (redis-scripts.ts), so consume and insertIfAbsent
 * are atomic across all nodes, and bulk deletes see the same index sets.
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../model/types.js';
import { FIND_MANY_LIMIT, type OperationalStore, type RecordFilter, type RecordKind, type RecordWrite, type StoredRecord } from './types.js';
import { CONSUME, DELETE, DELETE_BY_INDEX, PURGE, WRITE } from './redis-scripts.js';

/** Seconds a record outlives its expiresAt in Redis (callers check expiry; reuse stays detectable a while). */
const GRACE_SECONDS = 300;
/** Expiry entries examined per purge script call. */
const PURGE_BATCH = 500;

type Scripted = Redis & {
  ghWrite(...args: (string | number)[]): Promise<number>;
  ghConsume(...args: (string | number)[]): Promise<string[] | null>;
  ghDelete(...args: (string | number)[]): Promise<number>;
  ghDeleteByIndex(...args: (string | number)[]): Promise<number>;
  ghPurge(...args: (string | number)[]): Promise<[deleted: number, examined: number]>;
};

function toFields(r: StoredRecord): string[] {
  const f = ['k', r.kind, 'c', String(r.createdAt), 'e', String(r.expiresAt), 'p', JSON.stringify(r.payload ?? null)];
  if (r.subjectId !== undefined) f.push('sub', r.subjectId);
  if (r.sessionId !== undefined) f.push('sess', r.sessionId);
  if (r.clientId !== undefined) f.push('cli', r.clientId);
  if (r.grantId !== undefined) f.push('gr', r.grantId);
  if (r.consumedAt !== undefined) f.push('u', String(r.consumedAt));
  if (r.clientIds !== undefined) f.push('cids', JSON.stringify(r.clientIds));
  return f;
}

function fromHash<P>(id: string, h: Record<string, string>): StoredRecord<P> {
  const rec: StoredRecord<P> = { kind: h.k as RecordKind, id, createdAt: Number(h.c), expiresAt: Number(h.e), payload: JSON.parse(h.p) as P };
  if (h.sub !== undefined) rec.subjectId = h.sub;
  if (h.sess !== undefined) rec.sessionId = h.sess;
  if (h.cli !== undefined) rec.clientId = h.cli;
  if (h.gr !== undefined) rec.grantId = h.gr;
  if (h.u !== undefined) rec.consumedAt = Number(h.u);
  if (h.cids !== undefined) rec.clientIds = JSON.parse(h.cids) as string[];
  return rec;
}

const pairsToHash = (flat: string[]) => {
  const h: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) h[flat[i]] = flat[i + 1];
  return h;
};

/** The records store on one Redis connection. */
export class RedisRecords implements OperationalStore {
  private readonly r: Scripted;

  constructor(
    redis: Redis,
    private readonly clock: Clock,
    private readonly prefix = 'gh:',
  ) {
    redis.defineCommand('ghWrite', { numberOfKeys: 0, lua: WRITE });
    redis.defineCommand('ghConsume', { numberOfKeys: 0, lua: CONSUME });
    redis.defineCommand('ghDelete', { numberOfKeys: 0, lua: DELETE });
    redis.defineCommand('ghDeleteByIndex', { numberOfKeys: 0, lua: DELETE_BY_INDEX });
    redis.defineCommand('ghPurge', { numberOfKeys: 0, lua: PURGE });
    this.r = redis as Scripted;
  }

  private key(kind: string, id: string): string {
    return `${this.prefix}r:${kind.length}:${kind}:${id}`;
  }
  private ttl(expiresAt: number): number {
    return Math.max(expiresAt - this.clock.now(), 0) + GRACE_SECONDS;
  }

  async put(rec: StoredRecord): Promise<void> {
    await this.r.ghWrite(this.prefix, this.key(rec.kind, rec.id), this.ttl(rec.expiresAt), 'put', 0, ...toFields(rec));
  }
  async insertIfAbsent(rec: StoredRecord, now: number): Promise<boolean> {
    return (await this.r.ghWrite(this.prefix, this.key(rec.kind, rec.id), this.ttl(rec.expiresAt), 'ifabsent', now, ...toFields(rec))) === 1;
  }
  /**
   * One MULTI/EXEC of the write scripts: Redis runs them back to back with no
   * other command between, and none when the connection fails before EXEC.
   * Every record is serialised before anything is sent, so a payload that
   * cannot be stored fails the batch with nothing applied.
   */
  async writeAll(writes: readonly RecordWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const commands = writes.map((w) =>
      'put' in w
        ? (['ghWrite', this.prefix, this.key(w.put.kind, w.put.id), this.ttl(w.put.expiresAt), 'put', 0, ...toFields(w.put)] as const)
        : (['ghDelete', this.prefix, this.key(w.delete.kind, w.delete.id)] as const),
    );
    const multi = this.r.multi() as unknown as Record<string, (...args: (string | number)[]) => unknown> & {
      exec(): Promise<[Error | null, unknown][] | null>;
    };
    for (const [command, ...args] of commands) multi[command](...args);
    const replies = await multi.exec();
    if (!replies) throw new Error('Redis batch aborted');
    const failed = replies.find(([err]) => err)?.[0];
    if (failed) throw failed;
  }
  async find<P = unknown>(kind: RecordKind, id: string): Promise<StoredRecord<P> | undefined> {
    const h = await this.r.hgetall(this.key(kind, id));
    return h.k === undefined ? undefined : fromHash<P>(id, h);
  }
  async consume<P = unknown>(kind: RecordKind, id: string, now: number): Promise<StoredRecord<P> | undefined> {
    const flat = await this.r.ghConsume(this.prefix, this.key(kind, id), now);
    return flat ? fromHash<P>(id, pairsToHash(flat)) : undefined;
  }
  /**
   * Candidates come from the client (clientIds), subject or session index
   * set when the filter names one, else from the expiry index (bounded by expiredAt when given);
   * each is then checked field by field. Ephemeral kinds only, so the sets are small.
   */
  async findMany<P = unknown>(kind: RecordKind, filter: RecordFilter = {}): Promise<StoredRecord<P>[]> {
    const limit = Math.max(0, Math.min(filter.limit ?? FIND_MANY_LIMIT, FIND_MANY_LIMIT));
    const keys =
      filter.clientIdsInclude !== undefined
        ? await this.r.smembers(`${this.prefix}c:${filter.clientIdsInclude}`)
        : filter.subjectId !== undefined
          ? await this.r.smembers(`${this.prefix}s:${filter.subjectId}`)
          : filter.sessionId !== undefined
            ? await this.r.smembers(`${this.prefix}x:${filter.sessionId}`)
            : await this.r.zrangebyscore(`${this.prefix}exp`, '-inf', filter.expiredAt ?? '+inf');
    const mine = `${this.prefix}r:${kind.length}:${kind}:`;
    const ids = keys.filter((k) => k.startsWith(mine)).map((k) => k.slice(mine.length));
    if (ids.length === 0) return [];
    const pipeline = this.r.pipeline();
    for (const id of ids) pipeline.hgetall(this.key(kind, id));
    const replies = (await pipeline.exec()) ?? [];
    const found: StoredRecord<P>[] = [];
    replies.forEach(([err, h], i) => {
      if (err) throw err;
      const hash = h as Record<string, string>;
      if (hash.k === undefined) return; // expired or deleted since the index was read
      const r = fromHash<P>(ids[i], hash);
      if (filter.subjectId !== undefined && r.subjectId !== filter.subjectId) return;
      if (filter.sessionId !== undefined && r.sessionId !== filter.sessionId) return;
      if (filter.clientId !== undefined && r.clientId !== filter.clientId) return;
      if (filter.grantId !== undefined && r.grantId !== filter.grantId) return;
      if (filter.expiredAt !== undefined && r.expiresAt > filter.expiredAt) return;
      if (filter.clientIdsInclude !== undefined && !r.clientIds?.includes(filter.clientIdsInclude)) return;
      const a = filter.after;
      if (a !== undefined && !(r.createdAt > a.createdAt || (r.createdAt === a.createdAt && r.id > a.id))) return;
      found.push(r);
    });
    found.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return found.slice(0, limit);
  }
  async delete(kind: RecordKind, id: string): Promise<boolean> {
    return (await this.r.ghDelete(this.prefix, this.key(kind, id))) === 1;
  }
  private byIndex(set: string, field: string, value: string, filter: { clientId?: string; kind?: RecordKind }): Promise<number> {
    const { clientId, kind } = filter;
    return this.r.ghDeleteByIndex(
      this.prefix,
      `${this.prefix}${set}:${value}`,
      field,
      value,
      clientId === undefined ? '0' : '1',
      clientId ?? '',
      kind === undefined ? '0' : '1',
      kind ?? '',
    );
  }
  deleteByGrantId(grantId: string): Promise<number> {
    return this.byIndex('g', 'gr', grantId, {});
  }
  deleteBySubject(subjectId: string, filter: { clientId?: string; kind?: RecordKind } = {}): Promise<number> {
    return this.byIndex('s', 'sub', subjectId, filter);
  }
  deleteBySession(sessionId: string, filter: { kind?: RecordKind } = {}): Promise<number> {
    return this.byIndex('x', 'sess', sessionId, filter);
  }
  async purgeExpired(now: number): Promise<number> {
    let total = 0;
    for (;;) {
      const [deleted, examined] = await this.r.ghPurge(this.prefix, now, PURGE_BATCH);
      total += deleted;
      if (examined < PURGE_BATCH) return total;
    }
  }
}
