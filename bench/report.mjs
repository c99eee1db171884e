/**
 * Formats the benchmark results as Markdown (pasted into docs/benchmarks.md).
 *
 * @example
 * process.stdout.write(formatTable(meta, ceiling, results));
 */

const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const pct = (n) => `${(n * 100).toFixed(0)}%`;

const CEILING_LABEL = { bare: 'bare node:http', sign: 'RS256 signs/s', 'sign/2': 'RS256 signs/s ÷ 2' };
const UNIT = { authorization_code_flow: 'flows/s', refresh_token: 'grants/s' };

export function formatTable(meta, ceiling, results) {
  const lines = [];
  lines.push('');
  lines.push(`Date ${meta.date}; Node ${meta.node}; ${meta.cpu} (${meta.cores} cores); load tool ${meta.tool} (flows and refresh: bench/flows.mjs)`);
  lines.push(`Median of ${meta.runs} runs x ${meta.duration} s after ${meta.warmup} s warm-up; server on cpu ${meta.serverCpu}, load on cpu ${meta.loadCpu}; ${meta.getConnections} connections for GETs, ${meta.postConnections} for token/flows/refresh.`);
  lines.push('');
  lines.push('Ceilings (same pinning):');
  lines.push(`- bare node:http server, small JSON body: ${int(ceiling.bare.rps)} req/s (p50 ${ms(ceiling.bare.p50)} ms, p99 ${ms(ceiling.bare.p99)} ms)${ceiling.bare.noisy ? ' (noisy)' : ''}`);
  lines.push(`- RS256 signing, 2048-bit key, one core: node:crypto sign() ${int(ceiling.sign.nodeCrypto)}/s, jose CompactSign ${int(ceiling.sign.jose)}/s; bound used: ${int(ceiling.sign.best)}/s${ceiling.sign.noisy ? ' (noisy)' : ''}`);
  lines.push('');
  lines.push('| scenario | req/s | p50 ms | p99 ms | ceiling | % of ceiling | target | result |');
  lines.push('|---|---:|---:|---:|---|---:|---:|---|');
  for (const r of results) {
    const unit = UNIT[r.name] ? ` ${UNIT[r.name]}` : '';
    const verdict = (r.errors > 0 ? `FAIL (${r.errors} errors)` : r.pass ? 'pass' : 'FAIL') + (r.noisy ? ' (noisy)' : '');
    lines.push(`| ${r.name} | ${int(r.rps)}${unit} | ${ms(r.p50)} | ${ms(r.p99)} | ${CEILING_LABEL[r.ceiling]} = ${int(r.bound)} | ${pct(r.share)} | ≥ ${pct(r.target)} | ${verdict} |`);
  }
  lines.push('');
  lines.push(`A run is repeated when other processes used more than ${pct(meta.maxForeign)} of a pinned core during it; "(noisy)" marks a figure that includes a run still above that after ${meta.attempts} attempts.`);
  lines.push('');
  return lines.join('\n') + '\n';
}
