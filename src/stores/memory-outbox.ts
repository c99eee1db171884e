/** The outbox of the memory backend (one process; leases still apply between its callers). */
import { randomUUID } from 'node:crypto';
import type { ClaimedOutboxEntry, OutboxEntry, OutboxStore } from './types.js';

interface Row extends OutboxEntry {
  lease?: string;
  leaseUntil?: number;
}

export class MemoryOutbox implements OutboxStore {
  private readonly rows = new Map<string, Row>();

  async add(entries: readonly OutboxEntry[]): Promise<void> {
    for (const e of entries) this.rows.set(e.id, structuredClone({ ...e }));
  }
  async claim<P>(opts: { now: number; leaseUntil: number; limit: number; id?: string; kind?: string }): Promise<ClaimedOutboxEntry<P>[]> {
    const free = (r: Row) =>
      r.dueAt <= opts.now && (r.leaseUntil === undefined || r.leaseUntil <= opts.now) && (opts.kind === undefined || r.kind === opts.kind);
    const candidates = opts.id !== undefined ? [this.rows.get(opts.id)].filter((r) => r !== undefined) : [...this.rows.values()];
    // No await between the check and the mark: the event loop makes it a compare-and-set.
    const due = candidates
      .filter(free)
      .sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : 1))
      .slice(0, Math.max(0, opts.limit));
    return due.map((r) => {
      r.lease = randomUUID();
      r.leaseUntil = opts.leaseUntil;
      return structuredClone(r) as ClaimedOutboxEntry<P>;
    });
  }
  async complete(id: string, lease: string): Promise<boolean> {
    if (this.rows.get(id)?.lease !== lease) return false;
    return this.rows.delete(id);
  }
  async retry(id: string, lease: string, attempts: number, dueAt: number): Promise<boolean> {
    const r = this.rows.get(id);
    if (!r || r.lease !== lease) return false;
    Object.assign(r, { attempts, dueAt, lease: undefined, leaseUntil: undefined });
    return true;
  }
  async size(): Promise<number> {
    return this.rows.size;
  }
}
