/**
 * Storage backend benchmark: client-credentials issuance, reference-token
 * introspection and complete authorization-code flows per second, on each
 * backend (memory, sqlite, postgres, postgres+redis) and with --workers 2
 * (sqlite and postgres). Reuses the load generators of bench/run.mjs
 * (bench/load.mjs, bench/flows.mjs) and prints a Markdown table of medians.
 *
 * Processes are not pinned (the database servers need cores too), so on a
 * shared machine the figures are indicative: compare backends within one run.
 *
 * Environment: BENCH_DURATION=3 (s per run), BENCH_RUNS=3, BENCH_WARMUP=1,
 * BENCH_CONNECTIONS=16, BENCH_ONLY=memory,sqlite,... (backend names).
 *
 * @example
 * npm run build && node bench/backends.mjs
 */
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, runPinned, startPinned } from './processes.mjs';
import { median } from './stats.mjs';
import { postgresMissing, redisMissing, startPostgres, startRedis } from './db-servers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const num = (name, dflt) => (env[name] ? Number(env[name]) : dflt);
const opts = { duration: num('BENCH_DURATION', 3), runs: num('BENCH_RUNS', 3), warmup: num('BENCH_WARMUP', 1), connections: num('BENCH_CONNECTIONS', 16) };
const only = env.BENCH_ONLY?.split(',').map((s) => s.trim());
const node = process.execPath;
const log = (s) => process.stderr.write(s + '\n');
const FORM = 'application/x-www-form-urlencoded';
const basic = (id, secret) => 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');
const SECRET_HASH = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols='; // SHA-256 of "secret"

