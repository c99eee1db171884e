/**
 * Conformance cases for atomic batches (OperationalStore.writeAll), run by
 * runStoreConformance on every backend: a batch that fails leaves nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, RecordKind, RecordWrite, StoredRecord } from '../../src/stores/types.js';

const rec = (kind: RecordKind, id: string, over: Partial<StoredRecord> = {}): StoredRecord => ({
  kind,
  id,
  createdAt: 1000,
  expiresAt: 2000,
  payload: { id },
  ...over,
});

/**
 * A payload no backend can store: JSON cannot encode a BigInt (SQL, Redis)
 * and structured clone cannot copy a function (memory).
 */
const unstorable = () => ({ n: 1n, f: () => 0 });

export function batchCases(backend: () => Backend): void {
  describe('atomic batches (writeAll)', () => {
    const seed = async () => {
      const b = backend();
      await b.records.put(rec('session', 'old-session', { sessionId: 'sid-old' }));
      await b.records.put(rec('interaction', 'old-interaction'));
      return b;
    };
    const unchanged = async (b: Backend) => {
      expect(await b.records.find('session', 'new-session')).toBeUndefined();
      expect(await b.records.find('authorization_code', 'new-code')).toBeUndefined();
      expect(await b.records.find('session', 'old-session')).toBeDefined();
      expect(await b.records.find('interaction', 'old-interaction')).toBeDefined();
    };
    /** The shape of an authorization answer: a session, a code, the end of an interaction, the replaced session. */
    const answer = (): RecordWrite[] => [
      { put: rec('session', 'new-session', { sessionId: 'sid-new', clientIds: ['app'] }) },
      { put: rec('authorization_code', 'new-code', { grantId: 'g1' }) },
      { delete: { kind: 'interaction', id: 'old-interaction' } },
      { delete: { kind: 'session', id: 'old-session' } },
    ];

    it('applies a batch across kinds all together', async () => {
      const b = await seed();
      await b.records.writeAll(answer());
      expect(await b.records.find('session', 'new-session')).toBeDefined();
      expect(await b.records.find('authorization_code', 'new-code')).toBeDefined();
      expect(await b.records.find('session', 'old-session')).toBeUndefined();
      expect(await b.records.find('interaction', 'old-interaction')).toBeUndefined();
      expect((await b.records.findMany('session', { clientIdsInclude: 'app' })).map((r) => r.id)).toEqual(['new-session']);
    });
    it('a failing write of a session kind at the end leaves nothing of the batch', async () => {
      const b = await seed();
      await expect(b.records.writeAll([...answer(), { put: rec('session', 'bad', { payload: unstorable() }) }])).rejects.toThrow();
      await unchanged(b);
      expect(await b.records.find('session', 'bad')).toBeUndefined();
    });
    it('a failing write of a code kind at the end leaves nothing of the batch', async () => {
      const b = await seed();
      await expect(b.records.writeAll([...answer(), { put: rec('authorization_code', 'bad', { payload: unstorable() }) }])).rejects.toThrow();
      await unchanged(b);
    });
    it('a failing write at the start leaves nothing, and the store works afterwards', async () => {
      const b = await seed();
      await expect(b.records.writeAll([{ put: rec('refresh_token', 'bad', { payload: unstorable() }) }, ...answer()])).rejects.toThrow();
      await unchanged(b);
      await b.records.writeAll(answer());
      expect(await b.records.find('authorization_code', 'new-code')).toBeDefined();
      expect((await b.records.findMany('session', { clientIdsInclude: 'app' })).map((r) => r.id)).toEqual(['new-session']);
    });
    it('an empty batch is a no-op', async () => {
      const b = await seed();
      await b.records.writeAll([]);
      expect(await b.records.find('session', 'old-session')).toBeDefined();
    });
  });
}
