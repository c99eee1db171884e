/** SSO sessions (kind 'session', id = hash of the session cookie, sessionId = sid). */
import type { SessionPayload } from '../../sessions/session-record.js';
import type { OperationalStore, RecordFilter, StoredRecord } from '../types.js';

export type SessionRecord = StoredRecord<SessionPayload>;

export interface SessionStore {
  find(id: string): Promise<SessionRecord | undefined>;
  /** The session of a sid (the first, should a sid repeat). */
  findBySid(sid: string): Promise<SessionRecord | undefined>;
  /** One page of sessions matching the filter (see RecordFilter.after for the next). */
  findPage(filter: RecordFilter): Promise<SessionRecord[]>;
  put(rec: SessionRecord): Promise<void>;
  /** Deletes; true when this caller removed it (a session ends once). */
  delete(id: string): Promise<boolean>;
}

const KIND = 'session';

export function sessionStore(records: OperationalStore): SessionStore {
  return {
    find: (id) => records.find<SessionPayload>(KIND, id),
    findBySid: async (sid) => (await records.findMany<SessionPayload>(KIND, { sessionId: sid, limit: 1 }))[0],
    findPage: (filter) => records.findMany<SessionPayload>(KIND, filter),
    put: (rec) => records.put(rec),
    delete: (id) => records.delete(KIND, id),
  };
}
