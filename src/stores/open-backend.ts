/** Opens the storage backend the configuration names. */
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Clock } from '../model/types.js';
import { createMemoryBackend } from './memory.js';
import type { Backend } from './types.js';

/** The SQLite file of a configuration: `store.sqlitePath`, else `<server.dataDir>/gatehouse.db`. */
export function sqlitePathOf(config: Config): string {
  return config.store.sqlitePath ?? join(config.server.dataDir, 'gatehouse.db');
}

/**
 * Opens the configured backend. The SQLite driver (better-sqlite3) is
 * imported only when the sqlite store is configured.
 *
 * @example
 * const backend = await openBackend(configSchema.parse({ store: { type: 'sqlite' } }));
 * try { await backend.records.purgeExpired(now) } finally { await backend.close() }
 */
export async function openBackend(config: Config, opts: { clock?: Clock } = {}): Promise<Backend> {
  switch (config.store.type) {
    case 'memory':
      return createMemoryBackend();
    case 'sqlite': {
      const { createSqliteBackend } = await import('./sqlite.js');
      return createSqliteBackend({ path: sqlitePathOf(config), clock: opts.clock });
    }
  }
}
