/**
 * Operational records in one SQLite table. The hot methods (put, find,
 * consume, insertIfAbsent, delete, deleteByGrantId) run statements compiled
 * and prepared once; the rare filtered deletes go through kysely per call.
 */
import type { Kysely } from 'kysely';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { countActiveRecords, deleteRecordsBySession, deleteRecordsBySubject, findManyRecords, purgeRecordClients } from './sql-record-queries.js';
import { type OperationalStore, type RecordFilter, type RecordKind, type RecordWrite, type StoredRecord } from './types.js';
import { param, prepare, recordToRow, rowToRecord, type RecordClientsTable, type RecordsTable, type Schema } from './sqlite-schema.js';

type Key = { kind: string; id: string };
const COLUMNS = ['subject_id', 'session_id', 'client_id', 'grant_id', 'created_at', 'expires_at', 'consumed_at', 'payload', 'client_ids'] as const;

/** Every non-key column named as a parameter, for INSERT ... VALUES. */
const rowParams = (): RecordsTable => {
  const row: Record<string, unknown> = { kind: param<string>('kind'), id: param<string>('id') };
  for (const c of COLUMNS) row[c] = param(c);
  return row as unknown as RecordsTable;
};

function statements(db: SqliteDatabase, qb: Kysely<Schema>) {
  // Insert, or overwrite every column from the new row (portable upsert, not INSERT OR REPLACE).
  // With onlyExpired the DO UPDATE has a WHERE, so check-and-replace is one atomic statement.
  const upsert = (onlyExpired: boolean) =>
    qb
      .insertInto('records')
      .values(rowParams())
      .onConflict((oc) => {
        const update = oc.columns(['kind', 'id']).doUpdateSet((eb) => {
          const set: Record<string, unknown> = {};
          for (const c of COLUMNS) set[c] = eb.ref(`excluded.${c}` as const);
          return set;
        });
        return onlyExpired ? update.where('records.expires_at', '<=', param<number>('now')) : update;
      });
  return {
    put: prepare<RecordsTable>(db, upsert(false)),
    // put() of a record that exists with the same indexed columns (a rewrite of an
    // interaction, a rotated refresh token): only the row changes, no index entry.
    insertNew: prepare<RecordsTable>(
      db,
      qb
        .insertInto('records')
        .values(rowParams())
        .onConflict((oc) => oc.columns(['kind', 'id']).doNothing()),
    ),
    rewriteUnindexed: prepare<RecordsTable>(
      db,
      qb
        .updateTable('records')
        .set({
          client_id: param('client_id'),
          created_at: param('created_at'),
          consumed_at: param('consumed_at'),
          payload: param('payload'),
          client_ids: param('client_ids'),
        })
        .where('kind', '=', param<string>('kind'))
        .where('id', '=', param<string>('id'))
        .where('subject_id', 'is', param<string | null>('subject_id'))
        .where('session_id', 'is', param<string | null>('session_id'))
        .where('grant_id', 'is', param<string | null>('grant_id'))
        .where('expires_at', '=', param<number>('expires_at')),
    ),
    insertIfAbsent: prepare<RecordsTable & { now: number }>(db, upsert(true)),
    find: prepare<Key>(db, qb.selectFrom('records').selectAll().where('kind', '=', param<string>('kind')).where('id', '=', param<string>('id'))),
    // Compare-and-set: only the caller whose UPDATE flips consumed_at from NULL gets the row.
    consume: prepare<Key & { now: number }>(
      db,
      qb
        .updateTable('records')
        .set({ consumed_at: param<number>('now') })
        .where('kind', '=', param<string>('kind'))
        .where('id', '=', param<string>('id'))
        .where('consumed_at', 'is', null)
        .returningAll(),
    ),
    indexClient: prepare<RecordClientsTable>(
      db,
      qb
        .insertInto('record_clients')
        .values({ client_id: param('client_id'), kind: param('kind'), id: param('id'), created_at: param('created_at') })
        .onConflict((oc) => oc.columns(['client_id', 'kind', 'id']).doUpdateSet((eb) => ({ created_at: eb.ref('excluded.created_at') }))),
    ),
    delete: prepare<Key>(db, qb.deleteFrom('records').where('kind', '=', param<string>('kind')).where('id', '=', param<string>('id'))),
    // Runs on every refresh-token replay or code reuse (a grant family revocation).
    deleteByGrantId: prepare<{ grantId: string }>(db, qb.deleteFrom('records').where('grant_id', '=', param<string>('grantId'))),
  };
}

