import type { X509Certificate } from 'node:crypto';
import { readableCookies } from './cookies.js';
import type { OAuthError } from '../errors.js';
import type { InternalRequest, Params } from './types.js';

export interface RequestParts {
  method: string;
  path: string;
  query: Params;
  body: Params;
  headers: Record<string, string | undefined>;
  cookies: Record<string, string>;
  requestId: string;
  ip?: string;
  /** Reads the client certificate (RFC 8705) on first use. */
  clientCertificate?: () => X509Certificate | undefined;
}

/**
 * One request as endpoints see it. A class (one hidden class for every
 * request, no spread of the parts); `url` is computed from the issuer on
 * first use only.
 */
class Request implements InternalRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Params;
  readonly body: Params;
  readonly headers: Record<string, string | undefined>;
  readonly cookies: Record<string, string>;
  readonly requestId: string;
  readonly ip: string | undefined;
  /** Set by client authentication / the authorize endpoint (access log, metrics). */
  clientId: string | undefined = undefined;
  parameterProblem: OAuthError | undefined = undefined;
  private parsedUrl: URL | undefined;
  private readonly readCertificate: (() => X509Certificate | undefined) | undefined;
  private certificate: X509Certificate | null | undefined;

  constructor(
    private readonly base: string,
    parts: RequestParts,
  ) {
    this.method = parts.method;
    this.path = parts.path;
    this.query = parts.query;
    this.body = parts.body;
    this.headers = parts.headers;
    // On an https issuer only __Host- cookies, under their plain names (core/cookies.ts).
    this.cookies = readableCookies(parts.cookies, base.startsWith('https:'));
    this.requestId = parts.requestId;
    this.ip = parts.ip;
    this.readCertificate = parts.clientCertificate;
  }

  get clientCertificate(): X509Certificate | undefined {
    if (this.certificate === undefined) this.certificate = this.readCertificate?.() ?? null;
    return this.certificate ?? undefined;
  }

  get url(): URL {
    if (!this.parsedUrl) {
      const url = new URL(this.base + this.path);
      for (const [k, vs] of this.query) for (const v of vs) url.searchParams.append(k, v);
      this.parsedUrl = url;
    }
    return this.parsedUrl;
  }
}

/** Builds the InternalRequest; `issuerBase` is the issuer without trailing slash. */
export function makeInternalRequest(issuerBase: string, parts: RequestParts): InternalRequest {
  return new Request(issuerBase, parts);
}
