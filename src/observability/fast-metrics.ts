/**
 * Hot-path metric types for one provider's registry. prom-client hashes the
 * label set on every `inc`/`observe`, even through `labels()` children; these
 * keep one plain object per label set (created once) whose updates are a few
 * additions, and render in prom-client's format at scrape time.
 */
import type { Metric, Registry } from 'prom-client';

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** A counter child: `inc()` adds one. */
export class CounterChild {
  value = 0;
  constructor(readonly labels: Record<string, string>) {}
  inc(): void {
    this.value++;
  }
}

/** A histogram child: `observe(v)` counts v into its bucket. */
export class HistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Record<string, string>,
    private readonly upper: readonly number[],
  ) {
    this.counts = new Float64Array(upper.length + 1);
  }
  observe(v: number): void {
    const upper = this.upper;
    let i = 0;
    while (i < upper.length && v > upper[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

abstract class FastMetric<C> {
  protected readonly children = new Map<string, C>();
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    protected readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }
  protected abstract make(labels: Record<string, string>): C;
  /** The child of a label set (values in labelNames order); cache it where it is hot. */
  child(...values: string[]): C {
    const key = values.join('\u0000');
    let c = this.children.get(key);
    if (!c) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i] ?? ''));
      this.children.set(key, (c = this.make(labels)));
    }
    return c;
  }
  reset(): void {
    this.children.clear();
  }
  abstract values(): Sample[];
  async get() {
    return { name: this.name, help: this.help, type: this.type, values: this.values(), aggregator: this.aggregator };
  }
}

export class FastCounter extends FastMetric<CounterChild> {
  constructor(name: string, help: string, labelNames: readonly string[], registry: Registry) {
    super(name, help, 'counter', labelNames, registry);
  }
  protected make(labels: Record<string, string>) {
    return new CounterChild(labels);
  }
  values(): Sample[] {
    return [...this.children.values()].map((c) => ({ labels: c.labels, value: c.value }));
  }
}

export class FastHistogram extends FastMetric<HistogramChild> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    super(name, help, 'histogram', labelNames, registry);
  }
  protected make(labels: Record<string, string>) {
    return new HistogramChild(labels, this.buckets);
  }
  values(): Sample[] {
    const out: Sample[] = [];
    for (const c of this.children.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += c.counts[i];
        out.push({ labels: { ...c.labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      out.push({ labels: { ...c.labels, le: '+Inf' }, value: c.count, metricName: `${this.name}_bucket` });
      out.push({ labels: c.labels, value: c.sum, metricName: `${this.name}_sum` });
      out.push({ labels: c.labels, value: c.count, metricName: `${this.name}_count` });
    }
    return out;
  }
}

/** A counter whose values are the counts of a histogram's children (requests total from the latency histogram). */
export class CountOf {
  readonly aggregator = 'sum';
  readonly type = 'counter';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly of: FastHistogram,
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }
  reset(): void {}
  async get() {
    const values = this.of
      .values()
      .filter((s) => s.metricName?.endsWith('_count'))
      .map((s) => ({ labels: s.labels, value: s.value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
