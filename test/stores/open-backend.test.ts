import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { openBackend, sqlitePathOf } from '../../src/stores/open-backend.js';

describe('openBackend', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempDir = () => (dirs.push(mkdtempSync(join(tmpdir(), 'gatehouse-open-'))), dirs.at(-1)!);

  it('opens a memory backend', async () => {
    const b = await openBackend(configSchema.parse({ store: { type: 'memory' } }));
    await b.records.put({ kind: 'k', id: '1', createdAt: 0, expiresAt: 1, payload: 1 });
    expect((await b.records.find('k', '1'))?.payload).toBe(1);
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
