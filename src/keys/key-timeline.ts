/**
 * The signing-key timeline, as pure functions of (stored keys, now, config).
 * Follows IdentityServer's automatic key management; all times epoch seconds.
 *
 * A key K has activatesAt A and retiresAt R (normally R = A + rotationInterval):
 *
 *   created ──announced──▶ A ──active (signs)──▶ R ──retired──▶ R + retentionTime ──▶ deleted
 *   (in JWKS)                  (in JWKS)               (in JWKS, verifies only)
 *
 * - First start (no key of an algorithm usable now): a key with A = now.
 * - Successor: once now >= R - propagationTime of the newest key of an
 *   algorithm, a successor is created with A = R, so it is published for
 *   propagationTime before it signs. Day 0 key A; day 76 B announced; day 90 B
 *   signs and A retires; day 104 A leaves the JWKS and the store.
 * - Manual rotation: a new key with A' = now + propagationTime; every key of
 *   that algorithm still signing at A' gets R = A' (the switch happens after
 *   propagation).
 * - The signing key at `now` is the active key (A <= now < R) with the greatest A.
 */
import { duration, type KeysConfig, type SigningAlgorithm } from '../config/schema.js';
import type { KeyInfo, KeyStatus } from '../model/types.js';
import type { StoredKey } from '../stores/types.js';

export type TimelineConfig = Pick<KeysConfig, 'algorithms' | 'rotationInterval' | 'propagationTime' | 'retentionTime'>;
type Times = Pick<StoredKey, 'activatesAt' | 'retiresAt'>;
type TimedKey = Times & Pick<StoredKey, 'alg'>;

/** A change to the key store the timeline asks for. */
export type KeyAction =
  | { type: 'create'; alg: SigningAlgorithm; activatesAt: number; retiresAt: number; reason: 'initial' | 'successor' | 'rotation' }
  | { type: 'retire'; kid: string; retiresAt: number }
  | { type: 'delete'; kid: string };

/**
 * The keys config with every duration in seconds, checked for a workable
 * timeline. (zod 4 `.default('90d')` skips the duration transform, so a
 * defaulted duration can still be the string; parse it here.)
 */
export function resolveKeysConfig(keys: KeysConfig): KeysConfig {
  const seconds = (v: number | string) => (typeof v === 'string' ? duration.parse(v) : v);
  const resolved: KeysConfig = {
    ...keys,
    rotationInterval: seconds(keys.rotationInterval),
    propagationTime: seconds(keys.propagationTime),
    retentionTime: seconds(keys.retentionTime),
    refreshInterval: seconds(keys.refreshInterval),
  };
  if (resolved.rotationInterval <= 0) throw new Error('keys.rotationInterval: must be greater than 0');
  if (resolved.propagationTime >= resolved.rotationInterval) {
    throw new Error('keys.propagationTime: must be shorter than keys.rotationInterval');
  }
  return resolved;
}

/** Status of a key at `now`. */
export function keyStatus(key: Times, now: number, retentionTime: number): KeyStatus {
  if (now >= key.retiresAt + retentionTime) return 'expired';
  if (now >= key.retiresAt) return 'retired';
  return now >= key.activatesAt ? 'active' : 'announced';
}

/** A stored key as {@link KeyInfo} at `now`. */
export function toKeyInfo(key: StoredKey, now: number, retentionTime: number): KeyInfo {
  return {
    kid: key.kid,
    alg: key.alg as SigningAlgorithm,
    status: keyStatus(key, now, retentionTime),
    createdAt: key.createdAt,
    activatesAt: key.activatesAt,
    retiresAt: key.retiresAt,
    removedAt: key.retiresAt + retentionTime,
  };
}

/** The key that signs for `alg` at `now`: the active key with the greatest activatesAt. */
export function selectSigningKey<K extends TimedKey>(keys: Iterable<K>, alg: string, now: number): K | undefined {
  let best: K | undefined;
  for (const k of keys) {
    if (k.alg !== alg || now < k.activatesAt || now >= k.retiresAt) continue;
    if (!best || k.activatesAt > best.activatesAt) best = k;
  }
  return best;
}

/** The non-expired key of `alg` that activates last (ties: the one retiring last). */
function newestKey<K extends TimedKey>(keys: K[], alg: string): K | undefined {
  let best: K | undefined;
  for (const k of keys) {
    if (k.alg !== alg) continue;
    if (!best || k.activatesAt > best.activatesAt || (k.activatesAt === best.activatesAt && k.retiresAt > best.retiresAt)) best = k;
  }
  return best;
}

/**
 * What is due at `now`: delete expired keys, create a first key per configured
 * algorithm without a usable one, and create successors inside the propagation
 * window. Keys of algorithms no longer configured simply run out.
 */
export function planKeyWork(keys: StoredKey[], now: number, config: TimelineConfig): KeyAction[] {
  const actions: KeyAction[] = [];
  const live: TimedKey[] = [];
  for (const k of keys) {
    if (keyStatus(k, now, config.retentionTime) === 'expired') actions.push({ type: 'delete', kid: k.kid });
    else live.push(k);
  }
  for (const alg of config.algorithms) {
    if (!selectSigningKey(live, alg, now)) {
      // First start (or after a long outage): sign now, until an announced key takes over.
      const announced = live.filter((k) => k.alg === alg && k.activatesAt > now && k.retiresAt > k.activatesAt).map((k) => k.activatesAt);
      const retiresAt = Math.min(now + config.rotationInterval, ...announced);
      const created = { type: 'create', alg, activatesAt: now, retiresAt, reason: 'initial' } as const;
      actions.push(created);
      live.push(created);
    }
    const newest = newestKey(live, alg);
    if (!newest) continue; // not reached: a key for alg was selected or created above
    if (now >= newest.retiresAt - config.propagationTime) {
      const activatesAt = Math.max(newest.retiresAt, now);
      actions.push({ type: 'create', alg, activatesAt, retiresAt: activatesAt + config.rotationInterval, reason: 'successor' });
    }
  }
  return actions;
}

/** A manual rotation at `now`: per configured algorithm a new key signing after propagationTime. */
export function planRotation(keys: StoredKey[], now: number, config: TimelineConfig): KeyAction[] {
  const actions: KeyAction[] = [];
  const activatesAt = now + config.propagationTime;
  for (const alg of config.algorithms) {
    for (const k of keys) {
      if (k.alg === alg && k.retiresAt > activatesAt) actions.push({ type: 'retire', kid: k.kid, retiresAt: activatesAt });
    }
    actions.push({ type: 'create', alg, activatesAt, retiresAt: activatesAt + config.rotationInterval, reason: 'rotation' });
  }
  return actions;
}

/** The earliest time after `now` at which a status changes or work falls due (Infinity if never). */
export function nextTransition(keys: StoredKey[], now: number, config: TimelineConfig): number {
  let next = Infinity;
  const consider = (t: number) => {
    if (t > now && t < next) next = t;
  };
  const live = keys.filter((k) => keyStatus(k, now, config.retentionTime) !== 'expired');
  for (const k of live) {
    consider(k.activatesAt);
    consider(k.retiresAt);
    consider(k.retiresAt + config.retentionTime);
  }
  for (const alg of config.algorithms) {
    const newest = newestKey(live, alg);
    if (!newest) return now;
    consider(newest.retiresAt - config.propagationTime);
  }
  return next;
}
