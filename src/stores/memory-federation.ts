/** The in-memory federation store (tests, and backends without one). */
import type { ExternalLink, FederationStore, StoredProvider } from './types.js';

const key = (issuer: string, sub: string) => `${issuer}\u0000${sub}`;

export class MemoryFederation implements FederationStore {
  private readonly links = new Map<string, ExternalLink>();
  private readonly providers = new Map<string, StoredProvider>();

  async findLink(issuer: string, externalSubject: string): Promise<ExternalLink | undefined> {
    const l = this.links.get(key(issuer, externalSubject));
    return l && { ...l };
  }
  async addLink(link: ExternalLink): Promise<boolean> {
    const k = key(link.issuer, link.externalSubject);
    if (this.links.has(k)) return false;
    this.links.set(k, { ...link });
    return true;
  }
  async linksOf(subjectId: string): Promise<ExternalLink[]> {
    return [...this.links.values()].filter((l) => l.subjectId === subjectId).map((l) => ({ ...l }));
  }
  async removeLink(subjectId: string, issuer: string, externalSubject: string): Promise<boolean> {
    const k = key(issuer, externalSubject);
    if (this.links.get(k)?.subjectId !== subjectId) return false;
    return this.links.delete(k);
  }
  async listProviders(): Promise<StoredProvider[]> {
    return [...this.providers.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((p) => structuredClone(p));
  }
  async putProvider(provider: StoredProvider): Promise<void> {
    this.providers.set(provider.name, structuredClone(provider));
  }
  async deleteProvider(name: string): Promise<boolean> {
    return this.providers.delete(name);
  }
}
