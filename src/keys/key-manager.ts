/**
 * The key manager: keeps the signing keys of a provider in its KeyStore
 * following the timeline of key-timeline.ts, and serves them from memory
 * (imported CryptoKeys, the JWKS as ready bytes). Safe with several nodes on
 * one store: keys are only created or deleted under the store lock
 * `signing-keys`, after re-reading the store.
 */
import type { Logger } from 'pino';
import type { Config, SigningAlgorithm } from '../config/schema.js';
import { ServerError } from '../errors.js';
import type { Clock, KeyInfo, KeyManager, SigningKey } from '../model/types.js';
import type { KeyStore, StoredKey } from '../stores/types.js';
import { generateSigningKey, importStoredKey, isEncryptionKeyAlgorithm, toStoredKey, type EncryptionKeyAlgorithm } from './generate-key.js';
import { type KeyAction, keyStatus, nextTransition, planKeyWork, planRotation, resolveKeysConfig, selectSigningKey, toKeyInfo } from './key-timeline.js';

/** Name of the store lock held while keys are created, retired or deleted. */
export const SIGNING_KEYS_LOCK = 'signing-keys';

export type KeyLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface KeyManagerOptions {
  config: Pick<Config, 'keys'>;
  store: KeyStore;
  clock: Clock;
  logger?: KeyLogger;
  /** Key-encryption key (32 bytes), see {@link loadKeyEncryptionKey}. */
  kek: Uint8Array;
  /**
   * Key management algorithms of the server's encryption keys (`use: "enc"`), kept on the signing keys'
   * timeline: created, announced, rotated, retired and published alike. Default none.
   */
  encryptionAlgorithms?: readonly EncryptionKeyAlgorithm[];
  /** Called after this node created a key (first key, scheduled successor or manual rotation). */
  onKeyCreated?: (key: { kid: string; alg: string; activatesAt: number; reason: string }) => void;
}

/** A cached key: the stored row (for its times) and the imported CryptoKeys. */
type CachedKey = StoredKey & { key: SigningKey };

/**
 * Creates the key manager of one provider.
 *
 * @example
 * const keys = createKeyManager({ config, store: backend.keys, clock: systemClock, kek: await loadKeyEncryptionKey(config) });
 * await keys.start();
 * const { privateKey, kid, alg } = keys.signingKey();
 */
export function createKeyManager(options: KeyManagerOptions): KeyManager {
  const cfg = resolveKeysConfig(options.config.keys);
  // The timeline works per algorithm; encryption keys are one more (cast: the timeline only compares the names).
  const encryption = (options.encryptionAlgorithms ?? []) as unknown as Config['keys']['algorithms'];
  return new ManagedKeys(options, cfg, { ...cfg, algorithms: [...cfg.algorithms, ...encryption] });
}

