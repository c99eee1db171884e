import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { openBackend, sqlitePathOf } from '../../src/stores/open-backend.js';
import { applyEnv } from '../../src/cli/start.js';
import { parseConfig } from '../../src/config/load.js';

describe('openBackend', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempDir = () => (dirs.push(mkdtempSync(join(tmpdir(), 'gatehouse-open-'))), dirs.at(-1)!);

  it('opens a memory backend', async () => {
    const b = await openBackend(configSchema.parse({ store: { type: 'memory' } }));
    await b.records.put({ kind: 'consent', id: '1', createdAt: 0, expiresAt: 1, payload: 1 });
    expect((await b.records.find('consent', '1'))?.payload).toBe(1);
    await b.close();
  });

  it('opens sqlite at <dataDir>/gatehouse.db by default, or at store.sqlitePath', async () => {
    const dir = tempDir();
    const byDefault = configSchema.parse({ server: { dataDir: join(dir, 'data') } });
    expect(sqlitePathOf(byDefault)).toBe(join(dir, 'data', 'gatehouse.db'));
    const b = await openBackend(byDefault);
    await b.close();
    expect(existsSync(join(dir, 'data', 'gatehouse.db'))).toBe(true);

    const explicit = configSchema.parse({ store: { sqlitePath: join(dir, 'elsewhere', 'x.db') } });
    await (await openBackend(explicit)).close();
    expect(existsSync(join(dir, 'elsewhere', 'x.db'))).toBe(true);
  });
});

describe('store selection', () => {
  it('DATABASE_URL selects postgres with that URL and REDIS_URL adds Redis; the file applies without them', () => {
    const file = { store: { type: 'sqlite' as const, purgeInterval: 60 } };
    expect(applyEnv(file, {}).store).toEqual({ type: 'sqlite', purgeInterval: 60 });
    const env = { DATABASE_URL: 'postgres://u:p@db/gh', REDIS_URL: 'redis://cache:6379' };
    const { config } = parseConfig(applyEnv(file, env));
    expect(config.store).toMatchObject({ type: 'postgres', url: 'postgres://u:p@db/gh', redisUrl: 'redis://cache:6379', purgeInterval: 60 });
  });

  it('postgres without a URL, Redis without postgres and malformed URLs are configuration errors with their paths', () => {
    const problems = (store: unknown) => {
      try {
        parseConfig({ store });
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(problems({ type: 'postgres' })).toMatch(/store\.url: type postgres needs url \(or DATABASE_URL\)/);
    expect(problems({ type: 'sqlite', redisUrl: 'redis://x' })).toMatch(/store\.redisUrl: redisUrl is used beside type postgres only/);
    expect(problems({ type: 'postgres', url: 'mysql://x' })).toMatch(/store\.url: must be a postgres:\/\/ URL/);
    expect(problems({ type: 'postgres', url: 'postgres://x', redisUrl: 'http://x' })).toMatch(/store\.redisUrl: must be a redis:\/\/ URL/);
  });
});
