/**
 * RFC 9449 §10: the `dpop_jkt` authorization request parameter, the JWK
 * Thumbprint (RFC 7638, SHA-256, base64url) of the key the client will prove
 * at the token endpoint. The code is stored with it; the token request must
 * carry a proof of that key (proof/token-binding.ts `requireBoundKey`).
 * With PAR (§10.1) the pushed request's `DPoP` header may give the key
 * instead (endpoints/par-dpop.ts).
 */
import { InvalidRequest } from '../../errors.js';
import { single } from '../../core/params.js';
import type { Params } from '../../core/types.js';

/** A SHA-256 thumbprint: 32 bytes in unpadded base64url. */
const JKT = /^[A-Za-z0-9_-]{43}$/;

export function checkDpopJkt(p: Params): string | undefined {
  const jkt = single(p, 'dpop_jkt', 128);
  if (jkt === undefined) return undefined;
  if (!JKT.test(jkt)) throw new InvalidRequest('dpop_jkt must be a SHA-256 JWK thumbprint (43 base64url characters)');
  return jkt;
}
