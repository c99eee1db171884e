/**
 * Signing keys in PostgreSQL, and the store-wide named lock: a session
 * advisory lock held on one pooled connection while fn runs. A crashed holder's
 * connection closes and PostgreSQL releases its lock at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { SqlKeyStore } from './sql-keys.js';
import type { Schema } from './sqlite-schema.js';

/** The key store of a PostgreSQL backend. */
export class PostgresKeys extends SqlKeyStore {
  constructor(
    qb: Kysely<Schema>,
    private readonly pool: pg.Pool,
    private readonly lockWaitMs = 60_000,
  ) {
    super(qb);
  }

  /**
   * Polls `pg_try_advisory_lock` with a connection taken per attempt and kept
   * on success (a waiter holds no connection, so waiters cannot starve the
   * pool that fn needs).
   */
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const lockName = `gatehouse:${name}`;
    const deadline = Date.now() + this.lockWaitMs;
    let holder: pg.PoolClient | undefined;
    for (let delay = 2; !holder; delay = Math.min(delay * 2, 100)) {
      const client = await this.pool.connect();
      let taken = false;
      try {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lockName]);
        taken = rows[0]?.ok;
      } finally {
        if (taken) holder = client;
        else client.release();
      }
      if (!holder) {
        if (Date.now() >= deadline) throw new Error(`timed out waiting for store lock "${name}"`);
        await sleep(delay / 2 + Math.random() * delay);
      }
    }
    try {
      return await fn();
    } finally {
      try {
        await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [lockName]);
        holder.release();
      } catch (err) {
        holder.release(err as Error); // a broken connection is discarded; its lock went with it
      }
    }
  }
}
