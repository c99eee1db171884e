/** The Web-standard adapter: `fetch(request) => Response` for Hono, Bun, Deno and tests. */
import { parseCookies } from '../core/cookies.js';
import type { Dispatcher, FinalResponse } from '../core/dispatcher.js';
import { makeInternalRequest } from '../core/internal-request.js';
import { parseParams } from '../core/params.js';
import { bodyErrorResponse } from '../core/body-error.js';
import type { BodyLimits } from './node-adapter.js';
import type { ClientAddressResolver } from './client-address.js';
import type { RequestRecord } from '../observability/request-observer.js';

const SERVER_ERROR = JSON.stringify({ error: 'server_error', error_description: 'the server encountered an unexpected condition' });

function toResponse(out: FinalResponse, head: boolean): Response {
  const headers = new Headers();
  try {
    if (Array.isArray(out.headers)) {
      for (let i = 0; i < out.headers.length; i += 2) headers.append(out.headers[i]!, out.headers[i + 1]!);
    } else {
      for (const [k, v] of Object.entries(out.headers)) {
        if (Array.isArray(v)) for (const item of v) headers.append(k, item);
        else headers.set(k, v);
      }
    }
  } catch {
    // A header value Headers refuses (a handler bug): a bare server_error, never a thrown handler.
    const safe = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    return new Response(head ? null : SERVER_ERROR, { status: 500, headers: safe });
  }
  const body = head || out.status === 204 || out.status === 304 ? null : (out.body ?? null);
  return new Response(body as BodyInit | null, { status: out.status, headers });
}

/** Ends the request's observation (log line, metrics, span) with the response status. */
function ended(rec: RequestRecord | undefined, res: Response): Response {
  if (rec) rec.observer.end(rec, res.status);
  return res;
}

async function readBody(request: Request, limits: BodyLimits): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limits.bodyLimit) throw 413;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timedOut = false;
  // Cancelling makes the pending read() resolve as `done`: remember why, so a
  // stalled body is answered 408 and never processed as if it were complete.
  const timer = setTimeout(() => {
    timedOut = true;
    reader.cancel().catch(() => {});
  }, limits.bodyTimeout);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (timedOut) throw 408;
      if (done) break;
      size += value.length;
      if (size > limits.bodyLimit) {
        reader.cancel().catch(() => {});
        throw 413;
      }
      chunks.push(value);
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The peer address of a request as the host knows it, from the request and
 * whatever else the host passes to the fetch handler (Bun's server, Deno's
 * connection info, Hono's env): `(req, server) => server.requestIP(req)?.address`.
 */
export type PeerAddress = (request: Request, ...context: unknown[]) => string | undefined;

/** Where a fetch handler's client address comes from: the host's peer address, then `server.trustProxy`. */
export interface FetchAddressSource {
  peer?: PeerAddress;
  resolve: ClientAddressResolver;
}

/** A fetch handler; `mountPath` is stripped from the request path. Extra arguments go to `address.peer`. */
export function createFetchHandler(dispatcher: Dispatcher, limits: BodyLimits, mountPath = '', address?: FetchAddressSource) {
  return async (request: Request, ...context: unknown[]): Promise<Response> => {
    const u = new URL(request.url);
    let path = u.pathname;
    if (mountPath && path.startsWith(mountPath)) path = path.slice(mountPath.length) || '/';
    const headers: Record<string, string | undefined> = {};
    request.headers.forEach((v, k) => (headers[k] = v));
    const method = request.method;
    const head = method === 'HEAD';
    const effective = head ? 'GET' : method;
    const route = dispatcher.route(path);
    const requestId = dispatcher.requestId(headers['x-request-id']);
    const rec = dispatcher.observer?.begin(method, path, route !== undefined, requestId);
    const origin = headers.origin;
    if (route?.staticResponse && effective === 'GET') {
      return ended(rec, toResponse(dispatcher.finishStatic(route.staticResponse(), route, origin, method), head));
    }
    const query = parseParams(u.search.slice(1));
    let ip: string | undefined;
    if (address) {
      let peer: string | undefined;
      try {
        peer = address.peer?.(request, ...context);
      } catch {
        peer = undefined; // a host function that throws: the address is unknown, the request still answered
      }
      ip = address.resolve(typeof peer === 'string' ? peer : undefined, headers);
    }
    if (rec) rec.ip = ip;
    const bodyless = () =>
      makeInternalRequest(dispatcher, { method: effective, path, query, body: new Map(), headers, cookies: parseCookies(headers.cookie), requestId, ip });
    const early = dispatcher.precheck(route, effective, headers, bodyless);
    if (early) return ended(rec, toResponse(dispatcher.finish(early, route, origin, requestId, method), head));
    let text = '';
    if (method === 'POST') {
      try {
        text = await readBody(request, limits);
      } catch (status) {
        const s = typeof status === 'number' ? status : 400;
        return ended(rec, toResponse(dispatcher.finish(bodyErrorResponse(dispatcher, route, s, bodyless), route, origin, requestId, method), head));
      }
    }
    const ireq = makeInternalRequest(dispatcher, {
      method: effective,
      path,
      query,
      body: text ? parseParams(text) : new Map(),
      headers,
      cookies: parseCookies(headers.cookie),
      requestId,
      ip,
    });
    const out = await dispatcher.run(route!, ireq, rec);
    if (rec) rec.clientId = ireq.clientId;
    return ended(rec, toResponse(dispatcher.finish(out, route, origin, requestId, method), head));
  };
}
