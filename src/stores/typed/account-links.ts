/**
 * Records behind the links account self-service mails (docs/account.md):
 * pending registrations (kind 'account_registration') and password resets
 * (kind 'password_reset'). The id is the hash of the link's token, so the
 * store never holds a usable link; each is consumed once, atomically.
 */
import type { OperationalStore, StoredRecord } from '../types.js';

/** A registration waiting for its email link: the account to create once the address is proven. */
export interface RegistrationPayload {
  username: string;
  email: string;
  /** argon2id PHC string of the chosen password. */
  passwordHash: string;
}

export type RegistrationRecord = StoredRecord<RegistrationPayload>;
export type PasswordResetRecord = StoredRecord<Record<string, never>>;

export interface AccountLinkStore {
  addRegistration(id: string, payload: RegistrationPayload, now: number, expiresAt: number): Promise<void>;
  /** The registration, to exactly one caller; undefined when unknown or already used. Expiry is the caller's check. */
  consumeRegistration(id: string, now: number): Promise<RegistrationRecord | undefined>;
  findRegistration(id: string): Promise<RegistrationRecord | undefined>;
  addReset(id: string, subjectId: string, now: number, expiresAt: number): Promise<void>;
  findReset(id: string): Promise<PasswordResetRecord | undefined>;
  /** The reset, to exactly one caller; undefined when unknown or already used. Expiry is the caller's check. */
  consumeReset(id: string, now: number): Promise<PasswordResetRecord | undefined>;
  /** Removes every reset link of a user (after a reset, a password change or a deletion). */
  deleteResetsOf(subjectId: string): Promise<number>;
}

export function accountLinkStore(records: OperationalStore): AccountLinkStore {
  return {
    addRegistration: (id, payload, now, expiresAt) => records.put({ kind: 'account_registration', id, createdAt: now, expiresAt, payload }),
    consumeRegistration: (id, now) => records.consume<RegistrationPayload>('account_registration', id, now),
    findRegistration: (id) => records.find<RegistrationPayload>('account_registration', id),
    addReset: (id, subjectId, now, expiresAt) => records.put({ kind: 'password_reset', id, subjectId, createdAt: now, expiresAt, payload: {} }),
    findReset: (id) => records.find<Record<string, never>>('password_reset', id),
    consumeReset: (id, now) => records.consume<Record<string, never>>('password_reset', id, now),
    deleteResetsOf: (subjectId) => records.deleteBySubject(subjectId, { kind: 'password_reset' }),
  };
}
