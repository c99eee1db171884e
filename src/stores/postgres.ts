/**
 * The PostgreSQL backend (pg through kysely's PostgresDialect): durable
 * records, signing keys, SQL users and configuration documents, shared by any
 * number of nodes. The pool survives a database restart: broken connections
 * are discarded, queries fail with StoreUnavailableError (HTTP 503) while the
 * database is away, and new connections succeed once it is back.
 */
import { SqlFederation } from './sql-federation.js';
import { kysely } from './kysely-runtime.js';
import pg from 'pg';
import type { Backend } from './types.js';
import { migrateToLatest, migrations } from './migrations.js';
import type { Schema } from './sqlite-schema.js';
import { PostgresRecords } from './postgres-records.js';
import { PostgresKeys } from './postgres-keys.js';
import { SqliteUsers } from './sqlite-users.js';
import { SqlUserMfa } from './sql-user-mfa.js';
import { SqlConfigDocuments } from './sql-config-documents.js';
import { SqlOutbox } from './sql-outbox.js';
import { SqlAuditLog } from './sql-audit-log.js';
import { guardStore, redactUrl, StoreUnavailableError, isUnavailable } from './store-faults.js';

export interface PostgresBackendOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Pool size per process. Default 10. */
  poolSize?: number;
  /** Milliseconds to wait for a store lock. Default 60000. */
  lockWaitMs?: number;
  /** Run the migrations (default true); false: refuse a schema with pending migrations. */
  migrate?: boolean;
  /** Called with the names of the migrations this open applied (for `gatehouse migrate`). */
  onMigrated?: (applied: string[]) => void;
  /** Told about errors of pooled connections (the database went away); never thrown. */
  onConnectionError?: (err: Error) => void;
}

/** bigint (OID 20) as a JS number: epoch seconds fit easily. Set per pool, not globally. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-enum-assignment -- pg's parser table is typed loosely
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A pool configured for Gatehouse; connection errors of idle clients are logged by the caller, never thrown. */
export function createPool(opts: PostgresBackendOptions, onIdleError: (err: Error) => void = () => {}, queryTimeoutMs = 15_000): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    // A database that stops answering (no reset, e.g. a network partition) fails the query instead of hanging it.
    query_timeout: queryTimeoutMs > 0 ? queryTimeoutMs : undefined,
    keepAlive: true,
    types,
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled it would kill the process.
  pool.on('error', onIdleError);
  // A client in use whose connection drops emits 'error' besides failing its query: listen, or the process dies.
  pool.on('connect', (client) => client.on('error', onIdleError));
  return pool;
}

/**
 * Connects, migrates (unless `migrate: false`) and returns the backend. An
 * unreachable database fails here with one clear StoreUnavailableError.
 *
 * @example
 * const backend = await createPostgresBackend({ url: process.env.DATABASE_URL! });
 */
export async function createPostgresBackend(opts: PostgresBackendOptions): Promise<Backend> {
  const pool = createPool(opts, opts.onConnectionError);
  const qb = new kysely.Kysely<Schema>({ dialect: new kysely.PostgresDialect({ pool }) });
  try {
    if (opts.migrate === false) await checkSchemaCurrent(pool);
    else {
      // Migrations (and waiting for another node's) may take longer than a request's query timeout.
      const migrationDb = new kysely.Kysely<Schema>({
        dialect: new kysely.PostgresDialect({ pool: createPool({ ...opts, poolSize: 1 }, opts.onConnectionError, 0) }),
      });
      try {
        const applied = await migrateToLatest(migrationDb, { dialect: 'postgres' }); // outside ?.(): it must always run
        opts.onMigrated?.(applied);
      } finally {
        await migrationDb.destroy();
      }
    }
  } catch (err) {
    await qb.destroy().catch(() => {});
    if (isUnavailable(err)) {
      const detail = err instanceof Error ? ((err as { code?: string }).code ?? err.message) : String(err);
      throw new StoreUnavailableError(`cannot reach PostgreSQL at ${redactUrl(opts.url)}: ${detail}`, err);
    }
    throw err;
  }
  let closed = false;
  return {
    records: guardStore('PostgreSQL', new PostgresRecords(qb)),
    keys: guardStore('PostgreSQL', new PostgresKeys(qb, pool, opts.lockWaitMs)),
    users: guardStore('PostgreSQL', new SqliteUsers(qb)),
    userMfa: guardStore('PostgreSQL', new SqlUserMfa(qb)),
    configDocuments: guardStore('PostgreSQL', new SqlConfigDocuments(qb)),
    federation: guardStore('PostgreSQL', new SqlFederation(qb)),
    outbox: guardStore('PostgreSQL', new SqlOutbox(qb)),
    transact: (fn) => qb.transaction().execute((tx) => fn({ users: new SqliteUsers(tx), configDocuments: new SqlConfigDocuments(tx) })),
    auditLog: guardStore('PostgreSQL', new SqlAuditLog(qb)),
    // Readiness: one round trip on the pool (bounded by the pool's query timeout).
    ping: async () => {
      if (closed) throw new Error('PostgreSQL backend is closed');
      await pool.query('SELECT 1');
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await qb.destroy();
    },
  };
}

/** Throws a clear error when migrations are pending (start with `store.migrateOnStart: false`). */
async function checkSchemaCurrent(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ name: string }>('SELECT name FROM kysely_migration').catch((err: unknown) => {
    if ((err as { code?: string }).code === '42P01') return { rows: [] }; // undefined_table: never migrated
    throw err;
  });
  const applied = new Set(rows.map((r) => r.name));
  const pending = Object.keys(migrations).filter((m) => !applied.has(m));
  if (pending.length > 0) throw new Error(`the database schema is not up to date (pending: ${pending.join(', ')}); run \`gatehouse migrate\``);
}
