import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteBackend } from '../../src/stores/sqlite.js';
import type { Backend, RecordWrite } from '../../src/stores/types.js';
import { runStoreConformance } from './conformance.js';

runStoreConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-conf-'));
  const path = join(dir, 'store.db');
  return {
    backend: await createSqliteBackend({ path }),
    openPeer: () => createSqliteBackend({ path }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('sqlite backend', () => {
  const dirs: string[] = [];
  const open: Backend[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
    dirs.push(d);
    return d;
  };
  const backend = async (path: string, clock?: { now(): number }, lockTtl?: number) => {
    const b = await createSqliteBackend({ path, clock, lockTtl, lockWaitMs: 2000 });
    open.push(b);
    return b;
  };
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates the parent folder and keeps data across close and reopen', async () => {
    const path = join(tempDir(), 'nested', 'deeper', 'gatehouse.db');
    const first = await createSqliteBackend({ path });
    await first.records.put({ kind: 'session', id: 's', subjectId: 'alice', createdAt: 1, expiresAt: 9, payload: { amr: ['pwd'] } });
    await first.keys.insert({ kid: 'k', alg: 'ES256', publicJwk: '{}', encryptedPrivateKey: 'x', createdAt: 1, activatesAt: 1, retiresAt: 2 });
    await first.users.insert({ subjectId: 'a', username: 'alice', passwordHash: 'h', claims: {}, isActive: true, createdAt: 1, updatedAt: 1 });
    await first.close();
    await first.close(); // idempotent
    expect(statSync(path).isFile()).toBe(true);

    const second = await backend(path);
    expect((await second.records.find('session', 's'))?.payload).toEqual({ amr: ['pwd'] });
    expect((await second.keys.list()).map((k) => k.kid)).toEqual(['k']);
    expect((await second.users.findByUsername('alice'))?.subjectId).toBe('a');
  });

  it('uses WAL mode, applies the migration once, and has the indexes', async () => {
    const path = join(tempDir(), 'g.db');
    await Promise.all([backend(path), backend(path), backend(path)]);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const applied = raw.prepare('SELECT name FROM kysely_migration').all();
      expect(applied).toEqual([
        { name: '0001_initial' },
        { name: '0002_partial_record_indexes' },
        { name: '0003_subject_client_index_and_config' },
        { name: '0004_outbox_and_record_clients' },
        { name: '0005_federation' },
        { name: '0006_user_mfa' },
        { name: '0007_audit_log' },
      ]);
      const indexes = raw.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND name LIKE '%_idx'").all() as Array<{
        name: string;
        sql: string;
      }>;
      expect(indexes.map((r) => r.name).sort()).toEqual([
        'records_expires_at_idx',
        'records_grant_id_idx',
        'records_session_id_idx',
        'records_subject_client_idx',
      ]);
      // Only records that carry the column are in its index; expiry covers every record.
      for (const [name, col] of [
        ['grant_id', 'grant_id'],
        ['subject_client', 'subject_id'],
        ['session_id', 'session_id'],
      ]) {
        expect(indexes.find((r) => r.name === `records_${name}_idx`)!.sql).toMatch(new RegExp(`where "${col}" is not null$`, 'i'));
      }
      expect(indexes.find((r) => r.name === 'records_expires_at_idx')!.sql).not.toMatch(/where/i);
    } finally {
      raw.close();
    }
  });

  it('family, subject and session deletes still use the (partial) indexes', async () => {
    const path = join(tempDir(), 'g.db');
    const b = await backend(path);
    await b.records.put({ kind: 'refresh_token', id: 'r', subjectId: 'alice', sessionId: 's1', grantId: 'g1', createdAt: 1, expiresAt: 9, payload: {} });
    await b.records.put({ kind: 'interaction', id: 'i', createdAt: 1, expiresAt: 9, payload: {} });
    const raw = new Database(path, { readonly: true });
    try {
      const plan = (where: string) =>
        (
          raw.prepare(`EXPLAIN QUERY PLAN DELETE FROM records WHERE ${where}`).all(
            ...where
              .split('?')
              .slice(1)
              .map(() => 'x'),
          ) as Array<{ detail: string }>
        )
          .map((r) => r.detail)
          .join('; ');
      expect(plan('grant_id = ?')).toMatch(/USING INDEX records_grant_id_idx/);
      expect(plan('subject_id = ? AND client_id = ?')).toMatch(/USING INDEX records_subject_client_idx/);
      expect(plan('subject_id = ?')).toMatch(/USING INDEX records_subject_client_idx/);
      expect(plan('session_id = ? AND kind = ?')).toMatch(/USING INDEX records_session_id_idx/);
      expect(plan('expires_at <= ?')).toMatch(/USING INDEX records_expires_at_idx/);
    } finally {
      raw.close();
    }
    expect(await b.records.deleteByGrantId('g1')).toBe(1);
    expect(await b.records.deleteBySubject('alice')).toBe(0);
    expect(await b.records.find('interaction', 'i')).toBeDefined();
  });

  it('put rewrites a record whether or not its indexed columns change', async () => {
    const b = await backend(join(tempDir(), 'g.db'));
    const base = { kind: 'refresh_token' as const, id: 'r', subjectId: 'alice', sessionId: 's1', grantId: 'g1', createdAt: 1, expiresAt: 9, payload: { v: 1 } };
    await b.records.put(base);
    // Same indexed columns: client, consumedAt and payload change in place.
    await b.records.put({ ...base, clientId: 'web', consumedAt: 5, payload: { v: 2 } });
    expect(await b.records.find('refresh_token', 'r')).toEqual({ ...base, clientId: 'web', consumedAt: 5, payload: { v: 2 } });
    // Back to no client and not consumed (an entire replacement, as put promises).
    await b.records.put(base);
    expect(await b.records.find('refresh_token', 'r')).toEqual(base);
    // Indexed columns change: the indexes follow.
    await b.records.put({ ...base, grantId: 'g2', sessionId: undefined, expiresAt: 20 });
    expect(await b.records.find('refresh_token', 'r')).toEqual({ ...base, grantId: 'g2', sessionId: undefined, expiresAt: 20 });
    expect(await b.records.deleteByGrantId('g1')).toBe(0);
    expect(await b.records.deleteBySession('s1')).toBe(0);
    expect(await b.records.purgeExpired(9)).toBe(0);
    expect(await b.records.deleteByGrantId('g2')).toBe(1);
  });

  it('writeAll is one transaction: a write that fails takes the earlier ones of the batch with it', async () => {
    const b = await backend(join(tempDir(), 'g.db'));
    const base = { kind: 'authorization_code' as const, createdAt: 1, expiresAt: 9 };
    await b.records.put({ ...base, id: 'old', payload: {} });
    // A payload JSON cannot encode fails inside the transaction, after the first two writes ran.
    const batch: RecordWrite[] = [
      { put: { ...base, id: 'a', payload: {} } },
      { delete: { kind: 'authorization_code', id: 'old' } },
      { put: { ...base, id: 'b', payload: { n: 1n } } },
    ];
    await expect(b.records.writeAll(batch)).rejects.toThrow();
    expect(await b.records.find('authorization_code', 'a')).toBeUndefined();
    expect(await b.records.find('authorization_code', 'old')).toBeDefined();
    // The connection is usable afterwards (no transaction left open).
    await b.records.writeAll([{ put: { ...base, id: 'c', payload: {} } }, { delete: { kind: 'authorization_code', id: 'old' } }]);
    expect(await b.records.find('authorization_code', 'c')).toBeDefined();
    expect(await b.records.find('authorization_code', 'old')).toBeUndefined();
  });

  it('a lock whose holder stopped renewing lapses after its ttl', async () => {
    const path = join(tempDir(), 'g.db');
    let now = 1000;
    const clock = { now: () => now };
    const a = await backend(path, clock, 30);
    const b = await backend(path, clock, 30);
    let releaseA!: () => void;
    const heldByA = a.keys.withLock('keys', () => new Promise<void>((r) => (releaseA = r)));
    await new Promise((r) => setTimeout(r, 10));
    // While A's lease is valid, B must wait; a 2 s wait budget runs out.
    await expect(b.keys.withLock('keys', async () => 'b')).rejects.toThrow(/timed out/);
    now += 31; // A's lease lapsed (a hung or crashed holder)
    expect(await b.keys.withLock('keys', async () => 'b')).toBe('b');
    releaseA();
    await heldByA;
  });
});
