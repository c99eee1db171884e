/**
 * Login lockout per username: after `threshold` consecutive failures the
 * username is locked for `duration` seconds, doubling with each further
 * failure (capped at one day). State lives in the operational store (kind
 * 'lockout'), keyed by a SHA-256 of the lower-cased username, so it is shared
 * by every node and works the same for unknown usernames (no enumeration).
 */
import { createHash } from 'node:crypto';
import type { OperationalStore, StoredRecord } from '../stores/types.js';

export interface LockoutPolicy {
  /** Consecutive failures that trigger the first lockout. */
  threshold: number;
  /** First lockout duration in seconds. */
  duration: number;
  /** Longest lockout in seconds. Default one day. */
  maxDuration?: number;
}

interface LockoutState {
  failures: number;
  lockedUntil?: number;
}

const KIND = 'lockout';
const DAY = 86400;

/** The store id of a username's lockout state. */
export function lockoutId(username: string): string {
  return createHash('sha256').update(username.toLowerCase(), 'utf8').digest('base64url');
}

/** Seconds of lockout after `failures` consecutive failures; 0 below the threshold. */
export function lockoutSeconds(failures: number, policy: LockoutPolicy): number {
  if (failures < policy.threshold) return 0;
  return Math.min(policy.duration * 2 ** (failures - policy.threshold), policy.maxDuration ?? DAY);
}

/** Forgets a username's failures and lockout (for example after an administrator sets a new password). */
export async function clearLockout(records: OperationalStore, username: string): Promise<void> {
  await records.delete(KIND, lockoutId(username));
}

export interface LockoutStatus {
  /** Seconds until the username may try again; 0 when not locked. */
  lockedFor: number;
  /** A live record (failures or a lockout) exists, so a successful login has something to reset. */
  recorded: boolean;
}

export interface Lockout {
  /** Seconds until the username may try again; 0 when not locked. */
  lockedFor(username: string, now: number): Promise<number>;
  /** lockedFor, plus whether there is any state to reset (one read). */
  status(username: string, now: number): Promise<LockoutStatus>;
  /** Counts a failure; the seconds of lockout it starts (0 when none). */
  recordFailure(username: string, now: number): Promise<number>;
  /** Forgets the failures (after a correct password or a password reset). */
  reset(username: string): Promise<void>;
}

/**
 * Lockout state over an operational store.
 *
 * @example
 * const lockout = createLockout(backend.records, { threshold: 5, duration: 60 });
 * if (await lockout.lockedFor('alice', now)) return { ok: false, reason: 'locked_out' };
 * const { lockedFor, recorded } = await lockout.status('alice', now); // reset only when recorded
 */
export function createLockout(records: OperationalStore, policy: LockoutPolicy): Lockout {
  const load = async (id: string, now: number): Promise<LockoutState | undefined> => {
    const rec = await records.find<LockoutState>(KIND, id);
    return rec && rec.expiresAt > now ? rec.payload : undefined;
  };
  const status = async (username: string, now: number): Promise<LockoutStatus> => {
    const state = await load(lockoutId(username), now);
    const lockedFor = state?.lockedUntil !== undefined && state.lockedUntil > now ? state.lockedUntil - now : 0;
    return { lockedFor, recorded: state !== undefined };
  };
  return {
    lockedFor: async (username, now) => (await status(username, now)).lockedFor,
    status,
    async recordFailure(username, now) {
      const id = lockoutId(username);
      const failures = ((await load(id, now))?.failures ?? 0) + 1;
      const seconds = lockoutSeconds(failures, policy);
      const state: LockoutState = seconds > 0 ? { failures, lockedUntil: now + seconds } : { failures };
      // Failures are forgotten after a quiet day past the end of any lockout.
      const rec: StoredRecord<LockoutState> = { kind: KIND, id, createdAt: now, expiresAt: now + seconds + DAY, payload: state };
      await records.put(rec);
      return seconds;
    },
    reset: (username) => clearLockout(records, username),
  };
}
