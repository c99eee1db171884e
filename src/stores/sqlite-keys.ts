/**
 * Signing keys in SQLite, and the store-wide named lock that serialises key
 * creation across every process sharing the database file.
 *
 * The lock is a row in `locks`, not an open transaction: better-sqlite3 is
 * synchronous, so a transaction held across `await fn()` would make any other
 * connection in the same process block the event loop in busy_timeout while
 * the holder can never finish. A lock row is taken with one atomic upsert,
 * renewed while fn runs, expires if its holder dies, and is deleted in finally.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { Clock } from '../model/types.js';
import { SqlKeyStore } from './sql-keys.js';
import { param, prepare, type LocksTable, type Schema } from './sqlite-schema.js';

export interface SqliteLockOptions {
  /** Seconds a lock lives without renewal (a crashed holder's lock lapses after this). Default 30. */
  lockTtl?: number;
  /** Milliseconds to wait for a lock before throwing. Default 60000. */
  lockWaitMs?: number;
}

/** The key store of a SQLite backend. */
export class SqliteKeys extends SqlKeyStore {
  private readonly ttl: number;
  private readonly waitMs: number;
  private readonly tryLock;
  private readonly renewLock;
  private readonly unlock;

  constructor(
    db: SqliteDatabase,
    qb: Kysely<Schema>,
    private readonly clock: Clock,
    opts: SqliteLockOptions = {},
  ) {
    super(qb);
    this.ttl = opts.lockTtl ?? 30;
    this.waitMs = opts.lockWaitMs ?? 60_000;
    // Takes the lock when it is free or its holder's lease has lapsed; changes === 1 means taken.
    this.tryLock = prepare<LocksTable & { now: number }>(
      db,
      qb
        .insertInto('locks')
        .values({ name: param('name'), owner: param('owner'), expires_at: param('expires_at') })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet((eb) => ({ owner: eb.ref('excluded.owner'), expires_at: eb.ref('excluded.expires_at') }))
            .where('locks.expires_at', '<=', param<number>('now')),
        ),
    );
    this.renewLock = prepare<LocksTable>(
      db,
      qb
        .updateTable('locks')
        .set({ expires_at: param<number>('expires_at') })
        .where('name', '=', param<string>('name'))
        .where('owner', '=', param<string>('owner')),
    );
    this.unlock = prepare<Omit<LocksTable, 'expires_at'>>(
      db,
      qb.deleteFrom('locks').where('name', '=', param<string>('name')).where('owner', '=', param<string>('owner')),
    );
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const owner = randomUUID();
    await this.acquire(name, owner);
    const renew = () => {
      try {
        this.renewLock.stmt.run(this.renewLock.bind({ name, owner, expires_at: this.clock.now() + this.ttl }));
      } catch {
        // Database closed or busy: the lease simply lapses after ttl; never crash from a timer.
      }
    };
    const heartbeat = setInterval(renew, (this.ttl * 1000) / 3);
    heartbeat.unref();
    try {
      return await fn();
    } finally {
      clearInterval(heartbeat);
      this.unlock.stmt.run(this.unlock.bind({ name, owner }));
    }
  }

  /** Polls with jittered exponential backoff (2 ms .. 100 ms) until the lock is taken or waitMs passes. */
  private async acquire(name: string, owner: string): Promise<void> {
    const deadline = Date.now() + this.waitMs;
    for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
      const now = this.clock.now();
      const args = { name, owner, expires_at: now + this.ttl, now };
      if (this.tryLock.stmt.run(this.tryLock.bind(args)).changes === 1) return;
      if (Date.now() >= deadline) throw new Error(`timed out waiting for store lock "${name}"`);
      await sleep(delay / 2 + Math.random() * delay);
    }
  }
}
