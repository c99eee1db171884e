/**
 * `mtlsVerifier(options)`: the verifier for certificate-bound tokens (RFC
 * 8705 §3) on the resource server's proof seam. The token's
 * `cnf['x5t#S256']` must be the thumbprint of the client certificate: the
 * one of the TLS connection, or, behind a TLS-terminating proxy, the one in
 * `certificateHeader`, believed only from `trustedProxies` (a header from
 * any other address is ignored). Otherwise 401 `invalid_token`.
 */
import { BlockList, isIP } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import { certificateFromHeader, certificateMatchesCnf } from '../proof/mtls.js';
import { headerValue } from './authorization-header.js';
import type { ProofVerifier, ResourceRequest } from './types.js';

export interface MtlsVerifierOptions {
  /**
   * Header a TLS-terminating proxy puts the client certificate in: RFC 9440
   * `Client-Cert` (`:base64 DER:`) or URL-encoded PEM (nginx
   * `$ssl_client_escaped_cert`). Needs `trustedProxies`.
   */
  certificateHeader?: string;
  /** Addresses (`10.0.0.7`) or networks (`10.0.0.0/8`, `fd00::/8`) of the proxies whose header is believed. */
  trustedProxies?: readonly string[];
}

function proxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const bits = prefix === undefined ? undefined : Number(prefix);
    if (!family || extra !== undefined || (bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)))) {
      throw new Error(`mtlsVerifier: trusted proxy ${entry} is not an IP address or network`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return list;
}

function trusted(list: BlockList, address: string | undefined): boolean {
  if (!address) return false;
  // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
  const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const family = isIP(plain);
  return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * A proof verifier for certificate-bound tokens.
 *
 * @example
 * https.createServer({ key, cert, ca, requestCert: true, rejectUnauthorized: false }, app);
 * const rs = createResourceServer({ issuer, audience: 'api', proof: [mtlsVerifier()] });
 */
export function mtlsVerifier(options: MtlsVerifierOptions = {}): ProofVerifier {
  const header = options.certificateHeader?.toLowerCase();
  if (header !== undefined && !options.trustedProxies?.length) throw new Error('mtlsVerifier: certificateHeader needs trustedProxies');
  const proxies = proxyList(options.trustedProxies ?? []);
  const certificateOf = (request: ResourceRequest): X509Certificate | undefined => {
    if (header !== undefined && trusted(proxies, request.remoteAddress)) return certificateFromHeader(headerValue(request.headers, header));
    return request.peerCertificate;
  };
  return {
    confirmationMethod: 'x5t#S256',
    // RFC 8705 §3: certificate-bound tokens keep the Bearer scheme.
    scheme: 'Bearer',
    verify({ cnf, request }) {
      const cert = certificateOf(request);
      if (!cert) return { error: 'invalid_token', description: 'the token is bound to a client certificate and the request has none' };
      if (!certificateMatchesCnf(cnf, cert)) return { error: 'invalid_token', description: 'the client certificate is not the one the token is bound to' };
      return undefined;
    },
  };
}
