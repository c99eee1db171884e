/** The audit log store on every backend: appended entries read back in order, filtered, paged; no way to change them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { createSqliteBackend } from '../../src/stores/sqlite.js';
import { createPostgresBackend } from '../../src/stores/postgres.js';
import type { AuditEntry, Backend } from '../../src/stores/types.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { requirePrograms } from '../helpers/requirements.js';

const entries: AuditEntry[] = [
  {
    id: '001',
    time: 100,
    actorClientId: 'admin-a',
    action: 'client.create',
    resourceType: 'client',
    resourceId: 'c1',
    after: { clientId: 'c1' },
    address: '127.0.0.1',
  },
  { id: '002', time: 100, actorSubject: 'alice', action: 'client.update', resourceType: 'client', resourceId: 'c1', before: { n: 1 }, after: { n: 2 } },
  { id: '003', time: 200, actorClientId: 'admin-b', action: 'client.delete', resourceType: 'client', resourceId: 'c2', before: { clientId: 'c2' } },
  { id: '004', time: 300, actorSubject: 'cli', action: 'client.create', resourceType: 'client', resourceId: 'c3', requestId: 'r-1' },
];

function conformance(name: string, open: () => Promise<Backend>) {
  describe(`audit log (${name})`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await open();
      // Appended out of order: the store answers in (time, id) order.
      for (const e of [entries[2], entries[0], entries[3], entries[1]]) await backend.auditLog!.append(e);
    });
    afterAll(() => backend.close());

    it('answers every entry in (time, id) order with its fields intact', async () => {
      expect(await backend.auditLog!.query()).toEqual(entries);
    });

    it('filters by action, resource, actor (subject or client) and time', async () => {
      const log = backend.auditLog!;
      expect((await log.query({ action: 'client.create' })).map((e) => e.id)).toEqual(['001', '004']);
      expect((await log.query({ resourceType: 'client', resourceId: 'c1' })).map((e) => e.id)).toEqual(['001', '002']);
      expect((await log.query({ actor: 'alice' })).map((e) => e.id)).toEqual(['002']);
      expect((await log.query({ actor: 'admin-b' })).map((e) => e.id)).toEqual(['003']);
      expect((await log.query({ since: 200, until: 300 })).map((e) => e.id)).toEqual(['003']);
    });

    it('pages with limit and the after-cursor', async () => {
      const log = backend.auditLog!;
      const first = await log.query({ limit: 2 });
      expect(first.map((e) => e.id)).toEqual(['001', '002']);
      const second = await log.query({ limit: 2, after: { time: first[1].time, id: first[1].id } });
      expect(second.map((e) => e.id)).toEqual(['003', '004']);
    });

    it('has no operation that changes or removes an entry', () => {
      const ops = Object.getOwnPropertyNames(Object.getPrototypeOf(backend.auditLog)).filter((n) => n !== 'constructor');
      expect(ops.sort()).toEqual(['append', 'query']);
    });
  });
}

conformance('memory', () => Promise.resolve(createMemoryBackend()));
conformance('sqlite', () => createSqliteBackend({ path: ':memory:' }));

const reason = requirePrograms(['postgresql']);
describe.skipIf(!!reason)('postgres', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(() => server?.destroy());
  conformance('postgres', () => createPostgresBackend({ url: server.createDatabase('audit_log') }));
});
