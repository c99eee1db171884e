/**
 * Certificate-bound access tokens at the UserInfo endpoint, a protected
 * resource (RFC 8705 §3): a token whose `cnf` carries `x5t#S256` is accepted
 * only over a connection presenting that certificate (the TLS peer's, or a
 * trusted proxy's header). Otherwise §3: "MUST be rejected ... using an HTTP
 * 401 status code and the invalid_token error code".
 */
import type { InternalRequest } from '../core/types.js';
import { InvalidToken } from '../errors.js';
import { certificateMatchesCnf } from '../proof/mtls.js';

export function checkUserinfoCertificate(req: InternalRequest, claims: Record<string, unknown>): void {
  const cnf = claims.cnf;
  if (typeof cnf !== 'object' || cnf === null || !('x5t#S256' in cnf)) return;
  const cert = req.clientCertificate;
  if (!cert) throw new InvalidToken('the access token is bound to a client certificate: present it on the TLS connection');
  if (!certificateMatchesCnf(cnf, cert)) throw new InvalidToken('the access token is bound to another client certificate');
}
