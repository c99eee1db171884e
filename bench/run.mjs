/**
 * Gatehouse benchmark harness (`npm run bench`). For each scenario it starts
 * the real server (`node dist/cli/main.js start --config config/demo.json`,
 * default SQLite store in a fresh data folder) pinned to one core, warms it
 * up, runs the load generator pinned to the other core `BENCH_RUNS` times and
 * reports the median. It measures the machine's ceilings in the same run: a
 * bare node:http server and the RS256 signing rate of one core.
 *
 * Environment:
 *   BENCH_DURATION=5          seconds per measured run
 *   BENCH_WARMUP=2            seconds of warm-up load per server
 *   BENCH_RUNS=3              measured runs per scenario (median reported)
 *   BENCH_GET_CONNECTIONS=64  connections for GET scenarios and the bare server
 *   BENCH_POST_CONNECTIONS=32 connections / virtual users for token, flows, refresh
 *   BENCH_TOOL=wrk|node       load generator for stateless scenarios (default: wrk if installed)
 *   BENCH_ONLY=a,b            run only these scenarios (ceilings are always measured)
 *   BENCH_SERVER_CPU=0 BENCH_LOAD_CPU=1   the cores to pin to
 *   BENCH_PROFILE=dir         write a V8 .cpuprofile of the server per scenario into dir
 *   BENCH_STORE=memory        run the demo configuration on another store type (default: its SQLite)
 *   BENCH_SERVER=oidc-provider   the same scenarios against oidc-provider instead (bench/compare/)
 *   BENCH_JSON=file           also write all results as JSON
 *   BENCH_MAX_FOREIGN=0.05    a run during which other processes used more than this share
 *                             of either pinned core is discarded and repeated (shared machines)
 *   BENCH_ATTEMPTS=4          attempts per run before keeping the least disturbed one
 *   BENCH_QUIET_TIMEOUT=120   seconds to wait for idle cores before each run (then it measures anyway)
 *   BENCH_NODE_ARGS="..."     node flags of the Gatehouse server (default: those of package.json's start script)
 *   BENCH_FLOORS=0            skip the floor servers (bench/floors.mjs)
 *
 * Memory: each scenario's server reports its resident set size one second
 * after it answers (RSS at start) and its high-water mark when the scenario
 * ends (peak, warm-up and runs included), read from /proc (bench/memory.mjs).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { available, freePort, pinningAvailable, runPinned, startPinned } from './processes.mjs';
import { scenarios } from './scenarios.mjs';
import { median } from './stats.mjs';
import { startMonitor, waitForQuiet } from './cpu-monitor.mjs';
import { formatTable } from './report.mjs';
import { measureFloors } from './floors.mjs';
import { readMemory, settle } from './memory.mjs';
import { serverNodeArgs } from './node-args.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const num = (name, dflt) => (env[name] ? Number(env[name]) : dflt);
const opts = {
  duration: num('BENCH_DURATION', 5),
  warmup: num('BENCH_WARMUP', 2),
  runs: num('BENCH_RUNS', 3),
  getConnections: num('BENCH_GET_CONNECTIONS', 64),
  postConnections: num('BENCH_POST_CONNECTIONS', 32),
  serverCpu: env.BENCH_SERVER_CPU ?? '0',
  loadCpu: env.BENCH_LOAD_CPU ?? '1',
  only: env.BENCH_ONLY ? env.BENCH_ONLY.split(',').map((s) => s.trim()) : undefined,
  profileDir: env.BENCH_PROFILE ? path.resolve(env.BENCH_PROFILE) : undefined,
  maxForeign: num('BENCH_MAX_FOREIGN', 0.05),
  attempts: num('BENCH_ATTEMPTS', 4),
  quietTimeout: num('BENCH_QUIET_TIMEOUT', 120),
  store: env.BENCH_STORE,
  server: env.BENCH_SERVER ?? 'gatehouse',
  // The server runs as `npm start` runs it: with the node flags of package.json's start script.
  nodeArgs: env.BENCH_NODE_ARGS !== undefined ? env.BENCH_NODE_ARGS.split(/\s+/).filter(Boolean) : serverNodeArgs(root),
};
const tool = env.BENCH_TOOL ?? (available('wrk', ['-v']) ? 'wrk' : 'node');
const node = process.execPath;
const log = (s) => process.stderr.write(s + '\n');
// Another server under the same harness (bench/compare/target.mjs): its start, flow driver and endpoint paths.
const other = opts.server === 'gatehouse' ? undefined : await (await import('./compare/target.mjs')).loadTarget(opts.server, log);
if (other) opts.server = other.name;
if (other && opts.store) {
  log('warning: BENCH_STORE applies to Gatehouse only; ignored');
  opts.store = undefined;
}
const flowsScript = other?.flowsScript ?? path.join(root, 'bench/flows.mjs');

if (!other && !existsSync(path.join(root, 'dist/cli/main.js'))) {
  log('dist/ missing: running npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (tool === 'node') log('warning: wrk not used; one core of the Node load generator cannot saturate the server on GET scenarios (results marked INVALID)');
if (!pinningAvailable) log('warning: taskset not found; processes are NOT pinned to cores');
if (os.cpus().length < 2) log('warning: fewer than 2 cores; server and load generator share a core');
if (opts.profileDir) mkdirSync(opts.profileDir, { recursive: true });

/** One run of the load generator against `base` for `seconds`. */
function loadOnce(load, base, seconds, extraHeaders = {}, onSpawn = undefined) {
  if (load.kind === 'flows') {
    const spec = { base, mode: load.mode, connections: load.connections, duration: seconds };
    return runPinned(opts.loadCpu, node, [flowsScript, JSON.stringify(spec)], {}, onSpawn);
  }
  const headers = { ...(load.headers ?? {}), ...extraHeaders };
  if (tool === 'wrk') {
    const wrkEnv = {
      WRK_METHOD: load.method,
      WRK_BODY: load.body ?? '',
      WRK_HEADERS: Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n'),
    };
    const args = [
      '-t1',
      `-c${load.connections}`,
      `-d${Math.max(1, Math.round(seconds))}s`,
      '--timeout',
      '10s',
      '-s',
      path.join(root, 'bench/wrk.lua'),
      base + load.path,
    ];
    return runPinned(opts.loadCpu, 'wrk', args, wrkEnv, onSpawn);
  }
  const spec = { url: base + load.path, method: load.method, headers, body: load.body, connections: load.connections, duration: seconds };
  return runPinned(opts.loadCpu, node, [path.join(root, 'bench/load.mjs'), JSON.stringify(spec)], {}, onSpawn);
}

