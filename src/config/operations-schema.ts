/**
 * Configuration of the operational features: events, metrics, health checks,
 * rate limits (docs/operations.md). Part of the one config schema.
 */
import { z } from './zod-runtime.js';

const path = z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, 'must be a path starting with /');

const eventLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'off']);

export const eventsSchema = z.object({
  /** Log level of success and information events (token issued, login); `off`: not logged. */
  successLogLevel: eventLevel.default('debug'),
  /** Log level of failure events (failed login, client authentication, invalid redirect, rate limited). */
  failureLogLevel: eventLevel.default('warn'),
});

export const metricsSchema = z.object({
  /** Serve Prometheus metrics. */
  enabled: z.boolean().default(true),
  /** Path of the metrics endpoint. */
  path: path.default('/metrics'),
  /**
   * Serve metrics on the main listener too (what anyone who reaches the
   * server can read). Default false: metrics only on the management listener.
   */
  public: z.boolean().default(false),
  /**
   * Port of the management listener (metrics and health) on `host`. Default:
   * 9464 when metrics are not public (a busy default port is only a warning);
   * when public, no management listener unless a port is set.
   */
  port: z.number().int().min(0).max(65535).optional(),
  /** Host of the management listener. */
  host: z.string().default('127.0.0.1'),
  /** Also collect prom-client's process metrics (CPU, memory, event loop, GC). */
  processMetrics: z.boolean().default(false),
});

export const healthSchema = z.object({
  enabled: z.boolean().default(true),
  /** Liveness: answers while the process runs; touches nothing. */
  livenessPath: path.default('/healthz'),
  /** Readiness: the store answers and signing keys are loaded. */
  readinessPath: path.default('/readyz'),
  /** Milliseconds the store may take to answer a readiness ping. */
  timeout: z.number().int().positive().default(2000),
});

/** A limit: `limit` requests per `window` seconds; 0 turns it off. */
const limit = (def: number) => z.number().int().nonnegative().default(def);

export const rateLimitsSchema = z.object({
  enabled: z.boolean().default(true),
  /** Window length in seconds (fixed windows). */
  window: z.number().int().positive().default(60),
  /** Counters in memory (one node) or in Redis (shared by every node). Default: redis when a Redis URL is configured. */
  store: z.enum(['auto', 'memory', 'redis']).default('auto'),
  /** Redis for the counters; default `store.redisUrl` (REDIS_URL). Lets a SQLite deployment share limits too. */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  /** Token requests per client address (a backend redeeming codes and refreshing for its users: 20 a second). */
  tokenPerIp: limit(1200),
  /** Token requests per client_id named in the request. */
  tokenPerClient: limit(6000),
  /** Authorization requests per client address (unauthenticated, each may store an interaction). */
  authorizePerIp: limit(300),
  /** Authorization requests per client_id. */
  authorizePerClient: limit(3000),
  /** Dynamic client registration requests (RFC 7591/7592, every method) per client address. */
  registrationPerIp: limit(60),
  /** Failed login attempts per client IP (successful ones are not counted). */
  loginPerIp: limit(100),
  /**
   * Failed login attempts per username from all addresses together, per
   * `loginPerUsernameWindow`: the account's ceiling beside the soft lockout
   * per username and address (`authentication.lockoutThreshold`). High, so a
   * guesser cannot cheaply lock the owner out (ASVS V2.2.1: at most 100 per hour).
   */
  loginPerUsername: limit(100),
  /** Window of `loginPerUsername` in seconds. */
  loginPerUsernameWindow: z.number().int().positive().default(3600),
});
