/**
 * The outbox in one SQL table (SQLite and PostgreSQL run the same kysely
 * queries). A claim reads due candidates, then leases each with one
 * `UPDATE ... WHERE id = ? AND (lease_until IS NULL OR lease_until <= now)`:
 * a compare-and-set that exactly one of several concurrent claimers wins
 * (SQLite serialises writers; PostgreSQL re-checks the WHERE after waiting
 * for a concurrent UPDATE of the row under READ COMMITTED).
 */
/* eslint-disable @typescript-eslint/no-unnecessary-type-conversion -- Number() on row values is kept on purpose: PostgreSQL hands bigint/count back as strings unless a parser is set, and the row types cannot tell */
import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { ClaimedOutboxEntry, OutboxEntry, OutboxStore } from './types.js';
import type { OutboxTable, Schema } from './sqlite-schema.js';

const free = (now: number) => (eb: ExpressionBuilder<Schema, 'outbox'>) =>
  eb.and([eb('due_at', '<=', now), eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)])]);

const toEntry = <P>(row: OutboxTable): OutboxEntry<P> => ({
  id: row.id,
  kind: row.kind,
  payload: JSON.parse(row.payload) as P,
  attempts: Number(row.attempts),
  dueAt: Number(row.due_at),
  createdAt: Number(row.created_at),
});

/** The outbox of a SQL backend. */
export class SqlOutbox implements OutboxStore {
  constructor(private readonly qb: Kysely<Schema>) {}

  async add(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.qb
      .insertInto('outbox')
      .values(
        entries.map((e) => ({
          id: e.id,
          kind: e.kind,
          payload: JSON.stringify(e.payload ?? null),
          attempts: e.attempts,
          due_at: e.dueAt,
          lease: null,
          lease_until: null,
          created_at: e.createdAt,
        })),
      )
      .execute();
  }

  async claim<P>(opts: { now: number; leaseUntil: number; limit: number; id?: string; kind?: string }): Promise<ClaimedOutboxEntry<P>[]> {
    let q = this.qb.selectFrom('outbox').selectAll().where(free(opts.now));
    if (opts.id !== undefined) q = q.where('id', '=', opts.id);
    if (opts.kind !== undefined) q = q.where('kind', '=', opts.kind);
    const candidates = await q.orderBy('due_at').orderBy('id').limit(Math.max(0, opts.limit)).execute();
    const claimed: ClaimedOutboxEntry<P>[] = [];
    for (const row of candidates) {
      const lease = randomUUID();
      const r = await this.qb
        .updateTable('outbox')
        .set({ lease, lease_until: opts.leaseUntil })
        .where('id', '=', row.id)
        .where(free(opts.now))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) claimed.push({ ...toEntry<P>(row), lease, leaseUntil: opts.leaseUntil });
    }
    return claimed;
  }

  async complete(id: string, lease: string): Promise<boolean> {
    const r = await this.qb.deleteFrom('outbox').where('id', '=', id).where('lease', '=', lease).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async retry(id: string, lease: string, attempts: number, dueAt: number): Promise<boolean> {
    const r = await this.qb
      .updateTable('outbox')
      .set({ attempts, due_at: dueAt, lease: null, lease_until: null })
      .where('id', '=', id)
      .where('lease', '=', lease)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async size(): Promise<number> {
    const r = await this.qb
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
