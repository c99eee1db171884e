/**
 * The store conformance suite: runs unchanged against every backend.
 *
 * @example
 * runStoreConformance('memory', async () => ({ backend: createMemoryBackend() }));
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchCases } from './batch-conformance.js';
import { typedStoreCases } from './typed-stores-conformance.js';
import type {
  Backend,
  ConfigDocument,
  OperationalStore,
  OutboxEntry,
  RecordKind,
  RecordWrite,
  StoredKey,
  StoredRecord,
  StoredUser,
} from '../../src/stores/types.js';

/** Applies a batch (every backend's writeAll). */
const writeRecords = (store: OperationalStore, writes: readonly RecordWrite[]) => store.writeAll(writes);

export interface StoreUnderTest {
  backend: Backend;
  /** Opens a second instance over the same storage (another process's view), when the backend has one. */
  openPeer?: () => Promise<Backend>;
  /** Removes what the factory created (files, servers). */
  cleanup?: () => Promise<void>;
}

export type StoreFactory = () => Promise<StoreUnderTest>;

const rec = (over: Partial<StoredRecord> = {}): StoredRecord => ({
  kind: 'authorization_code',
  id: 'id-1',
  createdAt: 1000,
  expiresAt: 2000,
  payload: { scope: 'openid' },
  ...over,
});

const key = (kid: string, over: Partial<StoredKey> = {}): StoredKey => ({
  kid,
  alg: 'RS256',
  publicJwk: JSON.stringify({ kty: 'RSA', kid, n: 'abc', e: 'AQAB' }),
  encryptedPrivateKey: `enc:${kid}`,
  createdAt: 100,
  activatesAt: 100,
  retiresAt: 1000,
  ...over,
});

const user = (subjectId: string, username: string, over: Partial<StoredUser> = {}): StoredUser => ({
  subjectId,
  username,
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  claims: { email: `${username}@example.com`, email_verified: true, roles: ['a', 'b'] },
  isActive: true,
  createdAt: 10,
  updatedAt: 10,
  ...over,
});

/** Resolves after a macrotask, so concurrent callers really interleave. */
const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

