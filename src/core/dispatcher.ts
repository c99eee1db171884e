/**
 * The framework-free core of the HTTP layer, shared by the node and fetch
 * adapters. `handle(request)` is its one entry: route -> precheck -> body ->
 * (rate limit) -> run -> finish; the adapters only read the body and write
 * the response. Also error mapping, CORS and security headers.
 */
import type { X509Certificate } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import { InvalidRequest, TemporarilyUnavailable, toOAuthError, type OAuthError } from '../errors.js';
import { API_CSP, PAGE_HEADERS, baseSecurityHeaders } from './security-headers.js';
import { bearerErrorResponse, jsonErrorResponse } from './error-response.js';
import { serializeCookie } from './cookies.js';
import type { Route, RouteTable } from './router.js';
import type { RequestObserver, RequestRecord } from '../observability/request-observer.js';
import { jsonResponse, type InternalRequest, type InternalResponse } from './types.js';
import { parseCookies } from './cookies.js';
import { parseParams } from './params.js';
import { makeInternalRequest } from './internal-request.js';
import { checkParameters } from './parameters.js';
import { BodyError, bodyErrorResponse, type BodyFailure } from './body-error.js';

/** A request as an adapter sees it at the edge, before any body is read. */
export interface EdgeRequest {
  method: string;
  /** Path without query, relative to the mount point. */
  path: string;
  /** The query string without `?` ('' when none). */
  query: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** The client's address; called at most once, and only when the request needs it. */
  address(): string | undefined;
  /** The client certificate (RFC 8705): the TLS peer's, or a trusted proxy's header (http/client-certificate.ts). */
  clientCertificate?(): X509Certificate | undefined;
  /** Reads the body within the size and time limits; rejects with a {@link BodyError}. */
  readBody(): Promise<string>;
  /** Called instead of `readBody` when the body is not needed: drains or drops it within the limits. */
  discardBody(): void;
}

/** What `handle` answers; `undefined` from `handle` means no route (a middleware passes the request on). */
export interface Handled {
  response: FinalResponse;
  /** A HEAD request: write no body. */
  head: boolean;
  /** The request's observation; the adapter ends it with the written status. */
  record: RequestRecord | undefined;
  /** The body could not be read: the adapter closes the connection (and, but after a 413, stops reading). */
  bodyFailure?: BodyFailure;
}

/** What the adapters write out. */
export interface FinalResponse {
  status: number;
  /** A header record, or a flat `[name, value, name, value, ...]` list (static responses). */
  headers: Record<string, string | string[]> | string[];
  body: string | Uint8Array | undefined;
}

export type ErrorPageRenderer = (err: OAuthError, req: InternalRequest) => InternalResponse;