/** The records store of a SQLite backend. */
export class SqliteRecords implements OperationalStore {
  private readonly stmts: ReturnType<typeof statements>;
  private readonly applyAll: (writes: readonly RecordWrite[]) => void;
  private readonly putIndexed: (rec: StoredRecord) => void;

  constructor(
    db: SqliteDatabase,
    private readonly qb: Kysely<Schema>,
  ) {
    this.stmts = statements(db, qb);
    // One transaction: one commit (WAL append and lock round) for the whole batch.
    this.applyAll = db.transaction((writes: readonly RecordWrite[]) => {
      for (const w of writes) {
        if ('put' in w) this.putRow(w.put);
        else this.stmts.delete.stmt.run(this.stmts.delete.bind(w.delete));
      }
    });
    this.putIndexed = db.transaction((rec: StoredRecord) => this.putRow(rec));
  }

  /**
   * Insert or replace. A new record is one INSERT. An existing one whose
   * indexed columns stay the same is one UPDATE of the other columns, which
   * SQLite applies to the row alone (an UPDATE maintains only the indexes of
   * the columns it sets). Otherwise the full upsert. Each step is one atomic
   * statement and the last one always lands, so the outcome is the upsert's.
   */
  async put(rec: StoredRecord): Promise<void> {
    // A record with clients writes index rows too: one transaction.
    if (rec.clientIds?.length) this.putIndexed(rec);
    else this.putRow(rec);
  }
  async writeAll(writes: readonly RecordWrite[]): Promise<void> {
    this.applyAll(writes);
  }
  private putRow(rec: StoredRecord): void {
    const { put, insertNew, rewriteUnindexed, indexClient } = this.stmts;
    const row = recordToRow(rec);
    for (const clientId of new Set(rec.clientIds ?? []))
      indexClient.stmt.run(indexClient.bind({ client_id: clientId, kind: rec.kind, id: rec.id, created_at: rec.createdAt }));
    // A consumed record exists (consume() only marks stored rows): skip the INSERT attempt, a write that would change nothing.
    if (rec.consumedAt === undefined && insertNew.stmt.run(insertNew.bind(row)).changes === 1) return;
    if (rewriteUnindexed.stmt.run(rewriteUnindexed.bind(row)).changes === 1) return;
    put.stmt.run(put.bind(row));
  }
  async insertIfAbsent(rec: StoredRecord, now: number): Promise<boolean> {
    const { insertIfAbsent: s } = this.stmts;
    const inserted = s.stmt.run(s.bind({ ...recordToRow(rec), now })).changes === 1;
    if (inserted && rec.clientIds?.length) this.putIndexed(rec);
    return inserted;
  }
  async find<P = unknown>(kind: RecordKind, id: string): Promise<StoredRecord<P> | undefined> {
    const { find } = this.stmts;
    const row = find.stmt.get(find.bind({ kind, id })) as RecordsTable | undefined;
    return row && rowToRecord<P>(row);
  }
  async consume<P = unknown>(kind: RecordKind, id: string, now: number): Promise<StoredRecord<P> | undefined> {
    const { consume } = this.stmts;
    const row = consume.stmt.get(consume.bind({ kind, id, now })) as RecordsTable | undefined;
    return row && rowToRecord<P>(row);
  }
  async findMany<P = unknown>(kind: RecordKind, filter: RecordFilter = {}): Promise<StoredRecord<P>[]> {
    return findManyRecords<P>(this.qb, kind, filter);
  }
  async delete(kind: RecordKind, id: string): Promise<boolean> {
    const { delete: del } = this.stmts;
    return del.stmt.run(del.bind({ kind, id })).changes > 0;
  }
  async deleteByGrantId(grantId: string): Promise<number> {
    const { deleteByGrantId: del } = this.stmts;
    return del.stmt.run(del.bind({ grantId })).changes;
  }
  async deleteBySubject(subjectId: string, filter: { clientId?: string; kind?: RecordKind } = {}): Promise<number> {
    return deleteRecordsBySubject(this.qb, subjectId, filter);
  }
  async deleteBySession(sessionId: string, filter: { kind?: RecordKind } = {}): Promise<number> {
    return deleteRecordsBySession(this.qb, sessionId, filter);
  }
  async purgeExpired(now: number): Promise<number> {
    const r = await this.qb.deleteFrom('records').where('expires_at', '<=', now).executeTakeFirst();
    await purgeRecordClients(this.qb);
    return Number(r.numDeletedRows);
  }
  countActive(kind: RecordKind, now: number): Promise<number> {
    return countActiveRecords(this.qb, kind, now);
  }
}
