/**
 * Gatehouse beside oidc-provider, same machine, same harness: runs
 * bench/run.mjs three times (Gatehouse on its demo SQLite store, Gatehouse on
 * the memory store, oidc-provider with its default in-memory adapter), each
 * with its own ceilings measured in the same invocation, and prints one table
 * of req/s and % of ceiling per scenario. The BENCH_* variables are passed on
 * (BENCH_DURATION, BENCH_RUNS, BENCH_ONLY, ...). Every invocation's full
 * table goes to stderr as it finishes; the JSON of each is kept.
 *
 * Environment:
 *   BENCH_COMPARE=gatehouse-sqlite,gatehouse-memory,oidc-provider   which columns to measure, in this order
 *   BENCH_COMPARE_DIR=dir     where the per-invocation JSON files go (default: a new temp folder)
 *   BENCH_COMPARE_FROM=a.json,b.json,c.json   only format existing BENCH_JSON files (no measuring)
 * The floors (bench/floors.mjs) are the same for every server, so they are
 * measured in the first invocation only (unless BENCH_FLOORS is set).
 *
 * @example
 * BENCH_DURATION=5 BENCH_RUNS=3 node bench/compare/run.mjs
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../stats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const log = (s) => process.stderr.write(s + '\n');

const CONFIGS = {
  'gatehouse-sqlite': { label: 'Gatehouse (sqlite)', env: { BENCH_SERVER: 'gatehouse', BENCH_STORE: '' } },
  'gatehouse-memory': { label: 'Gatehouse (memory store)', env: { BENCH_SERVER: 'gatehouse', BENCH_STORE: 'memory' } },
  'oidc-provider': { label: 'oidc-provider (memory)', env: { BENCH_SERVER: 'oidc-provider', BENCH_STORE: '' } },
};

/** Runs bench/run.mjs once per configuration; returns [{ key, label, file }]. */
function measureAll() {
  const keys = (env.BENCH_COMPARE ?? Object.keys(CONFIGS).join(',')).split(',').map((s) => s.trim());
  const dir = env.BENCH_COMPARE_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'gatehouse-compare-'));
  const out = [];
  for (const key of keys) {
    const config = CONFIGS[key];
    if (!config) throw new Error(`BENCH_COMPARE: unknown ${key} (known: ${Object.keys(CONFIGS).join(', ')})`);
    const file = path.join(dir, `${key}.json`);
    log(`\n=== ${config.label}: node bench/run.mjs (BENCH_JSON=${file})`);
    const childEnv = { ...env, ...config.env, BENCH_JSON: file };
    if (env.BENCH_FLOORS === undefined && out.length > 0) childEnv.BENCH_FLOORS = '0';
    if (!childEnv.BENCH_STORE) delete childEnv.BENCH_STORE;
    const r = spawnSync(process.execPath, [path.join(root, 'bench/run.mjs')], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    process.stderr.write(r.stdout ?? '');
    if (r.status !== 0) throw new Error(`${config.label}: bench/run.mjs exited ${r.status}`);
    out.push({ key, label: config.label, file });
  }
  return out;
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const pct = (n) => `${(n * 100).toFixed(0)}%`;
const UNIT = { authorization_code_flow: ' flows/s', refresh_token: ' grants/s' };
const CEILING = { bare: 'bare node:http', sign: 'RS256 signs/s', 'sign/2': 'RS256 signs/s ÷ 2' };

/** The side-by-side Markdown table of several BENCH_JSON results. */
function formatComparison(columns) {
  const lines = [''];
  const first = columns[0].data.meta;
  lines.push(
    `Median of ${first.runs} runs x ${first.duration} s after ${first.warmup} s warm-up each; server on cpu ${first.serverCpu}, load on cpu ${first.loadCpu}; load tool ${first.tool}; Node ${first.node}; ${first.cpu} (${first.cores} cores).`,
  );
  lines.push('Each column is one invocation of bench/run.mjs with its own ceilings, measured in that invocation:');
  lines.push('');
  for (const c of columns) {
    const { meta, ceiling } = c.data;
    lines.push(
      `- ${c.label} (${meta.server}, started ${meta.date}): bare node:http ${int(ceiling.bare.rps)} req/s${ceiling.bare.noisy ? ' (noisy)' : ''}; RS256 ${int(ceiling.sign.best)} signs/s${ceiling.sign.noisy ? ' (noisy)' : ''}`,
    );
  }
  const floorSource = columns.find((c) => c.data.results.some((r) => r.floor));
  lines.push('');
  lines.push(`| scenario | ceiling | ${columns.map((c) => c.label).join(' | ')} |${floorSource ? ' floor | durable floor |' : ''}`);
  lines.push(`|---|---|${columns.map(() => '---:').join('|')}|${floorSource ? '---:|---:|' : ''}`);
  const names = [...new Set(columns.flatMap((c) => c.data.results.map((r) => r.name)))];
  for (const name of names) {
    const any = columns.map((c) => c.data.results.find((r) => r.name === name)).find(Boolean);
    const cells = columns.map((c) => {
      const r = c.data.results.find((x) => x.name === name);
      if (!r) return '–';
      const flags = [r.errors > 0 ? `${r.errors} errors` : '', r.noisy ? 'noisy' : ''].filter(Boolean).join(', ');
      return `${int(r.rps)}${UNIT[name] ?? '/s'} = **${pct(r.share)}**${flags ? ` (${flags})` : ''}`;
    });
    const floor = floorSource?.data.results.find((r) => r.name === name)?.floor;
    const durable = floor?.durableRps !== undefined ? `${int(floor.durableRps)}/s = ${pct(floor.durableShare)}` : '–';
    const floorCell = floorSource ? ` ${floor ? `${int(floor.rps)}/s = ${pct(floor.share)}${floor.noisy ? '*' : ''}` : '–'} | ${durable} |` : '';
    lines.push(`| ${name} | ${CEILING[any.ceiling]} | ${cells.join(' | ')} |${floorCell}`);
  }
  lines.push('');
  lines.push("Memory of each column's server (MiB; RSS one second after start / peak RSS during the scenario, a fresh server per scenario):");
  lines.push('');
  lines.push(`| scenario | ${columns.map((c) => c.label).join(' | ')} |`);
  lines.push(`|---|${columns.map(() => '---:').join('|')}|`);
  const mib = (n) => (Number.isFinite(n) ? n.toFixed(0) : '-');
  for (const name of names) {
    const cells = columns.map((c) => {
      const r = c.data.results.find((x) => x.name === name);
      return r ? `${mib(r.rssStart)} / ${mib(r.rssPeak)}` : '–';
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  const starts = columns.map((c) => c.data.results.map((r) => r.rssStart).filter(Number.isFinite));
  if (starts.every((l) => l.length > 0)) lines.push(`| RSS at start, median of the scenarios | ${starts.map((l) => mib(median(l))).join(' | ')} |`);
  lines.push('');
  if (floorSource)
    lines.push(
      `floor: the smallest Node server doing only the scenario's unavoidable work (bench/floors.mjs), measured once, in the ${floorSource.label} invocation, as a share of that invocation's ceiling (* = noisy); durable floor: the same with the SQLite reads and commits of a grant that survives a restart.`,
    );
  lines.push(
    "Cells: median req/s (flows/s, grants/s) = share of that column's own ceiling. p50/p99 and per-run figures are in each invocation's table above and in its JSON.",
  );
  lines.push('');
  return lines.join('\n') + '\n';
}

const columns = env.BENCH_COMPARE_FROM ? env.BENCH_COMPARE_FROM.split(',').map((file) => ({ file: file.trim() })) : measureAll();
for (const c of columns) {
  c.data = JSON.parse(readFileSync(c.file, 'utf8'));
  if (!c.label) {
    const { server, store } = c.data.meta;
    c.label = server.startsWith('oidc-provider') ? 'oidc-provider (memory)' : `Gatehouse (${store === 'memory' ? 'memory store' : (store ?? 'sqlite')})`;
  }
  log(`${c.label}: ${c.file}`);
}
process.stdout.write(formatComparison(columns));
