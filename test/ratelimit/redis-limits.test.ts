/**
 * Rate limits held across nodes: two provider instances (two nodes of one
 * deployment: same issuer) count in one real Redis server. When Redis goes
 * away, requests are allowed (fail open) and a warning is logged.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { requirePrograms } from '../helpers/requirements.js';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { FORM } from '../interaction/interaction-helpers.js';

const skip = requirePrograms(['redis-server']);

describe.skipIf(!!skip)('rate limits shared through Redis', () => {
  let redis: RedisServer;
  let a: TestServer;
  let b: TestServer;
  const warnings: string[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    const sink = new Writable({
      write(chunk, _e, cb) {
        warnings.push(String(chunk));
        cb();
      },
    });
    const node = (logger?: pino.Logger) =>
      startTestServer({
        mutate: (c) => {
          c.server = { ...c.server, issuer: 'http://id.cluster.test' };
          c.rateLimits = { tokenPerClient: 5, redisUrl: redis.url };
        },
        options: logger ? { logger } : {},
      });
    a = await node(pino({ level: 'warn' }, sink));
    b = await node();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.destroy();
  });

  const cc = (s: TestServer) =>
    fetch(`${s.url}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic('m2m', 'secret'), ...FORM },
      body: 'grant_type=client_credentials&scope=api',
    });

  it('the limit holds across both nodes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await cc(a)).status);
    for (let i = 0; i < 2; i++) statuses.push((await cc(b)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const refusedOnA = await cc(a);
    const refusedOnB = await cc(b);
    expect([refusedOnA.status, refusedOnB.status]).toEqual([429, 429]);
    const retry = Number(refusedOnB.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    expect(await refusedOnA.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('stores only hashed keys with an expiry in Redis', async () => {
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('gh:rl:*');
      expect(keys.length).toBeGreaterThanOrEqual(1);
      for (const k of keys) {
        expect(k).not.toContain('m2m');
        expect(await client.ttl(k)).toBeGreaterThan(0);
      }
    } finally {
      client.disconnect();
    }
  });

  it('a refund takes one hit back within the window (successful logins are not counted)', async () => {
    const { createRedisCounters } = await import('../../src/ratelimit/redis-counters.js');
    const counters = createRedisCounters(redis.url, pino({ level: 'silent' }));
    try {
      // Commands fail (and are allowed) until the client is connected: wait for a counted hit.
      for (let i = 0; i < 100 && (await counters.hit('gh:rl:test:warm', 60)).count === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect((await counters.hit('gh:rl:test:refund', 60)).count).toBe(1);
      expect((await counters.hit('gh:rl:test:refund', 60)).count).toBe(2);
      await counters.refund('gh:rl:test:refund');
      expect((await counters.hit('gh:rl:test:refund', 60)).count).toBe(2);
      await counters.refund('gh:rl:test:absent');
      expect((await counters.hit('gh:rl:test:absent', 60)).count).toBe(1);
    } finally {
      await counters.close();
    }
  });

  it('fails open when Redis is down: requests are served and a warning is logged', async () => {
    await redis.stop();
    const res = await cc(a);
    expect(res.status).toBe(200);
    expect(warnings.join('')).toContain('rate limit store (redis) unavailable');
    await redis.start();
  });
});
