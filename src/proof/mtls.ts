/**
 * Certificate-bound tokens (RFC 8705 §3): the `x5t#S256` confirmation is the
 * base64url SHA-256 of the client certificate's DER encoding; a resource
 * compares it with the certificate of the TLS connection (or the one a
 * trusted TLS-terminating proxy forwarded).
 */
import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';

/** A certificate as an `X509Certificate`, PEM text or DER bytes. */
export type CertificateInput = X509Certificate | string | Uint8Array;

function derOf(cert: CertificateInput): Buffer {
  if (cert instanceof X509Certificate) return cert.raw;
  // Parsing refuses anything that is not one certificate.
  return new X509Certificate(typeof cert === 'string' ? cert : Buffer.from(cert)).raw;
}

/** RFC 8705 §3.1 `x5t#S256`: base64url SHA-256 of the DER certificate. */
export function certificateThumbprint(cert: CertificateInput): string {
  return createHash('sha256').update(derOf(cert)).digest('base64url');
}

/** True when `cnf['x5t#S256']` is the thumbprint of `cert` (constant-time comparison). */
export function certificateMatchesCnf(cnf: Record<string, unknown> | undefined, cert: CertificateInput | undefined): boolean {
  const bound = cnf?.['x5t#S256'];
  if (typeof bound !== 'string' || cert === undefined) return false;
  const a = Buffer.from(bound);
  const b = Buffer.from(certificateThumbprint(cert));
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The client certificate a TLS-terminating proxy put in a header: RFC 9440
 * `Client-Cert` (a structured-field byte sequence, `:base64 DER:`), or URL-encoded
 * PEM (nginx `$ssl_client_escaped_cert`, Envoy, HAProxy). Undefined when the
 * value is not exactly one certificate.
 */
export function certificateFromHeader(value: string | undefined): X509Certificate | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '' || text.length > 32_768 || text.includes(',')) return undefined;
  try {
    const sf = /^:([A-Za-z0-9+/]+={0,2}):$/.exec(text);
    if (sf) return new X509Certificate(Buffer.from(sf[1], 'base64'));
    const pem = decodeURIComponent(text);
    if (!pem.startsWith('-----BEGIN CERTIFICATE-----')) return undefined;
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}
