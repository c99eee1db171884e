/**
 * Rate limits of one provider (docs/operations.md): per client IP and per
 * client on the token and authorize endpoints, per IP and per username on the
 * login form. Fixed windows of `rateLimits.window` seconds; counters in memory
 * or in Redis (`store.redisUrl` / REDIS_URL).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { EmitEvent } from '../events/types.js';
import type { Clock } from '../model/types.js';
import { createMemoryCounters, type CounterStore } from './counter-store.js';

export interface RateLimiter {
  /**
   * Counts a hit of `id` in `scope`; the seconds to wait when over `limit`,
   * else 0. A limit of 0 (off) or a missing id counts nothing.
   */
  check(scope: string, id: string | undefined, limit: number, endpoint: string, window?: number): Promise<number>;
  /**
   * The login form, before any other work: counts an attempt from the client
   * address; seconds to wait when it is over `loginPerIp`, else 0. Call
   * `loginSucceeded` after a correct password: only failed attempts stay counted.
   */
  login(ip: string | undefined): Promise<number>;
  /**
   * The per-username ceiling across all addresses (`loginPerUsername` per
   * `loginPerUsernameWindow`): counts an attempt at the username's password
   * (or second factor); seconds to wait when over the ceiling, else 0. The
   * user service calls it only for attempts its soft lockout lets through, so
   * an address held back by the lockout cannot use up the owner's ceiling.
   */
  loginUsername(username: string): Promise<number>;
  /** Takes back the attempt of a successful login (per address and per username). */
  loginSucceeded(ip: string | undefined, username: string): Promise<void>;
  close(): Promise<void>;
}

/** The Redis URL of the rate-limit counters: `rateLimits.redisUrl`, else `store.redisUrl` (REDIS_URL). */
export function redisUrlOf(config: Config): string | undefined {
  return config.rateLimits.redisUrl ?? config.store.redisUrl;
}

/**
 * Creates the limiter, or undefined when rate limits are off.
 *
 * @example
 * const limiter = await createRateLimiter({ config, clock, logger, events });
 * const wait = await limiter?.check('token-ip', req.ip, 100, '/connect/token');
 */
export async function createRateLimiter(deps: {
  config: Config;
  clock: Clock;
  logger: Logger;
  events: EmitEvent;
  issuer: string;
}): Promise<RateLimiter | undefined> {
  const rl = deps.config.rateLimits;
  if (!rl.enabled) return undefined;
  const url = redisUrlOf(deps.config);
  let store: CounterStore;
  if (rl.store === 'redis' || (rl.store === 'auto' && url)) {
    if (!url) throw new Error('rateLimits.store is redis but neither rateLimits.redisUrl nor store.redisUrl (REDIS_URL) is set');
    const { createRedisCounters } = await import('./redis-counters.js');
    store = createRedisCounters(url, deps.logger);
  } else store = createMemoryCounters(deps.clock);
  // Keys are hashed: no IP addresses or usernames in the counter store; the issuer keeps tenants apart.
  const prefix = `gh:rl:${createHash('sha256').update(deps.issuer).digest('base64url').slice(0, 12)}:`;
  const key = (scope: string, id: string) => prefix + scope + ':' + createHash('sha256').update(id).digest('base64url').slice(0, 22);

  const check = async (scope: string, id: string | undefined, limit: number, endpoint: string, window = rl.window) => {
    if (limit <= 0 || id === undefined || id === '') return 0;
    const { count, resetIn } = await store.hit(key(scope, id), window);
    if (count <= limit) return 0;
    deps.events({ type: 'rate_limited', scope, endpoint });
    return Math.max(1, resetIn);
  };
  const userId = (username: string) => username.toLowerCase().slice(0, 256);
  return {
    check,
    login: (ip) => check('login-ip', ip, rl.loginPerIp, 'login'),
    loginUsername: (username) => check('login-user', userId(username), rl.loginPerUsername, 'login', rl.loginPerUsernameWindow),
    async loginSucceeded(ip, username) {
      if (rl.loginPerIp > 0 && ip) await store.refund(key('login-ip', ip));
      if (rl.loginPerUsername > 0 && username) await store.refund(key('login-user', userId(username)));
    },
    close: () => store.close(),
  };
}
