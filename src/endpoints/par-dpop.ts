/**
 * The hook for pushed authorization requests (RFC 9126) with DPoP, RFC 9449
 * §10.1: a PAR request may carry `dpop_jkt`, or a `DPoP` header whose proof
 * (htm POST, htu the PAR endpoint) gives the key; with both, they must agree.
 * The PAR endpoint calls this and stores the result as the request's
 * `dpopJkt` (model/authorization-request.ts), which the authorization flow
 * copies into the code as it does for a plain `dpop_jkt`.
 */
import type { ProviderContext } from '../context.js';
import { InvalidDpopProof, UseDpopNonce } from '../errors.js';
import type { InternalRequest } from '../core/types.js';
import type { Client } from '../model/types.js';
import { DpopError, verifyDpopProof } from '../proof/dpop.js';
import { nonceRequired } from './token-dpop.js';

/**
 * The key the pushed request binds its code to: the proof's thumbprint, else
 * `dpopJkt` (the parameter), else undefined. Throws `invalid_dpop_proof`
 * (or `use_dpop_nonce` with `DPoP-Nonce`, RFC 9449 §8).
 *
 * @example
 * request.dpopJkt = await pushedRequestDpopJkt(req, ctx, client, parEndpointUrl, request.dpopJkt);
 */
export async function pushedRequestDpopJkt(
  req: InternalRequest,
  ctx: ProviderContext,
  client: Client,
  parEndpointUrl: string,
  dpopJkt: string | undefined,
): Promise<string | undefined> {
  const dpop = ctx.config.dpop.enabled ? ctx.dpop : undefined;
  if (req.headers.dpop === undefined || dpop === undefined) return dpopJkt;
  const withNonce = nonceRequired(ctx, client);
  const now = ctx.clock.now();
  try {
    const { jkt } = await verifyDpopProof({ proof: req.headers.dpop, method: req.method, url: parEndpointUrl }, dpop.policy(now, withNonce));
    if (dpopJkt !== undefined && dpopJkt !== jkt) throw new InvalidDpopProof('dpop_jkt does not match the key of the DPoP proof');
    return jkt;
  } catch (err) {
    if (!(err instanceof DpopError)) throw err;
    const e = err.code === 'use_dpop_nonce' ? new UseDpopNonce(err.description) : new InvalidDpopProof(err.description);
    if (withNonce) e.headers = { 'dpop-nonce': dpop.nonces.createNonce(now) };
    throw e;
  }
}
