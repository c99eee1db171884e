/**
 * Fixed-window hit counters for rate limits: in memory (one node) or in
 * Redis (every node shares the counts). Keys are already hashed by the caller.
 */
import type { Clock } from '../model/types.js';

export interface HitCount {
  count: number;
  /** Seconds until the window ends. */
  resetIn: number;
}

export interface CounterStore {
  /** Counts one hit of `key` in its current window of `window` seconds. */
  hit(key: string, window: number): Promise<HitCount>;
  /** Takes one hit back (a login attempt that succeeded); no-op when the window has ended. */
  refund(key: string): Promise<void>;
  close(): Promise<void>;
}

const MAX_KEYS = 100_000;

/**
 * Counters in a Map, swept once per window; at most 100 000 keys (the oldest
 * go first), so a flood of distinct keys cannot exhaust memory.
 */
export function createMemoryCounters(clock: Clock): CounterStore {
  const map = new Map<string, { count: number; resetAt: number }>();
  let nextSweep = 0;
  const sweep = (now: number) => {
    for (const [k, v] of map) if (v.resetAt <= now) map.delete(k);
  };
  return {
    async hit(key, window) {
      const now = clock.now();
      if (now >= nextSweep) {
        sweep(now);
        nextSweep = now + window;
      }
      let e = map.get(key);
      if (!e || e.resetAt <= now) {
        if (map.size >= MAX_KEYS) {
          const oldest = map.keys().next();
          if (!oldest.done) map.delete(oldest.value);
        }
        map.set(key, (e = { count: 0, resetAt: now + window }));
      }
      e.count++;
      return { count: e.count, resetIn: e.resetAt - now };
    },
    async refund(key) {
      const e = map.get(key);
      if (e && e.resetAt > clock.now() && e.count > 0) e.count--;
    },
    async close() {
      map.clear();
    },
  };
}
