/** The federation store (external account links, dynamic providers) on every backend that has one. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { createPostgresBackend } from '../../src/stores/postgres.js';
import { createSqliteBackend } from '../../src/stores/sqlite.js';
import type { Backend } from '../../src/stores/types.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { requirePrograms } from '../helpers/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-fed-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noPostgres = requirePrograms(['postgresql'], 'federation store on PostgreSQL');
let pgServer: PostgresServer | undefined;
let pgUrl = '';
beforeAll(async () => {
  if (noPostgres) return;
  pgServer = await startPostgres();
  pgUrl = pgServer.createDatabase('federation');
}, 60_000);
afterAll(() => pgServer?.destroy());

const backends: [string, () => Promise<Backend>][] = [
  ['memory', async () => createMemoryBackend()],
  ['sqlite', () => createSqliteBackend({ path: join(dir, 'fed.db') })],
  ...(noPostgres ? [] : [['postgres', () => createPostgresBackend({ url: pgUrl })] as [string, () => Promise<Backend>]]),
];

describe.each(backends)('federation store: %s', (_name, open) => {
  it('links one (issuer, subject) to one local subject; a second link loses; unlink only by its owner', async () => {
    const b = await open();
    const s = b.federation!;
    const link = { provider: 'up', issuer: 'https://up.example', externalSubject: 'u1', subjectId: 'local-1', createdAt: 100 };
    expect(await s.addLink(link)).toBe(true);
    expect(await s.addLink({ ...link, subjectId: 'local-2' })).toBe(false);
    expect(await s.findLink('https://up.example', 'u1')).toEqual(link);
    expect(await s.findLink('https://other.example', 'u1')).toBeUndefined();
    await s.addLink({ ...link, externalSubject: 'u2', createdAt: 200 });
    expect((await s.linksOf('local-1')).map((l) => l.externalSubject)).toEqual(['u1', 'u2']);
    expect(await s.removeLink('local-2', 'https://up.example', 'u1')).toBe(false);
    expect(await s.removeLink('local-1', 'https://up.example', 'u1')).toBe(true);
    expect(await s.findLink('https://up.example', 'u1')).toBeUndefined();
    await b.close();
  });

  it('stores, replaces and deletes providers durably', async () => {
    const b = await open();
    const s = b.federation!;
    await s.putProvider({ name: 'corp', document: { name: 'corp', clientId: 'a' }, updatedAt: 1 });
    await s.putProvider({ name: 'corp', document: { name: 'corp', clientId: 'b', enabled: false }, updatedAt: 2 });
    await s.putProvider({ name: 'acme', document: { name: 'acme', clientId: 'c' }, updatedAt: 3 });
    expect(await s.listProviders()).toEqual([
      { name: 'acme', document: { name: 'acme', clientId: 'c' }, updatedAt: 3 },
      { name: 'corp', document: { name: 'corp', clientId: 'b', enabled: false }, updatedAt: 2 },
    ]);
    expect(await s.deleteProvider('corp')).toBe(true);
    expect(await s.deleteProvider('corp')).toBe(false);
    await b.close();
  });
});
