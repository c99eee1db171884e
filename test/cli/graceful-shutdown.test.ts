/**
 * `gatehouse start` as a real process: the startup banner, and SIGTERM under
 * load. Requests in flight when the signal arrives (among them requests whose
 * body is still arriving) all complete with 200; clients then find the port
 * closed (ECONNREFUSED), never a reset or a half answer; the process exits 0.
 * Once as a single process, once with --workers 2 (cluster).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const VITE_NODE = join(ROOT, 'node_modules/.bin/vite-node');
const MAIN = join(ROOT, 'src/cli/main.ts');
const BUILT_MAIN = join(ROOT, 'dist/cli/main.js');

/** Newest modification time under a folder. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Cluster workers re-run the entry point with node (vite-node's argv does not
 * survive cluster.fork), so the cluster case runs the compiled CLI, building
 * it first when dist/ is missing or older than src/.
 */
function ensureBuilt(): void {
  if (existsSync(BUILT_MAIN) && statSync(BUILT_MAIN).mtimeMs >= newest(join(ROOT, 'src'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
}
const AUTH = 'Basic ' + Buffer.from('m2m:secret').toString('base64');
const BODY = 'grant_type=client_credentials&scope=api';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function startCli(port: number, args: string[] = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-shutdown-'));
  dirs.push(dataDir);
  const command = args.includes('--workers') ? [process.execPath, BUILT_MAIN, 'start'] : [VITE_NODE, MAIN, '--', 'start'];
  const child: ChildProcess = spawn(command[0], [...command.slice(1), '--config', 'config/demo.json', ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), GATEHOUSE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('demo users:')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  return { child, ready, exited, dataDir, output: () => out };
}

interface Outcome {
  status?: number;
  error?: string;
  afterSignal: boolean;
}

/** A token request whose body arrives in two halves; `finish()` sends the second half. */
function slowRequest(port: number) {
  let finish!: () => void;
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/connect/token',
        agent: false,
        headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(BODY) },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.write(BODY.slice(0, 10));
    finish = () => req.end(BODY.slice(10));
  });
  return { done, finish: () => finish() };
}

/** `loops` clients sending token requests back to back over keep-alive connections until the port closes. */
function load(port: number, loops: number, signalled: () => boolean) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: loops });
  const outcomes: Outcome[] = [];
  const one = () =>
    new Promise<Outcome>((resolve) => {
      const afterSignal = signalled();
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/connect/token',
          agent,
          headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, afterSignal }));
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, afterSignal }));
      req.end(BODY);
    });
  const run = async () => {
    for (;;) {
      const o = await one();
      outcomes.push(o);
      if (o.error) return;
    }
  };
  const all = Promise.all(Array.from({ length: loops }, run)).then(() => agent.destroy());
  return { outcomes, all };
}

async function shutdownUnderLoad(args: string[]) {
  const port = await freePort();
  const cli = startCli(port, args);
  await cli.ready;
  let signalled = false;
  const traffic = load(port, 6, () => signalled);
  await new Promise((r) => setTimeout(r, 400));
  const slow = Array.from({ length: 6 }, () => slowRequest(port));
  await new Promise((r) => setTimeout(r, 300)); // the server has the headers and half of each body
  signalled = true;
  cli.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  for (const s of slow) s.finish();
  const slowResults = await Promise.all(slow.map((s) => s.done));
  await traffic.all;
  const code = await cli.exited;
  return { cli, code, slowResults, outcomes: traffic.outcomes };
}

/**
 * `newConnectionErrors`: how a connection opened after the signal may fail. A
 * single process closes its listener at once (refused). In a cluster the
 * primary owns the listener and hands accepted connections to workers; one
 * handed to a worker that has just closed is reset by Node, so there a reset
 * of a request started after the signal is the same outcome as a refusal.
 */
function expectClean(r: Awaited<ReturnType<typeof shutdownUnderLoad>>, newConnectionErrors = ['ECONNREFUSED']) {
  for (const s of r.slowResults) {
    expect(s.status).toBe(200);
    expect(JSON.parse(s.body).access_token).toBeTruthy();
  }
  const answered = r.outcomes.filter((o) => o.status !== undefined);
  expect(answered.length).toBeGreaterThan(6);
  expect(answered.every((o) => o.status === 200)).toBe(true);
  // Every request started before the signal was answered 200; the only errors are new connections after it.
  const errors = r.outcomes.filter((o) => o.error);
  expect(
    errors.every((o) => o.afterSignal && newConnectionErrors.includes(o.error!)),
    JSON.stringify(errors),
  ).toBe(true);
  expect(r.code).toBe(0);
  expect(r.cli.output()).toContain('Stopped.');
}

describe('gatehouse start', () => {
  it('prints where it listens, the issuer, the store, metrics, health and the demo users; SIGTERM under load fails no in-flight request', async () => {
    const r = await shutdownUnderLoad([]);
    const out = r.cli.output();
    const port = out.match(/Gatehouse listening on port (\d+) \(http\); issuer http:\/\/localhost:(\d+)/)![1];
    expect(out).toContain(`issuer http://localhost:${port}`);
    expect(out).toContain(`address:   0.0.0.0:${port}`);
    expect(out).toContain(`store:     sqlite (${join(r.cli.dataDir, 'gatehouse.db')})`);
    expect(out).toContain(`metrics:   http://localhost:${port}/metrics`);
    expect(out).toContain('health:    /healthz (liveness), /readyz (readiness)');
    expect(out).toContain('demo users: alice/alice, bob/bob');
    expect(out).toContain('Shutting down: finishing in-flight requests');
    expectClean(r);
  }, 60_000);

  describe('cluster', () => {
    beforeAll(ensureBuilt, 180_000);
    it('--workers 2: SIGTERM to the primary stops every worker gracefully', async () => {
      const r = await shutdownUnderLoad(['--workers', '2']);
      expect(r.cli.output()).toMatch(/address: {3}0\.0\.0\.0:\d+ \(2 workers\)/);
      expect(r.cli.output()).toContain('Shutting down 2 workers');
      expectClean(r, ['ECONNREFUSED', 'ECONNRESET']);
    }, 60_000);
  });
});