/**
 * One measured run on quiet cores. `watch` maps each pinned core to the pid
 * running there (null: the process `run` spawns). A run disturbed by other
 * processes beyond `maxForeign` is repeated; after `attempts` the least
 * disturbed one is kept and flagged `noisy`.
 */
async function cleanRun(label, watch, run) {
  let best;
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    if (!(await waitForQuiet(Object.keys(watch), 0.05, opts.quietTimeout * 1000)))
      log(`  ${label}: cores not quiet after ${opts.quietTimeout} s; measuring anyway`);
    const mon = startMonitor(Object.keys(watch));
    for (const [cpu, pid] of Object.entries(watch)) if (pid !== null) mon.setPid(cpu, pid);
    const child = Object.keys(watch).find((c) => watch[c] === null);
    const r = await run((pid) => child !== undefined && mon.setPid(child, pid));
    const { foreign, own } = mon.stop();
    r.foreign = foreign;
    r.cpuUse = own;
    const worst = Math.max(0, ...Object.values(foreign));
    if (worst <= opts.maxForeign) return r;
    log(`  ${label}: discarded (other processes used ${(worst * 100).toFixed(0)}% of a pinned core), attempt ${attempt}/${opts.attempts}`);
    if (!best || worst < best.worst) best = { r, worst };
  }
  best.r.noisy = true;
  return best.r;
}

