/**
 * The CIBA request store (src/stores/typed/ciba-requests.ts) over the memory
 * and SQLite record stores: one decision wins, one redemption wins, and a
 * user's pending list leaves out decided, redeemed and expired requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { createSqliteBackend } from '../../src/stores/sqlite.js';
import { cibaRequestStore, type CibaRequestRecord } from '../../src/stores/typed/ciba-requests.js';
import type { Backend } from '../../src/stores/types.js';

const request = (id: string, over: Partial<CibaRequestRecord> = {}): CibaRequestRecord => ({
  kind: 'ciba_request',
  id,
  subjectId: 'alice',
  clientId: 'ciba',
  createdAt: 1000,
  expiresAt: 1300,
  payload: { type: 'request', scopes: ['openid'], resourceIndicators: [], interval: 5 },
  ...over,
});

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ciba-'));
const backends: [string, () => Promise<Backend>][] = [
  ['memory', async () => createMemoryBackend()],
  ['sqlite', () => createSqliteBackend({ path: join(dir, 'ciba.db') })],
];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(backends)('CIBA request store (%s)', (name, open) => {
  it('keeps the request, its poll state and one decision apart; of concurrent decisions exactly one wins', async () => {
    const backend = await open();
    const store = cibaRequestStore(backend.records);
    const rec = request('r1');
    await store.create(rec);
    await store.putPoll(rec, { type: 'poll', lastPolledAt: 1010, interval: 10 });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.decide(rec, { type: 'decision', approved: i % 2 === 0, decidedAt: 1020 }, 1020)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const decision = await store.findDecision('r1');
    expect(decision?.approved).toBe(results.indexOf(true) % 2 === 0);
    expect(await store.findPoll('r1')).toEqual({ type: 'poll', lastPolledAt: 1010, interval: 10 });
    // The companions are not requests: find and consume see the request only.
    expect(await store.find('poll:r1')).toBeUndefined();
    expect((await store.find('r1'))?.payload.scopes).toEqual(['openid']);
    await backend.close();
  });

  it('redeems a request once under concurrency', async () => {
    const backend = await open();
    const store = cibaRequestStore(backend.records);
    await store.create(request('r2'));
    const won = (await Promise.all(Array.from({ length: 8 }, () => store.consume('r2', 1030)))).filter((r) => r !== undefined);
    expect(won).toHaveLength(1);
    expect((await store.find('r2'))?.consumedAt).toBe(1030);
    await backend.close();
  });

  it("lists a user's requests still waiting: not decided, not redeemed, not expired, not another user's", async () => {
    const backend = await open();
    const store = cibaRequestStore(backend.records);
    const [waiting, decided, redeemed, expired, bobs] = [
      request('p1', { subjectId: 'carol' }),
      request('p2', { subjectId: 'carol' }),
      request('p3', { subjectId: 'carol' }),
      request('p4', { subjectId: 'carol', expiresAt: 1100 }),
      request('p5', { subjectId: 'bob' }),
    ];
    for (const r of [waiting, decided, redeemed, expired, bobs]) await store.create(r);
    await store.decide(decided, { type: 'decision', approved: false, decidedAt: 1050 }, 1050);
    await store.consume('p3', 1050);
    expect((await store.pendingOf('carol', 1200)).map((r) => r.id)).toEqual(['p1']);
    await backend.close();
  });

  it('outbox: a claim by kind leases only entries of that kind (the ping drain leaves logout deliveries alone)', async () => {
    const backend = await open();
    const outbox = backend.outbox!;
    const now = Date.now();
    const entry = (id: string, kind: string) => ({ id, kind, payload: {}, attempts: 0, dueAt: now, createdAt: now });
    await outbox.add([entry(`l-${name}`, 'back_channel_logout'), entry(`p-${name}`, 'ciba_ping')]);
    const pings = await outbox.claim({ now, leaseUntil: now + 10_000, limit: 10, kind: 'ciba_ping' });
    expect(pings.map((e) => e.id)).toEqual([`p-${name}`]);
    const logouts = await outbox.claim({ now, leaseUntil: now + 10_000, limit: 10, kind: 'back_channel_logout' });
    expect(logouts.map((e) => e.id)).toEqual([`l-${name}`]);
    await backend.close();
  });
});
