/**
 * Readiness against a real PostgreSQL server that is stopped under the
 * provider (pg_ctl stop): readiness fails within `health.timeout`, liveness
 * keeps answering, and readiness recovers once the server is started again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresBackend } from '../../src/stores/postgres.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { requirePrograms } from '../helpers/requirements.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const skip = requirePrograms(['postgresql']);

describe.skipIf(!!skip)('readiness on PostgreSQL', () => {
  let pg: PostgresServer;
  let s: TestServer;
  beforeAll(async () => {
    pg = await startPostgres();
    const backend = await createPostgresBackend({ url: pg.url });
    s = await startTestServer({ mutate: (c) => (c.health = { timeout: 1000 }), options: { backend } });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    pg?.destroy();
  });

  const get = async (path: string) => {
    const res = await fetch(`${s.url}${path}`);
    return { status: res.status, body: (await res.json()) as { checks?: Record<string, string> } };
  };

  it('is ready while the database answers; not ready once it is stopped; liveness stays up', async () => {
    expect(await get('/readyz')).toMatchObject({ status: 200, body: { checks: { store: 'ok' } } });
    pg.stop();
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(['unreachable', 'timeout']).toContain(ready.body.checks!.store);
    expect((await get('/healthz')).status).toBe(200);
    pg.start();
    let back = 0;
    for (let i = 0; i < 50 && back !== 200; i++) {
      back = (await get('/readyz')).status;
      if (back !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(back).toBe(200);
  });
});
