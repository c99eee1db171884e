/**
 * Soft login lockout (ASVS V2.2.1): after `threshold` consecutive failures of
 * a username from one client address, that address must wait `duration`
 * seconds before it may try the username again, doubling with each further
 * failure (capped at `maxDuration`, default one day). The key is the username
 * *and* the address, so guessing from one address never locks the account's
 * owner out on another (issue 12 §2.9); the per-username ceiling across all
 * addresses is a rate limit (`rateLimits.loginPerUsername`, ratelimit/).
 * State lives in the operational store (kind 'lockout'), keyed by a SHA-256
 * of the lower-cased username and the address, so it is shared by every node
 * and works the same for unknown usernames (no enumeration). An unknown
 * address (a fetch host that passes none) is one shared address.
 */
import { createHash } from 'node:crypto';
import type { StoredRecord } from '../stores/types.js';
import type { LockoutStore } from '../stores/typed/lockouts.js';

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

const KIND = 'lockout' as const;
const DAY = 86400;

/** The store id of the lockout state of a username tried from an address (none: the unknown address). */
export function lockoutId(username: string, address?: string): string {
  const h = createHash('sha256').update(username.toLowerCase(), 'utf8');
  if (address) h.update('\0' + address, 'utf8');
  return h.digest('base64url');
}

/** Seconds of lockout after `failures` consecutive failures; 0 below the threshold. */
export function lockoutSeconds(failures: number, policy: LockoutPolicy): number {
  if (failures < policy.threshold) return 0;
  return Math.min(policy.duration * 2 ** (failures - policy.threshold), policy.maxDuration ?? DAY);
}

/**
 * Forgets the failures and lockout of a username tried from `address`
 * (default: the unknown address). The records of other addresses expire on
 * their own (they only hold those addresses back).
 */
export async function clearLockout(store: LockoutStore, username: string, address?: string): Promise<void> {
  await store.delete(lockoutId(username, address));
}

export interface LockoutStatus {
  /** Seconds until the username may try again; 0 when not locked. */
  lockedFor: number;
  /** A live record (failures or a lockout) exists, so a successful login has something to reset. */
  recorded: boolean;
}

/** `address` is the client address (InternalRequest.ip); undefined is the unknown address. */
export interface Lockout {
  /** Seconds until `address` may try the username again; 0 when not locked. */
  lockedFor(username: string, address: string | undefined, now: number): Promise<number>;
  /** lockedFor, plus whether there is any state to reset (one read). */
  status(username: string, address: string | undefined, now: number): Promise<LockoutStatus>;
  /** Counts a failure (a wrong password, later a wrong second factor); the seconds of lockout it starts (0 when none). */
  recordFailure(username: string, address: string | undefined, now: number): Promise<number>;
  /** Forgets the failures of the username from `address` (after a correct password). */
  reset(username: string, address: string | undefined): Promise<void>;
}

/**
 * Lockout state over the lockout records (stores/typed/lockouts.ts).
 *
 * @example
 * const lockout = createLockout(lockoutStore(backend.records), { threshold: 5, duration: 60 });
 * if (await lockout.lockedFor('alice', req.ip, now)) return { ok: false, reason: 'locked_out' };
 * const { lockedFor, recorded } = await lockout.status('alice', req.ip, now); // reset only when recorded
 */
export function createLockout(store: LockoutStore, policy: LockoutPolicy): Lockout {
  const load = async (id: string, now: number): Promise<LockoutState | undefined> => {
    const rec = await store.find<LockoutState>(id);
    return rec && rec.expiresAt > now ? rec.payload : undefined;
  };
  const status = async (username: string, address: string | undefined, now: number): Promise<LockoutStatus> => {
    const state = await load(lockoutId(username, address), now);
    const lockedFor = state?.lockedUntil !== undefined && state.lockedUntil > now ? state.lockedUntil - now : 0;
    return { lockedFor, recorded: state !== undefined };
  };
  return {
    lockedFor: async (username, address, now) => (await status(username, address, now)).lockedFor,
    status,
    async recordFailure(username, address, now) {
      const id = lockoutId(username, address);
      const failures = ((await load(id, now))?.failures ?? 0) + 1;
      const seconds = lockoutSeconds(failures, policy);
      const state: LockoutState = seconds > 0 ? { failures, lockedUntil: now + seconds } : { failures };
      // Failures are forgotten after a quiet day past the end of any lockout.
      const rec: StoredRecord<LockoutState> = { kind: KIND, id, createdAt: now, expiresAt: now + seconds + DAY, payload: state };
      await store.put(rec);
      return seconds;
    },
    reset: (username, address) => clearLockout(store, username, address),
  };
}
