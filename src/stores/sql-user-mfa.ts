/**
 * Per-user MFA documents in the `user_mfa` table (SQLite and PostgreSQL
 * alike, through kysely). Writes are compare-and-set on `version`: an
 * `UPDATE ... WHERE version = ?` or an insert that does nothing on conflict,
 * so of two sign-ins using the same TOTP step or recovery code one wins.
 */
import type { Kysely } from 'kysely';
import type { StoredUserMfa, UserMfaTable } from './types.js';
import type { Schema } from './sqlite-schema.js';

export class SqlUserMfa implements UserMfaTable {
  constructor(private readonly qb: Kysely<Schema>) {}

  async find(subjectId: string): Promise<StoredUserMfa | undefined> {
    const row = await this.qb.selectFrom('user_mfa').selectAll().where('subject_id', '=', subjectId).executeTakeFirst();
    return row && { subjectId: row.subject_id, data: row.data, version: row.version, updatedAt: row.updated_at };
  }

  async put(subjectId: string, data: string, expectedVersion: number, now: number): Promise<boolean> {
    if (expectedVersion === 0) {
      const r = await this.qb
        .insertInto('user_mfa')
        .values({ subject_id: subjectId, data, version: 1, updated_at: now })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return r.numInsertedOrUpdatedRows === 1n;
    }
    const r = await this.qb
      .updateTable('user_mfa')
      .set({ data, version: expectedVersion + 1, updated_at: now })
      .where('subject_id', '=', subjectId)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }

  async delete(subjectId: string): Promise<boolean> {
    const r = await this.qb.deleteFrom('user_mfa').where('subject_id', '=', subjectId).executeTakeFirst();
    return r.numDeletedRows === 1n;
  }
}
