/**
 * Sender-constrained tokens (RFC 7800 `cnf`). A bound token is accepted only
 * when a configured verifier checks its binding:
 * - RFC 9449 §7.2: a DPoP-bound token presented as a Bearer token MUST be
 *   refused (downgrade); a token sent with the DPoP scheme must be bound.
 * - RFC 8705 §3: the protected resource MUST check that the TLS client
 *   certificate matches the token's binding and refuse it (401
 *   invalid_token) otherwise.
 * A resource server without a verifier for the token's `cnf` method cannot
 * do either check, so it refuses the token instead of treating it as a bearer
 * token (which would strip the protection the binding exists for).
 */
import { invalidToken, Refusal } from './refusal.js';
import type { ProofVerifier, ResourceRequest } from './types.js';

export async function checkProofOfPossession(
  verifiers: readonly ProofVerifier[],
  scheme: string,
  token: string,
  claims: Record<string, unknown>,
  cnf: Record<string, unknown> | undefined,
  request: ResourceRequest,
): Promise<void> {
  if (cnf === undefined) {
    if (scheme.toLowerCase() !== 'bearer') throw invalidToken(`a token sent with the ${scheme} scheme must be bound to a key (cnf)`);
    return;
  }
  const verifier = verifiers.find((v) => Object.hasOwn(cnf, v.confirmationMethod));
  if (!verifier) throw invalidToken('the token is bound to a key (cnf) this API cannot verify');
  if (verifier.scheme.toLowerCase() !== scheme.toLowerCase()) {
    throw new Refusal('invalid_token', `the token is bound to a key and must be sent with the ${verifier.scheme} scheme`, 401, {
      scheme: verifier.scheme,
      challenge: verifier.challenge,
    });
  }
  const failure = await verifier.verify({ cnf, token, scheme, claims, request });
  if (failure) {
    throw new Refusal(failure.error, failure.description, failure.status ?? 401, {
      scheme: verifier.scheme,
      headers: failure.headers,
      challenge: verifier.challenge,
    });
  }
}
