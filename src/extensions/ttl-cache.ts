/**
 * A bounded cache with a time to live, for the caching decorators of the
 * client and resource stores. Entries past their TTL are still returned by
 * `peek` (stale), so a synchronous reader keeps working while a fresh value
 * loads; `get` answers fresh entries only. Oldest entries go first when full.
 */
import type { Clock } from '../model/types.js';

export interface TtlCacheOptions {
  /** Seconds an entry is fresh. */
  ttl: number;
  /** Entries kept at most; the least recently stored goes first. */
  maxEntries: number;
  clock: Clock;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export class TtlCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  constructor(private readonly options: TtlCacheOptions) {}

  /** The fresh value, or undefined when absent or expired. */
  get(key: K): { value: V } | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= this.options.clock.now()) return undefined;
    return { value: entry.value };
  }

  /** The value even when expired (until evicted). */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.options.clock.now() + this.options.ttl });
  }

  values(): V[] {
    return [...this.entries.values()].map((e) => e.value);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
