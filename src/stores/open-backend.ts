/** Opens the storage backend the configuration names. */
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Logger } from 'pino';
import type { Clock } from '../model/types.js';
import { createMemoryBackend } from './memory.js';
import type { Backend } from './types.js';

/** The SQLite file of a configuration: `store.sqlitePath`, else `<server.dataDir>/gatehouse.db`. */
export function sqlitePathOf(config: Config): string {
  return config.store.sqlitePath ?? join(config.server.dataDir, 'gatehouse.db');
}

export interface OpenBackendOptions {
  clock?: Clock;
  /** Told about connection errors of PostgreSQL and Redis (requests in flight also fail with 503). */
  logger?: Pick<Logger, 'warn'>;
  /** Apply pending migrations; default `config.store.migrateOnStart`. */
  migrate?: boolean;
  /** Called with the names of the migrations applied while opening. */
  onMigrated?: (applied: string[]) => void;
}

/**
 * Opens the configured backend. Drivers (better-sqlite3, pg, ioredis) are
 * imported only when their backend is configured. An unreachable database
 * or Redis fails here with a StoreUnavailableError naming it.
 *
 * @example
 * const backend = await openBackend(configSchema.parse({ store: { type: 'postgres', url: process.env.DATABASE_URL } }));
 * try { await backend.records.purgeExpired(now) } finally { await backend.close() }
 */
export async function openBackend(config: Config, opts: OpenBackendOptions = {}): Promise<Backend> {
  const { store } = config;
  switch (store.type) {
    case 'memory':
      return createMemoryBackend();
    case 'sqlite': {
      const { createSqliteBackend } = await import('./sqlite.js');
      return createSqliteBackend({ path: sqlitePathOf(config), clock: opts.clock, onMigrated: opts.onMigrated });
    }
    case 'postgres': {
      // The config schema already refuses postgres without url; this tells the compiler.
      if (store.url === undefined) throw new Error('store: type postgres needs url (or DATABASE_URL)');
      const { createPostgresBackend } = await import('./postgres.js');
      const durable = await createPostgresBackend({
        url: store.url,
        poolSize: store.poolSize,
        migrate: opts.migrate ?? store.migrateOnStart,
        onMigrated: opts.onMigrated,
        onConnectionError: (err) => opts.logger?.warn({ err: err.message }, 'PostgreSQL connection error'),
      });
      if (!store.redisUrl) return durable;
      const { withRedis } = await import('./redis.js');
      try {
        return await withRedis(durable, {
          url: store.redisUrl,
          clock: opts.clock,
          onError: (err) => opts.logger?.warn({ err: err.message }, 'Redis connection error'),
        });
      } catch (err) {
        await durable.close();
        throw err;
      }
    }
  }
}
