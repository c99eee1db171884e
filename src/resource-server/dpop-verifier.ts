/**
 * `dpopVerifier(options)`: the DPoP proof verifier for the resource server's
 * proof seam (RFC 9449 §7). A token bound with `cnf.jkt` must come with the
 * `DPoP` scheme and a proof for this request, signed with the bound key,
 * carrying the token's hash (`ath`), not used before (`jti`), and, when
 * nonces are on, the server's current nonce (§9). Refusals are 401 with
 * `WWW-Authenticate: DPoP error="...", algs="..."` and `DPoP-Nonce` when
 * nonces are on.
 */
import { checkDpopAlgorithms, DEFAULT_DPOP_ALGORITHMS, DpopError, verifyDpopProof, type DpopAlgorithm } from '../proof/dpop.js';
import { createDpopNonces, type DpopNonces } from '../proof/nonce.js';
import { MemoryReplayStore, type ReplayStore } from '../proof/replay.js';
import { headerValue } from './authorization-header.js';
import { UpstreamError } from './outbound-fetch.js';
import type { ProofVerifier } from './types.js';

export interface DpopVerifierOptions {
  /** Accepted proof algorithms (asymmetric only). Default ES256, PS256, EdDSA, RS256. */
  algorithms?: readonly DpopAlgorithm[];
  /** Seconds a proof is accepted after its `iat`. Default 60. */
  proofMaxAge?: number;
  /** Seconds of clock difference allowed for `iat`, either way. Default 10. */
  clockTolerance?: number;
  /**
   * Where proof `jti`s are recorded. Default: an in-process store (one per
   * verifier) bounded to `replayCacheSize` entries. Several API instances
   * behind one load balancer need a shared store (see docs/proof-of-possession.md).
   */
  replayStore?: ReplayStore;
  /** Size bound of the default replay store. Default 100000. */
  replayCacheSize?: number;
  /**
   * Require server nonces (RFC 9449 §9): stateless, rotating every `period`
   * seconds (default 300), valid on every instance sharing `secret` (32+ bytes).
   */
  nonce?: { secret: string | Uint8Array; period?: number };
  /** Time source, epoch seconds. Default system time. */
  clock?: () => number;
}

/**
 * A proof verifier for DPoP-bound tokens.
 *
 * @example
 * const rs = createResourceServer({ issuer, audience: 'api', proof: [dpopVerifier({ algorithms: ['ES256'] })] });
 */
export function dpopVerifier(options: DpopVerifierOptions = {}): ProofVerifier {
  const algorithms = checkDpopAlgorithms(options.algorithms ?? DEFAULT_DPOP_ALGORITHMS);
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const maxAge = options.proofMaxAge ?? 60;
  const leeway = options.clockTolerance ?? 10;
  if (!(maxAge > 0) || !(leeway >= 0)) throw new Error('dpopVerifier: proofMaxAge must be positive and clockTolerance not negative');
  const store = options.replayStore ?? new MemoryReplayStore(options.replayCacheSize ?? 100_000, clock);
  // A shared store that cannot be reached is an outage (503, like an unreachable issuer), not a bad proof.
  const replay: ReplayStore = {
    markOnce: (key, expiresAt) =>
      store.markOnce(key, expiresAt).catch((err: unknown) => {
        throw new UpstreamError(`the DPoP replay store failed: ${err instanceof Error ? err.message : String(err)}`);
      }),
  };
  const nonces: DpopNonces | undefined =
    options.nonce && createDpopNonces({ secret: options.nonce.secret, period: options.nonce.period, label: 'dpop-resource' });
  return {
    confirmationMethod: 'jkt',
    scheme: 'DPoP',
    challenge: `algs="${[...algorithms].join(' ')}"`,
    async verify({ cnf, token, request }) {
      const now = clock();
      const nonceHeader = nonces ? { 'dpop-nonce': nonces.createNonce(now) } : undefined;
      if (typeof cnf.jkt !== 'string') return { error: 'invalid_token', description: 'the token has an invalid cnf.jkt' };
      try {
        // Several DPoP fields reach here joined by commas (node, fetch Headers), which the check refuses (§4.3 item 1).
        await verifyDpopProof(
          { proof: headerValue(request.headers, 'dpop'), method: request.method, url: request.url, accessToken: token, boundJkt: cnf.jkt },
          { algorithms, maxAge, leeway, replay, nonces, now },
        );
        return undefined;
      } catch (err) {
        if (!(err instanceof DpopError)) throw err;
        return { error: err.code, description: err.description, status: 401, headers: nonceHeader };
      }
    },
  };
}
