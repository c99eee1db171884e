/**
 * The signing-key rows, the same on SQLite and PostgreSQL (kysely builds the
 * queries for either dialect). Each backend adds its own store-wide lock.
 */
import type { Kysely } from 'kysely';
import type { KeyStore, StoredKey } from './types.js';
import { rowToKey, type Schema } from './sqlite-schema.js';

export abstract class SqlKeyStore implements KeyStore {
  constructor(protected readonly qb: Kysely<Schema>) {}

  async list(): Promise<StoredKey[]> {
    const rows = await this.qb.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
    return rows.map(rowToKey);
  }
  async insert(key: StoredKey): Promise<boolean> {
    const r = await this.qb
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        alg: key.alg,
        public_jwk: key.publicJwk,
        encrypted_private_key: key.encryptedPrivateKey,
        created_at: key.createdAt,
        activates_at: key.activatesAt,
        retires_at: key.retiresAt,
      })
      .onConflict((oc) => oc.column('kid').doNothing())
      .executeTakeFirst();
    return r.numInsertedOrUpdatedRows === 1n;
  }
  async setRetiresAt(kid: string, retiresAt: number): Promise<void> {
    await this.qb.updateTable('signing_keys').set({ retires_at: retiresAt }).where('kid', '=', kid).execute();
  }
  async delete(kid: string): Promise<void> {
    await this.qb.deleteFrom('signing_keys').where('kid', '=', kid).execute();
  }

  abstract withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
}
