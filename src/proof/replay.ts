/**
 * Replay detection for proof `jti`s (RFC 9449 §11.1): `markOnce` records a
 * key until `expiresAt` and tells whether it was new. Across nodes the store
 * must be shared and atomic (store-replay.ts: the operational store's replay
 * records); {@link MemoryReplayStore} serves a single process.
 */

export interface ReplayStore {
  /** Records `key` until `expiresAt` (epoch seconds); true when it was not recorded (or had expired), false for a replay. */
  markOnce(key: string, expiresAt: number): Promise<boolean>;
}

/**
 * An in-process replay store with a size bound. Expired entries are dropped
 * first; when the bound is reached with live entries, the oldest goes, so the
 * bound must exceed the number of proofs accepted within a proof's lifetime
 * (100,000 by default: about 1,400 proofs per second with a 70 s lifetime).
 */
export class MemoryReplayStore implements ReplayStore {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly clock: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error('replay store: maxEntries must be a positive whole number');
  }

  markOnce(key: string, expiresAt: number): Promise<boolean> {
    const now = this.clock();
    const seen = this.entries.get(key);
    if (seen !== undefined && seen > now) return Promise.resolve(false);
    this.entries.delete(key);
    // Entries are mostly in expiry order (a proof's expiry follows its iat): drop expired ones from the front.
    for (const [k, exp] of this.entries) {
      if (exp > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(k);
    }
    this.entries.set(key, expiresAt);
    return Promise.resolve(true);
  }

  get size(): number {
    return this.entries.size;
  }
}
