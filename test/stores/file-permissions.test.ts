/**
 * Files at rest: a provider started on SQLite in a data folder that does not
 * exist yet creates the folder 0700 and gatehouse.db, -wal, -shm and kek.key
 * 0600, whatever the usual umask 022 would give; a key-encryption key file
 * that group or others can read is used with a warning naming it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Gatehouse } from '../../src/provider.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { demoConfig } from '../helpers/server.js';

const root = mkdtempSync(join(tmpdir(), 'gh-file-modes-'));
const mode = (path: string) => statSync(path).mode & 0o777;
const octal = (m: number) => `0${m.toString(8)}`;

let savedUmask = 0;
beforeAll(() => {
  // The common default: without care, folders come out 0755 and files 0644.
  savedUmask = process.umask(0o022);
});
afterAll(() => {
  process.umask(savedUmask);
  rmSync(root, { recursive: true, force: true });
});

/** Starts the provider on SQLite in `dataDir` (no key material in the config: the KEK file is used) and serves it. */
async function start(dataDir: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const config: ConfigInput = { ...demoConfig(), server: { issuer: `http://127.0.0.1:${port}`, port, dataDir }, store: { type: 'sqlite' } };
  const gh: Gatehouse = await createGatehouse(config, { logger: pino({ level: 'info' }, sink), timers: false });
  server.on('request', gh.handler);
  return {
    url: `http://127.0.0.1:${port}`,
    /** Warnings about the key-encryption key file. */
    kekWarnings: () => lines.filter((l) => l.level === 40 && String(l.msg).includes('key-encryption key')),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gh.close();
    },
  };
}

describe('a fresh data folder', () => {
  let gh: Awaited<ReturnType<typeof start>> | undefined;
  afterEach(async () => {
    await gh?.close();
    gh = undefined;
  });

  it('is created 0700, and the database (with its -wal and -shm files) and the KEK 0600', async () => {
    const dataDir = join(root, 'fresh', 'data');
    gh = await start(dataDir);
    const res = await fetch(`${gh.url}/.well-known/openid-configuration/jwks`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    expect(octal(mode(dataDir))).toBe('0700');
    for (const file of ['gatehouse.db', 'gatehouse.db-wal', 'gatehouse.db-shm', 'kek.key']) {
      const path = join(dataDir, file);
      expect(existsSync(path), file).toBe(true);
      expect(`${file} ${octal(mode(path))}`).toBe(`${file} 0600`);
    }
    expect(gh.kekWarnings()).toEqual([]);
  });

  it('an existing folder and database keep the modes they have', async () => {
    const dataDir = join(root, 'existing');
    mkdirSync(dataDir, { mode: 0o750 });
    chmodSync(dataDir, 0o750);
    writeFileSync(join(dataDir, 'gatehouse.db'), '', { mode: 0o640 });
    chmodSync(join(dataDir, 'gatehouse.db'), 0o640);
    gh = await start(dataDir);
    expect(octal(mode(dataDir))).toBe('0750');
    expect(octal(mode(join(dataDir, 'gatehouse.db')))).toBe('0640');
    // SQLite gives the WAL the database file's mode.
    expect(octal(mode(join(dataDir, 'gatehouse.db-wal')))).toBe('0640');
  });
});

describe('the key-encryption key file', () => {
  const kekIn = (dataDir: string, fileMode: number) => {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const path = join(dataDir, 'kek.key');
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: fileMode });
    chmodSync(path, fileMode);
    return path;
  };

  it('readable by group and others (0644): starts, and warns naming the file', async () => {
    const dataDir = join(root, 'kek-0644');
    const path = kekIn(dataDir, 0o644);
    const gh = await start(dataDir);
    try {
      const warnings = gh.kekWarnings();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ path, mode: '0644' });
      expect(warnings[0].msg).toBe(
        `the key-encryption key file ${path} is open to group or others (mode 0644); whoever reads it can decrypt the signing keys: chmod 600 it`,
      );
      expect((await fetch(`${gh.url}/.well-known/openid-configuration`)).status).toBe(200);
    } finally {
      await gh.close();
    }
  });

  it('0600: no warning', async () => {
    const dataDir = join(root, 'kek-0600');
    kekIn(dataDir, 0o600);
    const gh = await start(dataDir);
    try {
      expect(gh.kekWarnings()).toEqual([]);
    } finally {
      await gh.close();
    }
  });
});
