/**
 * Typed DPoP failures (RFC 9449 §5, §7.1, §8, §9). The proof layer only says
 * what is wrong; callers map it to their answer:
 * - the token endpoint: 400 `{"error": code}` (§5), with `DPoP-Nonce` for
 *   `use_dpop_nonce` (§8);
 * - a protected resource: 401 with `WWW-Authenticate: DPoP error=code,
 *   algs="..."` (§7.1), with `DPoP-Nonce` for `use_dpop_nonce` (§9).
 */

/** `invalid_dpop_proof`: the proof is missing or does not hold. `use_dpop_nonce`: a (fresh) server nonce is required. */
export type DpopErrorCode = 'invalid_dpop_proof' | 'use_dpop_nonce';

export class DpopError extends Error {
  override readonly name = 'DpopError';
  constructor(
    readonly code: DpopErrorCode,
    /** A short description safe to send to the client (no secrets, no proof contents). */
    readonly description: string,
  ) {
    super(`${code}: ${description}`);
  }
}

export const invalidProof = (description: string) => new DpopError('invalid_dpop_proof', description);
export const useNonce = (description: string) => new DpopError('use_dpop_nonce', description);

/** HTTP semantics of a failure at the token endpoint (RFC 9449 §5 and §8): status 400, JSON body, `DPoP-Nonce` when given. */
export function tokenEndpointAnswer(
  err: DpopError,
  nonce?: string,
): { status: 400; headers: Record<string, string>; body: { error: DpopErrorCode; error_description: string } } {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (nonce !== undefined) headers['dpop-nonce'] = nonce;
  return { status: 400, headers, body: { error: err.code, error_description: err.description } };
}
