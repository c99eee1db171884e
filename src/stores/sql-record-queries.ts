/**
 * The operational-record queries that SQLite and PostgreSQL run the same way
 * (kysely builds them for either dialect); the hot single-record statements
 * stay in each backend.
 */
import { sql, type Kysely } from 'kysely';
import { FIND_MANY_LIMIT, type RecordFilter, type RecordKind, type StoredRecord } from './types.js';
import { rowToRecord, type Schema } from './sqlite-schema.js';

/**
 * Kinds with a partial index of their own (migrations.ts): named as a literal
 * in the SQL, since a planner matches a partial index's WHERE only against
 * literals (SQLite never against a bound parameter).
 */
const PARTIAL_INDEX_KINDS: ReadonlySet<string> = new Set(['session_client']);

export async function findManyRecords<P>(qb: Kysely<Schema>, kind: RecordKind, filter: RecordFilter): Promise<StoredRecord<P>[]> {
  let q = qb.selectFrom('records').selectAll().where('kind', '=', PARTIAL_INDEX_KINDS.has(kind) ? sql.lit(kind) : kind);
  if (filter.subjectId !== undefined) q = q.where('subject_id', '=', filter.subjectId);
  if (filter.sessionId !== undefined) q = q.where('session_id', '=', filter.sessionId);
  if (filter.clientId !== undefined) q = q.where('client_id', '=', filter.clientId);
  if (filter.grantId !== undefined) q = q.where('grant_id', '=', filter.grantId);
  if (filter.expiredAt !== undefined) q = q.where('expires_at', '<=', filter.expiredAt);
  const after = filter.after;
  if (after !== undefined) {
    q = q.where((eb) => eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]));
  }
  const limit = Math.max(0, Math.min(filter.limit ?? FIND_MANY_LIMIT, FIND_MANY_LIMIT));
  const rows = await q.orderBy('created_at').orderBy('id').limit(limit).execute();
  return rows.map((row) => rowToRecord<P>(row));
}

export async function deleteRecordsBySubject(qb: Kysely<Schema>, subjectId: string, filter: { clientId?: string; kind?: RecordKind }): Promise<number> {
  let q = qb.deleteFrom('records').where('subject_id', '=', subjectId);
  if (filter.clientId !== undefined) q = q.where('client_id', '=', filter.clientId);
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
  return Number((await q.executeTakeFirst()).numDeletedRows);
}

export async function deleteRecordsBySession(qb: Kysely<Schema>, sessionId: string, filter: { kind?: RecordKind }): Promise<number> {
  let q = qb.deleteFrom('records').where('session_id', '=', sessionId);
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
  return Number((await q.executeTakeFirst()).numDeletedRows);
}

/** Records of a kind not yet expired (metrics, e.g. active sessions). */
export async function countActiveRecords(qb: Kysely<Schema>, kind: RecordKind, now: number): Promise<number> {
  const r = await qb.selectFrom('records').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', kind).where('expires_at', '>', now).executeTakeFirst();
  return Number(r?.n ?? 0);
}
