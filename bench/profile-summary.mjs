/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. written by
 * `BENCH_PROFILE=dir npm run bench`): top functions by self time, self time
 * by file, and top project functions by inclusive time.
 *
 * @example
 * node bench/profile-summary.mjs /tmp/prof/discovery.cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Self time (µs) per node id from samples and timeDeltas. */
const selfTime = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const shortUrl = (url) => {
  if (!url) return '';
  const p = url.startsWith('file://') ? new URL(url).pathname : url;
  return p.startsWith(root) ? path.relative(root, p) : p.replace(/^.*node_modules\//, 'node_modules/');
};
const key = (n) => {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}${f.url ? ':' + (f.lineNumber + 1) : ''}`;
};

const total = [...selfTime.values()].reduce((a, b) => a + b, 0);
const idle = [...nodes.values()].filter((n) => n.callFrame.functionName === '(idle)').reduce((a, n) => a + (selfTime.get(n.id) ?? 0), 0);
const busy = total - idle;

const bySelf = new Map();
const byFile = new Map();
for (const n of nodes.values()) {
  const t = selfTime.get(n.id) ?? 0;
  if (!t || n.callFrame.functionName === '(idle)') continue;
  bySelf.set(key(n), (bySelf.get(key(n)) ?? 0) + t);
  const f = shortUrl(n.callFrame.url) || n.callFrame.functionName;
  byFile.set(f, (byFile.get(f) ?? 0) + t);
}

/** Inclusive time of each project function (dist/ or src/), counting each call path once per key. */
const inclusive = new Map();
const walk = (id, onStack) => {
  const n = nodes.get(id);
  let t = selfTime.get(id) ?? 0;
  const k = key(n);
  const own = /^(dist|src)\//.test(shortUrl(n.callFrame.url)) && !onStack.has(k);
  if (own) onStack.add(k);
  for (const c of n.children ?? []) t += walk(c, onStack);
  if (own) {
    onStack.delete(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
  return t;
};
walk(profile.nodes[0].id, new Set());

const pct = (t) => `${((t / busy) * 100).toFixed(1).padStart(5)}%`;
const ms = (t) => `${(t / 1000).toFixed(0).padStart(7)} ms`;
const print = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(t)} ${ms(t)}  ${k}`);
};

console.log(
  `${path.basename(file)}: ${(total / 1e6).toFixed(2)} s sampled, busy ${(busy / 1e6).toFixed(2)} s, idle ${((idle / total) * 100).toFixed(1)}%  (shares below are of busy time)`,
);
print('Top functions by self time:', bySelf, top);
print('Self time by file:', byFile, Math.min(top, 20));
print('Project functions by inclusive time:', inclusive, Math.min(top, 20));
