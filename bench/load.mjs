/**
 * The Node load generator (the fallback when `wrk` is absent): N concurrent
 * loops over keep-alive connections, each sending the same request for a
 * fixed duration. Prints one `BENCH_JSON {...}` line.
 *
 * @example
 * taskset -c 1 node bench/load.mjs '{"url":"http://127.0.0.1:5000/health","connections":64,"duration":5}'
 * // BENCH_JSON {"requests":..., "rps":..., "p50":..., "p99":..., "errors":0}
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createClient } from './http-client.mjs';
import { LatencyRecorder, emitResult } from './stats.mjs';

/**
 * Runs the load. `spec`: { url, method = 'GET', headers = {}, body, connections = 64,
 * duration = 5 (seconds), expectStatus = 200 }. Resolves with the summary.
 */
export async function runLoad(spec) {
  const url = new URL(spec.url);
  const method = spec.method ?? 'GET';
  const connections = spec.connections ?? 64;
  const expect = spec.expectStatus ?? 200;
  const headers = { ...(spec.headers ?? {}) };
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
  if (body) headers['content-length'] = String(body.length);
  const client = createClient(url.origin, connections);
  const path = url.pathname + url.search;
  const rec = new LatencyRecorder();
  const start = performance.now();
  const end = start + (spec.duration ?? 5) * 1000;

  const loop = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const res = await client.request(method, path, headers, body, true);
        if (res.status === expect) rec.add(performance.now() - t0);
        else rec.errors++;
      } catch {
        rec.errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const seconds = (performance.now() - start) / 1000;
  client.close();
  return rec.summary(seconds);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const spec = JSON.parse(process.argv[2] ?? '{}');
  emitResult({ tool: 'node', ...(await runLoad(spec)) });
}
