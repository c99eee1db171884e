import { describe, expect, it } from 'vitest';
import { keyStatus, nextTransition, planKeyWork, planRotation, selectSigningKey } from '../../src/keys/key-timeline.js';
import type { StoredKey } from '../../src/stores/types.js';
import { DAY, T0, testConfig } from './helpers.js';

const cfg = testConfig().keys; // 90d rotation, 14d propagation, 14d retention
const key = (kid: string, activatesAt: number, retiresAt = activatesAt + 90 * DAY, alg = 'RS256'): StoredKey => ({
  kid,
  alg,
  publicJwk: '{}',
  encryptedPrivateKey: '',
  createdAt: activatesAt,
  activatesAt,
  retiresAt,
});

describe('key timeline', () => {
  it('status moves announced -> active -> retired -> expired at the boundaries', () => {
    const k = key('a', T0, T0 + 90 * DAY);
    expect(keyStatus(k, T0 - 1, 14 * DAY)).toBe('announced');
    expect(keyStatus(k, T0, 14 * DAY)).toBe('active');
    expect(keyStatus(k, T0 + 90 * DAY - 1, 14 * DAY)).toBe('active');
    expect(keyStatus(k, T0 + 90 * DAY, 14 * DAY)).toBe('retired');
    expect(keyStatus(k, T0 + 104 * DAY - 1, 14 * DAY)).toBe('retired');
    expect(keyStatus(k, T0 + 104 * DAY, 14 * DAY)).toBe('expired');
  });

  it('first start: one key per algorithm, active now', () => {
    const plan = planKeyWork([], T0, testConfig({ algorithms: ['RS256', 'ES256'] }).keys);
    expect(plan).toEqual([
      { type: 'create', alg: 'RS256', activatesAt: T0, retiresAt: T0 + 90 * DAY, reason: 'initial' },
      { type: 'create', alg: 'ES256', activatesAt: T0, retiresAt: T0 + 90 * DAY, reason: 'initial' },
    ]);
  });

  it('creates the successor exactly at retiresAt - propagationTime, once', () => {
    const a = key('a', T0);
    expect(planKeyWork([a], T0 + 76 * DAY - 1, cfg)).toEqual([]);
    expect(planKeyWork([a], T0 + 76 * DAY, cfg)).toEqual([
      { type: 'create', alg: 'RS256', activatesAt: T0 + 90 * DAY, retiresAt: T0 + 180 * DAY, reason: 'successor' },
    ]);
    expect(planKeyWork([a, key('b', T0 + 90 * DAY)], T0 + 80 * DAY, cfg)).toEqual([]);
  });

  it('deletes keys after retention', () => {
    const a = key('a', T0);
    const b = key('b', T0 + 90 * DAY);
    expect(planKeyWork([a, b], T0 + 104 * DAY - 1, cfg)).toEqual([]);
    expect(planKeyWork([a, b], T0 + 104 * DAY, cfg)).toEqual([{ type: 'delete', kid: 'a' }]);
  });

  it('after a long outage starts a key now, retiring when an announced key takes over', () => {
    const old = key('old', T0);
    const plan = planKeyWork([old], T0 + 200 * DAY, cfg);
    expect(plan).toContainEqual({ type: 'delete', kid: 'old' });
    expect(plan).toContainEqual({ type: 'create', alg: 'RS256', activatesAt: T0 + 200 * DAY, retiresAt: T0 + 290 * DAY, reason: 'initial' });
    const announced = key('next', T0 + 5 * DAY);
    expect(planKeyWork([announced], T0, cfg)).toEqual([{ type: 'create', alg: 'RS256', activatesAt: T0, retiresAt: T0 + 5 * DAY, reason: 'initial' }]);
  });

  it('signs with the active key with the greatest activatesAt', () => {
    const keys = [key('a', T0, T0 + 90 * DAY), key('b', T0 + 10 * DAY), key('e', T0, T0 + 90 * DAY, 'ES256')];
    expect(selectSigningKey(keys, 'RS256', T0 + 5 * DAY)?.kid).toBe('a');
    expect(selectSigningKey(keys, 'RS256', T0 + 10 * DAY)?.kid).toBe('b');
    expect(selectSigningKey(keys, 'ES256', T0 + 90 * DAY)).toBeUndefined();
  });

  it('manual rotation announces a key for propagationTime and retires the current one then', () => {
    const a = key('a', T0);
    expect(planRotation([a], T0 + 30 * DAY, cfg)).toEqual([
      { type: 'retire', kid: 'a', retiresAt: T0 + 44 * DAY },
      { type: 'create', alg: 'RS256', activatesAt: T0 + 44 * DAY, retiresAt: T0 + 134 * DAY, reason: 'rotation' },
    ]);
  });

  it('nextTransition names the next moment something changes', () => {
    expect(nextTransition([], T0, cfg)).toBe(T0);
    expect(nextTransition([key('a', T0)], T0, cfg)).toBe(T0 + 76 * DAY);
    expect(nextTransition([key('a', T0), key('b', T0 + 90 * DAY)], T0 + 80 * DAY, cfg)).toBe(T0 + 90 * DAY);
  });
});
