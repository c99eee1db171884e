/**
 * The operational-record queries that SQLite and PostgreSQL run the same way
 * (kysely builds them for either dialect); the hot single-record statements
 * stay in each backend.
 */
/* eslint-disable @typescript-eslint/no-unnecessary-type-conversion -- Number() on row values is kept on purpose: PostgreSQL hands bigint/count back as strings unless a parser is set, and the row types cannot tell */
import type { Kysely } from 'kysely';
import { FIND_MANY_LIMIT, type RecordFilter, type RecordKind, type StoredRecord } from './types.js';
import { rowToRecord, type RecordsTable, type Schema } from './sqlite-schema.js';

export async function findManyRecords<P>(qb: Kysely<Schema>, kind: RecordKind, filter: RecordFilter): Promise<StoredRecord<P>[]> {
  if (filter.clientIdsInclude !== undefined) return findByListedClient<P>(qb, kind, filter.clientIdsInclude, filter);
  let q = qb.selectFrom('records').selectAll().where('kind', '=', kind);
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
  const r = await qb
    .selectFrom('records')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', '=', kind)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/**
 * Records listing a client among their clientIds, through the record_clients
 * index in (created_at, id) order. Index rows of records that no longer list
 * the client are skipped (they wait for the purge), reading on until the page
 * is full or the index ends, so the answer is exact.
 */
async function findByListedClient<P>(qb: Kysely<Schema>, kind: RecordKind, clientId: string, filter: RecordFilter): Promise<StoredRecord<P>[]> {
  const limit = Math.max(0, Math.min(filter.limit ?? FIND_MANY_LIMIT, FIND_MANY_LIMIT));
  const found: StoredRecord<P>[] = [];
  let after = filter.after;
  while (found.length < limit) {
    let q = qb
      .selectFrom('record_clients as c')
      .innerJoin('records as r', (j) => j.onRef('r.kind', '=', 'c.kind').onRef('r.id', '=', 'c.id'))
      .selectAll('r')
      .where('c.client_id', '=', clientId)
      .where('c.kind', '=', kind);
    if (filter.subjectId !== undefined) q = q.where('r.subject_id', '=', filter.subjectId);
    if (filter.sessionId !== undefined) q = q.where('r.session_id', '=', filter.sessionId);
    if (filter.clientId !== undefined) q = q.where('r.client_id', '=', filter.clientId);
    if (filter.grantId !== undefined) q = q.where('r.grant_id', '=', filter.grantId);
    if (filter.expiredAt !== undefined) q = q.where('r.expires_at', '<=', filter.expiredAt);
    const cursor = after;
    if (cursor !== undefined) {
      q = q.where((eb) => eb.or([eb('c.created_at', '>', cursor.createdAt), eb.and([eb('c.created_at', '=', cursor.createdAt), eb('c.id', '>', cursor.id)])]));
    }
    const want = limit - found.length;
    const rows: RecordsTable[] = await q.orderBy('c.created_at').orderBy('c.id').limit(want).execute();
    for (const row of rows) {
      const rec = rowToRecord<P>(row);
      if (rec.clientIds?.includes(clientId)) found.push(rec);
    }
    if (rows.length < want) break;
    const last = rows[rows.length - 1];
    after = { createdAt: last.created_at, id: last.id };
  }
  return found;
}

/** Indexes a record's clientIds (one row per client; rows of clients it no longer lists stay until the purge). */
export async function indexRecordClients(qb: Kysely<Schema>, rec: StoredRecord): Promise<void> {
  if (!rec.clientIds?.length) return;
  await qb
    .insertInto('record_clients')
    .values([...new Set(rec.clientIds)].map((clientId) => ({ client_id: clientId, kind: rec.kind, id: rec.id, created_at: rec.createdAt })))
    .onConflict((oc) => oc.columns(['client_id', 'kind', 'id']).doUpdateSet((eb) => ({ created_at: eb.ref('excluded.created_at') })))
    .execute();
}

/** Drops index rows whose record is gone (run by the purge). */
export async function purgeRecordClients(qb: Kysely<Schema>): Promise<void> {
  await qb
    .deleteFrom('record_clients')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('records').select('records.id').whereRef('records.kind', '=', 'record_clients.kind').whereRef('records.id', '=', 'record_clients.id'),
        ),
      ),
    )
    .execute();
}
