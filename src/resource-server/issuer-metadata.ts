/**
 * The authorization server's metadata (OpenID Connect Discovery / RFC 8414):
 * fetched once and kept for an hour; its `issuer` must be exactly the
 * configured one (RFC 8414 §3.3), so a metadata document of another server
 * cannot redirect key lookups.
 */
import { fetchJsonObject, UpstreamError, type FetchLimits } from './outbound-fetch.js';

export interface IssuerMetadata {
  jwksUri?: string;
  introspectionEndpoint?: string;
}

const MAX_AGE = 3600;

export class IssuerMetadataSource {
  private cached?: { value: IssuerMetadata; fetchedAt: number };
  private pending?: Promise<IssuerMetadata>;

  constructor(
    private readonly issuer: string,
    private readonly url: string,
    private readonly limits: FetchLimits,
    private readonly clock: () => number,
    private readonly checkUrl: (url: string, what: string) => void,
  ) {}

  get(): Promise<IssuerMetadata> {
    const now = this.clock();
    if (this.cached && now - this.cached.fetchedAt < MAX_AGE) return Promise.resolve(this.cached.value);
    this.pending ??= this.load().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async load(): Promise<IssuerMetadata> {
    const doc = await fetchJsonObject(this.limits, this.url, { headers: { accept: 'application/json' } });
    if (doc.issuer !== this.issuer) throw new UpstreamError(`${this.url}: issuer ${JSON.stringify(doc.issuer)} is not ${this.issuer}`);
    const value: IssuerMetadata = {};
    for (const [key, name] of [
      ['jwksUri', 'jwks_uri'],
      ['introspectionEndpoint', 'introspection_endpoint'],
    ] as const) {
      const v = doc[name];
      if (v === undefined) continue;
      if (typeof v !== 'string') throw new UpstreamError(`${this.url}: ${name} is not a string`);
      this.checkUrl(v, name);
      value[key] = v;
    }
    this.cached = { value, fetchedAt: this.clock() };
    return value;
  }
}
