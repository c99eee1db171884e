/** External account links and dynamic providers in SQLite or PostgreSQL (migration 0005). */
import type { Kysely } from 'kysely';
import type { ExternalLink, FederationStore, StoredProvider } from './types.js';

interface ExternalLinksTable {
  issuer: string;
  external_subject: string;
  provider: string;
  subject_id: string;
  /** PostgreSQL answers bigint as a string. */
  created_at: number | string;
}

interface ExternalProvidersTable {
  name: string;
  document: string;
  updated_at: number | string;
}

interface FederationTables {
  external_links: ExternalLinksTable;
  external_providers: ExternalProvidersTable;
}

const toLink = (r: ExternalLinksTable): ExternalLink => ({
  provider: r.provider,
  issuer: r.issuer,
  externalSubject: r.external_subject,
  subjectId: r.subject_id,
  createdAt: Number(r.created_at),
});

export class SqlFederation implements FederationStore {
  private readonly qb: Kysely<FederationTables>;
  /** Any kysely instance over the migrated schema (the backend's own). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema that migration 0005 ran on
  constructor(qb: Kysely<any>) {
    this.qb = qb as Kysely<FederationTables>;
  }

  async findLink(issuer: string, externalSubject: string): Promise<ExternalLink | undefined> {
    const row = await this.qb
      .selectFrom('external_links')
      .selectAll()
      .where('issuer', '=', issuer)
      .where('external_subject', '=', externalSubject)
      .executeTakeFirst();
    return row && toLink(row);
  }
  async addLink(link: ExternalLink): Promise<boolean> {
    // The primary key (issuer, external_subject) decides a race between two first sign-ins.
    const r = await this.qb
      .insertInto('external_links')
      .values({ issuer: link.issuer, external_subject: link.externalSubject, provider: link.provider, subject_id: link.subjectId, created_at: link.createdAt })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  async linksOf(subjectId: string): Promise<ExternalLink[]> {
    const rows = await this.qb.selectFrom('external_links').selectAll().where('subject_id', '=', subjectId).orderBy('created_at').execute();
    return rows.map(toLink);
  }
  async removeLink(subjectId: string, issuer: string, externalSubject: string): Promise<boolean> {
    const r = await this.qb
      .deleteFrom('external_links')
      .where('subject_id', '=', subjectId)
      .where('issuer', '=', issuer)
      .where('external_subject', '=', externalSubject)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }
  async listProviders(): Promise<StoredProvider[]> {
    const rows = await this.qb.selectFrom('external_providers').selectAll().orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, document: JSON.parse(r.document) as Record<string, unknown>, updatedAt: Number(r.updated_at) }));
  }
  async putProvider(p: StoredProvider): Promise<void> {
    const values = { name: p.name, document: JSON.stringify(p.document), updated_at: p.updatedAt };
    await this.qb
      .insertInto('external_providers')
      .values(values)
      .onConflict((oc) => oc.column('name').doUpdateSet({ document: values.document, updated_at: values.updated_at }))
      .execute();
  }
  async deleteProvider(name: string): Promise<boolean> {
    const r = await this.qb.deleteFrom('external_providers').where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }
}