/** Warm-up, then `runs` measured runs; returns per-run results and their medians. */
async function measure(label, load, base, serverPid, extraHeaders) {
  if (opts.warmup > 0) await loadOnce(load, base, opts.warmup, extraHeaders);
  const runs = [];
  for (let i = 0; i < opts.runs; i++) {
    const r = await cleanRun(label, { [opts.serverCpu]: serverPid, [opts.loadCpu]: null }, (onSpawn) =>
      loadOnce(load, base, opts.duration, extraHeaders, onSpawn),
    );
    runs.push(r);
    const p = (x) => (x === undefined ? '?' : (x * 100).toFixed(0) + '%');
    const cpu = `server cpu ${p(r.cpuUse[opts.serverCpu])}, load cpu ${p(r.cpuUse[opts.loadCpu])}, foreign ${p(r.foreign[opts.serverCpu])}/${p(r.foreign[opts.loadCpu])}`;
    log(
      `  ${label} run ${i + 1}: ${r.rps.toFixed(1)}/s p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms errors ${r.errors}; ${cpu}${r.noisy ? ' NOISY' : ''}${r.firstError ? ` (${r.firstError})` : ''}`,
    );
  }
  return {
    runs,
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    serverCpu: median(runs.map((r) => r.cpuUse[opts.serverCpu] ?? NaN)),
    loadCpu: median(runs.map((r) => r.cpuUse[opts.loadCpu] ?? NaN)),
    noisy: runs.some((r) => r.noisy),
  };
}

async function ceilings() {
  log(`signing rate (pinned to cpu ${opts.serverCpu})`);
  const signRuns = [];
  for (let i = 0; i < opts.runs; i++) {
    const args = [path.join(root, 'bench/sign-rate.mjs'), JSON.stringify({ duration: opts.duration, inflight: opts.postConnections })];
    const r = await cleanRun('sign', { [opts.serverCpu]: null }, (onSpawn) => runPinned(opts.serverCpu, node, args, {}, onSpawn));
    signRuns.push(r);
    log(
      `  run ${i + 1}: node:crypto ${r.nodeCrypto.toFixed(0)}/s, jose ${r.jose.toFixed(0)}/s (sequential ${r.joseSequential.toFixed(0)}, ${r.inflight} in flight ${r.joseConcurrent.toFixed(0)})${r.noisy ? ' NOISY' : ''}`,
    );
  }
  const sign = {
    runs: signRuns,
    nodeCrypto: median(signRuns.map((r) => r.nodeCrypto)),
    jose: median(signRuns.map((r) => r.jose)),
    noisy: signRuns.some((r) => r.noisy),
  };
  sign.best = Math.max(sign.nodeCrypto, sign.jose);

  log('bare node:http server');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startPinned(opts.serverCpu, node, [path.join(root, 'bench/bare-server.mjs')], { PORT: String(port) }, `${base}/health`);
  try {
    const bare = await measure('bare', { kind: 'http', method: 'GET', path: '/', connections: opts.getConnections }, base, server.pid);
    return { sign, bare };
  } finally {
    await server.stop();
  }
}

/** Limits per minute far above what the benchmark drives from its one address. */
const BENCH_RATE_LIMITS = { tokenPerIp: 10_000_000, tokenPerClient: 10_000_000, authorizePerIp: 10_000_000, authorizePerClient: 10_000_000 };

