/**
 * Configuration documents in SQL (SQLite or PostgreSQL): one row per client or
 * resource holding its config-file JSON, and a one-row version counter that a
 * node polls to learn that the set changed.
 */
import type { Kysely } from 'kysely';
import type { ConfigDocument, ConfigDocumentKind, ConfigDocumentStore } from './types.js';
import type { Schema } from './sqlite-schema.js';

export class SqlConfigDocuments implements ConfigDocumentStore {
  constructor(private readonly qb: Kysely<Schema>) {}

  async load(): Promise<{ version: number; documents: ConfigDocument[] }> {
    return this.inTransaction(async (tx) => {
      const version = await readVersion(tx);
      const rows = await tx.selectFrom('config_documents').select(['kind', 'id', 'document']).orderBy('kind').orderBy('id').execute();
      const documents = rows.map((r) => ({ kind: r.kind as ConfigDocumentKind, id: r.id, document: JSON.parse(r.document) as Record<string, unknown> }));
      return { version, documents };
    });
  }

  /** Inside Backend.transact the caller's transaction holds these statements (Kysely does not nest transactions). */
  private inTransaction<T>(fn: (tx: Kysely<Schema>) => Promise<T>): Promise<T> {
    return this.qb.isTransaction ? fn(this.qb) : this.qb.transaction().execute(fn);
  }

  version(): Promise<number> {
    return readVersion(this.qb);
  }

  async replaceAll(documents: readonly ConfigDocument[], now: number): Promise<number> {
    return this.inTransaction(async (tx) => {
      // Bump first: on PostgreSQL the row lock serialises concurrent imports.
      const { version } = await tx
        .updateTable('config_version')
        .set((eb) => ({ version: eb('version', '+', 1) }))
        .where('id', '=', 1)
        .returning('version')
        .executeTakeFirstOrThrow();
      await tx.deleteFrom('config_documents').execute();
      for (const d of documents) {
        await tx
          .insertInto('config_documents')
          .values({ kind: d.kind, id: d.id, document: JSON.stringify(d.document), updated_at: now })
          .execute();
      }
      return version;
    });
  }
}

async function readVersion(qb: Kysely<Schema>): Promise<number> {
  const row = await qb.selectFrom('config_version').select('version').where('id', '=', 1).executeTakeFirst();
  return row?.version ?? 0;
}
