/**
 * jti replay detection across nodes (RFC 9449 §11.1): two verifiers over one
 * operational store (two SQLite backends on one database file, as two
 * provider nodes open it; two connections to one Redis, where postgres+redis
 * keeps replay records) refuse a proof the other accepted, also when both
 * receive it at the same moment; and the in-process store of standalone APIs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDpopAlgorithms, DpopError, MemoryReplayStore, verifyDpopProof, type DpopPolicy, type ReplayStore } from '../../src/proof/index.js';
import { operationalReplayStore } from '../../src/proof/store-replay.js';
import { createSqliteBackend } from '../../src/stores/sqlite.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import type { Backend } from '../../src/stores/types.js';
import { Redis } from 'ioredis';
import { RedisRecords } from '../../src/stores/redis-records.js';
import { requirePrograms } from '../helpers/requirements.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { makeProof, proofKey, type ProofKey } from './dpop-proofs.js';

const URL_ = 'https://as.example.com/connect/token';

describe('DPoP jti replay across nodes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-dpop-replay-'));
  let nodes: Backend[] = [];
  let key: ProofKey;
  let now = Math.floor(Date.now() / 1000);
  const clock = () => now;
  beforeAll(async () => {
    const path = join(dir, 'shared.db');
    nodes = [await createSqliteBackend({ path }), await createSqliteBackend({ path })];
    key = await proofKey('ES256');
  });
  afterAll(async () => {
    for (const n of nodes) await n.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const policy = (replay: ReplayStore): DpopPolicy => ({ algorithms: checkDpopAlgorithms(['ES256']), maxAge: 60, leeway: 5, replay, now });
  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (err: unknown) => (err instanceof DpopError ? err.description : Promise.reject(err as Error)),
    );

  it('a proof accepted by node A is refused by node B', async () => {
    const [a, b] = nodes.map((n) => operationalReplayStore(n.records, clock));
    const proof = await makeProof(key, 'POST', URL_, now);
    const req = { proof, method: 'POST', url: URL_ };
    expect(await outcome(verifyDpopProof(req, policy(a)))).toBe('accepted');
    expect(await outcome(verifyDpopProof(req, policy(b)))).toMatch(/used before/);
    expect(await outcome(verifyDpopProof(req, policy(a)))).toMatch(/used before/);
  });

  it('of one proof sent to both nodes at once, exactly one is accepted', async () => {
    const stores = nodes.map((n) => operationalReplayStore(n.records, clock));
    for (let round = 0; round < 5; round++) {
      const proof = await makeProof(key, 'POST', URL_, now);
      const results = await Promise.all(stores.map((s) => outcome(verifyDpopProof({ proof, method: 'POST', url: URL_ }, policy(s)))));
      expect(results.filter((r) => r === 'accepted')).toHaveLength(1);
    }
  });

  it('records replay markers (the kind client-assertion jtis use) that expire when the proof could no longer pass', async () => {
    const memory = createMemoryBackend();
    const store = operationalReplayStore(memory.records, clock);
    expect(await store.markOnce('thumb:jti-1', now + 10)).toBe(true);
    expect(await store.markOnce('thumb:jti-1', now + 10)).toBe(false);
    const records = await memory.records.findMany('replay', {});
    expect(records).toHaveLength(1);
    // Stored under a namespaced hash, never the key itself.
    expect(records[0].id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    now += 11;
    expect(await store.markOnce('thumb:jti-1', now + 10)).toBe(true);
    // A proof is kept until iat + maxAge + leeway, the last moment it would pass the iat check.
    const proof = await makeProof(key, 'POST', URL_, now);
    await verifyDpopProof({ proof, method: 'POST', url: URL_ }, policy(store));
    const marker = (await memory.records.findMany('replay', {})).at(-1)!;
    expect(marker.expiresAt).toBe(now + 60 + 5 + 1);
    await memory.close();
  });
});

describe.skipIf(requirePrograms(['redis-server'], 'replay over Redis'))(
  'DPoP jti replay across nodes on Redis (the ephemeral records of postgres+redis)',
  () => {
    let redis: RedisServer;
    const clients: Redis[] = [];
    const now = Math.floor(Date.now() / 1000);
    beforeAll(async () => {
      redis = await startRedis();
      for (let i = 0; i < 2; i++) clients.push(new Redis(redis.url));
    });
    afterAll(async () => {
      for (const c of clients) c.disconnect();
      await redis?.destroy();
    });

    it('a proof accepted through one Redis connection is refused through the other, and only one of two simultaneous uses passes', async () => {
      const key = await proofKey('ES256');
      const stores = clients.map((c) => operationalReplayStore(new RedisRecords(c, { now: () => now }), () => now));
      const policy = (replay: ReplayStore): DpopPolicy => ({ algorithms: checkDpopAlgorithms(['ES256']), maxAge: 60, leeway: 5, replay, now });
      const attempt = (proof: string, replay: ReplayStore) =>
        verifyDpopProof({ proof, method: 'POST', url: URL_ }, policy(replay)).then(
          () => true,
          (err: unknown) => (err instanceof DpopError ? false : Promise.reject(err as Error)),
        );
      const proof = await makeProof(key, 'POST', URL_, now);
      expect(await attempt(proof, stores[0])).toBe(true);
      expect(await attempt(proof, stores[1])).toBe(false);
      for (let round = 0; round < 5; round++) {
        const p = await makeProof(key, 'POST', URL_, now);
        expect((await Promise.all(stores.map((s) => attempt(p, s)))).filter(Boolean)).toHaveLength(1);
      }
    });
  },
);

describe('MemoryReplayStore', () => {
  it('answers false for a live key, true again after expiry, and holds at most maxEntries', async () => {
    let now = 1000;
    const store = new MemoryReplayStore(3, () => now);
    expect(await store.markOnce('a', 1010)).toBe(true);
    expect(await store.markOnce('a', 1010)).toBe(false);
    now = 1010;
    expect(await store.markOnce('a', 1020)).toBe(true);
    for (const k of ['b', 'c', 'd', 'e']) expect(await store.markOnce(k, 1020)).toBe(true);
    expect(store.size).toBe(3);
    expect(await store.markOnce('e', 1020)).toBe(false);
    expect(() => new MemoryReplayStore(0)).toThrow();
  });
});
