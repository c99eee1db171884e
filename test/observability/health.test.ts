/**
 * Liveness and readiness. Readiness runs against a real SQLite store whose
 * database file disappears underneath the server (a deleted file or an
 * unmounted volume: the open connection would keep writing to a ghost), a
 * closed store, a store that answers too slowly, and a draining server;
 * liveness keeps answering through all of them.
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteBackend } from '../../src/stores/sqlite.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import type { Backend } from '../../src/stores/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, any>, headers: res.headers };
};

describe('health on a real SQLite store', () => {
  let dir: string;
  let s: TestServer;
  let backend: Backend;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-health-'));
    backend = await createSqliteBackend({ path: join(dir, 'gatehouse.db') });
    s = await startTestServer({ options: { backend } });
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is live and ready, without caching', async () => {
    const live = await get(`${s.url}/healthz`);
    expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(live.headers.get('cache-control')).toBe('no-store');
    const ready = await get(`${s.url}/readyz`);
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', checks: { store: 'ok', keys: 'ok' } } });
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });

  it('readiness fails while the database file is gone and recovers when it is back; liveness stays up', async () => {
    const file = join(dir, 'gatehouse.db');
    renameSync(file, `${file}.away`);
    try {
      const ready = await get(`${s.url}/readyz`);
      expect(ready).toMatchObject({ status: 503, body: { status: 'not_ready', checks: { store: 'unreachable', keys: 'ok' } } });
      // No path, message or other internals in the answer.
      expect(JSON.stringify(ready.body)).not.toContain(dir);
      expect((await get(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      renameSync(`${file}.away`, file);
    }
    expect((await get(`${s.url}/readyz`)).status).toBe(200);
  });

  it('readiness fails once the store is closed (stopped)', async () => {
    await backend.close();
    expect(await get(`${s.url}/readyz`)).toMatchObject({ status: 503, body: { checks: { store: 'unreachable' } } });
    expect((await get(`${s.url}/healthz`)).status).toBe(200);
  });
});

describe('a slow store and a draining server', () => {
  let s: TestServer;
  let release: (() => void) | undefined;
  let slow = false;
  beforeAll(async () => {
    // Fault injection: a memory backend whose ping hangs until released (a stalled connection).
    const backend = createMemoryBackend();
    const ping = backend.ping;
    backend.ping = () => (slow ? new Promise<void>((r) => (release = r)) : ping());
    s = await startTestServer({ mutate: (c) => (c.health = { timeout: 150 }), options: { backend } });
  });
  afterAll(() => s.close());

  it('a store that does not answer in time fails readiness after the timeout while liveness answers at once', async () => {
    slow = true;
    const started = Date.now();
    const ready = get(`${s.url}/readyz`);
    const live = await get(`${s.url}/healthz`);
    expect(live.status).toBe(200);
    const r = await ready;
    expect(r).toMatchObject({ status: 503, body: { checks: { store: 'timeout' } } });
    expect(Date.now() - started).toBeLessThan(5000);
    release?.();
    slow = false;
    expect((await get(`${s.url}/readyz`)).status).toBe(200);
  });

  it('drain() makes readiness fail (load balancers stop routing) while requests are still served', async () => {
    s.gh.drain();
    expect(await get(`${s.url}/readyz`)).toMatchObject({ status: 503, body: { checks: { store: 'ok', keys: 'ok', server: 'draining' } } });
    expect((await get(`${s.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.url}/.well-known/openid-configuration`)).status).toBe(200);
  });
});

describe('health configuration', () => {
  it('moves or disables the endpoints', async () => {
    const moved = await startTestServer({ mutate: (c) => (c.health = { livenessPath: '/live', readinessPath: '/ready' }) });
    const off = await startTestServer({ mutate: (c) => (c.health = { enabled: false }) });
    try {
      expect((await fetch(`${moved.url}/live`)).status).toBe(200);
      expect((await fetch(`${moved.url}/ready`)).status).toBe(200);
      expect((await fetch(`${moved.url}/healthz`)).status).toBe(404);
      expect((await fetch(`${off.url}/readyz`)).status).toBe(404);
    } finally {
      await moved.close();
      await off.close();
    }
  });
});