/** Registers the suite for one backend. `factory` must return a fresh, empty store each call. */
export function runStoreConformance(name: string, factory: StoreFactory): void {
  describe(`store conformance: ${name}`, () => {
    let s: StoreUnderTest;
    let b: Backend;
    const peers: Backend[] = [];
    beforeEach(async () => {
      s = await factory();
      b = s.backend;
    });
    afterEach(async () => {
      for (const p of peers.splice(0)) await p.close();
      await b.close();
      await s.cleanup?.();
    });
    const peer = async () => {
      const p = await s.openPeer!();
      peers.push(p);
      return p;
    };
    /** Runs a test against one instance and, when the backend has peers, against two sharing storage. */
    const acrossInstances = (title: string, fn: (x: Backend, y: Backend) => Promise<void>) => {
      it(`${title} (one instance)`, () => fn(b, b));
      it(`${title} (two instances on one storage)`, async (ctx) => {
        if (!s.openPeer) return ctx.skip();
        await fn(b, await peer());
      });
    };

    describe('records', () => {
      it('round-trips every field and a JSON payload', async () => {
        const payload = { s: 'ü€😀"\'\\', n: 1.5, i: -3, t: true, f: false, z: null, a: [1, 'x', { y: [] }], o: { deep: { k: 'v' } } };
        const full = rec({ subjectId: 'sub', sessionId: 'sid', clientId: 'cid', grantId: 'gid', consumedAt: 1500, payload });
        await b.records.put(full);
        expect(await b.records.find('authorization_code', 'id-1')).toStrictEqual(full);
      });
      it('leaves absent optional fields absent and payload scalars intact', async () => {
        await b.records.put(rec({ payload: 'just a string' }));
        const got = await b.records.find('authorization_code', 'id-1');
        expect(got).toStrictEqual(rec({ payload: 'just a string' }));
        for (const k of ['subjectId', 'sessionId', 'clientId', 'grantId', 'consumedAt']) expect(got).not.toHaveProperty(k);
      });
      it('finds nothing for an unknown id or another kind', async () => {
        await b.records.put(rec());
        expect(await b.records.find('authorization_code', 'nope')).toBeUndefined();
        expect(await b.records.find('refresh_token', 'id-1')).toBeUndefined();
      });
      it('keeps kinds apart for the same id', async () => {
        await b.records.put(rec({ payload: 1 }));
        await b.records.put(rec({ kind: 'refresh_token', payload: 2 }));
        expect((await b.records.find('authorization_code', 'id-1'))?.payload).toBe(1);
        expect((await b.records.find('refresh_token', 'id-1'))?.payload).toBe(2);
      });
      it('put replaces an existing record entirely', async () => {
        await b.records.put(rec({ subjectId: 'old', consumedAt: 1100, payload: { v: 1 } }));
        await b.records.put(rec({ clientId: 'new', expiresAt: 3000, payload: { v: 2 } }));
        expect(await b.records.find('authorization_code', 'id-1')).toStrictEqual(rec({ clientId: 'new', expiresAt: 3000, payload: { v: 2 } }));
      });
      it('returns copies: mutating a result does not change the store', async () => {
        await b.records.put(rec());
        const got = (await b.records.find<{ scope: string }>('authorization_code', 'id-1'))!;
        got.payload.scope = 'changed';
        expect((await b.records.find('authorization_code', 'id-1'))?.payload).toEqual({ scope: 'openid' });
      });
      it('delete removes one record and says whether it existed', async () => {
        await b.records.put(rec());
        await b.records.put(rec({ id: 'id-2' }));
        expect(await b.records.delete('authorization_code', 'id-1')).toBe(true);
        expect(await b.records.delete('authorization_code', 'id-1')).toBe(false);
        expect(await b.records.find('authorization_code', 'id-1')).toBeUndefined();
        expect(await b.records.find('authorization_code', 'id-2')).toBeDefined();
      });
      it('writeRecords applies puts and deletes in order (one batch where the store has writeAll)', async () => {
        await b.records.put(rec({ id: 'gone' }));
        await b.records.put(rec({ id: 'kept', kind: 'session', subjectId: 'alice', sessionId: 's9' }));
        await writeRecords(b.records, [
          { put: rec({ id: 'new', grantId: 'g9' }) },
          { delete: { kind: 'authorization_code', id: 'gone' } },
          { put: rec({ id: 'kept', kind: 'session', subjectId: 'alice', sessionId: 's9', payload: { v: 2 } }) },
          { put: rec({ id: 'twice', kind: 'interaction', payload: { v: 1 } }) },
          { put: rec({ id: 'twice', kind: 'interaction', payload: { v: 2 } }) },
          { delete: { kind: 'authorization_code', id: 'absent' } },
        ]);
        expect(await b.records.find('authorization_code', 'new')).toEqual(rec({ id: 'new', grantId: 'g9' }));
        expect(await b.records.find('authorization_code', 'gone')).toBeUndefined();
        expect((await b.records.find('session', 'kept'))?.payload).toEqual({ v: 2 });
        expect((await b.records.find('interaction', 'twice'))?.payload).toEqual({ v: 2 });
        expect(await b.records.deleteByGrantId('g9')).toBe(1);
      });
    });

    describe('consume', () => {
      it('marks the record consumed once and returns it', async () => {
        await b.records.put(rec({ grantId: 'g' }));
        expect(await b.records.consume('authorization_code', 'id-1', 1234)).toStrictEqual(rec({ grantId: 'g', consumedAt: 1234 }));
        expect(await b.records.consume('authorization_code', 'id-1', 1235)).toBeUndefined();
        expect((await b.records.find('authorization_code', 'id-1'))?.consumedAt).toBe(1234);
      });
      it('returns undefined for an absent record, another kind, or one put as consumed', async () => {
        await b.records.put(rec());
        await b.records.put(rec({ id: 'used', consumedAt: 1 }));
        expect(await b.records.consume('authorization_code', 'nope', 1)).toBeUndefined();
        expect(await b.records.consume('refresh_token', 'id-1', 1)).toBeUndefined();
        expect(await b.records.consume('authorization_code', 'used', 2)).toBeUndefined();
      });
      acrossInstances('50 parallel consumes of one record have exactly one winner', async (x, y) => {
        await x.records.put(rec());
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? y : x).records.consume('authorization_code', 'id-1', 1500 + i)));
        const winners = results.filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        expect((await y.records.find('authorization_code', 'id-1'))?.consumedAt).toBe(winners[0].consumedAt);
      });
    });

    describe('insertIfAbsent', () => {
      it('inserts when absent and refuses while the existing record is unexpired', async () => {
        expect(await b.records.insertIfAbsent(rec({ payload: 'first' }), 1500)).toBe(true);
        expect(await b.records.insertIfAbsent(rec({ payload: 'second' }), 1999)).toBe(false);
        expect((await b.records.find('authorization_code', 'id-1'))?.payload).toBe('first');
      });
      it('replaces an expired record (expiresAt <= now)', async () => {
        await b.records.put(rec({ payload: 'old', subjectId: 's' }));
        expect(await b.records.insertIfAbsent(rec({ payload: 'new', expiresAt: 5000 }), 2000)).toBe(true);
        expect(await b.records.find('authorization_code', 'id-1')).toStrictEqual(rec({ payload: 'new', expiresAt: 5000 }));
      });
      it('treats the same id under another kind as absent', async () => {
        await b.records.put(rec());
        expect(await b.records.insertIfAbsent(rec({ kind: 'replay' }), 1500)).toBe(true);
      });
      acrossInstances('50 parallel inserts of one id: exactly one true', async (x, y) => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => (i % 2 ? y : x).records.insertIfAbsent(rec({ kind: 'replay', payload: i }), 1500)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
      acrossInstances('50 parallel replacements of one expired id: exactly one true', async (x, y) => {
        await x.records.put(rec({ kind: 'replay', expiresAt: 1000 }));
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => (i % 2 ? y : x).records.insertIfAbsent(rec({ kind: 'replay', payload: i }), 1500)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('bulk deletes', () => {
      beforeEach(async () => {
        const rows: Partial<StoredRecord>[] = [
          { id: 'a', subjectId: 'alice', clientId: 'c1', sessionId: 's1', grantId: 'g1' },
          { id: 'b', kind: 'refresh_token', subjectId: 'alice', clientId: 'c1', sessionId: 's1', grantId: 'g1' },
          { id: 'c', kind: 'consent', subjectId: 'alice', clientId: 'c2' },
          { id: 'd', kind: 'session', subjectId: 'alice', sessionId: 's2' },
          { id: 'e', subjectId: 'bob', clientId: 'c1', sessionId: 's3', grantId: 'g2' },
          { id: 'f', kind: 'refresh_token', sessionId: 's1' },
        ];
        for (const r of rows) await b.records.put(rec(r));
      });
      const remaining = async () => {
        const ids: string[] = [];
        for (const [kind, id] of [
          ['authorization_code', 'a'],
          ['refresh_token', 'b'],
          ['consent', 'c'],
          ['session', 'd'],
          ['authorization_code', 'e'],
          ['refresh_token', 'f'],
        ] as const)
          if (await b.records.find(kind, id)) ids.push(id);
        return ids.join('');
      };
      it('deleteByGrantId deletes the whole family across kinds', async () => {
        expect(await b.records.deleteByGrantId('g1')).toBe(2);
        expect(await remaining()).toBe('cdef');
        expect(await b.records.deleteByGrantId('none')).toBe(0);
      });
      it('deleteBySubject without a filter', async () => {
        expect(await b.records.deleteBySubject('alice')).toBe(4);
        expect(await remaining()).toBe('ef');
      });
      it('deleteBySubject filtered by client, by kind, and by both', async () => {
        expect(await b.records.deleteBySubject('alice', { clientId: 'c2' })).toBe(1);
        expect(await remaining()).toBe('abdef');
        expect(await b.records.deleteBySubject('alice', { kind: 'session' })).toBe(1);
        expect(await remaining()).toBe('abef');
        expect(await b.records.deleteBySubject('alice', { clientId: 'c1', kind: 'refresh_token' })).toBe(1);
        expect(await remaining()).toBe('aef');
      });
      it('deleteBySession with and without a kind', async () => {
        expect(await b.records.deleteBySession('s1', { kind: 'refresh_token' })).toBe(2);
        expect(await remaining()).toBe('acde');
        expect(await b.records.deleteBySession('s1')).toBe(1);
        expect(await remaining()).toBe('cde');
      });
      it('findMany filters by kind, subject, session, client and expiry, oldest first', async () => {
        const ids = async (kind: RecordKind, f?: Parameters<Backend['records']['findMany']>[1]) =>
          (await b.records.findMany(kind, f)).map((r) => r.id).join('');
        await b.records.put(rec({ id: 'g', kind: 'session', subjectId: 'alice', sessionId: 's4', createdAt: 900, expiresAt: 1500 }));
        expect(await ids('session')).toBe('gd');
        expect(await ids('session', { subjectId: 'alice' })).toBe('gd');
        expect(await ids('session', { sessionId: 's2' })).toBe('d');
        expect(await ids('session', { subjectId: 'bob' })).toBe('');
        expect(await ids('session', { expiredAt: 1500 })).toBe('g');
        expect(await ids('session', { limit: 1 })).toBe('g');
        expect(await ids('refresh_token', { sessionId: 's1' })).toBe('bf');
        expect(await ids('refresh_token', { sessionId: 's1', clientId: 'c1' })).toBe('b');
        expect(await ids('authorization_code', { subjectId: 'alice', clientId: 'c1', sessionId: 's1' })).toBe('a');
        expect(await ids('refresh_token', { grantId: 'g1' })).toBe('b');
        expect(await ids('authorization_code', { subjectId: 'alice', grantId: 'g1' })).toBe('a');
        expect(await ids('refresh_token', { subjectId: 'alice', grantId: 'other' })).toBe('');
        const [full] = await b.records.findMany('refresh_token', { subjectId: 'alice' });
        expect(full).toEqual(rec({ id: 'b', kind: 'refresh_token', subjectId: 'alice', clientId: 'c1', sessionId: 's1', grantId: 'g1' }));
        // Results are copies.
        (full.payload as Record<string, unknown>).scope = 'changed';
        expect((await b.records.find('refresh_token', 'b'))!.payload).toEqual({ scope: 'openid' });
      });
      it('purgeExpired deletes expiresAt <= now only', async () => {
        await b.records.put(rec({ id: 'x', kind: 'replay', expiresAt: 1999 }));
        await b.records.put(rec({ id: 'y', kind: 'replay', expiresAt: 2001 }));
        expect(await b.records.purgeExpired(1999)).toBe(1);
        expect(await b.records.purgeExpired(1999)).toBe(0);
        expect(await b.records.purgeExpired(2000)).toBe(6);
        expect(await remaining()).toBe('');
        expect(await b.records.find('replay', 'y')).toBeDefined();
      });
      it('countActive counts the unexpired records of one kind (every SQL-backed and memory store can)', async () => {
        expect(b.records.countActive).toBeTypeOf('function');
        const before = await b.records.countActive!('session', 2000);
        await b.records.put(rec({ id: 'cs1', kind: 'session', expiresAt: 2001 }));
        await b.records.put(rec({ id: 'cs2', kind: 'session', expiresAt: 2500 }));
        await b.records.put(rec({ id: 'cs3', kind: 'session', expiresAt: 2000 })); // expired at 2000
        await b.records.put(rec({ id: 'cs4', kind: 'consent', expiresAt: 2500 })); // another kind
        expect(await b.records.countActive!('session', 2000)).toBe(before + 2);
        expect(await b.records.countActive!('session', 2001)).toBe(before + 1);
      });
    });

    batchCases(() => b);
    typedStoreCases(() => b);

    describe('findMany paging', () => {
      it('after: continues exactly past the 1000-record page cap, in order, without gaps or repeats', async () => {
        const total = 1205;
        const writes = Array.from({ length: total }, (_, i) => ({
          put: rec({
            kind: 'revoked_grant',
            id: `p${String(i).padStart(5, '0')}`,
            clientId: i % 5 === 4 ? 'other' : 'app',
            createdAt: 1000 + Math.floor(i / 3),
            expiresAt: 9000,
          }),
        }));
        for (let i = 0; i < writes.length; i += 200) await writeRecords(b.records, writes.slice(i, i + 200));
        const seen: string[] = [];
        let after: { createdAt: number; id: string } | undefined;
        for (;;) {
          const page = await b.records.findMany('revoked_grant', { clientId: 'app', after });
          seen.push(...page.map((r) => r.id));
          if (page.length < 1000) break;
          after = { createdAt: page.at(-1)!.createdAt, id: page.at(-1)!.id };
        }
        const expected = writes
          .map((w) => w.put)
          .filter((r) => r.clientId === 'app')
          .map((r) => r.id);
        expect(expected.length).toBe(964);
        expect(seen).toEqual(expected);
        expect((await b.records.findMany('revoked_grant', { limit: 2, after: { createdAt: 1000, id: 'p00001' } })).map((r) => r.id)).toEqual([
          'p00002',
          'p00003',
        ]);
      }, 60_000);
    });

    describe('records of a client (clientIds)', () => {
      const session = (id: string, clientIds: string[], over: Partial<StoredRecord> = {}) =>
        rec({ kind: 'session', id, clientIds, subjectId: `u-${id}`, sessionId: `sid-${id}`, expiresAt: 9000, ...over });
      const ids = async (f: Parameters<Backend['records']['findMany']>[1]) => (await b.records.findMany('session', f)).map((r) => r.id).join(',');
      it('round-trips clientIds and finds records by any of them; a rewrite that drops a client drops it from the answers', async () => {
        await b.records.put(session('s1', ['a', 'b']));
        await b.records.put(session('s2', ['b'], { createdAt: 999 }));
        await b.records.put(session('s3', []));
        await b.records.put(rec({ kind: 'consent', id: 'c1', clientIds: ['a'] }));
        expect(await b.records.find('session', 's1')).toStrictEqual(session('s1', ['a', 'b']));
        expect(await ids({ clientIdsInclude: 'a' })).toBe('s1');
        expect(await ids({ clientIdsInclude: 'b' })).toBe('s2,s1');
        expect(await ids({ clientIdsInclude: 'b', subjectId: 'u-s1' })).toBe('s1');
        expect(await ids({ clientIdsInclude: 'b', sessionId: 'sid-s2' })).toBe('s2');
        expect(await ids({ clientIdsInclude: 'zzz' })).toBe('');
        await b.records.put(session('s1', ['b']));
        expect(await ids({ clientIdsInclude: 'a' })).toBe('');
        await writeRecords(b.records, [{ put: session('s3', ['a']) }, { put: session('s4', ['a']) }]);
        expect(await ids({ clientIdsInclude: 'a' })).toBe('s3,s4');
        expect(await b.records.delete('session', 's3')).toBe(true);
        expect(await ids({ clientIdsInclude: 'a' })).toBe('s4');
        await b.records.purgeExpired(1);
        expect(await ids({ clientIdsInclude: 'a' })).toBe('s4');
        expect(await ids({ clientIdsInclude: 'b', limit: 1 })).toBe('s2');
      });
      it('pages exactly through more than 1000 records of one client, skipping records that dropped it', async () => {
        const all = Array.from({ length: 1650 }, (_, i) =>
          session(`r${String(i).padStart(5, '0')}`, i % 7 === 0 ? ['x'] : ['x', 'y'], { createdAt: 1000 + Math.floor(i / 4) }),
        );
        for (let i = 0; i < all.length; i += 200)
          await writeRecords(
            b.records,
            all.slice(i, i + 200).map((r) => ({ put: r })),
          );
        // Every 5th record no longer lists y (the index row stays until the purge; readers skip it).
        for (let i = 0; i < all.length; i += 5) await b.records.put({ ...all[i], clientIds: ['x'] });
        const expected = all.filter((r, i) => i % 7 !== 0 && i % 5 !== 0).map((r) => r.id);
        expect(expected.length).toBeGreaterThan(1000);
        const seen: string[] = [];
        let after: { createdAt: number; id: string } | undefined;
        for (;;) {
          const page = await b.records.findMany('session', { clientIdsInclude: 'y', after });
          seen.push(...page.map((r) => r.id));
          if (page.length < 1000) break;
          after = { createdAt: page.at(-1)!.createdAt, id: page.at(-1)!.id };
        }
        expect(seen).toEqual(expected);
      }, 60_000);
    });

    describe('outbox', () => {
      const entry = (id: string, over: Partial<OutboxEntry> = {}): OutboxEntry => ({
        id,
        kind: 'back_channel_logout',
        payload: { clientId: 'c', n: [1] },
        attempts: 0,
        dueAt: 1000,
        createdAt: 900,
        ...over,
      });
      it('add, claim due entries oldest first, complete with the lease', async (ctx) => {
        const o = b.outbox;
        if (!o) return ctx.skip();
        await o.add([entry('a', { dueAt: 1200 }), entry('b', { dueAt: 1100 }), entry('later', { dueAt: 5000 })]);
        expect(await o.size()).toBe(3);
        const got = await o.claim({ now: 2000, leaseUntil: 3000, limit: 10 });
        expect(got.map((e) => e.id)).toEqual(['b', 'a']);
        expect(got[0]).toMatchObject({
          kind: 'back_channel_logout',
          payload: { clientId: 'c', n: [1] },
          attempts: 0,
          dueAt: 1100,
          createdAt: 900,
          leaseUntil: 3000,
        });
        expect(got[0].lease).not.toBe(got[1].lease);
        // Leased: nobody else gets them until the lease lapses.
        expect(await o.claim({ now: 2999, leaseUntil: 4000, limit: 10 })).toEqual([]);
        expect(await o.complete('b', 'not-the-lease')).toBe(false);
        expect(await o.complete('b', got[0].lease)).toBe(true);
        expect(await o.complete('b', got[0].lease)).toBe(false);
        expect(await o.size()).toBe(2);
      });
      it('a lapsed lease is claimed by another; the old holder can neither complete nor retry', async (ctx) => {
        const o = b.outbox;
        if (!o) return ctx.skip();
        await o.add([entry('x')]);
        const [first] = await o.claim({ now: 1000, leaseUntil: 1500, limit: 1 });
        const [second] = await o.claim({ now: 1500, leaseUntil: 2500, limit: 1 });
        expect(second?.id).toBe('x');
        expect(await o.retry('x', first.lease, 1, 1600)).toBe(false);
        expect(await o.complete('x', first.lease)).toBe(false);
        expect(await o.complete('x', second.lease)).toBe(true);
      });
      it('retry records the attempts, releases the lease and makes the entry due at the new time; claim by id', async (ctx) => {
        const o = b.outbox;
        if (!o) return ctx.skip();
        await o.add([entry('r'), entry('s')]);
        const [held] = await o.claim({ now: 1000, leaseUntil: 9000, limit: 1, id: 'r' });
        expect(held?.id).toBe('r');
        expect(await o.retry('r', held.lease, 1, 1250)).toBe(true);
        expect(await o.claim({ now: 1249, leaseUntil: 9000, limit: 5, id: 'r' })).toEqual([]);
        const [again] = await o.claim({ now: 1250, leaseUntil: 9000, limit: 5, id: 'r' });
        expect(again).toMatchObject({ id: 'r', attempts: 1, dueAt: 1250 });
        expect(await o.claim({ now: 1250, leaseUntil: 9000, limit: 5, id: 'nope' })).toEqual([]);
      });
      acrossInstances('20 parallel claimers of 10 entries: each entry goes to exactly one', async (x, y) => {
        if (!x.outbox || !y.outbox) return;
        await x.outbox.add(Array.from({ length: 10 }, (_, i) => entry(`e${i}`)));
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? y : x).outbox!.claim({ now: 1000, leaseUntil: 5000, limit: 10 })));
        const ids = results
          .flat()
          .map((e) => e.id)
          .sort();
        expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`).sort());
      });
    });

    describe('keys', () => {
      const byKid = (ks: StoredKey[]) => [...ks].sort((p, q) => p.kid.localeCompare(q.kid));
      it('inserts, lists, refuses a duplicate kid', async () => {
        expect(await b.keys.list()).toEqual([]);
        expect(await b.keys.insert(key('k1'))).toBe(true);
        expect(await b.keys.insert(key('k2', { alg: 'ES256', createdAt: 200 }))).toBe(true);
        expect(await b.keys.insert(key('k1', { alg: 'PS256' }))).toBe(false);
        expect(byKid(await b.keys.list())).toStrictEqual([key('k1'), key('k2', { alg: 'ES256', createdAt: 200 })]);
      });
      it('sets retiresAt and deletes', async () => {
        await b.keys.insert(key('k1'));
        await b.keys.insert(key('k2'));
        await b.keys.setRetiresAt('k1', 555);
        await b.keys.setRetiresAt('unknown', 1);
        await b.keys.delete('k2');
        await b.keys.delete('unknown');
        expect(await b.keys.list()).toStrictEqual([key('k1', { retiresAt: 555 })]);
      });
      it('withLock returns the result, passes errors through and releases the lock', async () => {
        expect(await b.keys.withLock('keys', async () => 42)).toBe(42);
        await expect(b.keys.withLock('keys', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
        expect(await b.keys.withLock('keys', async () => 'again')).toBe('again');
      });
      acrossInstances('withLock: concurrent holders never overlap', async (x, y) => {
        let active = 0;
        let maxActive = 0;
        const order: number[] = [];
        const work = (i: number) => async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          await tick(5);
          order.push(i);
          active--;
          return i;
        };
        const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => (i % 2 ? y : x).keys.withLock('keys', work(i))));
        expect(results).toEqual([0, 1, 2, 3, 4, 5]);
        expect(order.sort()).toEqual([0, 1, 2, 3, 4, 5]);
        expect(maxActive).toBe(1);
      });
    });

    describe('config documents', () => {
      const doc = (kind: ConfigDocument['kind'], id: string, extra: Record<string, unknown> = {}): ConfigDocument => ({ kind, id, document: { id, ...extra } });
      const sorted = (ds: ConfigDocument[]) => [...ds].sort((p, q) => `${p.kind}/${p.id}`.localeCompare(`${q.kind}/${q.id}`));
      it('starts empty; replaceAll swaps the whole set and bumps the version each time', async (ctx) => {
        const docs = b.configDocuments;
        if (!docs) return ctx.skip();
        const v0 = await docs.version();
        expect(await docs.load()).toStrictEqual({ version: v0, documents: [] });
        const first = [doc('client', 'web', { redirectUris: ['https://app/cb'], nested: { ü: [1, null] } }), doc('apiScope', 'api1')];
        const v1 = await docs.replaceAll(first, 100);
        expect(v1).toBeGreaterThan(v0);
        expect(await docs.version()).toBe(v1);
        const loaded = await docs.load();
        expect(loaded.version).toBe(v1);
        expect(sorted(loaded.documents)).toStrictEqual(sorted(first));
        const v2 = await docs.replaceAll([doc('client', 'web', { clientName: 'renamed' })], 200);
        expect(v2).toBeGreaterThan(v1);
        expect((await docs.load()).documents).toStrictEqual([doc('client', 'web', { clientName: 'renamed' })]);
      });
      acrossInstances('a change made by one instance is seen by the other', async (x, y) => {
        if (!x.configDocuments || !y.configDocuments) return;
        const before = await y.configDocuments.version();
        await x.configDocuments.replaceAll([doc('apiResource', 'orders')], 1);
        expect(await y.configDocuments.version()).toBeGreaterThan(before);
        expect((await y.configDocuments.load()).documents).toStrictEqual([doc('apiResource', 'orders')]);
      });
    });

    describe('users', () => {
      it('inserts and finds by username and subject', async () => {
        const alice = user('sub-a', 'alice');
        expect(await b.users.insert(alice)).toBe(true);
        expect(await b.users.findByUsername('alice')).toStrictEqual(alice);
        expect(await b.users.findBySubject('sub-a')).toStrictEqual(alice);
        expect(await b.users.findByUsername('bob')).toBeUndefined();
        expect(await b.users.findBySubject('sub-b')).toBeUndefined();
      });
      it('refuses a duplicate username or subject', async () => {
        await b.users.insert(user('sub-a', 'alice'));
        expect(await b.users.insert(user('sub-b', 'alice'))).toBe(false);
        expect(await b.users.insert(user('sub-a', 'bob'))).toBe(false);
        expect(await b.users.findBySubject('sub-b')).toBeUndefined();
        expect(await b.users.insert(user('sub-b', 'bob'))).toBe(true);
      });
      it('round-trips an inactive user with empty claims', async () => {
        const u = user('sub-i', 'idle', { isActive: false, claims: {} });
        await b.users.insert(u);
        expect(await b.users.findBySubject('sub-i')).toStrictEqual(u);
      });
      it('updates fields and says whether the user exists', async () => {
        await b.users.insert(user('sub-a', 'alice'));
        const changes = { passwordHash: '$argon2id$new', claims: { name: 'Alice' }, isActive: false, updatedAt: 99, username: 'alice2' };
        expect(await b.users.update('sub-a', changes)).toBe(true);
        expect(await b.users.findBySubject('sub-a')).toStrictEqual({ ...user('sub-a', 'alice'), ...changes });
        expect(await b.users.findByUsername('alice')).toBeUndefined();
        expect(await b.users.update('nobody', { isActive: true })).toBe(false);
      });
      it('deletes a user (account deletion) and says whether it existed', async () => {
        await b.users.insert(user('sub-a', 'alice'));
        await b.users.insert(user('sub-b', 'bob'));
        expect(await b.users.delete('sub-a')).toBe(true);
        expect(await b.users.findBySubject('sub-a')).toBeUndefined();
        expect(await b.users.findByUsername('alice')).toBeUndefined();
        expect(await b.users.delete('sub-a')).toBe(false);
        expect(await b.users.findByUsername('bob')).toBeDefined();
        // The username is free again (registration after a deletion).
        expect(await b.users.insert(user('sub-c', 'alice'))).toBe(true);
      });
    });
  });
}
