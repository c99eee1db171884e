/**
 * The typed stores of one provider: one small store per kind of operational
 * record, each with only the operations its callers need, all over the
 * backend's record store (a backend may keep every kind in one table).
 * Protocol code goes through these, never through `backend.records`.
 */
import type { OperationalStore, RecordWrite } from '../types.js';
import { accountLinkStore, type AccountLinkStore } from './account-links.js';
import { cibaRequestStore, type CibaRequestStore } from './ciba-requests.js';
import { codeStore, type CodeStore } from './codes.js';
import { consentStore, type ConsentStore } from './consents.js';
import { deviceCodeStore, type DeviceCodeStore } from './device-codes.js';
import { grantStore, type GrantStore } from './grants.js';
import { lockoutStore, type LockoutStore } from './lockouts.js';
import { referenceTokenStore, type ReferenceTokenStore } from './reference-tokens.js';
import { refreshTokenStore, type RefreshTokenStore } from './refresh-tokens.js';
import { pushedRequestStore, type PushedRequestStore } from './pushed-requests.js';
import { replayMarkerStore, type ReplayMarkerStore } from './replay.js';
import { revocationStore, type RevocationStore } from './revocations.js';
import { sessionStore, type SessionStore } from './sessions.js';

export interface TypedStores {
  codes: CodeStore;
  refreshTokens: RefreshTokenStore;
  referenceTokens: ReferenceTokenStore;
  revocations: RevocationStore;
  grants: GrantStore;
  sessions: SessionStore;
  consents: ConsentStore;
  replay: ReplayMarkerStore;
  lockouts: LockoutStore;
  cibaRequests: CibaRequestStore;
  /** RFC 8628 device authorizations: device codes, user codes, polling state. */
  deviceCodes: DeviceCodeStore;
  /** Registration and password reset links of account self-service. */
  accountLinks: AccountLinkStore;
  /** Pushed authorization requests (RFC 9126). */
  pushedRequests: PushedRequestStore;
  /** The writes one request owes, all or none (every backend's atomic batch). */
  writeAll(writes: readonly RecordWrite[]): Promise<void>;
}

/** @example ctx.stores = createTypedStores(backend.records); */
export function createTypedStores(records: OperationalStore): TypedStores {
  return {
    codes: codeStore(records),
    refreshTokens: refreshTokenStore(records),
    referenceTokens: referenceTokenStore(records),
    revocations: revocationStore(records),
    grants: grantStore(records),
    sessions: sessionStore(records),
    consents: consentStore(records),
    replay: replayMarkerStore(records),
    lockouts: lockoutStore(records),
    cibaRequests: cibaRequestStore(records),
    deviceCodes: deviceCodeStore(records),
    accountLinks: accountLinkStore(records),
    pushedRequests: pushedRequestStore(records),
    writeAll: (writes) => applyWrites(records, writes),
  };
}

/** A single write is atomic by itself: no transaction for it. */
async function applyWrites(records: OperationalStore, writes: readonly RecordWrite[]): Promise<void> {
  if (writes.length > 1) return records.writeAll(writes);
  const [w] = writes;
  if (!w) return;
  if ('put' in w) await records.put(w.put);
  else await records.delete(w.delete.kind, w.delete.id);
}

export type { CibaRequestRecord, CibaRequestStore, CibaRequestPayload } from './ciba-requests.js';
export type { CodeRecord, CodeStore } from './codes.js';
export type { ConsentStore } from './consents.js';
export type { DeviceCodeStore, DeviceCodeRecord, UserCodeRecord, DeviceDecision } from './device-codes.js';
export type { GrantStore } from './grants.js';
export type { LockoutStore } from './lockouts.js';
export type { ReferenceTokenStore, ReferenceTokenPayload } from './reference-tokens.js';
export type { RefreshTokenStore, RefreshTokenRecord } from './refresh-tokens.js';
export type { PushedRequestStore, PushedRequestRecord, PushedRequestPayload } from './pushed-requests.js';
export type { ReplayMarkerStore } from './replay.js';
export type { RevocationStore } from './revocations.js';
export type { SessionStore, SessionRecord } from './sessions.js';
export type { AccountLinkStore, RegistrationPayload, RegistrationRecord, PasswordResetRecord } from './account-links.js';
