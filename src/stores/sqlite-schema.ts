/**
 * Row types of the SQL schema (see migrations.ts) as kysely sees them, the
 * mapping between rows and store objects, and a statement cache that compiles
 * a kysely query once and reuses the prepared better-sqlite3 statement.
 */
import type { Compilable } from 'kysely';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { RecordKind, StoredKey, StoredRecord, StoredUser } from './types.js';

export interface RecordsTable {
  kind: string;
  id: string;
  subject_id: string | null;
  session_id: string | null;
  client_id: string | null;
  grant_id: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  payload: string;
  /** JSON array of StoredRecord.clientIds; indexed in record_clients. */
  client_ids: string | null;
}

/** One (client, record) pair of StoredRecord.clientIds. Rows of records that no longer list the client are ignored by readers and purged. */
export interface RecordClientsTable {
  client_id: string;
  kind: string;
  id: string;
  created_at: number;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  encrypted_private_key: string;
  created_at: number;
  activates_at: number;
  retires_at: number;
}

export interface UsersTable {
  subject_id: string;
  username: string;
  password_hash: string;
  claims: string;
  /** SQLite stores booleans as 0/1; PostgreSQL answers a boolean. */
  is_active: number | boolean;
  created_at: number;
  updated_at: number;
}

/** Per-user MFA documents (migration 0006). */
export interface UserMfaTableRow {
  subject_id: string;
  data: string;
  version: number;
  updated_at: number;
}

export interface LocksTable {
  name: string;
  owner: string;
  expires_at: number;
}

export interface ConfigDocumentsTable {
  kind: string;
  id: string;
  /** JSON of the config-file entry. */
  document: string;
  updated_at: number;
}

export interface ConfigVersionTable {
  id: number;
  version: number;
}

export interface OutboxTable {
  id: string;
  kind: string;
  payload: string;
  attempts: number;
  /** Epoch milliseconds. */
  due_at: number;
  lease: string | null;
  lease_until: number | null;
  created_at: number;
}

/** The audit log (stores/sql-audit-log.ts): appended to, never updated. */
export interface AuditLogTable {
  id: string;
  time: number;
  actor_subject: string | null;
  actor_client_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string;
  address: string | null;
  request_id: string | null;
  /** JSON `{ before, after }` without secrets. */
  changes: string;
}

export interface Schema {
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  record_clients: RecordClientsTable;
  config_documents: ConfigDocumentsTable;
  config_version: ConfigVersionTable;
  records: RecordsTable;
  signing_keys: SigningKeysTable;
  users: UsersTable;
  user_mfa: UserMfaTableRow;
  locks: LocksTable;
}

export function recordToRow(r: StoredRecord): RecordsTable {
  return {
    kind: r.kind,
    id: r.id,
    subject_id: r.subjectId ?? null,
    session_id: r.sessionId ?? null,
    client_id: r.clientId ?? null,
    grant_id: r.grantId ?? null,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
    consumed_at: r.consumedAt ?? null,
    payload: JSON.stringify(r.payload ?? null),
    client_ids: r.clientIds === undefined ? null : JSON.stringify(r.clientIds),
  };
}

export function rowToRecord<P>(row: RecordsTable): StoredRecord<P> {
  const rec: StoredRecord<P> = {
    kind: row.kind as RecordKind,
    id: row.id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    payload: JSON.parse(row.payload) as P,
  };
  if (row.subject_id !== null) rec.subjectId = row.subject_id;
  if (row.session_id !== null) rec.sessionId = row.session_id;
  if (row.client_id !== null) rec.clientId = row.client_id;
  if (row.grant_id !== null) rec.grantId = row.grant_id;
  if (row.consumed_at !== null) rec.consumedAt = row.consumed_at;
  if (row.client_ids !== null && row.client_ids !== undefined) rec.clientIds = JSON.parse(row.client_ids) as string[];
  return rec;
}

export function rowToKey(row: SigningKeysTable): StoredKey {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: row.public_jwk,
    encryptedPrivateKey: row.encrypted_private_key,
    createdAt: row.created_at,
    activatesAt: row.activates_at,
    retiresAt: row.retires_at,
  };
}

export function rowToUser(row: UsersTable): StoredUser {
  return {
    subjectId: row.subject_id,
    username: row.username,
    passwordHash: row.password_hash,
    claims: JSON.parse(row.claims) as Record<string, unknown>,
    isActive: row.is_active === 1 || row.is_active === true,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const MARK = '\u0000param:';

/** A named parameter placeholder for {@link prepare}; typed as the column's type. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T types the placeholder at the call site (param<number>('x'))
export const param = <T>(name: string): T => `${MARK}${name}` as unknown as T;

/** A prepared statement plus the order in which its named parameters bind. */
export interface Prepared<A extends object> {
  stmt: Statement;
  bind(args: A): unknown[];
}

/**
 * Compiles a kysely query built with {@link param} placeholders once and
 * prepares it, so hot paths skip query building, compiling and SQL parsing.
 *
 * @example
 * const find = prepare<{ kind: string; id: string }>(db, qb.selectFrom('records').selectAll()
 *   .where('kind', '=', param('kind')).where('id', '=', param('id')));
 * find.stmt.get(find.bind({ kind: 'session', id: 'x' }));
 */
export function prepare<A extends object>(db: SqliteDatabase, query: Compilable): Prepared<A> {
  const { sql, parameters } = query.compile();
  // Each slot is either a named parameter (filled per call) or a constant baked into the query.
  const slots = parameters.map((p): [name: string | undefined, value: unknown] =>
    typeof p === 'string' && p.startsWith(MARK) ? [p.slice(MARK.length), undefined] : [undefined, p],
  );
  return {
    stmt: db.prepare(sql),
    bind: (args) => slots.map(([name, value]) => (name === undefined ? value : (args as Record<string, unknown>)[name])),
  };
}
