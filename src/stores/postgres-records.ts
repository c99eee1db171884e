/**
 * Operational records in one PostgreSQL table. Single use is one
 * `UPDATE ... WHERE consumed_at IS NULL RETURNING *`: under READ COMMITTED a
 * concurrent second UPDATE waits for the first and then re-checks the WHERE,
 * so exactly one caller gets the row.
 */
import type { Kysely } from 'kysely';
import {
  countActiveRecords,
  deleteRecordsBySession,
  deleteRecordsBySubject,
  findManyRecords,
  indexRecordClients,
  purgeRecordClients,
} from './sql-record-queries.js';
import { type OperationalStore, type RecordFilter, type RecordKind, type RecordWrite, type StoredRecord } from './types.js';
import { recordToRow, rowToRecord, type Schema } from './sqlite-schema.js';

const COLUMNS = ['subject_id', 'session_id', 'client_id', 'grant_id', 'created_at', 'expires_at', 'consumed_at', 'payload', 'client_ids'] as const;

/** The records store of a PostgreSQL backend. */
export class PostgresRecords implements OperationalStore {
  constructor(private readonly qb: Kysely<Schema>) {}

  /** INSERT, or overwrite every column (only when expired with `onlyExpiredAt`); one atomic statement. */
  private upsert(rec: StoredRecord, onlyExpiredAt?: number) {
    return this.qb
      .insertInto('records')
      .values(recordToRow(rec))
      .onConflict((oc) => {
        const update = oc.columns(['kind', 'id']).doUpdateSet((eb) => {
          const set: Record<string, unknown> = {};
          for (const c of COLUMNS) set[c] = eb.ref(`excluded.${c}` as const);
          return set;
        });
        return onlyExpiredAt === undefined ? update : update.where('records.expires_at', '<=', onlyExpiredAt);
      })
      .executeTakeFirst();
  }

  /** Index rows first: should the record write then fail, a reader skips the row of a record that does not list the client. */
  async put(rec: StoredRecord): Promise<void> {
    await indexRecordClients(this.qb, rec);
    await this.upsert(rec);
  }
  async insertIfAbsent(rec: StoredRecord, now: number): Promise<boolean> {
    const inserted = (await this.upsert(rec, now)).numInsertedOrUpdatedRows === 1n;
    if (inserted) await indexRecordClients(this.qb, rec);
    return inserted;
  }
  async find<P = unknown>(kind: RecordKind, id: string): Promise<StoredRecord<P> | undefined> {
    const row = await this.qb.selectFrom('records').selectAll().where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
    return row && rowToRecord<P>(row);
  }
  async consume<P = unknown>(kind: RecordKind, id: string, now: number): Promise<StoredRecord<P> | undefined> {
    const row = await this.qb
      .updateTable('records')
      .set({ consumed_at: now })
      .where('kind', '=', kind)
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row && rowToRecord<P>(row);
  }
  /**
   * One transaction: every put (with its client index rows) and delete, or
   * none. A write that fails (a payload that does not serialise, a lost
   * connection) rolls back the writes before it.
   */
  async writeAll(writes: readonly RecordWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await this.qb.transaction().execute(async (trx) => {
      const tx = new PostgresRecords(trx);
      for (const w of writes) {
        if ('put' in w) await tx.put(w.put);
        else await tx.delete(w.delete.kind, w.delete.id);
      }
    });
  }
  async findMany<P = unknown>(kind: RecordKind, filter: RecordFilter = {}): Promise<StoredRecord<P>[]> {
    return findManyRecords<P>(this.qb, kind, filter);
  }
  async delete(kind: RecordKind, id: string): Promise<boolean> {
    const r = await this.qb.deleteFrom('records').where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
  async deleteByGrantId(grantId: string): Promise<number> {
    return Number((await this.qb.deleteFrom('records').where('grant_id', '=', grantId).executeTakeFirst()).numDeletedRows);
  }
  async deleteBySubject(subjectId: string, filter: { clientId?: string; kind?: RecordKind } = {}): Promise<number> {
    return deleteRecordsBySubject(this.qb, subjectId, filter);
  }
  async deleteBySession(sessionId: string, filter: { kind?: RecordKind } = {}): Promise<number> {
    return deleteRecordsBySession(this.qb, sessionId, filter);
  }
  async purgeExpired(now: number): Promise<number> {
    const n = Number((await this.qb.deleteFrom('records').where('expires_at', '<=', now).executeTakeFirst()).numDeletedRows);
    await purgeRecordClients(this.qb);
    return n;
  }
  countActive(kind: RecordKind, now: number): Promise<number> {
    return countActiveRecords(this.qb, kind, now);
  }
}
