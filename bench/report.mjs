/**
 * Formats the benchmark results as Markdown (pasted into docs/benchmarks.md).
 *
 * @example
 * process.stdout.write(formatTable(meta, ceiling, results));
 */

const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const pct = (n) => `${(n * 100).toFixed(0)}%`;
const mib = (n) => (Number.isFinite(n) ? n.toFixed(0) : '-');

const CEILING_LABEL = { bare: 'bare node:http', sign: 'RS256 signs/s', 'sign/2': 'RS256 signs/s ÷ 2' };
const UNIT = { authorization_code_flow: 'flows/s', refresh_token: 'grants/s' };

export function formatTable(meta, ceiling, results) {
  const lines = [];
  lines.push('');
  lines.push(
    `Server ${meta.server ?? 'gatehouse'}${meta.store ? ` (store ${meta.store})` : ''}${meta.nodeArgs?.length && meta.server === 'gatehouse' ? ` (node ${meta.nodeArgs.join(' ')})` : ''}; date ${meta.date}; Node ${meta.node}; ${meta.cpu} (${meta.cores} cores); load tool ${meta.tool} (flows and refresh: ${meta.flows ?? 'bench/flows.mjs'})`,
  );
  lines.push(
    `Median of ${meta.runs} runs x ${meta.duration} s after ${meta.warmup} s warm-up; server on cpu ${meta.serverCpu}, load on cpu ${meta.loadCpu}; ${meta.getConnections} connections for GETs, ${meta.postConnections} for token/flows/refresh.`,
  );
  lines.push('');
  lines.push('Ceilings (same pinning):');
  const bareRuns = ceiling.bare.runs.map((x) => x.rps);
  const signRuns = ceiling.sign.runs.map((x) => x.nodeCrypto);
  lines.push(
    `- bare node:http server, small JSON body: ${int(ceiling.bare.rps)} req/s (runs ${int(Math.min(...bareRuns))}–${int(Math.max(...bareRuns))}; p50 ${ms(ceiling.bare.p50)} ms, p99 ${ms(ceiling.bare.p99)} ms; server / load cpu ${pct(ceiling.bare.serverCpu)} / ${pct(ceiling.bare.loadCpu)})${ceiling.bare.noisy ? ' (noisy)' : ''}`,
  );
  lines.push(
    `- RS256 signing, 2048-bit key, one core: node:crypto sign() ${int(ceiling.sign.nodeCrypto)}/s (runs ${int(Math.min(...signRuns))}–${int(Math.max(...signRuns))}), jose CompactSign ${int(ceiling.sign.jose)}/s; bound used: ${int(ceiling.sign.best)}/s${ceiling.sign.noisy ? ' (noisy)' : ''}`,
  );
  lines.push('');
  lines.push(
    '| scenario | req/s | runs (min–max) | p50 ms | p99 ms | ceiling | % of ceiling | target | floor | durable floor | result | server / load cpu | RSS start / peak MiB |',
  );
  lines.push('|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|');
  for (const r of results) {
    const unit = UNIT[r.name] ? ` ${UNIT[r.name]}` : '';
    const loadBound = (x) => x.serverCpu < 0.9 && x.loadCpu > 0.9;
    const invalid = loadBound(r) ? 'load generator saturated' : r.ceiling === 'bare' && loadBound(ceiling.bare) ? 'ceiling load-bound' : '';
    const unreachable = !r.floor
      ? ''
      : r.floor.share < r.target
        ? ', target above floor'
        : (r.floor.durableShare ?? 1) < r.target
          ? ', target above durable floor'
          : '';
    const verdict = invalid
      ? `INVALID (${invalid})`
      : (r.errors > 0 ? `FAIL (${r.errors} errors)` : r.pass ? 'pass' : `FAIL${unreachable}`) + (r.noisy ? ' (noisy)' : '');
    const floor = r.floor ? `${pct(r.floor.share)}${r.floor.noisy ? '*' : ''}` : '-';
    const durable = r.floor?.durableShare !== undefined ? pct(r.floor.durableShare) : '-';
    const rps = r.runs.map((x) => x.rps);
    lines.push(
      `| ${r.name} | ${int(r.rps)}${unit} | ${int(Math.min(...rps))}–${int(Math.max(...rps))} | ${ms(r.p50)} | ${ms(r.p99)} | ${CEILING_LABEL[r.ceiling]} = ${int(r.bound)} | ${pct(r.share)} | ≥ ${pct(r.target)} | ${floor} | ${durable} | ${verdict} | ${pct(r.serverCpu)} / ${pct(r.loadCpu)} | ${mib(r.rssStart)} / ${mib(r.rssPeak)} |`,
    );
  }
  lines.push('');
  const floored = results.filter((r) => r.floor);
  if (floored.length) {
    lines.push(
      'floor: the same ceiling share reached by the smallest Node server doing only the scenario\'s unavoidable work (bench/floor-server.mjs, bench/floors.mjs; * = a noisy run); "target above floor" means no Node server reaches the target on this machine. durable floor: the same plus the SQLite reads and commits a grant that survives a restart needs; "target above durable floor" means no Node server with durable grants reaches it.',
    );
    const who = meta.server && meta.server !== 'gatehouse' ? meta.server : 'Gatehouse';
    for (const r of floored) {
      const durable =
        r.floor.durableRps !== undefined ? `, durable floor ${int(r.floor.durableRps)}/s (${who} reaches ${pct(r.rps / r.floor.durableRps)} of it)` : '';
      lines.push(
        `- ${r.name}: floor ${int(r.floor.rps)}/s (${who} reaches ${pct(r.rps / r.floor.rps)} of it)${durable}; parts: ${Object.entries(r.floor.parts)
          .map(([k, v]) => `${k} ${int(v)}/s`)
          .join(', ')}`,
      );
    }
    lines.push('');
  }
  lines.push(
    "RSS start / peak: the server's resident set size one second after it first answered, and its high-water mark at the end of the scenario (warm-up and runs included), from /proc/<pid>/status (VmRSS, VmHWM); each scenario starts a fresh server.",
  );
  lines.push(
    'server / load cpu: share of its pinned core the server and the load generator used (median of the runs); a server below ~95% was idle part of the time (waiting on the load generator, on blocking I/O or on a lock).',
  );
  lines.push(
    'INVALID: the load generator, not the server, was saturated (server core < 90%, load core > 90%), so the ratio says nothing; use wrk (BENCH_TOOL=wrk) for GET scenarios.',
  );
  lines.push(
    `A run is repeated when other processes (or hypervisor steal) took more than ${pct(meta.maxForeign)} of a pinned core during it; "(noisy)" marks a figure that includes a run still above that after ${meta.attempts} attempts.`,
  );
  lines.push('');
  return lines.join('\n') + '\n';
}
