/**
 * WAL checkpoints run in a worker thread: the serving connection never
 * checkpoints itself, yet committed pages reach the database file.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { createSqliteBackend } from '../../src/stores/sqlite.js';
import { startCheckpointer } from '../../src/stores/sqlite-checkpointer.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('copies the WAL into the database file from the worker, and leaves nothing behind on close', async () => {
  const path = join(dir, 'g.db');
  const backend = await createSqliteBackend({ path });
  const before = statSync(path).size;
  for (let i = 0; i < 3000; i++) {
    await backend.records.put({ kind: 'interaction', id: `i${i}`, createdAt: 0, expiresAt: 9e9, payload: { pad: 'x'.repeat(200) } });
  }
  // The serving connection does not checkpoint: the file grows only through the worker.
  const deadline = Date.now() + 10_000;
  while (statSync(path).size <= before + 100_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(statSync(path).size).toBeGreaterThan(before + 100_000);
  await backend.close();

  const db = new Database(path, { readonly: true });
  expect((db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n).toBe(3000);
  db.close();
});

it('startCheckpointer turns inline checkpoints off, and its worker alone moves pages into the file', async () => {
  const path = join(dir, 'h.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v TEXT)');
  const cp = startCheckpointer(db, path, 30);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  const before = statSync(path).size;
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  for (let i = 0; i < 2000; i++) insert.run('y'.repeat(500));
  const deadline = Date.now() + 10_000;
  while (statSync(path).size <= before + 500_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(statSync(path).size).toBeGreaterThan(before + 500_000);
  await cp.stop();
  await cp.stop(); // idempotent
  db.close();
});

it('starts checkpointing only once the WAL reaches the threshold (no worker for a server that writes little)', async () => {
  const path = join(dir, 'k.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v TEXT)');
  db.pragma('wal_checkpoint(TRUNCATE)');
  const cp = startCheckpointer(db, path, 20, { startAt: 256 * 1024 });
  const before = statSync(path).size;
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  for (let i = 0; i < 20; i++) insert.run('s'.repeat(500)); // about 80 KiB of WAL: under the threshold
  await new Promise((r) => setTimeout(r, 2000)); // 100 intervals: a running worker would have checkpointed
  expect(statSync(`${path}-wal`).size).toBeLessThan(256 * 1024);
  expect(statSync(path).size).toBe(before);
  for (let i = 0; i < 2000; i++) insert.run('b'.repeat(500)); // past the threshold: the worker starts
  const deadline = Date.now() + 10_000;
  while (statSync(path).size <= before + 500_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(statSync(path).size).toBeGreaterThan(before + 500_000);
  await cp.stop();
  db.close();
});

it('keeps the WAL bounded under sustained writes: past walLimit the serving connection checkpoints and the log starts over', async () => {
  const path = join(dir, 'w.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000'); // as the SQLite backend sets it
  db.exec('CREATE TABLE t (v TEXT)');
  const cp = startCheckpointer(db, path, 10, { startAt: 64 * 1024, walLimit: 1 << 20 });
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  const batch = db.transaction(() => {
    for (let i = 0; i < 4; i++) insert.run('w'.repeat(2000));
  });
  let written = 0;
  let largest = 0;
  const end = Date.now() + 3000;
  // A busy server: a write, a turn of the event loop, the next write.
  while (Date.now() < end) {
    batch();
    written += 8000;
    largest = Math.max(largest, statSync(`${path}-wal`).size);
    await new Promise((r) => setImmediate(r));
  }
  await cp.stop();
  db.close();
  expect(written).toBeGreaterThan(16 << 20); // far more than the limit went through the log
  expect(largest).toBeLessThan(8 << 20);
});
