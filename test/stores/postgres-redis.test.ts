/** The store conformance suite against PostgreSQL + Redis (real servers), plus Redis-specific checks. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresBackend } from '../../src/stores/postgres.js';
import { withRedis } from '../../src/stores/redis.js';
import { StoreUnavailableError } from '../../src/stores/store-faults.js';
import type { Backend } from '../../src/stores/types.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { requirePrograms } from '../helpers/requirements.js';
import { freePort } from '../helpers/ports.js';
import { runStoreConformance } from './conformance.js';

const reason = requirePrograms(['postgresql', 'redis-server']);

/** Record times in the suite are small numbers; a clock at 0 gives them TTLs in the future. */
const clock = { now: () => 0 };

describe.skipIf(!!reason)('postgres + redis backend', () => {
  let pgServer: PostgresServer;
  let redis: RedisServer;
  let n = 0;
  beforeAll(async () => {
    [pgServer, redis] = await Promise.all([startPostgres(), startRedis()]);
  }, 60_000);
  afterAll(async () => {
    pgServer?.destroy();
    await redis?.destroy();
  });
  const open = async (url: string, prefix: string) => withRedis(await createPostgresBackend({ url }), { url: redis.url, clock, prefix });

  runStoreConformance('postgres+redis', async () => {
    const url = pgServer.createDatabase(`combined_${n}`);
    const prefix = `t${n++}:`;
    return { backend: await open(url, prefix), openPeer: () => open(url, prefix) };
  });

  it('ephemeral kinds live in Redis, durable ones in PostgreSQL; a grant family is revoked in both', async () => {
    const url = pgServer.createDatabase('split_check');
    const b = await open(url, 'split:');
    const plainPg = await createPostgresBackend({ url });
    try {
      const base = { createdAt: 1, expiresAt: 100, grantId: 'g', subjectId: 'alice', payload: {} };
      await b.records.put({ ...base, kind: 'authorization_code', id: 'code' });
      await b.records.put({ ...base, kind: 'refresh_token', id: 'rt' });
      expect(await plainPg.records.find('authorization_code', 'code')).toBeUndefined();
      expect(await plainPg.records.find('refresh_token', 'rt')).toBeDefined();
      expect(await b.records.deleteByGrantId('g')).toBe(2);
      expect(await b.records.find('authorization_code', 'code')).toBeUndefined();
      expect(await b.records.find('refresh_token', 'rt')).toBeUndefined();
    } finally {
      await plainPg.close();
      await b.close();
    }
  });

  it('purge works through more expired records than one script call examines', async () => {
    const b = await open(pgServer.createDatabase('purge_batches'), 'purge:');
    try {
      for (let i = 0; i < 1200; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, j) =>
            b.records.put({ kind: 'replay', id: `r${i + j}`, subjectId: 's', createdAt: 1, expiresAt: 10 + ((i + j) % 2), payload: null }),
          ),
        );
      }
      await b.records.put({ kind: 'replay', id: 'later', subjectId: 's', createdAt: 1, expiresAt: 50, payload: null });
      expect(await b.records.purgeExpired(11)).toBe(1200);
      expect(await b.records.find('replay', 'r0')).toBeUndefined();
      expect(await b.records.deleteBySubject('s')).toBe(1); // the index sets no longer name the purged records
    } finally {
      await b.close();
    }
  });

  it('a change published by one node reaches every subscribed node', async () => {
    const url = pgServer.createDatabase('feed_check');
    const nodes: Backend[] = await Promise.all([open(url, 'feed:'), open(url, 'feed:'), open(url, 'feed:')]);
    try {
      const seen = nodes.map(() => 0);
      const all = new Promise<void>((resolve) =>
        nodes.forEach((node, i) =>
          node.changes!.subscribe('keys', () => {
            seen[i]++;
            if (seen.every((s) => s > 0)) resolve();
          }),
        ),
      );
      await new Promise((r) => setTimeout(r, 50)); // subscriptions reach Redis
      await nodes[0].changes!.publish('keys');
      await all;
      expect(seen).toEqual([1, 1, 1]);
    } finally {
      await Promise.all(nodes.map((x) => x.close()));
    }
  });

  it('Redis lost: ephemeral operations fail with StoreUnavailableError, durable ones go on; back after restart (empty)', async () => {
    const url = pgServer.createDatabase('redis_outage');
    const b = await open(url, 'outage:');
    try {
      await b.records.put({ kind: 'authorization_code', id: 'c', createdAt: 1, expiresAt: 100, payload: {} });
      await redis.stop();
      await expect(b.records.consume('authorization_code', 'c', 2)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(b.records.deleteByGrantId('g')).rejects.toBeInstanceOf(StoreUnavailableError);
      await b.records.put({ kind: 'session', id: 's', createdAt: 1, expiresAt: 100, payload: 1 });
      expect((await b.records.find('session', 's'))?.payload).toBe(1);
      await redis.start();
      // The restarted Redis is empty: the code is gone, never accepted (consume answers undefined, not the record).
      let consumed: unknown = 'pending';
      for (let i = 0; i < 100 && consumed === 'pending'; i++) {
        consumed = await b.records.consume('authorization_code', 'c', 3).catch(async (e: unknown) => {
          if (!(e instanceof StoreUnavailableError)) throw e;
          await new Promise((r) => setTimeout(r, 50));
          return 'pending';
        });
      }
      expect(consumed).toBeUndefined();
      await b.records.put({ kind: 'authorization_code', id: 'c2', createdAt: 1, expiresAt: 100, payload: {} });
      expect(await b.records.consume('authorization_code', 'c2', 4)).toBeDefined();
    } finally {
      await redis.start();
      await b.close();
    }
  }, 30_000);

  it('records of a client in Redis: a set per client, kept in step by every write and delete', async () => {
    const b = await open(pgServer.createDatabase('redis_clients'), 'cids:');
    const raw = new Redis(redis.url);
    try {
      const rec = (id: string, clientIds: string[], createdAt = 1) => ({ kind: 'interaction' as const, id, clientIds, createdAt, expiresAt: 100, payload: {} });
      await b.records.put(rec('i1', ['a', 'b']));
      await b.records.put(rec('i2', ['b'], 2));
      const ids = async (client: string) => (await b.records.findMany('interaction', { clientIdsInclude: client })).map((r) => r.id);
      expect(await ids('a')).toEqual(['i1']);
      expect(await ids('b')).toEqual(['i1', 'i2']);
      expect((await b.records.find('interaction', 'i1'))?.clientIds).toEqual(['a', 'b']);
      expect(await raw.scard('cids:c:b')).toBe(2);
      await b.records.put(rec('i1', ['b']));
      expect(await ids('a')).toEqual([]);
      expect(await raw.scard('cids:c:a')).toBe(0);
      expect(await b.records.delete('interaction', 'i1')).toBe(true);
      expect(await ids('b')).toEqual(['i2']);
      expect(await raw.smembers('cids:c:b')).toHaveLength(1);
    } finally {
      raw.disconnect();
      await b.close();
    }
  });

  it('an unreachable Redis fails opening with one clear message', async () => {
    const url = pgServer.createDatabase('redis_missing');
    const port = await freePort();
    const err = await withRedis(await createPostgresBackend({ url }), { url: `redis://:pw@127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toBe(`cannot reach Redis at redis://:***@127.0.0.1:${port}: ECONNREFUSED`);
  });
});
