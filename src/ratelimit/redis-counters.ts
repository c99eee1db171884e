/**
 * Rate-limit counters in Redis, so every node counts against the same limit.
 * One round trip per hit (a Lua script: INCR, and EXPIRE on the first hit).
 * When Redis does not answer within its timeout the request is allowed
 * (fail open: an outage of Redis must not take logins down) and a warning is
 * logged at most every 10 seconds.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CounterStore } from './counter-store.js';

const HIT = `
local c = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`;

const REFUND = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0`;

type WithHit = Redis & { ghHit(key: string, window: number): Promise<[number, number]>; ghRefund(key: string): Promise<number> };

export function createRedisCounters(url: string, logger: Logger): CounterStore {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 500, lazyConnect: false }) as WithHit;
  redis.defineCommand('ghHit', { numberOfKeys: 1, lua: HIT });
  redis.defineCommand('ghRefund', { numberOfKeys: 1, lua: REFUND });
  let lastWarn = 0;
  redis.on('error', (err) => warn(err));
  const warn = (err: unknown) => {
    if (Date.now() - lastWarn < 10_000) return;
    lastWarn = Date.now();
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'rate limit store (redis) unavailable; requests are allowed');
  };
  return {
    async hit(key, window) {
      try {
        const [count, ttl] = await redis.ghHit(key, window);
        return { count, resetIn: ttl };
      } catch (err) {
        warn(err);
        return { count: 0, resetIn: 0 };
      }
    },
    async refund(key) {
      try {
        await redis.ghRefund(key);
      } catch (err) {
        warn(err);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
