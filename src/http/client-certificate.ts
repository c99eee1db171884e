/**
 * The client certificate of a request (RFC 8705 §2, §3): the peer
 * certificate of Gatehouse's own TLS listener, or the certificate a
 * TLS-terminating proxy forwards in a configured header. The header is read
 * ONLY when the connection comes from a trusted proxy (`server.trustProxy`):
 * anyone else could write it. From an untrusted peer the header is ignored and
 * the request has no certificate (unless its own TLS connection presented one).
 */
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { certificateFromHeader } from '../proof/mtls.js';
import { isTrustedPeer, type TrustProxy } from './client-address.js';

/** Finds the client certificate of one request from its socket and headers. */
export type ClientCertificateResolver = (socket: Socket, headers: Readonly<Record<string, string | undefined>>) => X509Certificate | undefined;

/** The certificate the peer presented on this TLS connection (none on plain TCP, or when it sent none). */
export function peerCertificate(socket: Socket): X509Certificate | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (typeof tls.getPeerCertificate !== 'function') return undefined;
  const raw = tls.getPeerCertificate(false)?.raw;
  if (!raw || raw.length === 0) return undefined;
  try {
    return new X509Certificate(raw);
  } catch {
    return undefined;
  }
}

/**
 * The resolver of one provider. With `header` (lower-case) and a trusted
 * peer, the header is the only source: the proxy's own TLS certificate is not
 * the client's. Otherwise the TLS peer certificate.
 *
 * @example
 * const resolve = createClientCertificateResolver({ cidrs: ['10.0.0.0/8'], header: 'x-forwarded-for' }, 'x-client-cert');
 */
export function createClientCertificateResolver(trust: TrustProxy | false, header?: string): ClientCertificateResolver {
  const name = header?.toLowerCase();
  const trusted = name !== undefined && trust !== false ? isTrustedPeer(trust) : undefined;
  return (socket, headers) => {
    if (name !== undefined && trusted?.(socket.remoteAddress)) return certificateFromHeader(headers[name]);
    return peerCertificate(socket);
  };
}
