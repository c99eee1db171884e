/**
 * `createResourceServer(options)`: access-token validation for an API that
 * trusts a Gatehouse (or any OAuth 2.0) authorization server. It needs the
 * issuer URL and the API's audience; introspection credentials add reference
 * tokens. Everything lives on the returned object: several resource servers
 * (several issuers) can run in one process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { X509Certificate } from 'node:crypto';
import { headerValue, readCredentials } from './authorization-header.js';
import { looksLikeJws } from './compact-jws.js';
import { Introspector } from './introspection.js';
import { IssuerMetadataSource } from './issuer-metadata.js';
import { JwksSource } from './jwks-source.js';
import { verifyJwtAccessToken, type JwtRules } from './jwt-access-token.js';
import { defaultResourceServerFetch, UpstreamError, type FetchLimits } from './outbound-fetch.js';
import { checkProofOfPossession } from './proof-of-possession.js';
import { sendNode, toResourceRequest, toResponse } from './edges.js';
import { invalidToken, Refusal, toFailure, unavailable, type ChallengeContext } from './refusal.js';
import type { AccessTokenInfo, JwsAlgorithm, Requirement, ResourceFailure, ResourceRequest, ResourceServerOptions, VerifyResult } from './types.js';

const DEFAULT_ALGORITHMS: readonly JwsAlgorithm[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const KNOWN_ALGORITHMS = new Set<string>(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);

/** A minimal Hono-style context: `c.req.raw` and `c.set`. */
export interface FetchContext {
  req: { raw: Request };
  set(key: 'auth', value: AccessTokenInfo): void;
}

export interface ResourceServer {
  /** Checks a request; never throws for bad input. */
  verify(request: ResourceRequest, requirement?: Requirement): Promise<VerifyResult>;
  /** {@link verify} for a node:http request. */
  verifyNode(req: IncomingMessage, requirement?: Requirement): Promise<VerifyResult>;
  /** {@link verify} for a fetch `Request`. */
  verifyFetch(request: Request, requirement?: Requirement, peerCertificate?: X509Certificate): Promise<VerifyResult>;
  /** `(req, res, next)` middleware (Express, Connect, node:http): sets `req.auth` and calls next, or answers the refusal. */
  node(requirement?: Requirement): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  /** Hono middleware: sets `c.set('auth', ...)` or returns the refusal. */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- Hono's middleware signature
  hono(requirement?: Requirement): (c: FetchContext, next: () => Promise<void>) => Promise<Response | void>;
  /** Wraps a fetch handler (Bun, Deno, Workers): the handler runs only for an accepted token. */
  protect(
    handler: (request: Request, auth: AccessTokenInfo) => Response | Promise<Response>,
    requirement?: Requirement,
  ): (request: Request) => Promise<Response>;
  /** Writes a refusal to a node response. */
  sendNode(res: ServerResponse, failure: ResourceFailure): void;
  /** A refusal as a fetch Response. */
  toResponse(failure: ResourceFailure): Response;
  /** Outbound call counters (observability and tests). */
  readonly stats: { readonly jwksFetches: number; readonly introspections: number };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function urlChecker(allowHttp: boolean): (url: string, what: string) => void {
  return (url, what) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new UpstreamError(`${what} is not a URL`);
    }
    if (u.protocol === 'https:') return;
    if (u.protocol === 'http:' && (allowHttp || LOOPBACK.has(u.hostname))) return;
    throw new UpstreamError(`${what} ${url} is not https (allowInsecureHttp permits http)`);
  };
}

/**
 * Creates a resource server.
 *
 * @example
 * const rs = createResourceServer({ issuer: 'https://id.example.com', audience: 'api' });
 * app.get('/api/orders', rs.node({ scopes: ['orders.read'] }), (req, res) => res.json(req.auth.claims));
 */
