/**
 * The per-user MFA documents (UserMfaTable, migration 0006_user_mfa) on
 * every backend: find, insert-once, compare-and-set on the version (of many
 * concurrent writers with the same version exactly one wins, also across
 * two connections to one database), delete. PostgreSQL when it is installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { createPostgresBackend } from '../../src/stores/postgres.js';
import { createSqliteBackend } from '../../src/stores/sqlite.js';
import type { Backend, UserMfaTable } from '../../src/stores/types.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { requirePrograms } from '../helpers/requirements.js';

function userMfaConformance(name: string, open: () => Promise<{ a: Backend; b: Backend; close(): Promise<void> }>) {
  describe(`user MFA documents: ${name}`, () => {
    let a: UserMfaTable;
    let b: UserMfaTable;
    let close: () => Promise<void>;
    beforeAll(async () => {
      const opened = await open();
      a = opened.a.userMfa!;
      b = opened.b.userMfa!;
      close = opened.close;
    }, 60_000);
    afterAll(() => close?.());

    it('inserts once (version 0), then writes only on the current version', async () => {
      expect(await a.find('s1')).toBeUndefined();
      expect(await a.put('s1', '{"x":1}', 0, 100)).toBe(true);
      expect(await b.put('s1', '{"x":2}', 0, 100)).toBe(false);
      expect(await b.find('s1')).toMatchObject({ subjectId: 's1', data: '{"x":1}', version: 1, updatedAt: 100 });
      expect(await b.put('s1', '{"x":3}', 1, 101)).toBe(true);
      expect(await a.put('s1', '{"x":4}', 1, 102)).toBe(false);
      expect(await a.find('s1')).toMatchObject({ data: '{"x":3}', version: 2 });
      expect(await a.delete('s1')).toBe(true);
      expect(await a.delete('s1')).toBe(false);
      expect(await b.find('s1')).toBeUndefined();
    });

    it('of 20 concurrent writers with the same version exactly one wins', async () => {
      expect(await a.put('s2', '{}', 0, 1)).toBe(true);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).put('s2', `{"w":${i}}`, 1, 2)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await a.find('s2'))!.version).toBe(2);
    });
  });
}

userMfaConformance('memory', async () => {
  const m = createMemoryBackend();
  return { a: m, b: m, close: () => m.close() };
});

userMfaConformance('sqlite (two connections to one file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mfa-'));
  const path = join(dir, 'store.db');
  const a = await createSqliteBackend({ path });
  const b = await createSqliteBackend({ path });
  return {
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const noPostgres = requirePrograms(['postgresql']);
describe.skipIf(!!noPostgres)('postgres', () => {
  let server: PostgresServer | undefined;
  userMfaConformance('postgres (two pools)', async () => {
    server = await startPostgres();
    const url = server.createDatabase('user_mfa');
    const a = await createPostgresBackend({ url });
    const b = await createPostgresBackend({ url });
    return {
      a,
      b,
      close: async () => {
        await a.close();
        await b.close();
        server?.destroy();
      },
    };
  });
});
