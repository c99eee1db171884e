/**
 * Refresh tokens (kind 'refresh_token', id = hash of the handle): the
 * operations the refresh grant, revocation and logout need, nothing more.
 */
import type { RefreshTokenPayload } from '../../tokens/refresh-token-record.js';
import type { OperationalStore, RecordFilter, StoredRecord } from '../types.js';
import { findAll } from './find-all.js';

export type RefreshTokenRecord = StoredRecord<RefreshTokenPayload>;

export interface RefreshTokenStore {
  /** Stores a new (or slid) token. */
  put(rec: RefreshTokenRecord): Promise<void>;
  /** The token, consumed or not. */
  find(id: string): Promise<RefreshTokenRecord | undefined>;
  /** Spends a one-time token: to exactly one caller (atomic), undefined when absent or spent. */
  consume(id: string, now: number): Promise<RefreshTokenRecord | undefined>;
  /** Tokens of a user and client (or one family of them, or one session), every page. */
  findMany(filter: Pick<RecordFilter, 'subjectId' | 'clientId' | 'grantId' | 'sessionId'>): Promise<RefreshTokenRecord[]>;
  /** The tokens that replaced `rec` in its family (rotation, then retries of `rec`). */
  successorsOf(rec: RefreshTokenRecord): Promise<RefreshTokenRecord[]>;
  delete(id: string): Promise<boolean>;
}

const KIND = 'refresh_token';

/** @example const tokens = refreshTokenStore(backend.records); await tokens.consume(handleId(token), now); */
export function refreshTokenStore(records: OperationalStore): RefreshTokenStore {
  return {
    put: (rec) => records.put(rec),
    find: (id) => records.find<RefreshTokenPayload>(KIND, id),
    consume: (id, now) => records.consume<RefreshTokenPayload>(KIND, id, now),
    findMany: (filter) => findAll<RefreshTokenPayload>(records, KIND, filter),
    async successorsOf(rec) {
      if (!rec.grantId) return [];
      const family = await findAll<RefreshTokenPayload>(records, KIND, { grantId: rec.grantId, subjectId: rec.subjectId, clientId: rec.clientId });
      return family.filter((r) => r.payload.predecessorId === rec.id);
    },
    delete: (id) => records.delete(KIND, id),
  };
}
