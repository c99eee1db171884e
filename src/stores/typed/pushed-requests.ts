/**
 * Pushed authorization requests (kind 'pushed_authorization_request', id =
 * hash of the request_uri's random part): RFC 9126 §2.2 single-use,
 * short-lived references bound to the client that pushed them.
 */
import type { OperationalStore, StoredRecord } from '../types.js';

export interface PushedRequestPayload {
  /** The validated authorization request parameters (a request object already resolved into them). */
  params: Record<string, string[]>;
  /** The parameters came from a signed request object (RFC 9101 §10.5 require_signed_request_object). */
  signed: boolean;
}

export type PushedRequestRecord = StoredRecord<PushedRequestPayload>;

export interface PushedRequestStore {
  push(rec: PushedRequestRecord): Promise<void>;
  /** Takes the request: to exactly one caller (atomic), undefined when absent or already used. Expiry is the caller's check. */
  consume(id: string, now: number): Promise<PushedRequestRecord | undefined>;
}

const KIND = 'pushed_authorization_request';

export function pushedRequestStore(records: OperationalStore): PushedRequestStore {
  return {
    push: (rec) => records.put(rec),
    consume: (id, now) => records.consume<PushedRequestPayload>(KIND, id, now),
  };
}
