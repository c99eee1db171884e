/**
 * Where metrics are served: on the main listener only with `metrics.public`
 * (the demo sets it); otherwise on a management listener bound to 127.0.0.1
 * (default port 9464). And a `--workers 2` server answers one scrape with
 * the requests of both workers.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConfig, startTestServer } from '../helpers/server.js';
import { freePort } from '../helpers/ports.js';
import { buildDist, startGatehouseProcess, type GatehouseProcess } from '../helpers/gatehouse-process.js';

/** The value of one sample of the exposition text. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-z_]+)(?:\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const DISCOVERY = { endpoint: '/.well-known/openid-configuration', status: '200' };

/** A GET on a fresh connection (the cluster primary hands each connection to the next worker). */
const getFresh = (url: string) => fetch(url, { headers: { connection: 'close' } });

describe('metrics exposure (library)', () => {
  it('not public: no metrics on the main handler; the management handler serves them and health', async () => {
    const s = await startTestServer({ mutate: (c) => (c.metrics = {}) });
    const mgmt = http.createServer(s.gh.managementHandler);
    await new Promise<void>((r) => mgmt.listen(0, '127.0.0.1', r));
    const murl = `http://127.0.0.1:${(mgmt.address() as AddressInfo).port}`;
    try {
      await fetch(`${s.url}/.well-known/openid-configuration`);
      expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      const body = await (await fetch(`${murl}/metrics`)).text();
      expect(sample(body, 'gatehouse_http_requests_total', DISCOVERY)).toBe(1);
      expect(sample(body, 'gatehouse_back_channel_logout_pending')).toBe(0);
      expect((await fetch(`${murl}/readyz`)).status).toBe(200);
    } finally {
      mgmt.closeAllConnections();
      await new Promise((r) => mgmt.close(r));
      await s.close();
    }
  });

  it('the demo configuration makes them public: on the main handler, and no management listener', async () => {
    expect(demoConfig().metrics).toEqual({ public: true });
    const s = await startTestServer();
    try {
      expect((await fetch(`${s.url}/metrics`)).status).toBe(200);
      expect(s.gh.managementHandler).toBeUndefined();
    } finally {
      await s.close();
    }
  });
});

describe('metrics exposure (gatehouse start)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-metrics-'));
  const procs: GatehouseProcess[] = [];
  beforeAll(() => buildDist(), 240_000);
  afterAll(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const configFile = (name: string, metrics: Record<string, unknown>, port: number) => {
    const c = demoConfig();
    c.server = { issuer: `http://127.0.0.1:${port}`, dataDir: join(dir, name), logLevel: 'warn' };
    c.keys = { keyEncryptionKey: randomBytes(32).toString('base64') };
    c.metrics = metrics;
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(c));
    return file;
  };

  it('not public, metrics.port set: metrics on 127.0.0.1 at that port, not on the main listener', async () => {
    const [port, mport] = [await freePort(), await freePort()];
    const gh = await startGatehouseProcess({ config: configFile('mgmt', { port: mport }, port), port, dist: true });
    procs.push(gh);
    expect((await fetch(`${gh.url}/metrics`)).status).toBe(404);
    const res = await fetch(`http://127.0.0.1:${mport}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('gatehouse_http_requests_total');
    await gh.kill('SIGTERM');
  }, 60_000);

  it('not public, no port: the default management port 9464; when it is taken the server still starts and says so', async () => {
    // Hold 127.0.0.1:9464 (if something else already holds it, it is taken all the same).
    const holder = net.createServer();
    await new Promise<void>((r) => holder.once('error', () => r()).listen(9464, '127.0.0.1', r));
    const port = await freePort();
    const gh = await startGatehouseProcess({ config: configFile('default-port', {}, port), port, dist: true });
    procs.push(gh);
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(gh.output()).toContain('the management port 127.0.0.1:9464 is in use; metrics are not served');
      expect((await fetch(`${gh.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${gh.url}/healthz`)).status).toBe(200);
    } finally {
      await gh.kill('SIGTERM');
      await new Promise((r) => holder.close(r));
    }
  }, 60_000);

  it('--workers 2: one scrape counts the requests of both workers', async () => {
    const [port, mport] = [await freePort(), await freePort()];
    const gh = await startGatehouseProcess({ config: configFile('workers', { port: mport }, port), port, args: ['--workers', '2'], dist: true });
    procs.push(gh);
    // Both workers listen before the count starts; the primary hands connections to them in turn,
    // so each worker alone has seen about half of the requests.
    const deadline = Date.now() + 60_000;
    while ((gh.output().match(/worker \d+ listening/g) ?? []).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const n = 40;
    for (let i = 0; i < n; i++) expect((await getFresh(`${gh.url}/.well-known/openid-configuration`)).status).toBe(200);
    const body = await (await getFresh(`http://127.0.0.1:${mport}/metrics`)).text();
    expect(sample(body, 'gatehouse_http_requests_total', DISCOVERY)).toBe(n);
    expect(sample(body, 'gatehouse_http_request_duration_seconds_count', DISCOVERY)).toBe(n);
    await gh.kill('SIGTERM');
  }, 240_000);
});
