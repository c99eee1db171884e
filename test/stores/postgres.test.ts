/** The store conformance suite against a real PostgreSQL server, plus PostgreSQL-specific checks. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresBackend } from '../../src/stores/postgres.js';
import { StoreUnavailableError } from '../../src/stores/store-faults.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { requirePrograms } from '../helpers/requirements.js';
import { freePort } from '../helpers/ports.js';
import { runStoreConformance } from './conformance.js';

const reason = requirePrograms(['postgresql']);

describe.skipIf(!!reason)('postgres backend', () => {
  let server: PostgresServer;
  let n = 0;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(() => server?.destroy());

  runStoreConformance('postgres', async () => {
    const url = server.createDatabase(`conformance_${n++}`);
    return { backend: await createPostgresBackend({ url }), openPeer: () => createPostgresBackend({ url }) };
  });

  it('five nodes starting at once apply each migration exactly once, with every index', async () => {
    const url = server.createDatabase('migrate_race');
    const backends = await Promise.all(Array.from({ length: 5 }, () => createPostgresBackend({ url })));
    await Promise.all(backends.map((b) => b.close()));
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const applied = await c.query('SELECT name FROM kysely_migration ORDER BY name');
      expect(applied.rows.map((r) => r.name)).toEqual([
        '0001_initial',
        '0002_partial_record_indexes',
        '0003_subject_client_index_and_config',
        '0004_outbox_and_record_clients',
        '0005_federation',
        '0006_user_mfa',
        '0007_audit_log',
      ]);
      const idx = await c.query("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'records' ORDER BY indexname");
      expect(idx.rows.map((r) => r.indexname)).toEqual([
        'records_expires_at_idx',
        'records_grant_id_idx',
        'records_pk',
        'records_session_id_idx',
        'records_subject_client_idx',
      ]);
      expect(idx.rows.find((r) => r.indexname === 'records_subject_client_idx').indexdef).toMatch(/\(subject_id, client_id\) WHERE \(subject_id IS NOT NULL\)/);
      // Each lookup the stores make is answered from an index (sequential scans off to force the choice).
      await c.query('SET enable_seqscan = off');
      const plan = async (where: string) => (await c.query(`EXPLAIN DELETE FROM records WHERE ${where}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(await plan("grant_id = 'g'")).toMatch(/records_grant_id_idx/);
      expect(await plan("subject_id = 's' AND client_id = 'c'")).toMatch(/records_subject_client_idx/);
      expect(await plan("session_id = 's' AND kind = 'k'")).toMatch(/records_session_id_idx/);
      expect(await plan('expires_at <= 5')).toMatch(/records_expires_at_idx/);
      expect(await plan("kind = 'k' AND id = 'i'")).toMatch(/records_pk/);
      const select = async (q: string) => (await c.query(`EXPLAIN ${q}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(await select("SELECT * FROM record_clients WHERE client_id = 'c' AND kind = 'session' AND created_at > 5 ORDER BY created_at, id")).toMatch(
        /record_clients_order_idx/,
      );
    } finally {
      await c.end();
    }
  });

  it('an unreachable server fails opening with one clear message, password redacted', async () => {
    const port = await freePort();
    const err = await createPostgresBackend({ url: `postgres://gh:s3cret@127.0.0.1:${port}/x` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(new RegExp(`^cannot reach PostgreSQL at postgres://gh:\\*\\*\\*@127\\.0\\.0\\.1:${port}/x: ECONNREFUSED$`));
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('queries fail with StoreUnavailableError while the server is down and work again after it returns', async () => {
    const url = server.createDatabase('outage');
    const b = await createPostgresBackend({ url });
    try {
      await b.records.put({ kind: 'session', id: 's', createdAt: 1, expiresAt: 2, payload: 1 });
      server.stop();
      await expect(b.records.find('session', 's')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(b.records.consume('session', 's', 1)).rejects.toBeInstanceOf(StoreUnavailableError);
      server.start();
      expect((await b.records.find('session', 's'))?.payload).toBe(1);
    } finally {
      server.start();
      await b.close();
    }
  }, 60_000);
});
