/** The PostgreSQL and Redis fixtures start real servers that answer. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startPostgres, type PostgresServer } from './postgres-server.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { requirePrograms } from './requirements.js';

const noPg = requirePrograms(['postgresql'], 'postgres fixture');
const noRedis = requirePrograms(['redis-server'], 'redis fixture');

describe.skipIf(!!noPg)('postgres fixture', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.destroy());
  it('answers queries on a created database, and survives stop/start', async () => {
    const url = server.createDatabase('fixture_check');
    const c1 = new pg.Client({ connectionString: url });
    await c1.connect();
    await c1.query('CREATE TABLE t (v int)');
    await c1.query('INSERT INTO t VALUES (42)');
    await c1.end();
    server.stop();
    server.start();
    const c2 = new pg.Client({ connectionString: url });
    await c2.connect();
    const { rows } = await c2.query('SELECT v FROM t');
    await c2.end();
    expect(rows).toEqual([{ v: 42 }]);
  });
});

describe.skipIf(!!noRedis)('redis fixture', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.destroy());
  it('answers commands', async () => {
    const r = new Redis(server.url);
    await r.set('k', 'v');
    expect(await r.get('k')).toBe('v');
    r.disconnect();
  });
});
