/** Startup checks of a client's mutual TLS settings (RFC 8705), read defensively from the raw input like the other cross checks. */
import { flag, isRecord, strings, text } from './loose-input.js';

const SUBJECT_FIELDS = ['tlsClientAuthSubjectDn', 'tlsClientAuthSanDns', 'tlsClientAuthSanUri', 'tlsClientAuthSanIp', 'tlsClientAuthSanEmail'] as const;

/**
 * - §2.1.2: a `tls_client_auth` client registers exactly one subject value
 *   ("MUST use exactly one of the below metadata parameters");
 * - §2.2: `self_signed_tls_client_auth` needs the client's keys (jwks or jwksUri) holding its certificate;
 * - either method, and certificate-bound tokens, need `mtls.enabled` (no certificate is ever read otherwise).
 */
export function checkMtlsClient(
  input: Record<string, unknown>,
  c: Record<string, unknown>,
  at: PropertyKey[],
  add: (path: PropertyKey[], message: string) => void,
): void {
  const methods = strings(c.tokenEndpointAuthMethods);
  const subjects = SUBJECT_FIELDS.filter((f) => text(c[f]) !== undefined);
  const tlsAuth = methods.includes('tls_client_auth') || (c.tokenEndpointAuthMethods === undefined && subjects.length > 0);
  if (subjects.length > 1) add([...at, subjects[1]], `tls_client_auth takes exactly one certificate subject value (RFC 8705 §2.1.2); also set: ${subjects[0]}`);
  if (tlsAuth && subjects.length === 0) add([...at, 'tokenEndpointAuthMethods'], `tls_client_auth needs one of ${SUBJECT_FIELDS.join(', ')} (RFC 8705 §2.1.2)`);
  const selfSigned = methods.includes('self_signed_tls_client_auth');
  if (selfSigned && c.jwks === undefined && c.jwksUri === undefined) {
    add([...at, 'tokenEndpointAuthMethods'], 'self_signed_tls_client_auth needs jwks or jwksUri with the certificate (RFC 8705 §2.2)');
  }
  const enabled = isRecord(input.mtls) && flag(input.mtls.enabled, false);
  if (!enabled && (tlsAuth || selfSigned || flag(c.tlsClientCertificateBoundAccessTokens, false))) {
    add(
      [...at, tlsAuth || selfSigned ? 'tokenEndpointAuthMethods' : 'tlsClientCertificateBoundAccessTokens'],
      'needs mutual TLS, which is switched off (mtls.enabled is false)',
    );
  }
}

/** `mtls.certificateHeader` is read only from trusted proxies: without `server.trustProxy` it would never be read (a silent misconfiguration). */
export function checkMtlsSettings(input: Record<string, unknown>, add: (path: PropertyKey[], message: string) => void): void {
  if (!isRecord(input.mtls) || text(input.mtls.certificateHeader) === undefined) return;
  const trust = isRecord(input.server) ? input.server.trustProxy : undefined;
  if (trust === undefined || trust === false) {
    add(['mtls', 'certificateHeader'], 'is read only from trusted proxies: set server.trustProxy (cidrs of your TLS-terminating proxies)');
  }
}