/** Starts the real CLI server with a fresh data folder; `stop()` also removes the folder. */
async function startGatehouse(name) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
  const profileArgs = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const nodeArgs = [...opts.nodeArgs, ...profileArgs];
  const logFile = createWriteStream(path.join(dataDir, 'server.log'));
  // The demo configuration, with rate limits raised for a load generator that is one address
  // driving thousands of requests a second (the defaults would refuse it: docs/operations.md);
  // BENCH_STORE=memory: on another store type (the default is the demo's SQLite).
  const demo = JSON.parse(readFileSync(path.join(root, 'config/demo.json'), 'utf8'));
  const configPath = path.join(dataDir, 'bench-config.json');
  const store = opts.store ? { ...(demo.store ?? {}), type: opts.store } : demo.store;
  writeFileSync(configPath, JSON.stringify({ ...demo, $schema: undefined, store, rateLimits: { ...(demo.rateLimits ?? {}), ...BENCH_RATE_LIMITS } }));
  const server = await startPinned(
    opts.serverCpu,
    node,
    [...nodeArgs, path.join(root, 'dist/cli/main.js'), 'start', '--config', configPath],
    { PORT: String(port), ISSUER: base, GATEHOUSE_DATA_DIR: dataDir },
    `${base}/health`,
    logFile,
  );
  return {
    base,
    pid: server.pid,
    async stop() {
      await server.stop();
      logFile.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Checks one request of an http scenario answers 200 before loading it. */
async function preflight(load, base, extraHeaders) {
  const { createClient } = await import('./http-client.mjs');
  const client = createClient(base, 1);
  const headers = { ...(load.headers ?? {}), ...extraHeaders };
  if (load.body) headers['content-length'] = String(Buffer.byteLength(load.body));
  const res = await client.request(load.method, load.path, headers, load.body);
  client.close();
  if (res.status !== 200) throw new Error(`${load.method} ${load.path}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
}

/** Starts bench/floor-server.mjs pinned like Gatehouse. */
async function startFloor(floorEnv) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startPinned(opts.serverCpu, node, [path.join(root, 'bench/floor-server.mjs')], { ...floorEnv, PORT: String(port) }, `${base}/health`);
  return { base, pid: server.pid, stop: () => server.stop() };
}

const started = new Date();
log(
  `Benchmark of ${opts.server}: ${opts.runs} runs x ${opts.duration} s (warm-up ${opts.warmup} s), load tool ${tool}, server cpu ${opts.serverCpu}, load cpu ${opts.loadCpu}${other ? '' : `, server node flags: ${opts.nodeArgs.join(' ') || 'none'}`}`,
);
const ceiling = await ceilings();
const selected = scenarios(opts).filter((s) => (!opts.only || opts.only.includes(s.name)) && !(other && s.gatehouseOnly));
const floors =
  env.BENCH_FLOORS === '0'
    ? {}
    : await measureFloors(
        selected.map((s) => s.name),
        { measure, startFloor, opts, log },
      );
const results = [];
for (const s of selected) {
  log(`${s.name}`);
  const server = other ? await other.start(s.name, opts) : await startGatehouse(s.name);
  let load = server.paths?.[s.load.path] ? { ...s.load, path: server.paths[s.load.path] } : s.load;
  try {
    await settle(1000);
    const rssStart = readMemory(server.pid)?.rss;
    let extra = {};
    if (s.needsToken) {
      const t = await runPinned(opts.loadCpu, node, [flowsScript, JSON.stringify({ base: server.base, mode: 'token' })]);
      if (s.needsToken === 'body') load = { ...load, body: load.body + encodeURIComponent(t.accessToken) };
      else extra = { authorization: `Bearer ${t.accessToken}` };
    }
    if (load.kind === 'http') await preflight(load, server.base, extra);
    const m = await measure(s.name, load, server.base, server.pid, extra);
    const rssPeak = readMemory(server.pid)?.peak;
    if (rssStart !== undefined) log(`  ${s.name} memory: RSS at start ${rssStart.toFixed(1)} MiB, peak ${rssPeak.toFixed(1)} MiB`);
    const bound = s.ceiling === 'bare' ? ceiling.bare.rps : s.ceiling === 'sign' ? ceiling.sign.best : ceiling.sign.best / 2;
    const f = floors[s.name];
    const floor = f && { ...f, share: f.rps / bound, durableShare: f.durableRps === undefined ? undefined : f.durableRps / bound };
    // The report keeps the scenario's load without the subject token appended to it.
    results.push({
      ...s,
      load: s.needsToken === 'body' ? s.load : load,
      ...m,
      rssStart,
      rssPeak,
      bound,
      share: m.rps / bound,
      pass: m.rps / bound >= s.target && m.errors === 0,
      floor,
    });
  } finally {
    await server.stop();
  }
}

const meta = {
  date: started.toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  tool,
  flows: path.relative(root, flowsScript),
  ...opts,
};
process.stdout.write(formatTable(meta, ceiling, results));
if (env.BENCH_JSON) writeFileSync(env.BENCH_JSON, JSON.stringify({ meta, ceiling, results }, null, 2));
