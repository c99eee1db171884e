/**
 * The SQL schema as one migration set, written with kysely's schema builder
 * only (no dialect-specific SQL), so the same migrations run on SQLite and,
 * later, PostgreSQL. Times are epoch seconds in `bigint` columns; JSON is text.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/** Operational records, signing keys, SQL users and named store-wide locks. */
async function initialUp(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('records')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('session_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('records_pk', ['kind', 'id'])
    .execute();
  for (const col of ['grant_id', 'subject_id', 'session_id', 'expires_at'] as const) {
    await db.schema.createIndex(`records_${col}_idx`).on('records').column(col).execute();
  }

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('encrypted_private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('activates_at', 'bigint', (c) => c.notNull())
    .addColumn('retires_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('subject_id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('claims', 'text', (c) => c.notNull())
    .addColumn('is_active', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // A row per held lock; expires_at lets a crashed holder's lock lapse.
  await db.schema
    .createTable('locks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

async function initialDown(db: Kysely<any>): Promise<void> {
  for (const table of ['locks', 'users', 'signing_keys', 'records']) await db.schema.dropTable(table).execute();
}

/** Secondary indexes of `records` that only some kinds of record use (nullable columns). */
const PARTIAL_INDEXED = ['grant_id', 'subject_id', 'session_id'] as const;

/**
 * Partial indexes: only records that carry a grant, subject or session id are
 * in those indexes, so an interaction, lockout or revocation marker written on
 * the hot path maintains the primary key and the expiry index only. Lookups by
 * `col = ?` imply `col IS NOT NULL`, so SQLite and PostgreSQL use them as before.
 */
async function partialIndexesUp(db: Kysely<any>): Promise<void> {
  for (const col of PARTIAL_INDEXED) {
    await db.schema.dropIndex(`records_${col}_idx`).execute();
    await db.schema.createIndex(`records_${col}_idx`).on('records').column(col).where(col, 'is not', null).execute();
  }
}

async function partialIndexesDown(db: Kysely<any>): Promise<void> {
  for (const col of PARTIAL_INDEXED) {
    await db.schema.dropIndex(`records_${col}_idx`).execute();
    await db.schema.createIndex(`records_${col}_idx`).on('records').column(col).execute();
  }
}

/** Every migration, in order. Append new ones; never edit an applied one. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_initial': { up: initialUp, down: initialDown },
  '0002_partial_record_indexes': { up: partialIndexesUp, down: partialIndexesDown },
};

const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations }) };

/**
 * Brings the schema up to date; throws when a migration fails.
 *
 * The caller provides the cross-process exclusion (SQLite: `BEGIN IMMEDIATE`
 * around this call), hence `disableTransactions`.
 *
 * @example
 * await migrateToLatest(new Kysely({ dialect: new SqliteDialect({ database }) }), { ownTransaction: true });
 */
export async function migrateToLatest(db: Kysely<any>, opts: { ownTransaction?: boolean } = {}): Promise<string[]> {
  const migrator = new Migrator({ db, provider, disableTransactions: opts.ownTransaction });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
  return results.map((r) => r.migrationName);
}
