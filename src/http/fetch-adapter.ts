/** The Web-standard adapter: `fetch(request) => Response` for Hono, Bun, Deno and tests. */
import type { Dispatcher, FinalResponse } from '../core/dispatcher.js';
import { BodyError } from '../core/body-error.js';
import type { BodyLimits } from './node-adapter.js';
import type { ClientAddressResolver } from './client-address.js';
import type { RequestRecord } from '../observability/request-observer.js';

const SERVER_ERROR = JSON.stringify({ error: 'server_error', error_description: 'the server encountered an unexpected condition' });

function toResponse(out: FinalResponse, head: boolean): Response {
  const headers = new Headers();
  try {
    if (Array.isArray(out.headers)) {
      for (let i = 0; i < out.headers.length; i += 2) headers.append(out.headers[i], out.headers[i + 1]);
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
  if (declared > limits.bodyLimit) throw new BodyError(413);
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
      if (timedOut) throw new BodyError(408);
      if (done) break;
      size += value.length;
      if (size > limits.bodyLimit) {
        reader.cancel().catch(() => {});
        throw new BodyError(413);
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

/**
 * A fetch handler; `mountPath` is stripped from the request path. Extra
 * arguments go to `address.peer`. The pipeline is the dispatcher's
 * (`handle`); this adapter only reads the body and builds the Response.
 */
export function createFetchHandler(dispatcher: Dispatcher, limits: BodyLimits, mountPath = '', address?: FetchAddressSource) {
  return async (request: Request, ...context: unknown[]): Promise<Response> => {
    const u = new URL(request.url);
    let path = u.pathname;
    if (mountPath && path.startsWith(mountPath)) path = path.slice(mountPath.length) || '/';
    const headers: Record<string, string | undefined> = {};
    request.headers.forEach((v, k) => (headers[k] = v));
    const peerAddress = (): string | undefined => {
      if (!address) return undefined;
      let peer: string | undefined;
      try {
        peer = address.peer?.(request, ...context);
      } catch {
        peer = undefined; // a host function that throws: the address is unknown, the request still answered
      }
      return address.resolve(typeof peer === 'string' ? peer : undefined, headers);
    };
    const handled = await dispatcher.handle({
      method: request.method,
      path,
      query: u.search.slice(1),
      headers,
      address: peerAddress,
      readBody: () => readBody(request, limits),
      discardBody: () => {},
    });
    return ended(handled.record, toResponse(handled.response, handled.head));
  };
}
