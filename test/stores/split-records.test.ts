/**
 * The split store's batch across its two stores: when the ephemeral part
 * (Redis) fails after the durable part (SQL) committed, the durable part is
 * undone. Both sides are real memory stores; the ephemeral one loses its
 * connection for batches, as Redis does when it goes away mid-request.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { SplitRecords } from '../../src/stores/split-records.js';
import type { OperationalStore, RecordKind, StoredRecord } from '../../src/stores/types.js';

const rec = (kind: RecordKind, id: string, payload: unknown = { id }): StoredRecord => ({ kind, id, createdAt: 1, expiresAt: 100, payload });

function split() {
  const durable = createMemoryBackend().records;
  const ephemeral = createMemoryBackend().records;
  const failing: OperationalStore = Object.assign(Object.create(ephemeral) as OperationalStore, {
    writeAll: () => Promise.reject(Object.assign(new Error('Connection is closed.'), { code: 'ECONNRESET' })),
  });
  return { durable, ephemeral, store: new SplitRecords(durable, failing) };
}

describe('split store batches', () => {
  it('undoes the durable part when the ephemeral part fails: new records gone, replaced ones restored', async () => {
    const { durable, ephemeral, store } = split();
    await durable.put(rec('session', 'kept', { v: 1 }));
    await durable.put(rec('session', 'replaced'));
    await ephemeral.put(rec('interaction', 'i1'));
    await expect(
      store.writeAll([
        { put: rec('session', 'new') },
        { put: rec('session', 'kept', { v: 2 }) },
        { delete: { kind: 'session', id: 'replaced' } },
        { put: rec('authorization_code', 'code') },
        { delete: { kind: 'interaction', id: 'i1' } },
      ]),
    ).rejects.toThrow(/Connection is closed/);
    expect(await durable.find('session', 'new')).toBeUndefined();
    expect((await durable.find('session', 'kept'))?.payload).toEqual({ v: 1 });
    expect(await durable.find('session', 'replaced')).toBeDefined();
    expect(await ephemeral.find('authorization_code', 'code')).toBeUndefined();
    expect(await ephemeral.find('interaction', 'i1')).toBeDefined();
  });

  it('a batch within one store is that store’s batch', async () => {
    const { durable, store } = split();
    await store.writeAll([{ put: rec('session', 'a') }, { put: rec('refresh_token', 'b') }]);
    expect(await durable.find('refresh_token', 'b')).toBeDefined();
    await expect(store.writeAll([{ put: rec('authorization_code', 'c') }, { put: rec('interaction', 'd') }])).rejects.toThrow();
  });
});
