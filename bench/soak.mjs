/**
 * Soak test (`npm run soak`; not part of `npm test`): mixed traffic against a
 * real Gatehouse process for a long time, printing its memory at a fixed
 * interval, and a verdict on whether the resident set size levelled off.
 *
 * The server is the CLI as `npm start` runs it (`node <flags> dist/cli/main.js
 * start`, the flags of package.json's start script) on the demo
 * configuration, with a fresh data folder, three changes: prom-client's
 * process metrics on (for the heap figure) on a management listener of its
 * own, and the token/authorize rate limits off (one client address sends all
 * the traffic). Each virtual user repeats a step chosen at random by weight:
 * a complete code flow (authorize, login page, login form, token), a refresh
 * grant on its own chain, a client_credentials grant, userinfo and
 * introspection of its current access token, discovery and JWKS.
 *
 * Every SOAK_INTERVAL seconds it prints the server's RSS (from /proc) and V8
 * heap used (nodejs_heap_size_used_bytes), and the steps done since the last
 * line. At the end it fits a line to the RSS samples of the first third and of
 * the last third of the run: the RSS plateaued when the last third's slope is
 * at most SOAK_MAX_SLOPE MiB per minute, else it is still climbing. The exit
 * code is 1 when it climbs, when any answer was wrong, or when more than 0.1%
 * of the requests failed on the socket (`errors` / `socket errors`).
 *
 * Environment:
 *   SOAK_DURATION=600     seconds of traffic
 *   SOAK_INTERVAL=30      seconds between memory lines
 *   SOAK_CONNECTIONS=16   virtual users (concurrent requests)
 *   SOAK_MAX_SLOPE=1      MiB/min allowed in the last third
 *   SOAK_STORE=memory     the demo configuration on another store type (default: its SQLite)
 *   SOAK_NODE_ARGS="..."  node flags of the server instead of those of the start script
 *
 * @example
 * nice npm run soak
 * SOAK_DURATION=120 SOAK_INTERVAL=10 node bench/soak.mjs
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { freePort, startPinned } from './processes.mjs';
import { readMemory } from './memory.mjs';
import { basicAuth, createClient } from './http-client.mjs';
import { FlowError, expect } from './flow-loop.mjs';
import { gatehouseSteps } from './gatehouse-steps.mjs';
import { serverNodeArgs } from './node-args.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const num = (name, dflt) => (env[name] ? Number(env[name]) : dflt);
const opts = {
  duration: num('SOAK_DURATION', 600),
  interval: num('SOAK_INTERVAL', 30),
  connections: num('SOAK_CONNECTIONS', 16),
  maxSlope: num('SOAK_MAX_SLOPE', 1),
  store: env.SOAK_STORE,
  nodeArgs: env.SOAK_NODE_ARGS !== undefined ? env.SOAK_NODE_ARGS.split(/\s+/).filter(Boolean) : serverNodeArgs(root),
};
const log = (s) => process.stdout.write(s + '\n');

/** The steps and their weights (share of the virtual users' iterations). */
const WEIGHTS = { flow: 2, refresh: 3, client_credentials: 2, userinfo: 4, introspection: 2, discovery: 1, jwks: 1 };
const M2M = basicAuth('m2m', 'secret');
const API = basicAuth('api', 'secret');
const FORM = 'application/x-www-form-urlencoded';

