/**
 * Latency recording and summary statistics for the load generators.
 *
 * @example
 * const rec = new LatencyRecorder();
 * rec.add(1.25); // milliseconds
 * rec.summary(5) // { requests: 1, rps: 0.2, p50: 1.25, p99: 1.25 }
 */

/** Latencies in ms, kept in a preallocated Float64Array that doubles when full. */
export class LatencyRecorder {
  constructor(capacity = 1 << 20) {
    this.values = new Float64Array(capacity);
    this.count = 0;
    this.errors = 0;
  }

  add(ms) {
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = ms;
  }

  /** Requests, requests per second over `seconds`, p50 and p99 in ms. */
  summary(seconds) {
    const sorted = this.values.subarray(0, this.count).sort();
    return {
      requests: this.count,
      seconds,
      rps: this.count / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      errors: this.errors,
    };
  }
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The median of a list of numbers (the middle one of three runs). */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Prints the one machine-readable result line the orchestrator looks for. */
export function emitResult(result) {
  process.stdout.write(`BENCH_JSON ${JSON.stringify(result)}\n`);
}
