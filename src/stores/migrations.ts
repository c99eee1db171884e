/**
 * The SQL schema as one migration set, written with kysely's schema builder
 * only (no dialect-specific SQL), so the same migrations run on SQLite and
 * PostgreSQL. Times are epoch seconds in `bigint` columns; JSON is text.
 * Applied migrations are listed in the schema version table `kysely_migration`.
 *
 * Concurrent starters: SQLite wraps the run in `BEGIN IMMEDIATE` (sqlite.ts);
 * PostgreSQL holds a session advisory lock on one connection around the run.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take `Kysely<any>`: a migration must not depend on today's table types (Kysely's documented convention) */
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { kysely } from './kysely-runtime.js';

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

/**
 * Lookups by subject are often narrowed by client (consent, per-client
 * revocation): one partial index on (subject_id, client_id) replaces the
 * subject index, so the extra column costs no extra index maintenance.
 * Configuration documents (clients, resources) kept in the database, with a
 * version row every node polls cheaply to notice changes.
 */
async function subjectClientIndexUp(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('records_subject_id_idx').execute();
  await db.schema.createIndex('records_subject_client_idx').on('records').columns(['subject_id', 'client_id']).where('subject_id', 'is not', null).execute();
  await db.schema
    .createTable('config_documents')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('config_documents_pk', ['kind', 'id'])
    .execute();
  await db.schema
    .createTable('config_version')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('config_version').values({ id: 1, version: 0 }).execute();
}

async function subjectClientIndexDown(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('config_version').execute();
  await db.schema.dropTable('config_documents').execute();
  await db.schema.dropIndex('records_subject_client_idx').execute();
  await db.schema.createIndex('records_subject_id_idx').on('records').column('subject_id').where('subject_id', 'is not', null).execute();
}

/**
 * The durable outbox (back-channel logout deliveries any node may make, with
 * leases), and the clients of a record (an SSO session's clients): a JSON
 * column that round-trips them and a table of (client, kind, id) rows that
 * indexes them, so the sessions of a client are found exactly.
 */
async function outboxUp(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('lease', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_due_at_idx').on('outbox').column('due_at').execute();
  await db.schema.alterTable('records').addColumn('client_ids', 'text').execute();
  await db.schema
    .createTable('record_clients')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('record_clients_pk', ['client_id', 'kind', 'id'])
    .execute();
  // Pages of a client's records in the order findMany answers (createdAt, then id).
  await db.schema.createIndex('record_clients_order_idx').on('record_clients').columns(['client_id', 'kind', 'created_at', 'id']).execute();
}

async function outboxDown(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('record_clients').execute();
  await db.schema.alterTable('records').dropColumn('client_ids').execute();
  await db.schema.dropTable('outbox').execute();
}

/** Federation (docs/federation.md): external account links and dynamic external providers. */
async function federationUp(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('external_links')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('external_subject', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('external_links_pk', ['issuer', 'external_subject'])
    .execute();
  await db.schema.createIndex('external_links_subject_idx').on('external_links').column('subject_id').execute();
  await db.schema
    .createTable('external_providers')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

async function federationDown(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('external_providers').execute();
  await db.schema.dropTable('external_links').execute();
}

/**
 * Per-user multi-factor data (src/mfa/): one JSON document per subject with a
 * version for compare-and-set. No foreign key to `users`: configured test
 * users and a host's user store have no row there.
 */
async function userMfaUp(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_mfa')
    .addColumn('subject_id', 'text', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

async function userMfaDown(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('user_mfa').execute();
}

/**
 * The audit log of admin changes (docs/admin-api.md): append-only, read in
 * (time, id) order, filtered by resource and by action.
 */
async function auditLogUp(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('actor_subject', 'text')
    .addColumn('actor_client_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('request_id', 'text')
    .addColumn('changes', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_time_idx').on('audit_log').columns(['time', 'id']).execute();
  await db.schema.createIndex('audit_log_resource_idx').on('audit_log').columns(['resource_type', 'resource_id', 'time']).execute();
}

async function auditLogDown(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
}

/** Every migration, in order. Append new ones; never edit an applied one. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_initial': { up: initialUp, down: initialDown },
  '0002_partial_record_indexes': { up: partialIndexesUp, down: partialIndexesDown },
  '0003_subject_client_index_and_config': { up: subjectClientIndexUp, down: subjectClientIndexDown },
  '0004_outbox_and_record_clients': { up: outboxUp, down: outboxDown },
  '0005_federation': { up: federationUp, down: federationDown },
  '0006_user_mfa': { up: userMfaUp, down: userMfaDown },
  '0007_audit_log': { up: auditLogUp, down: auditLogDown },
};

const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations }) };

/** Key of the PostgreSQL advisory lock held while migrating (any constant; "gatehouse" in ASCII). */
const PG_MIGRATION_LOCK = 0x6761746568;

/**
 * Brings the schema up to date; throws when a migration fails.
 *
 * SQLite: the caller provides the cross-process exclusion (`BEGIN IMMEDIATE`
 * around this call), hence `ownTransaction` (kysely's transactions off).
 * PostgreSQL: the run happens on one connection holding a session advisory
 * lock, so nodes starting at once apply each migration exactly once; each
 * migration is its own transaction (PostgreSQL has transactional DDL).
 *
 * @example
 * await migrateToLatest(new Kysely({ dialect: new SqliteDialect({ database }) }), { ownTransaction: true });
 * await migrateToLatest(new Kysely({ dialect: new PostgresDialect({ pool }) }), { dialect: 'postgres' });
 */
export async function migrateToLatest(db: Kysely<any>, opts: { ownTransaction?: boolean; dialect?: 'sqlite' | 'postgres' } = {}): Promise<string[]> {
  if (opts.dialect === 'postgres') {
    return db.connection().execute(async (conn) => {
      await kysely.sql`SELECT pg_advisory_lock(${kysely.sql.lit(PG_MIGRATION_LOCK)})`.execute(conn);
      try {
        return await runMigrator(conn, false);
      } finally {
        await kysely.sql`SELECT pg_advisory_unlock(${kysely.sql.lit(PG_MIGRATION_LOCK)})`.execute(conn);
      }
    });
  }
  return runMigrator(db, opts.ownTransaction ?? false);
}

async function runMigrator(db: Kysely<any>, ownTransaction: boolean): Promise<string[]> {
  const migrator = new kysely.Migrator({ db, provider, disableTransactions: ownTransaction });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error || failed) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- whatever Kysely reports, printed as is
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
  return results.map((r) => r.migrationName);
}
