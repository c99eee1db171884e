/**
 * The token endpoint's DPoP step (RFC 9449 §5), run after client
 * authentication and before the grant, for every grant type:
 * - no `DPoP` header: nothing to bind, unless the client requires DPoP
 *   (`requireDpop`, §5.2 `dpop_bound_access_tokens`): `invalid_dpop_proof`;
 * - a proof: checked (§4.3) for `POST` and the token endpoint URL, with a
 *   server nonce when the client or the server requires one (§8), its `jti`
 *   recorded in the store every node shares (§11.1). Its key's thumbprint
 *   becomes `req.dpopJkt`, which the grants bind tokens to
 *   (proof/token-binding.ts).
 * Failures answer 400 `invalid_dpop_proof`, or `use_dpop_nonce` with a fresh
 * `DPoP-Nonce` header (§8); a successful answer carries the current nonce
 * too when nonces are required, so the client need not fail once per window.
 */
import type { ProviderContext } from '../context.js';
import { InvalidDpopProof, UseDpopNonce, type OAuthError } from '../errors.js';
import type { InternalRequest } from '../core/types.js';
import type { Client } from '../model/types.js';
import { DpopError, verifyDpopProof } from '../proof/dpop.js';

export interface TokenDpopResult {
  /** Headers for the token response (`DPoP-Nonce` when nonces are required). */
  headers?: Record<string, string>;
}

/** Does this client's token request need a server nonce in its proof? */
export function nonceRequired(ctx: ProviderContext, client: Client): boolean {
  return ctx.dpop !== undefined && (ctx.dpop.settings.requireNonce || client.requireDpopNonce);
}

/** The OAuth error for a failed proof, with `DPoP-Nonce` when nonces apply. */
function refusal(err: DpopError, nonce: string | undefined): OAuthError {
  const e = err.code === 'use_dpop_nonce' ? new UseDpopNonce(err.description) : new InvalidDpopProof(err.description);
  if (nonce !== undefined) e.headers = { 'dpop-nonce': nonce };
  return e;
}

/**
 * Verifies the request's DPoP proof, if any, and sets `req.dpopJkt`. Throws
 * `invalid_dpop_proof` or `use_dpop_nonce`.
 *
 * @example
 * const dpop = await tokenRequestDpop(req, client, ctx); // then grant.handle(req, ...), adding dpop.headers
 */
export async function tokenRequestDpop(req: InternalRequest, client: Client, ctx: ProviderContext): Promise<TokenDpopResult> {
  const dpop = ctx.config.dpop.enabled ? ctx.dpop : undefined;
  const proof = req.headers.dpop;
  if (proof === undefined || dpop === undefined) {
    if (client.requireDpop) throw new InvalidDpopProof('this client must send a DPoP proof (RFC 9449) with its token requests');
    return {};
  }
  const withNonce = nonceRequired(ctx, client);
  const now = ctx.clock.now();
  const nonce = withNonce ? dpop.nonces.createNonce(now) : undefined;
  try {
    const verified = await verifyDpopProof({ proof, method: req.method, url: ctx.endpoints.token }, dpop.policy(now, withNonce));
    req.dpopJkt = verified.jkt;
  } catch (err) {
    if (err instanceof DpopError) throw refusal(err, nonce);
    throw err;
  }
  return nonce === undefined ? {} : { headers: { 'dpop-nonce': nonce } };
}
