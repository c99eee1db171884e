/**
 * Mutual TLS (RFC 8705) settings: the provider switch, the header a
 * TLS-terminating proxy forwards the client certificate in, the base URL of
 * the mTLS endpoint aliases (§5), and the client metadata of §2.1.2 and §3.4
 * in the configuration's camelCase. See docs/mtls.md.
 */
import type { output as ZodOutput } from 'zod';
import { z } from './zod-runtime.js';

export const mtlsSchema = z.object({
  /**
   * Accept client certificates: the TLS listener requests them (without a global CA check), the
   * `tls_client_auth` and `self_signed_tls_client_auth` methods and certificate-bound tokens are advertised.
   */
  enabled: z.boolean().default(false),
  /**
   * The header a TLS-terminating proxy puts the client certificate in (URL-encoded PEM as nginx's
   * `$ssl_client_escaped_cert` and Envoy send it, or RFC 9440 `Client-Cert`). Read only from peers
   * `server.trustProxy` trusts; from anyone else it is ignored.
   */
  certificateHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .optional(),
  /** RFC 8705 §5: the base URL of a host (or port) that requests client certificates; published as `mtls_endpoint_aliases`. */
  endpointAliasBase: z.url().optional(),
});

export type MtlsConfig = ZodOutput<typeof mtlsSchema>;

/** Spread into the client schema (RFC 8705 §2.1.2 and §3.4). */
export const mtlsClientFields = {
  /** `tls_client_auth_subject_dn`: the expected subject DN of the client certificate (RFC 4514 string). */
  tlsClientAuthSubjectDn: z.string().min(1).optional(),
  /** `tls_client_auth_san_dns`: a dNSName SAN the certificate must carry. */
  tlsClientAuthSanDns: z.string().min(1).optional(),
  /** `tls_client_auth_san_uri`: a uniformResourceIdentifier SAN the certificate must carry. */
  tlsClientAuthSanUri: z.string().min(1).optional(),
  /** `tls_client_auth_san_ip`: an iPAddress SAN (IPv4 dotted or IPv6 text) the certificate must carry. */
  tlsClientAuthSanIp: z.string().min(1).optional(),
  /** `tls_client_auth_san_email`: an rfc822Name SAN the certificate must carry. */
  tlsClientAuthSanEmail: z.string().min(1).optional(),
  /** `tls_client_certificate_bound_access_tokens` (§3.4): bind this client's tokens to its certificate; a token request without one is refused. */
  tlsClientCertificateBoundAccessTokens: z.boolean().default(false),
};