const PAGE_LIST = Object.entries(PAGE_HEADERS).flat();

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export class Dispatcher {
  private readonly secure: boolean;
  /** The security headers of every response, as a flat name/value list. */
  private readonly baseList: string[];
  private readonly staticCache = new WeakMap<InternalResponse, FinalResponse>();
  /** The issuer without trailing slash: the base of every URL we build. */
  readonly issuerBase: string;
  /** Access log, metrics and spans per request; undefined when all are off (observability/request-observer.ts). */
  observer: RequestObserver | undefined = undefined;

  constructor(
    private readonly ctx: ProviderContext,
    private readonly routes: RouteTable,
    private readonly corsOrigins: () => ReadonlySet<string>,
    private readonly renderErrorPage: ErrorPageRenderer,
  ) {
    this.secure = ctx.issuer.startsWith('https:');
    this.baseList = Object.entries(baseSecurityHeaders(this.secure)).flat();
    this.issuerBase = ctx.issuer.replace(/\/$/, '');
    for (const [key, route] of routes) if (key.endsWith('/*')) this.prefixes.push([key.slice(0, -1), route]);
  }

  /** Prefix routes (`/admin/api/v1/*` serves every path under it): looked at only for a path no exact route serves. */
  private readonly prefixes: [string, Route][] = [];

  private prefixRoute(path: string): Route | undefined {
    for (const [prefix, route] of this.prefixes) if (path.startsWith(prefix)) return route;
    return undefined;
  }

  /** Accepts a client-supplied X-Request-Id when it is short and safe, else makes one. */
  private requestId(header: string | undefined): string {
    return header && REQUEST_ID.test(header) ? header : crypto.randomUUID();
  }

  /**
   * The one entry of the pipeline: route, checks made before any body is
   * read, the body, the handler (with its rate limit), then the finished
   * response. With `passOn`, an unknown path answers `undefined`.
   */
  handle(edge: EdgeRequest, passOn?: false): Promise<Handled>;
  handle(edge: EdgeRequest, passOn: boolean): Promise<Handled | undefined>;
  async handle(edge: EdgeRequest, passOn = false): Promise<Handled | undefined> {
    const { method, path, headers } = edge;
    const route = this.routes.get(path) ?? (this.prefixes.length ? this.prefixRoute(path) : undefined);
    if (!route && passOn) return undefined;
    const head = method === 'HEAD';
    const effective = head ? 'GET' : method;
    const observer = this.observer;
    if (route?.staticResponse && effective === 'GET') {
      // The fast path: ready bytes and ready headers, no request object; a request id only when access-logged.
      edge.discardBody();
      const record = observer?.begin(method, path, true, observer.logs ? this.requestId(headers['x-request-id']) : undefined);
      if (record && observer?.logs) record.ip = edge.address();
      return { response: this.finishStatic(route.staticResponse(), route, headers.origin, method), head, record };
    }
    const requestId = this.requestId(headers['x-request-id']);
    const record = observer?.begin(method, path, route !== undefined, requestId);
    const ip = edge.address();
    if (record) record.ip = ip;
    const origin = headers.origin;
    const query = edge.query ? parseParams(edge.query) : new Map<string, string[]>();
    const cookies = parseCookies(headers.cookie);
    const build = (body: Map<string, string[]>) =>
      makeInternalRequest(this.issuerBase, {
        method: effective,
        path,
        query,
        body,
        headers,
        cookies,
        requestId,
        ip,
        clientCertificate: edge.clientCertificate && (() => edge.clientCertificate?.()),
      });
    const bodyless = () => build(new Map());
    const done = (res: InternalResponse, bodyFailure?: BodyFailure): Handled => ({
      response: this.finish(res, route, origin, requestId, method),
      head,
      record,
      bodyFailure,
    });
    const early = route ? this.precheck(route, effective, headers, bodyless) : notFoundResponse();
    if (early || !route) {
      edge.discardBody();
      return done(early ?? notFoundResponse());
    }
    let text = '';
    if (method === 'POST' || (route.json && method === 'PUT')) {
      try {
        text = await edge.readBody();
      } catch (e) {
        const status = e instanceof BodyError ? e.status : 400;
        return done(
          bodyErrorResponse((err, r, q) => this.errorResponse(err, r, q), route, status, bodyless()),
          status,
        );
      }
    } else edge.discardBody();
    let req: InternalRequest;
    try {
      req = build(text && !route.json ? parseParams(text) : new Map<string, string[]>());
      if (route.json) req.text = text;
    } catch {
      return done(bodyErrorResponse((err, r, q) => this.errorResponse(err, r, q), route, 400, bodyless()));
    }
    const out = await this.run(route, req, record);
    if (record) record.clientId = req.clientId;
    return done(out);
  }

  /** The answer to a request outside the mount path (no route, no request). */
  notFound(): FinalResponse {
    return this.finish(notFoundResponse(), undefined, undefined, this.requestId(undefined), 'GET');
  }

  /**
   * Checks made before any body is read; a response means stop. `request`
   * builds the request without a body, so an html-channel route (authorize,
   * end session) answers a wrong method or content type with its error page.
   */
  private precheck(route: Route, method: string, headers: Record<string, string | undefined>, request?: () => InternalRequest): InternalResponse | undefined {
    if (method === 'OPTIONS' && route.cors) return { status: 204, headers: {} };
    if (!route.methods.includes(method)) {
      const err = new InvalidRequest(`method ${method.slice(0, 16)} not allowed`);
      err.headers = { allow: route.methods.join(', ') };
      return { ...this.errorResponse(err, route, request?.()), status: 405 };
    }
    if (method === 'POST' && route.form) {
      const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') {
        return this.errorResponse(new InvalidRequest('content type must be application/x-www-form-urlencoded'), route, request?.());
      }
    }
    return undefined;
  }

  /** Runs the handler (inside the request's span when tracing); every throw becomes an OAuth error on the route's channel. */
  private run(route: Route, req: InternalRequest, rec?: RequestRecord): Promise<InternalResponse> {
    const tracing = this.observer?.tracing;
    if (rec?.span && tracing) return tracing.within(rec.span, () => this.runHandler(route, req));
    return this.runHandler(route, req);
  }

  private async runHandler(route: Route, req: InternalRequest): Promise<InternalResponse> {
    try {
      if (route.rateLimit) {
        const wait = await route.rateLimit(req);
        if (wait) {
          const res = this.errorResponse(new TemporarilyUnavailable('too many requests; try again later'), route, req);
          return { ...res, status: 429, headers: { ...res.headers, 'retry-after': String(wait) } };
        }
      }
      if (route.parameters) {
        const decl = typeof route.parameters === 'function' ? route.parameters(req, this.ctx) : route.parameters;
        req.parameterProblem = checkParameters(req, decl);
      }
      if (!route.handle) throw new Error(`no handler for ${req.path}`);
      return await route.handle(req, this.ctx);
    } catch (e) {
      return this.errorResponse(toOAuthError(e), route, req);
    }
  }

  private errorResponse(err: OAuthError, route: Route | undefined, req: InternalRequest | undefined): InternalResponse {
    const log = { requestId: req?.requestId, error: err.error, detail: err.detail, path: req?.path };
    if (err.error === 'server_error') {
      this.ctx.logger.error(log, 'unexpected error');
      this.ctx.events({ type: 'unhandled_error', requestId: req?.requestId, path: req?.path, message: (err.detail ?? err.description).slice(0, 500) });
    } else this.ctx.logger.debug(log, err.description);
    const channel = route?.channel ?? 'json';
    if (channel === 'html' && req) {
      try {
        return this.renderErrorPage(err, req);
      } catch (e) {
        // A broken page template must not turn an OAuth error into a crash: answer JSON.
        this.ctx.logger.error({ requestId: req.requestId, err: e }, 'error page failed');
      }
    }
    if (channel === 'bearer') return bearerErrorResponse(err, Boolean(/^bearer\s/i.test(req?.headers.authorization ?? '') || req?.body.get('access_token')));
    return jsonErrorResponse(err);
  }

  /**
   * A static response (discovery, JWKS, assets) finished once into a flat
   * header list and reused for every request that needs no CORS headers.
   */
  private finishStatic(res: InternalResponse, route: Route, origin: string | undefined, method: string): FinalResponse {
    if (origin && route.cors && this.corsOrigins().has(origin)) return this.finish(res, route, origin, undefined, method);
    let out = this.staticCache.get(res);
    if (!out) {
      out = this.finish(res, route, undefined, undefined, 'GET');
      this.staticCache.set(res, out);
    }
    return out;
  }

  /**
   * Adds security, CORS and request-id headers; serialises cookies. The result
   * is a flat `[name, value, ...]` list (what writeHead takes fastest). A
   * header the handler sets replaces the default of the same name; set to ''
   * it removes the default.
   */
  private finish(res: InternalResponse, route: Route | undefined, origin: string | undefined, requestId: string | undefined, method: string): FinalResponse {
    const own = res.headers;
    const h: string[] = [];
    for (let i = 0; i < this.baseList.length; i += 2) if (own[this.baseList[i]] === undefined) h.push(this.baseList[i], this.baseList[i + 1]);
    if (requestId) h.push('x-request-id', requestId);
    const type = own['content-type'];
    if ((type !== undefined && type.startsWith('text/html')) || (res.status >= 300 && res.status < 400)) {
      for (let i = 0; i < PAGE_LIST.length; i += 2) if (own[PAGE_LIST[i]] === undefined) h.push(PAGE_LIST[i], PAGE_LIST[i + 1]);
    }
    let vary: string | undefined;
    for (const name in own) {
      if (name === 'vary') vary = own[name];
      // An empty value opts out of a default (the check_session_iframe drops X-Frame-Options).
      else if (own[name] !== '') h.push(name, own[name]);
    }
    if (own['content-security-policy'] === undefined) h.push('content-security-policy', API_CSP);
    // Fetch standard §3.2.5 (CORS protocol and HTTP caches): the answer of a
    // CORS route depends on Origin even when no CORS header is added, so a
    // shared cache must not hand a response for one origin to another.
    if (route?.cors) vary = vary ? `${vary}, Origin` : 'Origin';
    if (vary !== undefined) h.push('vary', vary);
    if (route?.cors && origin && this.corsOrigins().has(origin)) {
      h.push('access-control-allow-origin', origin);
      if (method === 'OPTIONS') {
        h.push(
          'access-control-allow-methods',
          route.methods.join(', '),
          'access-control-allow-headers',
          'Authorization, Content-Type, DPoP',
          'access-control-max-age',
          '600',
        );
      } else {
        h.push('access-control-expose-headers', 'WWW-Authenticate, DPoP-Nonce');
      }
    }
    if (res.cookies) for (const c of res.cookies) h.push('set-cookie', serializeCookie(c, this.secure));
    // A known length instead of chunked framing: fewer bytes and buffers per write.
    if (own['content-length'] === undefined && res.status !== 204 && res.status !== 304) {
      const body = res.body;
      h.push('content-length', body === undefined ? '0' : String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength));
    }
    return { status: res.status, headers: h, body: res.body };
  }
}

/** The answer for a path no route serves. */
function notFoundResponse(): InternalResponse {
  return jsonResponse({ error: 'not_found', error_description: 'no such endpoint' }, 404);
}
