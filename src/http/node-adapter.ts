/**
 * The node:http adapter: works on IncomingMessage/ServerResponse directly.
 * Express, Connect and Fastify (via middie) accept the returned handler as-is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher, EdgeRequest, FinalResponse } from '../core/dispatcher.js';
import { BodyError } from '../core/body-error.js';
import { normalizeAddress, type ClientAddressResolver } from './client-address.js';
import type { ClientCertificateResolver } from './client-certificate.js';
import type { RequestRecord } from '../observability/request-observer.js';

export interface BodyLimits {
  bodyLimit: number;
  bodyTimeout: number;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

const SERVER_ERROR = JSON.stringify({ error: 'server_error', error_description: 'the server encountered an unexpected condition' });

/**
 * Writes the response. A response node refuses (a header value with a
 * control character from a handler bug) becomes a bare server_error instead
 * of an exception that would take the process down.
 */
function write(res: ServerResponse, out: FinalResponse, head: boolean, rec?: RequestRecord): void {
  try {
    res.writeHead(out.status, out.headers);
    res.end(head ? undefined : out.body);
    if (rec) rec.observer.end(rec, out.status);
  } catch {
    if (rec) rec.observer.end(rec, 500);
    if (res.headersSent) return void res.destroy();
    res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(head ? undefined : SERVER_ERROR);
  }
}

const hasBody = (req: IncomingMessage) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * A request asking for a protocol upgrade (`Upgrade: websocket`, `h2c`).
 * Gatehouse never upgrades (RFC 9110 §7.8 lets a server ignore the header),
 * but node's parser stops reading the connection after such a request's
 * headers: its body never arrives (no 'data', 'end' or 'error') and a further
 * request on the connection is never parsed. So a body is refused at once
 * (400) and the connection is closed after the answer.
 */
const wantsUpgrade = (req: IncomingMessage) => req.headers.upgrade !== undefined;

/** Reads a body up to `limit` bytes within `timeout` ms; rejects with a {@link BodyError} on violation. */
function readBody(req: IncomingMessage, limits: BodyLimits): Promise<string> {
  return new Promise((resolve, reject) => {
    if (wantsUpgrade(req) && hasBody(req)) {
      reject(new BodyError(400));
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limits.bodyLimit) {
      reject(new BodyError(413));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => reject(new BodyError(408)), limits.bodyTimeout);
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limits.bodyLimit) {
        clearTimeout(timer);
        reject(new BodyError(413));
        req.removeAllListeners('data');
        req.resume();
      } else chunks.push(c);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => {
      clearTimeout(timer);
      reject(new BodyError(400));
    });
  });
}

/**
 * Discards the body of a request answered without reading it (static routes,
 * early refusals, GET handlers), within the same size and time limits as a
 * read body: a client that keeps sending gets its socket closed instead of
 * holding the connection open (DESIGN.md "HTTP and UI": never left hanging).
 * A well-behaved client's small body is drained and keep-alive still works.
 */
function discardBody(req: IncomingMessage, limits: BodyLimits): void {
  if (!hasBody(req) || req.readableEnded) return;
  // The body of an upgrade request never arrives (see wantsUpgrade): the answer closes the connection.
  if (wantsUpgrade(req)) return;
  let size = 0;
  const timer = setTimeout(() => req.socket.destroy(), limits.bodyTimeout);
  const stop = () => clearTimeout(timer);
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > limits.bodyLimit) {
      stop();
      req.socket.destroy();
    }
  });
  req.on('end', stop);
  req.on('close', stop);
  req.on('error', stop);
}

/**
 * A node:http request handler. With `mountPath`, only requests under it are
 * answered and `next()` is called for the rest (Express middleware style).
 * `clientAddress` finds the client's address from the socket's and the
 * headers (`server.trustProxy`, http/client-address.ts). The pipeline is the
 * dispatcher's (`handle`); this adapter only reads the body and writes the answer.
 * `clientCertificate` reads the client certificate (RFC 8705) from the TLS
 * socket or a trusted proxy's header (http/client-certificate.ts).
 */
export function createNodeHandler(
  dispatcher: Dispatcher,
  limits: BodyLimits,
  mountPath = '',
  clientAddress: ClientAddressResolver = normalizeAddress,
  clientCertificate?: ClientCertificateResolver,
): NodeHandler {
  return (req, res, next) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    let path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    if (mountPath) {
      if (!path.startsWith(mountPath)) {
        if (next) {
          next();
          return;
        }
        write(res, dispatcher.notFound(), false);
        discardBody(req, limits);
        return;
      }
      path = path.slice(mountPath.length) || '/';
    }
    const method = req.method ?? 'GET';
    const headers = req.headers as Record<string, string | undefined>;
    const edge: EdgeRequest = {
      method,
      path,
      query: q === -1 ? '' : rawUrl.slice(q + 1),
      headers,
      address: () => clientAddress(req.socket.remoteAddress, headers),
      clientCertificate: clientCertificate && (() => clientCertificate(req.socket, headers)),
      readBody: () => readBody(req, limits),
      discardBody: () => discardBody(req, limits),
    };
    dispatcher
      .handle(edge, next !== undefined)
      .then((handled) => {
        if (!handled) {
          next?.();
          return;
        }
        if (wantsUpgrade(req)) res.shouldKeepAlive = false;
        const failure = handled.bodyFailure;
        // The error on the route's channel, and the connection closed.
        if (failure) res.shouldKeepAlive = false;
        write(res, handled.response, handled.head, handled.record);
        if (failure && failure !== 413) req.socket.destroySoon?.();
      })
      .catch(() => {
        // Unreachable unless a handler or renderer misbehaves: never leave an unhandled rejection.
        write(
          res,
          { status: 500, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: SERVER_ERROR },
          method === 'HEAD',
        );
      });
  };
}