if (!existsSync(path.join(root, 'dist/cli/main.js'))) {
  log('dist/ missing: running npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Starts the server; resolves with { base, metricsBase, pid, stop }. */
async function startServer() {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-soak-'));
  const demo = JSON.parse(readFileSync(path.join(root, 'config/demo.json'), 'utf8'));
  const config = {
    ...demo,
    store: { ...(demo.store ?? {}), ...(opts.store ? { type: opts.store } : {}) },
    metrics: { ...(demo.metrics ?? {}), enabled: true, processMetrics: true, port: metricsPort, host: '127.0.0.1' },
    rateLimits: { ...(demo.rateLimits ?? {}), tokenPerIp: 0, tokenPerClient: 0, authorizePerIp: 0, authorizePerClient: 0 },
  };
  const configPath = path.join(dataDir, 'soak-config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const logFile = createWriteStream(path.join(dataDir, 'server.log'));
  const server = await startPinned(
    '',
    process.execPath,
    [...opts.nodeArgs, path.join(root, 'dist/cli/main.js'), 'start', '--config', configPath],
    { PORT: String(port), ISSUER: base, GATEHOUSE_DATA_DIR: dataDir },
    `${base}/health`,
    logFile,
  );
  return {
    base,
    metricsBase: `http://127.0.0.1:${metricsPort}`,
    pid: server.pid,
    async stop() {
      await server.stop();
      logFile.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** V8 heap used of the server in MiB, from its Prometheus process metrics (undefined if unavailable). */
async function heapUsed(metrics) {
  try {
    const res = await metrics.request('GET', '/metrics');
    const m = res.body.match(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.e+]+)/m);
    return m ? Number(m[1]) / 1048576 : undefined;
  } catch {
    return undefined;
  }
}

/** Least-squares slope of (t seconds, v) points in units per minute; NaN with fewer than 2 points. */
function slopePerMinute(points) {
  if (points.length < 2) return NaN;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.v - mv);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? NaN : (num / den) * 60;
}

const server = await startServer();
const client = createClient(server.base, opts.connections);
const metrics = createClient(server.metricsBase, 1);
const steps = gatehouseSteps(client, server.base);
const counts = Object.fromEntries(Object.keys(WEIGHTS).map((k) => [k, 0]));
let errors = 0; // unexpected answers (FlowError)
let socketErrors = 0; // failed requests (a keep-alive socket closed by the server as it was reused, a timeout)
const errorSamples = new Map();
const totalWeight = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
const pick = () => {
  let r = Math.random() * totalWeight;
  for (const [k, w] of Object.entries(WEIGHTS)) if ((r -= w) < 0) return k;
  return 'discovery';
};

/** One step of a virtual user; `vu` holds its tokens. */
async function step(vu, kind) {
  switch (kind) {
    case 'flow': {
      const t = await steps.flow(vu.user);
      vu.access = t.access_token;
      vu.refresh = t.refresh_token;
      return;
    }
    case 'refresh': {
      const t = await steps.refresh(vu.refresh);
      vu.access = t.access_token;
      vu.refresh = t.refresh_token;
      return;
    }
    case 'client_credentials': {
      const body = 'grant_type=client_credentials&scope=api';
      const res = expect(
        await client.request('POST', '/connect/token', { authorization: M2M, 'content-type': FORM, 'content-length': String(body.length) }, body),
        200,
        'client_credentials',
      );
      if (!JSON.parse(res.body).access_token) throw new FlowError('client_credentials: no access_token');
      return;
    }
    case 'userinfo': {
      const res = expect(await client.request('GET', '/connect/userinfo', { authorization: `Bearer ${vu.access}` }), 200, 'userinfo');
      if (!JSON.parse(res.body).sub) throw new FlowError('userinfo: no sub');
      return;
    }
    case 'introspection': {
      const body = new URLSearchParams({ token: vu.access }).toString();
      const res = expect(
        await client.request('POST', '/connect/introspect', { authorization: API, 'content-type': FORM, 'content-length': String(body.length) }, body),
        200,
        'introspection',
      );
      if (JSON.parse(res.body).active !== true) throw new FlowError('introspection: token not active');
      return;
    }
    case 'discovery':
      expect(await client.request('GET', '/.well-known/openid-configuration', {}, undefined, true), 200, 'discovery');
      return;
    case 'jwks':
      expect(await client.request('GET', '/.well-known/openid-configuration/jwks', {}, undefined, true), 200, 'jwks');
      return;
  }
}

const started = performance.now();
const deadline = started + opts.duration * 1000;
const elapsed = () => (performance.now() - started) / 1000;

async function virtualUser(i) {
  const vu = { user: i % 2 ? 'bob' : 'alice', access: undefined, refresh: undefined };
  while (performance.now() < deadline) {
    // Without tokens (at first, or after a failed step), a flow gets some.
    const kind = vu.refresh ? pick() : 'flow';
    try {
      await step(vu, kind);
      counts[kind]++;
    } catch (e) {
      if (e instanceof FlowError) errors++;
      else socketErrors++;
      const msg = `${kind}: ${String(e.message ?? e).slice(0, 160)}`;
      errorSamples.set(msg, (errorSamples.get(msg) ?? 0) + 1);
      if (!(e instanceof FlowError)) await new Promise((r) => setTimeout(r, 10));
      vu.refresh = undefined;
    }
  }
}

const mib = (n) => (n === undefined || Number.isNaN(n) ? '   -' : n.toFixed(1).padStart(6));
const samples = [];
let last = { ...counts };
async function sample() {
  const t = elapsed();
  const mem = readMemory(server.pid);
  const heap = await heapUsed(metrics);
  samples.push({ t, rss: mem?.rss, heap });
  const done = Object.entries(counts)
    .map(([k, v]) => `${k} ${v - last[k]}`)
    .join(', ');
  last = { ...counts };
  log(
    `t=${String(Math.round(t)).padStart(4)} s  RSS ${mib(mem?.rss)} MiB  heap used ${mib(heap)} MiB  peak RSS ${mib(mem?.peak)} MiB | ${done}; errors ${errors}, socket errors ${socketErrors}`,
  );
}

log(
  `Soak of Gatehouse (store ${opts.store ?? 'sqlite'}, node ${opts.nodeArgs.join(' ') || '(no flags)'}): ${opts.duration} s, ${opts.connections} virtual users, memory every ${opts.interval} s; pid ${server.pid}, ${os.cpus().length} cores, load average ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
log(
  `step weights: ${Object.entries(WEIGHTS)
    .map(([k, w]) => `${k} ${w}`)
    .join(', ')}`,
);
await sample();
const timer = setInterval(() => void sample(), opts.interval * 1000);
await Promise.all(Array.from({ length: opts.connections }, (_, i) => virtualUser(i)));
clearInterval(timer);
if (elapsed() - samples[samples.length - 1].t > opts.interval / 2) await sample();
client.close();
metrics.close();
await server.stop();

const total = Object.values(counts).reduce((a, b) => a + b, 0);
log(
  `steps: ${total} in ${elapsed().toFixed(0)} s (${(total / opts.duration).toFixed(0)}/s): ${Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}; errors ${errors}, socket errors ${socketErrors}`,
);
for (const [msg, n] of [...errorSamples].slice(0, 5)) log(`  error x${n}: ${msg}`);

const third = opts.duration / 3;
const series = (key, from, to) => samples.filter((s) => s.t >= from && s.t <= to && s[key] !== undefined).map((s) => ({ t: s.t, v: s[key] }));
const rssFirst = slopePerMinute(series('rss', 0, third));
const rssLast = slopePerMinute(series('rss', 2 * third, Infinity));
const heapFirst = slopePerMinute(series('heap', 0, third));
const heapLast = slopePerMinute(series('heap', 2 * third, Infinity));
const f = (n) => (Number.isNaN(n) ? 'n/a' : `${n >= 0 ? '+' : ''}${n.toFixed(2)}`);
const rss = samples.map((s) => s.rss).filter((x) => x !== undefined);
log(`RSS: start ${rss[0]?.toFixed(1)} MiB, end ${rss[rss.length - 1]?.toFixed(1)} MiB, highest sample ${Math.max(...rss).toFixed(1)} MiB`);
log(
  `slopes (MiB/min, least squares): RSS first third ${f(rssFirst)}, last third ${f(rssLast)}; heap used first third ${f(heapFirst)}, last third ${f(heapLast)}`,
);
const plateau = Number.isFinite(rssLast) && rssLast <= opts.maxSlope;
log(
  Number.isNaN(rssLast)
    ? 'verdict: UNDECIDED (fewer than two samples in the last third; lengthen SOAK_DURATION or shorten SOAK_INTERVAL)'
    : plateau
      ? `verdict: PLATEAU - RSS grew ${f(rssLast)} MiB/min over the last third (limit ${opts.maxSlope}), against ${f(rssFirst)} in the first third`
      : `verdict: CLIMBING - RSS grew ${f(rssLast)} MiB/min over the last third (limit ${opts.maxSlope}), against ${f(rssFirst)} in the first third`,
);
// A wrong answer fails the run; so do failed requests beyond 0.1% (a few keep-alive races on a starved machine do not).
process.exitCode = plateau && errors === 0 && socketErrors <= total / 1000 ? 0 : 1;
