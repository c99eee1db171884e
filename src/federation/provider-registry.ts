/**
 * The providers in force: the config file's `externalProviders` and the
 * dynamic ones stored in the backend (Duende's dynamic providers), read again
 * every `federation.providerCacheTtl` seconds, so a change made through the
 * CLI on any node is seen by every node without a restart. A stored provider
 * replaces a configured one of the same name; disabled ones are left out.
 */
import type { Logger } from 'pino';
import type { FederationStore } from '../stores/types.js';
import { externalProviderSchema, type ExternalProviderConfig } from './provider-schema.js';
import { resolveProvider, type ResolvedProvider } from './presets.js';

export class ProviderRegistry {
  private dynamic: { at: number; list: ExternalProviderConfig[] } | undefined;
  private loading: Promise<ExternalProviderConfig[]> | undefined;

  constructor(
    private readonly staticProviders: () => readonly ExternalProviderConfig[],
    private readonly store: FederationStore | undefined,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  private async loadDynamic(): Promise<ExternalProviderConfig[]> {
    if (!this.store) return [];
    const cached = this.dynamic;
    if (cached && this.now() - cached.at < this.ttlSeconds) return cached.list;
    this.loading ??= this.store
      .listProviders()
      .then((rows) => {
        const list: ExternalProviderConfig[] = [];
        for (const row of rows) {
          const parsed = externalProviderSchema.safeParse(row.document);
          if (parsed.success) list.push(parsed.data);
          else this.logger.warn({ provider: row.name }, 'stored external provider is invalid; skipped');
        }
        this.dynamic = { at: this.now(), list };
        return list;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /** Every enabled, usable provider, in configuration order (stored ones after). */
  async all(): Promise<ResolvedProvider[]> {
    const dynamic = await this.loadDynamic().catch((err: unknown) => {
      this.logger.error({ err }, 'reading the stored external providers failed');
      return this.dynamic?.list ?? [];
    });
    const byName = new Map<string, ExternalProviderConfig>();
    for (const p of this.staticProviders()) byName.set(p.name, p);
    for (const p of dynamic) byName.set(p.name, p);
    const out: ResolvedProvider[] = [];
    for (const p of byName.values()) {
      if (!p.enabled) continue;
      try {
        out.push(resolveProvider(p));
      } catch (err) {
        this.logger.warn({ provider: p.name, problem: (err as Error).message }, 'external provider is not usable; skipped');
      }
    }
    return out;
  }

  async find(name: string): Promise<ResolvedProvider | undefined> {
    return (await this.all()).find((p) => p.name === name);
  }

  /** Forget the cached dynamic list (the CLI's own process after a change). */
  invalidate(): void {
    this.dynamic = undefined;
  }
}
