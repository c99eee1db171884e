/**
 * The embedded SQLite backend: one database file (WAL mode) that several
 * processes of one machine may share. Queries are written with kysely; hot
 * statements are compiled and prepared once (see sqlite-schema.ts `prepare`).
 */
import { SqlFederation } from './sql-federation.js';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { pingSqlite } from './sqlite-ping.js';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { kysely } from './kysely-runtime.js';
import { systemClock, type Clock } from '../model/types.js';
import type { Backend } from './types.js';
import { migrateToLatest } from './migrations.js';
import type { Schema } from './sqlite-schema.js';
import { SqliteRecords } from './sqlite-records.js';
import { SqlOutbox } from './sql-outbox.js';
import { SqlAuditLog } from './sql-audit-log.js';
import { SqliteKeys, type SqliteLockOptions } from './sqlite-keys.js';
import { SqliteUsers } from './sqlite-users.js';
import { SqlUserMfa } from './sql-user-mfa.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { SqlConfigDocuments } from './sql-config-documents.js';

export interface SqliteBackendOptions extends SqliteLockOptions {
  /** Called with the names of the migrations this open applied (for `gatehouse migrate`). */
  onMigrated?: (applied: string[]) => void;
  /**
   * Database file; its folder is created (mode 0700) when missing, the file
   * itself mode 0600 (SQLite gives its -wal and -shm files the same mode).
   * `:memory:` for a private in-memory database.
   */
  path: string;
  /** Time source for lock leases. Default: the system clock. */
  clock?: Clock;
}

const BUSY_TIMEOUT_MS = 5000;
/** How often the checkpoint worker copies the WAL into the database file. */
const CHECKPOINT_INTERVAL_MS = 250;

/**
 * Opens (creating when needed) and migrates a SQLite database.
 *
 * @example
 * const backend = await createSqliteBackend({ path: './data/gatehouse.db' });
 * await backend.records.put(record);
 * await backend.close();
 */
export async function createSqliteBackend(opts: SqliteBackendOptions): Promise<Backend> {
  const inMemory = opts.path === ':memory:';
  if (!inMemory) createPrivately(resolve(opts.path));
  const db = new Database(opts.path);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!inMemory) db.pragma('journal_mode = WAL');
  // WAL + NORMAL: durable across process crashes; a power cut may lose the last commits, never corrupts.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const qb = new kysely.Kysely<Schema>({ dialect: new kysely.SqliteDialect({ database: db }) });
  try {
    const applied = await migrate(db, qb); // (not inside ?.(): that would skip the call)
    opts.onMigrated?.(applied);
  } catch (err) {
    await qb.destroy();
    throw err;
  }
  const clock = opts.clock ?? systemClock;
  const checkpointer = inMemory ? undefined : startCheckpointer(db, resolve(opts.path), CHECKPOINT_INTERVAL_MS);
  let closed = false;
  return {
    records: new SqliteRecords(db, qb),
    keys: new SqliteKeys(db, qb, clock, opts),
    users: new SqliteUsers(qb),
    userMfa: new SqlUserMfa(qb),
    configDocuments: new SqlConfigDocuments(qb),
    federation: new SqlFederation(qb),
    outbox: new SqlOutbox(qb),
    transact: (fn) => qb.transaction().execute((tx) => fn({ users: new SqliteUsers(tx), configDocuments: new SqlConfigDocuments(tx) })),
    auditLog: new SqlAuditLog(qb),
    ping: pingSqlite(db, inMemory ? undefined : opts.path),
    close: async () => {
      if (closed) return;
      closed = true;
      await checkpointer?.stop();
      await qb.destroy(); // closes the better-sqlite3 database
    },
  };
}

/**
 * Creates the database's folder (0700) and file (0600) when they are missing,
 * so that only the owner can read tokens and sessions; SQLite creates the
 * -wal and -shm files with the database file's mode. Existing folders and
 * files keep the mode they have (O_EXCL: a racing starter's file is left alone).
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * Runs the migrations inside one `BEGIN IMMEDIATE` transaction so concurrent
 * starters (cluster workers) apply them exactly once. The write lock is taken
 * with busy_timeout 0 and retried asynchronously: a synchronous busy wait would
 * freeze the event loop while another connection of this process holds it.
 */
export async function migrate(db: Database.Database, qb: Kysely<Schema>): Promise<string[]> {
  db.pragma('busy_timeout = 0');
  try {
    const deadline = Date.now() + 30_000;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      try {
        db.exec('BEGIN IMMEDIATE');
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
        await sleep(delay);
      }
    }
    try {
      const applied = await migrateToLatest(qb, { ownTransaction: true });
      db.exec('COMMIT');
      return applied;
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    if (db.open) db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}
