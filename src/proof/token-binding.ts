/**
 * What the grants do with the token request's verified DPoP key
 * (`req.dpopJkt`, set by the token endpoint's DPoP step,
 * endpoints/token-dpop.ts):
 * - RFC 9449 §6.1: access tokens are bound to it (`cnf.jkt`);
 * - §5: refresh tokens of public clients are bound to it; confidential
 *   clients' are not (they are bound to the client's credentials already);
 * - §5 and §10: a bound refresh token, or a code issued for `dpop_jkt`, is
 *   redeemed only with a proof signed by that key.
 */
import { timingSafeEqual } from 'node:crypto';
import type { InternalRequest } from '../core/types.js';
import { InvalidDpopProof, InvalidGrant } from '../errors.js';
import type { Client } from '../model/types.js';

/** The `cnf` of a sender-constrained token: a DPoP key (RFC 9449 §6.1), a certificate (RFC 8705 §3.1), or both. */
export interface Confirmation {
  jkt?: string;
  'x5t#S256'?: string;
}

/**
 * The `cnf` of tokens issued for this request: the DPoP key when it carried a
 * valid proof (RFC 9449 §6.1), the certificate thumbprint when the token
 * endpoint bound it to the client certificate (RFC 8705 §3.1, endpoints/token-mtls.ts).
 */
export function dpopConfirmation(req: Pick<InternalRequest, 'dpopJkt' | 'certificateThumbprint'>): Confirmation | undefined {
  if (req.dpopJkt === undefined && req.certificateThumbprint === undefined) return undefined;
  const cnf: Confirmation = {};
  if (req.dpopJkt !== undefined) cnf.jkt = req.dpopJkt;
  if (req.certificateThumbprint !== undefined) cnf['x5t#S256'] = req.certificateThumbprint;
  return cnf;
}

/** The key a new refresh token is bound to: the proof key for a public client (RFC 9449 §5), none for a confidential one. */
export function refreshTokenJkt(client: Pick<Client, 'isPublic'>, req: Pick<InternalRequest, 'dpopJkt'>): string | undefined {
  return client.isPublic ? req.dpopJkt : undefined;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Refuses the request unless its proof key is `boundJkt` (nothing to check when
 * `boundJkt` is undefined). RFC 9449 §5: a bound refresh token needs a proof of
 * the same key; §10: the token request "MUST" be rejected when the proof key is
 * not the `dpop_jkt` of the authorization request. Both answer
 * `invalid_dpop_proof` (the proof does not hold for what it is presented with).
 */
export function requireBoundKey(boundJkt: string | undefined, req: Pick<InternalRequest, 'dpopJkt'>, what: string): void {
  if (boundJkt === undefined) return;
  if (req.dpopJkt === undefined) throw new InvalidDpopProof(`the ${what} is bound to a DPoP key: a DPoP proof of that key is required`);
  if (!same(req.dpopJkt, boundJkt)) throw new InvalidDpopProof(`the DPoP proof key is not the key the ${what} is bound to`);
}

/** RFC 8705 §4: a public client's refresh token is bound to its certificate; a confidential client's to its credentials. */
export function refreshTokenCertificate(client: Pick<Client, 'isPublic'>, req: Pick<InternalRequest, 'certificateThumbprint'>): string | undefined {
  return client.isPublic ? req.certificateThumbprint : undefined;
}

/** Refuses a refresh unless the request's client certificate is the one the refresh token is bound to (RFC 8705 §4: `invalid_grant`). */
export function requireBoundCertificate(bound: string | undefined, req: Pick<InternalRequest, 'certificateThumbprint'>): void {
  if (bound === undefined) return;
  if (req.certificateThumbprint === undefined || !same(req.certificateThumbprint, bound)) {
    throw new InvalidGrant('the refresh token is bound to another client certificate');
  }
}
