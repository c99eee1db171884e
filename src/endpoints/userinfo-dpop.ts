/**
 * DPoP at the UserInfo endpoint, a protected resource (RFC 9449 §7):
 * - a token bound to a DPoP key (`cnf.jkt`) must come as
 *   `Authorization: DPoP <token>` with a proof for this request (htm, htu of
 *   the userinfo endpoint), signed by the bound key, carrying the token's hash
 *   (`ath`), not used before; sent as `Bearer` it is refused (§7.2);
 * - a token sent with the `DPoP` scheme must be bound;
 * - refusals of a DPoP request carry `WWW-Authenticate: DPoP error=...,
 *   algs="..."` (§7.1): 401 `invalid_token` or `invalid_dpop_proof`.
 */
import type { ProviderContext } from '../context.js';
import { InvalidDpopProof, InvalidRequest, InvalidToken, OAuthError } from '../errors.js';
import type { InternalRequest } from '../core/types.js';
import { DpopError, verifyDpopProof } from '../proof/dpop.js';

/** RFC 9449 §7.1: credentials = "DPoP" 1*SP token68 (the scheme is case-insensitive, RFC 9110 §11.1). */
const DPOP_SCHEME = /^dpop(?: +|$)/i;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const TOKEN_LIMIT = 8192;

/** The access token of an `Authorization: DPoP` header, or undefined when the header uses another scheme. */
export function dpopSchemeToken(req: InternalRequest): string | undefined {
  const header = req.headers.authorization?.trim();
  if (!header || !DPOP_SCHEME.test(header)) return undefined;
  const token = header.replace(DPOP_SCHEME, '');
  if (token.length > TOKEN_LIMIT || !TOKEN68.test(token)) throw new InvalidRequest('malformed DPoP credentials');
  // RFC 6750 §2 applies alike: one method per request.
  if (req.body.has('access_token') || req.query.has('access_token')) throw new InvalidRequest('the access token must be sent by one method only');
  return token;
}

const quote = (s: string) => s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, '');

/** The error with a `DPoP` challenge (RFC 9449 §7.1), offering the accepted algorithms. */
export function withDpopChallenge(err: unknown, ctx: ProviderContext): unknown {
  if (!(err instanceof OAuthError)) return err;
  const algs = ctx.dpop?.challengeAlgs ?? 'algs=""';
  err.headers = { ...err.headers, 'www-authenticate': `DPoP error="${err.error}", error_description="${quote(err.description)}", ${algs}` };
  return err;
}

function boundJkt(claims: Record<string, unknown>): string | undefined {
  const cnf = claims.cnf;
  if (typeof cnf !== 'object' || cnf === null) return undefined;
  const jkt = (cnf as Record<string, unknown>).jkt;
  return typeof jkt === 'string' ? jkt : undefined;
}

/**
 * Checks the proof of possession for an active access token at userinfo.
 * `scheme` is how the token came (`DPoP` header, or Bearer/form).
 */
export async function checkUserinfoProof(
  ctx: ProviderContext,
  req: InternalRequest,
  scheme: 'DPoP' | 'Bearer',
  token: string,
  claims: Record<string, unknown>,
): Promise<void> {
  const jkt = boundJkt(claims);
  if (jkt === undefined) {
    if (scheme === 'DPoP') throw new InvalidToken('a token sent with the DPoP scheme must be bound to a DPoP key');
    return;
  }
  // §7.2: a bound token used as a bearer token is refused (a downgrade).
  if (scheme !== 'DPoP') throw withDpopChallenge(new InvalidToken('the access token is bound to a DPoP key: send it with the DPoP scheme and a proof'), ctx);
  const dpop = ctx.config.dpop.enabled ? ctx.dpop : undefined;
  if (!dpop) throw new InvalidToken('DPoP-bound tokens are not accepted here');
  try {
    await verifyDpopProof(
      { proof: req.headers.dpop, method: req.method, url: ctx.endpoints.userinfo, accessToken: token, boundJkt: jkt },
      dpop.policy(ctx.clock.now(), false),
    );
  } catch (err) {
    // §7.1: refusals of the proof are 401 invalid_dpop_proof (no nonce is required here, so never use_dpop_nonce).
    if (err instanceof DpopError) throw new InvalidDpopProof(err.description, 401);
    throw err;
  }
}
