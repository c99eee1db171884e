/** Authorization codes (kind 'authorization_code', id = hash of the code). */
import type { AuthorizationCodePayload } from '../../tokens/authorization-code-record.js';
import type { OperationalStore, RecordFilter, StoredRecord } from '../types.js';
import { findAll } from './find-all.js';

export type CodeRecord = StoredRecord<AuthorizationCodePayload>;

export interface CodeStore {
  issue(rec: CodeRecord): Promise<void>;
  /** The code, redeemed or not. */
  find(id: string): Promise<CodeRecord | undefined>;
  /** Redeems: to exactly one caller (atomic), undefined when absent or redeemed. */
  consume(id: string, now: number): Promise<CodeRecord | undefined>;
  /** Codes of a user and client (or one family of them), every page. */
  findMany(filter: Pick<RecordFilter, 'subjectId' | 'clientId' | 'grantId'>): Promise<CodeRecord[]>;
  /** Deletes the codes of a session (its end revokes unredeemed codes). */
  deleteBySession(sessionId: string): Promise<number>;
}

const KIND = 'authorization_code';

export function codeStore(records: OperationalStore): CodeStore {
  return {
    issue: (rec) => records.put(rec),
    find: (id) => records.find<AuthorizationCodePayload>(KIND, id),
    consume: (id, now) => records.consume<AuthorizationCodePayload>(KIND, id, now),
    findMany: (filter) => findAll<AuthorizationCodePayload>(records, KIND, filter),
    deleteBySession: (sessionId) => records.deleteBySession(sessionId, { kind: KIND }),
  };
}