if (!existsSync(path.join(root, 'dist/cli/main.js'))) {
  log('dist/ missing: running npm run build');
  if (spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
}

/** The demo configuration plus a client that issues reference tokens (introspected on every call). */
function benchConfig(store, dataDir, issuer) {
  const config = JSON.parse(readFileSync(path.join(root, 'config/demo.json'), 'utf8'));
  delete config.$schema;
  config.server = { issuer, dataDir, logLevel: 'warn' };
  config.store = store;
  // One load generator address at thousands of requests a second: the default limits would refuse it.
  config.rateLimits = { tokenPerIp: 10_000_000, tokenPerClient: 10_000_000, authorizePerIp: 10_000_000, authorizePerClient: 10_000_000 };
  config.clients.push({
    clientId: 'm2m.reference',
    clientSecrets: [{ value: SECRET_HASH }],
    allowedGrantTypes: ['client_credentials'],
    accessTokenType: 'reference',
    allowedScopes: ['api'],
  });
  return config;
}

async function post(base, pathname, auth, body) {
  const res = await fetch(base + pathname, { method: 'POST', headers: { authorization: auth, 'content-type': FORM }, body });
  if (res.status !== 200) throw new Error(`${pathname}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** The scenarios; `prepare` runs once per server and returns the load spec. */
const scenarios = [
  {
    name: 'client_credentials',
    unit: 'tokens/s',
    prepare: async (base) => ({
      kind: 'http',
      url: `${base}/connect/token`,
      method: 'POST',
      headers: { authorization: basic('m2m', 'secret'), 'content-type': FORM },
      body: 'grant_type=client_credentials&scope=api',
    }),
  },
  {
    name: 'introspection (reference token)',
    unit: 'req/s',
    prepare: async (base) => {
      const { access_token: token } = await post(base, '/connect/token', basic('m2m.reference', 'secret'), 'grant_type=client_credentials&scope=api');
      const body = new URLSearchParams({ token }).toString();
      const check = await post(base, '/connect/introspect', basic('api', 'secret'), body);
      if (!check.active) throw new Error('reference token not active');
      return {
        kind: 'http',
        url: `${base}/connect/introspect`,
        method: 'POST',
        headers: { authorization: basic('api', 'secret'), 'content-type': FORM },
        body,
      };
    },
  },
  { name: 'authorization code flow', unit: 'flows/s', prepare: async (base) => ({ kind: 'flows', base }) },
];

function loadOnce(spec, seconds) {
  if (spec.kind === 'flows') {
    return runPinned('', node, [
      path.join(root, 'bench/flows.mjs'),
      JSON.stringify({ base: spec.base, mode: 'flows', connections: opts.connections, duration: seconds, users: ['alice', 'bob'] }),
    ]);
  }
  const { kind, ...rest } = spec;
  return runPinned('', node, [path.join(root, 'bench/load.mjs'), JSON.stringify({ ...rest, connections: opts.connections, duration: seconds })]);
}

async function startServer(name, store, args) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-backend-'));
  const file = path.join(dataDir, 'gatehouse.json');
  writeFileSync(file, JSON.stringify(benchConfig(store, dataDir, base)));
  const logFile = createWriteStream(path.join(dataDir, 'server.log'));
  const server = await startPinned(
    '',
    node,
    [path.join(root, 'dist/cli/main.js'), 'start', '--config', file, ...args],
    { PORT: String(port) },
    `${base}/health`,
    logFile,
  );
  return {
    base,
    async stop() {
      await server.stop();
      logFile.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const missingPg = postgresMissing();
const missingRedis = redisMissing();
const pgServer = missingPg ? undefined : await startPostgres();
const redis = missingRedis || missingPg ? undefined : await startRedis();
let dbCount = 0;
const pgUrl = () => pgServer.createDatabase(`bench_${process.pid}_${dbCount++}`);

const backends = [
  { name: 'memory', store: async () => ({ type: 'memory' }) },
  { name: 'sqlite', store: async () => ({ type: 'sqlite' }) },
  { name: 'postgres', needs: missingPg, store: async () => ({ type: 'postgres', url: await pgUrl() }) },
  { name: 'postgres+redis', needs: missingPg ?? missingRedis, store: async () => ({ type: 'postgres', url: await pgUrl(), redisUrl: redis.url }) },
  { name: 'sqlite --workers 2', store: async () => ({ type: 'sqlite' }), args: ['--workers', '2'] },
  { name: 'postgres --workers 2', needs: missingPg, store: async () => ({ type: 'postgres', url: await pgUrl() }), args: ['--workers', '2'] },
];

const results = [];
const started = new Date();
log(`backend benchmark: ${opts.runs} runs x ${opts.duration} s (warm-up ${opts.warmup} s), ${opts.connections} connections, unpinned`);
try {
  for (const b of backends) {
    if (only && !only.includes(b.name)) continue;
    if (b.needs) {
      log(`${b.name}: skipped (${b.needs})`);
      continue;
    }
    log(b.name);
    const server = await startServer(b.name, await b.store(), b.args ?? []);
    try {
      for (const s of scenarios) {
        const spec = await s.prepare(server.base);
        if (opts.warmup > 0) await loadOnce(spec, opts.warmup);
        const runs = [];
        for (let i = 0; i < opts.runs; i++) {
          const r = await loadOnce(spec, opts.duration);
          runs.push(r);
          log(
            `  ${s.name} run ${i + 1}: ${r.rps.toFixed(1)}/s p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms errors ${r.errors}${r.firstError ? ` (${r.firstError})` : ''}`,
          );
        }
        results.push({
          backend: b.name,
          scenario: s.name,
          unit: s.unit,
          rps: median(runs.map((r) => r.rps)),
          p50: median(runs.map((r) => r.p50)),
          p99: median(runs.map((r) => r.p99)),
          errors: runs.reduce((n, r) => n + r.errors, 0),
        });
      }
    } finally {
      await server.stop();
    }
  }
} finally {
  redis?.destroy();
  pgServer?.destroy();
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const names = [...new Set(results.map((r) => r.backend))];
const lines = [
  '',
  `Date ${started.toISOString()}; Node ${process.version}; ${os.cpus()[0]?.model} (${os.cpus().length} cores); unpinned; median of ${opts.runs} runs x ${opts.duration} s after ${opts.warmup} s warm-up; ${opts.connections} connections / virtual users.`,
  '',
  `| scenario | ${names.join(' | ')} |`,
  `|---|${names.map(() => '---:').join('|')}|`,
  ...scenarios.map(
    (s) =>
      `| ${s.name} (${s.unit}) | ${names
        .map((n) => {
          const r = results.find((x) => x.backend === n && x.scenario === s.name);
          return r ? `${int(r.rps)}${r.errors ? ` (${r.errors} errors)` : ''}` : '-';
        })
        .join(' | ')} |`,
  ),
  '',
  'p50 / p99 ms:',
  '',
  `| scenario | ${names.join(' | ')} |`,
  `|---|${names.map(() => '---:').join('|')}|`,
  ...scenarios.map(
    (s) =>
      `| ${s.name} | ${names
        .map((n) => {
          const r = results.find((x) => x.backend === n && x.scenario === s.name);
          return r ? `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)}` : '-';
        })
        .join(' | ')} |`,
  ),
  '',
];
process.stdout.write(lines.join('\n'));
