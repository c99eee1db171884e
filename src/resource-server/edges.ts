/** The edges of the resource server: node requests in, refusals out as node or fetch responses. */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ResourceFailure, ResourceRequest } from './types.js';

/**
 * A node request as the resource server sees it. The URL is rebuilt from
 * `origin` (else the Host header) and the original path (`originalUrl` under
 * Express mounts); the TLS client certificate is read only when a proof
 * verifier may need it.
 */
export function toResourceRequest(req: IncomingMessage, origin: string | undefined, wantCertificate: boolean): ResourceRequest {
  const socket = req.socket as Partial<TLSSocket>;
  const encrypted = socket.encrypted === true;
  const base = origin ?? `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
  const path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const request: ResourceRequest = { method: req.method ?? 'GET', url: originOf(base) + (path.startsWith('/') ? path : '/'), headers: req.headers };
  if (socket.remoteAddress) request.remoteAddress = socket.remoteAddress;
  if (encrypted && wantCertificate) {
    const raw = socket.getPeerCertificate?.(false)?.raw;
    if (raw) request.peerCertificate = new X509Certificate(raw);
  }
  return request;
}

/** The origin of `base`; a malformed Host header gives `http://invalid` (the URL matters to proof verifiers only). */
function originOf(base: string): string {
  try {
    return new URL(base).origin;
  } catch {
    return 'http://invalid';
  }
}

export function sendNode(res: ServerResponse, failure: ResourceFailure): void {
  res.writeHead(failure.status, failure.headers);
  res.end(failure.body);
}

export function toResponse(failure: ResourceFailure): Response {
  return new Response(failure.body || null, { status: failure.status, headers: failure.headers });
}
