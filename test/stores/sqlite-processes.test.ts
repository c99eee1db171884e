/**
 * Several real processes on one SQLite file: single use and the key lock must
 * hold across processes (cluster workers), not only across connections.
 * The backend is bundled with esbuild so plain `node` children can load it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSqliteBackend } from '../../src/stores/sqlite.js';

let dir: string;

const CHILD = `
const { createSqliteBackend } = require('./sqlite.cjs');
(async () => {
  const [path, ids, k] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  const b = await createSqliteBackend({ path });
  // Barrier: report ready, then wait for the parent's "go" so all four start together.
  process.stderr.write('ready');
  await new Promise((r) => process.stdin.once('data', r));
  process.stdin.pause();
  const won = [];
  // Every process tries every record, each starting at its own offset, so all four
  // contend for every record and each is sure to reach some first.
  for (let j = 0; j < ids; j++) {
    const i = (j + k * Math.floor(ids / 4)) % ids;
    if (await b.records.consume('authorization_code', 'c' + i, 1)) won.push(i);
    // Pace a little so that a process waiting in SQLite's busy handler gets its turn
    // even on a loaded machine (otherwise one process may finish before others wake).
    if (j % 10 === 9) await new Promise((r) => setTimeout(r, 1));
  }
  for (let i = 0; i < 5; i++) {
    await b.keys.withLock('keys', async () => {
      const n = (await b.records.find('consent', 'n')).payload;
      await new Promise((r) => setTimeout(r, 3));
      await b.records.put({ kind: 'consent', id: 'n', createdAt: 0, expiresAt: 9e9, payload: n + 1 });
    });
  }
  await b.close();
  process.stdout.write(JSON.stringify(won));
})().catch((e) => { console.error(e); process.exit(1); });
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-procs-'));
  await build({
    entryPoints: [resolve('src/stores/sqlite.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    outfile: join(dir, 'sqlite.cjs'),
    logLevel: 'silent',
  });
  writeFileSync(join(dir, 'child.cjs'), CHILD);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('4 processes: every record consumed exactly once, locked read-modify-writes never lost', async () => {
  const path = join(dir, 'shared.db');
  const ids = 400;
  const setup = await createSqliteBackend({ path });
  for (let i = 0; i < ids; i++) {
    await setup.records.put({ kind: 'authorization_code', id: `c${i}`, createdAt: 0, expiresAt: 9e9, payload: i });
  }
  await setup.records.put({ kind: 'consent', id: 'n', createdAt: 0, expiresAt: 9e9, payload: 0 });

  const env = { ...process.env, NODE_PATH: resolve('node_modules') };
  const children = [0, 1, 2, 3].map((k) => spawn(process.execPath, [join(dir, 'child.cjs'), path, String(ids), String(k)], { env, cwd: dir }));
  const results = children.map(
    (c) =>
      new Promise<{ stdout: string }>((resolveChild, reject) => {
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        c.on('exit', (code) => (code === 0 ? resolveChild({ stdout }) : reject(new Error(`child exited ${code}: ${stderr}`))));
      }),
  );
  await Promise.all(children.map((c) => new Promise<void>((r) => c.stderr.once('data', () => r()))));
  for (const c of children) c.stdin.end('go\n');
  const outputs = await Promise.all(results);
  // Each process won some: the races were real.
  expect(outputs.filter((o) => JSON.parse(o.stdout).length > 0).length).toBeGreaterThan(1);
  const won = outputs.flatMap((o) => JSON.parse(o.stdout) as number[]);
  expect(won).toHaveLength(ids);
  expect(new Set(won).size).toBe(ids);
  expect((await setup.records.find('consent', 'n'))?.payload).toBe(20);
  await setup.close();
});