export function createResourceServer(options: ResourceServerOptions): ResourceServer {
  const issuer = options.issuer;
  const checkUrl = urlChecker(options.allowInsecureHttp ?? false);
  try {
    checkUrl(issuer, 'issuer');
  } catch (err) {
    throw new Error(`resource server: ${(err as Error).message}`, { cause: err });
  }
  const algorithms = new Set(options.algorithms ?? DEFAULT_ALGORITHMS);
  for (const a of algorithms) if (!KNOWN_ALGORITHMS.has(a)) throw new Error(`resource server: algorithm ${a} is not allowed (asymmetric JWS algorithms only)`);
  const audiences = new Set(typeof options.audience === 'string' ? [options.audience] : options.audience);
  if (audiences.size === 0) throw new Error('resource server: audience is required (RFC 9068 §4)');
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const limits: FetchLimits = {
    fetch: options.fetch ?? defaultResourceServerFetch(options.fetchTimeout ?? 5000, options.fetchSizeLimit ?? 256 * 1024),
    timeoutMs: options.fetchTimeout ?? 5000,
    maxBytes: options.fetchSizeLimit ?? 256 * 1024,
  };
  const metadata = new IssuerMetadataSource(
    issuer,
    options.metadataUrl ?? `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    limits,
    clock,
    checkUrl,
  );
  const jwks = new JwksSource({
    uri: async () => {
      if (options.jwksUri) return options.jwksUri;
      const uri = (await metadata.get()).jwksUri;
      if (!uri) throw new UpstreamError('the issuer metadata has no jwks_uri');
      return uri;
    },
    limits,
    clock,
    maxAge: options.jwksMaxAge ?? 300,
    refetchInterval: options.jwksRefetchInterval ?? 30,
  });
  const intro = options.introspection;
  const introspector =
    intro &&
    new Introspector({
      options: intro,
      endpoint: async () => {
        const endpoint = intro.endpoint ?? (await metadata.get()).introspectionEndpoint;
        if (!endpoint) throw new UpstreamError('the issuer metadata has no introspection_endpoint');
        return endpoint;
      },
      limits,
      clock,
      cacheSize: options.cacheSize ?? 10_000,
    });
  const rules: JwtRules = { issuer, audiences, leeway: options.clockTolerance ?? 10, algorithms };
  const verifiers = options.proof ?? [];
  const schemes = new Map<string, string>([['bearer', 'Bearer']]);
  for (const v of verifiers) schemes.set(v.scheme.toLowerCase(), v.scheme);
  const challenge: ChallengeContext = {
    realm: options.realm,
    resourceMetadataUrl: options.resourceMetadataUrl,
    otherChallenges: [
      ...new Map(
        verifiers.filter((v) => v.scheme.toLowerCase() !== 'bearer').map((v) => [v.scheme, v.challenge ? `${v.scheme} ${v.challenge}` : v.scheme]),
      ).values(),
    ],
  };
  const baseScopes = options.scopes ?? [];

  async function validate(token: string): Promise<Omit<AccessTokenInfo, 'scheme'>> {
    const now = clock();
    if (looksLikeJws(token)) {
      const info = await verifyJwtAccessToken(token, rules, jwks, now);
      if (introspector && intro?.introspectJwts) await introspector.verify(token, rules, 'jwt');
      return info;
    }
    if (!introspector) throw invalidToken('the token is not a JWT access token');
    return introspector.verify(token, rules, 'reference');
  }

  async function check(request: ResourceRequest, requirement: Requirement | undefined): Promise<AccessTokenInfo> {
    const credentials = readCredentials(headerValue(request.headers, 'authorization'), schemes);
    // RFC 6750 §3.1: no credentials, or an unsupported scheme: a challenge without an error code.
    if (credentials.kind !== 'token') throw new Refusal(undefined, undefined, 401);
    const { scheme, token } = credentials;
    let info: Omit<AccessTokenInfo, 'scheme'>;
    try {
      info = await validate(token);
      await checkProofOfPossession(verifiers, scheme, token, info.claims, info.cnf, request);
    } catch (err) {
      if (err instanceof Refusal && !err.extra.scheme) throw new Refusal(err.error, err.description, err.status, { ...err.extra, scheme });
      throw err;
    }
    const needed = [...baseScopes, ...(requirement?.scopes ?? [])];
    const missing = needed.filter((s) => !info.scopes.includes(s));
    if (missing.length) {
      // RFC 6750 §3.1: 403 with the scope the request needs.
      throw new Refusal('insufficient_scope', `the request needs scope ${missing.join(' ')}`, 403, { scheme, scope: [...new Set(needed)].join(' ') });
    }
    return { ...info, scheme };
  }

  async function verify(request: ResourceRequest, requirement?: Requirement): Promise<VerifyResult> {
    try {
      return { ok: true, auth: await check(request, requirement) };
    } catch (err) {
      if (err instanceof Refusal) return { ok: false, failure: toFailure(err, challenge) };
      if (err instanceof UpstreamError) return { ok: false, failure: unavailable() };
      throw err;
    }
  }

  const nodeRequest = (req: IncomingMessage) => toResourceRequest(req, options.origin, verifiers.length > 0);
  const verifyFetch = (request: Request, requirement?: Requirement, peerCertificate?: X509Certificate) =>
    verify({ method: request.method, url: request.url, headers: request.headers, peerCertificate }, requirement);

  return {
    verify,
    verifyNode: async (req, requirement) => verify(nodeRequest(req), requirement),
    verifyFetch,
    node(requirement) {
      return (req, res, next) => {
        Promise.resolve()
          .then(() => verify(nodeRequest(req), requirement))
          .then((r) => {
            if (!r.ok) {
              sendNode(res, r.failure);
              return;
            }
            (req as IncomingMessage & { auth?: AccessTokenInfo }).auth = r.auth;
            next();
          })
          .catch((err: unknown) => next(err));
      };
    },
    hono(requirement) {
      return async (c, next) => {
        const r = await verifyFetch(c.req.raw, requirement);
        if (!r.ok) return toResponse(r.failure);
        c.set('auth', r.auth);
        await next();
      };
    },
    protect(handler, requirement) {
      return async (request) => {
        const r = await verifyFetch(request, requirement);
        return r.ok ? handler(request, r.auth) : toResponse(r.failure);
      };
    },
    sendNode,
    toResponse,
    stats: {
      get jwksFetches() {
        return jwks.fetches;
      },
      get introspections() {
        return introspector?.calls ?? 0;
      },
    },
  };
}
