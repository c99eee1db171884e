/**
 * The node:http adapter: works on IncomingMessage/ServerResponse directly.
 * Express, Connect and Fastify (via middie) accept the returned handler as-is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookies } from './cookies.js';
import type { Dispatcher, FinalResponse } from './dispatcher.js';
import { parseParams } from './params.js';
import { jsonResponse, type InternalRequest, type InternalResponse } from './types.js';
import { makeInternalRequest } from './internal-request.js';

export interface BodyLimits {
  bodyLimit: number;
  bodyTimeout: number;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

function write(res: ServerResponse, out: FinalResponse, head: boolean): void {
  res.writeHead(out.status, out.headers);
  res.end(head ? undefined : out.body);
}

/** Reads a body up to `limit` bytes within `timeout` ms; rejects with a status on violation. */
function readBody(req: IncomingMessage, limits: BodyLimits): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limits.bodyLimit) return reject(413);
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => reject(408), limits.bodyTimeout);
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limits.bodyLimit) {
        clearTimeout(timer);
        reject(413);
        req.removeAllListeners('data');
        req.resume();
      } else chunks.push(c);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => {
      clearTimeout(timer);
      reject(400);
    });
  });
}

const BODY_ERRORS: Record<number, string> = {
  400: 'malformed request body',
  408: 'request body not received in time',
  413: 'request body too large',
};

/**
 * A node:http request handler. With `mountPath`, only requests under it are
 * answered and `next()` is called for the rest (Express middleware style).
 */
export function createNodeHandler(dispatcher: Dispatcher, limits: BodyLimits, mountPath = ''): NodeHandler {
  return (req, res, next) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    let path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    if (mountPath) {
      if (!path.startsWith(mountPath)) return next ? next() : write(res, notFound(dispatcher), false);
      path = path.slice(mountPath.length) || '/';
    }
    const method = req.method ?? 'GET';
    const route = dispatcher.route(path);
    if (!route && next) return next();
    const headers = req.headers as Record<string, string | undefined>;
    const requestId = dispatcher.requestId(headers['x-request-id']);
    const origin = headers.origin;
    const head = method === 'HEAD';
    const effective = head ? 'GET' : method;

    if (route?.staticResponse && effective === 'GET') {
      return write(res, dispatcher.finish(route.staticResponse(), route, origin, requestId, method), head);
    }
    const early = dispatcher.precheck(route, effective, headers);
    if (early) {
      if (method === 'POST') req.resume();
      return write(res, dispatcher.finish(early, route, origin, requestId, method), head);
    }
    const query = q === -1 ? new Map() : parseParams(rawUrl.slice(q + 1));
    const bodyPromise: Promise<string> = method === 'POST' ? readBody(req, limits) : Promise.resolve('');
    bodyPromise.then(
      async (text) => {
        let ireq: InternalRequest;
        try {
          ireq = makeInternalRequest(dispatcher, {
            method: effective,
            path,
            query,
            body: text ? parseParams(text) : new Map(),
            headers,
            cookies: parseCookies(headers.cookie),
            requestId,
            ip: req.socket.remoteAddress,
          });
        } catch {
          return write(res, dispatcher.finish(jsonResponse({ error: 'invalid_request', error_description: 'malformed request' }, 400), route, origin, requestId, method), head);
        }
        const out = await dispatcher.run(route!, ireq);
        write(res, dispatcher.finish(out, route, origin, requestId, method), head);
      },
      (status: number) => {
        const body: InternalResponse = jsonResponse({ error: 'invalid_request', error_description: BODY_ERRORS[status] ?? 'bad request' }, status, { connection: 'close' });
        res.shouldKeepAlive = false;
        write(res, dispatcher.finish(body, route, origin, requestId, method), head);
        if (status !== 413) req.socket.destroySoon?.();
      },
    );
  };
}

function notFound(dispatcher: Dispatcher): FinalResponse {
  return dispatcher.finish(dispatcher.precheck(undefined, 'GET', {})!, undefined, undefined, dispatcher.requestId(undefined), 'GET');
}