class ManagedKeys implements KeyManager {
  private cached: CachedKey[] = [];
  private published = new Map<string, CachedKey>();
  private publishedIds = '';
  private jwks?: Uint8Array;
  private nextCheckAt = Infinity;
  private tail: Promise<unknown> = Promise.resolve();
  private pending?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly o: KeyManagerOptions,
    private readonly cfg: Config['keys'],
    /** `cfg` with the encryption key algorithms added: what keys are created, rotated and retired for. */
    private readonly timeline: Config['keys'],
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    if (!this.timer && this.cfg.refreshInterval > 0) {
      this.timer = setInterval(() => this.kick(), this.cfg.refreshInterval * 1000);
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  signingKey(alg: SigningAlgorithm = this.cfg.algorithms[0]): SigningKey {
    const now = this.due();
    const active = selectSigningKey(this.cached, alg, now);
    if (active) return active.key;
    // No active key cached (the store was unreachable at the successor point):
    // keep signing with the newest key still published, so tokens verify.
    let fallback: CachedKey | undefined;
    for (const k of this.published.values()) {
      if (k.alg === alg && k.activatesAt <= now && (!fallback || k.activatesAt > fallback.activatesAt)) fallback = k;
    }
    if (fallback) return fallback.key;
    throw new ServerError('the server encountered an unexpected condition', `no signing key for ${alg}`);
  }

  jwksBytes(): Uint8Array {
    this.due();
    if (!this.jwks) throw new Error('key manager not started: call start() first');
    return this.jwks;
  }

  publicKey(kid: string): CryptoKey | undefined {
    this.due();
    const key = this.published.get(kid);
    // An encryption key never verifies a signature.
    return key && !isEncryptionKeyAlgorithm(key.alg) ? key.key.publicKey : undefined;
  }

  encryptionKeys(): SigningKey[] {
    this.due();
    return [...this.published.values()].filter((k) => isEncryptionKeyAlgorithm(k.alg)).map((k) => k.key);
  }

  /** Serialised: a refresh never overlaps another refresh or rotation of this instance. */
  refresh(): Promise<void> {
    return this.serial(() => this.reload());
  }

  rotate(): Promise<KeyInfo[]> {
    return this.serial(async () => {
      await this.reload(); // checks the KEK against the stored keys first
      const created = await this.o.store.withLock(SIGNING_KEYS_LOCK, async () => {
        const now = this.o.clock.now();
        return this.apply(planRotation(await this.o.store.list(), now, this.timeline), now);
      });
      await this.reload();
      const now = this.o.clock.now();
      return created.map((k) => toKeyInfo(k, now, this.cfg.retentionTime));
    });
  }

  async list(): Promise<KeyInfo[]> {
    const now = this.o.clock.now();
    const keys = await this.o.store.list();
    return keys.map((k) => toKeyInfo(k, now, this.cfg.retentionTime)).sort((a, b) => a.activatesAt - b.activatesAt);
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Reads the store; does due work under the lock (re-reading inside it); caches the result. */
  private async reload(): Promise<void> {
    const { store, clock } = this.o;
    let keys = await store.list();
    // Import before any work: a wrong KEK fails here, before this node adds keys the others cannot read.
    let cached = await this.importAll(keys, this.cached);
    if (planKeyWork(keys, clock.now(), this.timeline).length > 0) {
      keys = await store.withLock(SIGNING_KEYS_LOCK, async () => {
        const now = clock.now();
        await this.apply(planKeyWork(await store.list(), now, this.timeline), now);
        return store.list();
      });
      cached = await this.importAll(keys, cached);
    }
    this.cached = cached;
    this.publish(clock.now());
  }

  /** The non-expired keys, imported once per kid (reusing `known`). */
  private importAll(keys: StoredKey[], known: CachedKey[]): Promise<CachedKey[]> {
    const byKid = new Map(known.map((k) => [k.kid, k.key]));
    const now = this.o.clock.now();
    const live = keys.filter((k) => keyStatus(k, now, this.cfg.retentionTime) !== 'expired');
    return Promise.all(live.map(async (k) => ({ ...k, key: byKid.get(k.kid) ?? (await importStoredKey(k, this.o.kek)) })));
  }

  /** Executes planned actions; returns the keys created. Call with the lock held. */
  private async apply(actions: KeyAction[], now: number): Promise<StoredKey[]> {
    const created: StoredKey[] = [];
    for (const a of actions) {
      if (a.type === 'delete') {
        await this.o.store.delete(a.kid);
        this.o.logger?.info({ kid: a.kid }, 'signing key removed');
      } else if (a.type === 'retire') {
        await this.o.store.setRetiresAt(a.kid, a.retiresAt);
      } else {
        const row = toStoredKey(await generateSigningKey(a.alg), this.o.kek, {
          createdAt: now,
          activatesAt: a.activatesAt,
          retiresAt: a.retiresAt,
        });
        if (await this.o.store.insert(row)) {
          created.push(row);
          this.o.onKeyCreated?.({ kid: row.kid, alg: a.alg, activatesAt: a.activatesAt, reason: a.reason });
        }
        this.o.logger?.info({ kid: row.kid, alg: a.alg, activatesAt: a.activatesAt, reason: a.reason }, 'signing key created');
      }
    }
    return created;
  }

  /** Rebuilds the published view (JWKS bytes, kid map) from the cache at `now`. */
  private publish(now: number): void {
    const visible = this.cached
      .filter((k) => keyStatus(k, now, this.cfg.retentionTime) !== 'expired')
      .sort((a, b) => b.activatesAt - a.activatesAt || a.kid.localeCompare(b.kid));
    this.published = new Map(visible.map((k) => [k.kid, k]));
    this.nextCheckAt = nextTransition(this.cached, now, this.timeline);
    const ids = visible.map((k) => k.kid).join(' ');
    if (this.jwks && ids === this.publishedIds) return;
    this.jwks = new TextEncoder().encode(JSON.stringify({ keys: visible.map((k) => k.key.publicJwk) }));
    this.publishedIds = ids;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.o.logger?.error({ err }, 'key change listener failed');
      }
    }
  }

  /** Lazy refresh: once the clock passes a transition, republish from the cache and reload in the background. */
  private due(): number {
    const now = this.o.clock.now();
    if (now >= this.nextCheckAt && this.jwks) {
      this.publish(now);
      this.kick();
    }
    return now;
  }

  private kick(): void {
    if (this.pending) return;
    this.pending = this.refresh()
      .catch((err: unknown) => this.o.logger?.error({ err }, 'signing key refresh failed'))
      .finally(() => (this.pending = undefined));
  }
}
