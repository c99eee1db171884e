/**
 * Certificate-bound tokens at the token endpoint (RFC 8705 §3): when the
 * client authenticated with mutual TLS (§2), or registered
 * `tls_client_certificate_bound_access_tokens` (§3.4), the request's tokens
 * are bound to its certificate: `req.certificateThumbprint` is the
 * `x5t#S256` (§3.1) the grants put into `cnf` (proof/token-binding.ts).
 */
import type { AuthenticatedClient } from '../client-auth/authenticate-client.js';
import type { ProviderContext } from '../context.js';
import type { InternalRequest } from '../core/types.js';
import { InvalidRequest } from '../errors.js';
import { certificateThumbprint } from '../proof/mtls.js';

export const CERTIFICATE_METHODS: ReadonlySet<string> = new Set(['tls_client_auth', 'self_signed_tls_client_auth']);

/** Sets `req.certificateThumbprint` when this request's tokens are to be certificate-bound; refuses a bound-token client without a certificate. */
export function tokenRequestCertificate(req: InternalRequest, auth: AuthenticatedClient, ctx: ProviderContext): void {
  if (!ctx.config.mtls.enabled) return;
  const bound = CERTIFICATE_METHODS.has(auth.method) || auth.client.tlsClientCertificateBoundAccessTokens;
  if (!bound) return;
  const cert = req.clientCertificate;
  if (!cert) throw new InvalidRequest('a client certificate is required: this client gets certificate-bound tokens (RFC 8705 §3)');
  req.certificateThumbprint = certificateThumbprint(cert);
}
