/**
 * Device authorizations (RFC 8628): the device code record (kind
 * 'device_code', id = hash of the device code), the user code that points at
 * it (kind 'user_code', id = hash of the normalised user code) and the
 * device's polling state (kind 'device_poll', id = the device code record's id).
 *
 * Who writes what, so no write undoes another's:
 * - the device authorization endpoint creates the device and user code records (one batch);
 * - the verification page consumes the user code (single use: one decision per code)
 *   and then writes the decision onto the device code record, once;
 * - the token endpoint consumes the device code record (single use: one token response)
 *   and alone writes the polling state, which is a separate record for that reason.
 */
import type { OperationalStore, StoredRecord } from '../types.js';

/** What the user decided on the verification page. */
export type DeviceDecision =
  | { approved: false }
  | {
      approved: true;
      /** The scopes the user granted (consent). */
      scopes: string[];
      authTime: number;
      amr?: string[];
      acr?: string;
    };

export interface DeviceCodePayload {
  /** Id of the user code record (hash of the normalised user code). */
  userCodeId: string;
  /** Requested scopes, validated against the client. */
  scopes: string[];
  /** RFC 8707 resource indicators of the request. */
  resourceIndicators: string[];
  /** Seconds the device must wait between polls, as announced (RFC 8628 §3.2 interval). */
  interval: number;
  /** Set once by the verification page. */
  decision?: DeviceDecision;
}

export interface UserCodePayload {
  /** Id of the device code record. */
  deviceCodeId: string;
}

export interface DevicePollPayload {
  /** When the device last polled (epoch seconds). */
  lastPolledAt: number;
  /** The interval now in force: the announced one plus 5 s per slow_down (RFC 8628 §3.5). */
  interval: number;
}

export type DeviceCodeRecord = StoredRecord<DeviceCodePayload>;
export type UserCodeRecord = StoredRecord<UserCodePayload>;
export type DevicePollRecord = StoredRecord<DevicePollPayload>;

export interface DeviceCodeStore {
  /** Stores a new authorization: the device code record and its user code, all or none. */
  issue(device: DeviceCodeRecord, userCode: UserCodeRecord): Promise<void>;
  /** The device code record, consumed or not. */
  find(id: string): Promise<DeviceCodeRecord | undefined>;
  /** The user code record, used or not. */
  findUserCode(id: string): Promise<UserCodeRecord | undefined>;
  /** Uses a user code: to exactly one caller (atomic), undefined when absent or used. */
  consumeUserCode(id: string, now: number): Promise<UserCodeRecord | undefined>;
  /** Records the user's decision (called once, by the winner of {@link consumeUserCode}). */
  decide(rec: DeviceCodeRecord, decision: DeviceDecision, subjectId?: string, sessionId?: string): Promise<void>;
  /** Redeems an approved device code: to exactly one caller (atomic), undefined when absent or redeemed. */
  consume(id: string, now: number): Promise<DeviceCodeRecord | undefined>;
  /** The device's polling state. */
  pollState(id: string): Promise<DevicePollRecord | undefined>;
  /** Stores the device's polling state (only the polling device writes it; a lost update only loosens throttling). */
  putPollState(rec: DevicePollRecord): Promise<void>;
}

export function deviceCodeStore(records: OperationalStore): DeviceCodeStore {
  return {
    issue: (device, userCode) => records.writeAll([{ put: device }, { put: userCode }]),
    find: (id) => records.find<DeviceCodePayload>('device_code', id),
    findUserCode: (id) => records.find<UserCodePayload>('user_code', id),
    consumeUserCode: (id, now) => records.consume<UserCodePayload>('user_code', id, now),
    decide: (rec, decision, subjectId, sessionId) => records.put({ ...rec, subjectId, sessionId, payload: { ...rec.payload, decision } }),
    consume: (id, now) => records.consume<DeviceCodePayload>('device_code', id, now),
    pollState: (id) => records.find<DevicePollPayload>('device_poll', id),
    putPollState: (rec) => records.put(rec),
  };
}
