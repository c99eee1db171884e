/** The SQL user table of a SQLite backend. */
import type { Kysely } from 'kysely';
import type { StoredUser, UserTable } from './types.js';
import { rowToUser, type Schema, type UsersTable } from './sqlite-schema.js';

type UserChanges = Partial<Omit<StoredUser, 'subjectId' | 'createdAt'>>;

export class SqliteUsers implements UserTable {
  constructor(private readonly qb: Kysely<Schema>) {}

  async findByUsername(username: string): Promise<StoredUser | undefined> {
    const row = await this.qb.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row && rowToUser(row);
  }
  async findBySubject(subjectId: string): Promise<StoredUser | undefined> {
    const row = await this.qb.selectFrom('users').selectAll().where('subject_id', '=', subjectId).executeTakeFirst();
    return row && rowToUser(row);
  }
  async insert(user: StoredUser): Promise<boolean> {
    // No conflict target: DO NOTHING covers both the primary key and the unique username.
    const r = await this.qb
      .insertInto('users')
      .values({
        subject_id: user.subjectId,
        username: user.username,
        password_hash: user.passwordHash,
        claims: JSON.stringify(user.claims),
        is_active: user.isActive ? 1 : 0,
        created_at: user.createdAt,
        updated_at: user.updatedAt,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return r.numInsertedOrUpdatedRows === 1n;
  }
  async update(subjectId: string, changes: UserChanges): Promise<boolean> {
    const set: Partial<UsersTable> = {};
    if (changes.username !== undefined) set.username = changes.username;
    if (changes.passwordHash !== undefined) set.password_hash = changes.passwordHash;
    if (changes.claims !== undefined) set.claims = JSON.stringify(changes.claims);
    if (changes.isActive !== undefined) set.is_active = changes.isActive ? 1 : 0;
    if (changes.updatedAt !== undefined) set.updated_at = changes.updatedAt;
    if (Object.keys(set).length === 0) return (await this.findBySubject(subjectId)) !== undefined;
    const r = await this.qb.updateTable('users').set(set).where('subject_id', '=', subjectId).executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }
  async delete(subjectId: string): Promise<boolean> {
    const r = await this.qb.deleteFrom('users').where('subject_id', '=', subjectId).executeTakeFirst();
    return r.numDeletedRows === 1n;
  }
  async list(): Promise<StoredUser[]> {
    const rows = await this.qb.selectFrom('users').selectAll().orderBy('username').execute();
    return rows.map(rowToUser);
  }
}
