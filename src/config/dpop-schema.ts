/**
 * DPoP (RFC 9449) settings of the provider: the proof algorithms it accepts,
 * how long a proof lives, and whether server nonces (§8) are required of
 * every client. Per client: `requireDpop` (§5.2 `dpop_bound_access_tokens`)
 * and `requireDpopNonce`. See docs/proof-of-possession.md.
 */
import type { output as ZodOutput } from 'zod';
import { z } from './zod-runtime.js';

/** Asymmetric JWS algorithms a proof may use (RFC 7518 §3, RFC 8037); never `none` or HMAC (RFC 9449 §4.2). */
export const dpopAlgorithm = z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);

export const dpopSchema = z.object({
  /** Accept DPoP proofs at the token endpoint, userinfo and the demo API. Off: a `DPoP` header is ignored and tokens are Bearer. */
  enabled: z.boolean().default(true),
  /** Proof algorithms accepted, published as `dpop_signing_alg_values_supported`. */
  algorithms: z.array(dpopAlgorithm).min(1).default(['ES256', 'PS256', 'EdDSA', 'RS256']),
  /** Seconds a proof is accepted after its `iat` (RFC 9449 §4.3 item 11, §11.1). */
  proofMaxAge: z.number().int().positive().max(600).default(60),
  /** Seconds of clock difference allowed for `iat`, either way. */
  clockTolerance: z.number().int().nonnegative().max(300).default(10),
  /** Require a server nonce (RFC 9449 §8) in every token request's proof, for every client. */
  requireNonce: z.boolean().default(false),
  /** Seconds per nonce window; a nonce is valid for one to two windows on every node (the secret derives from the key-encryption key). */
  noncePeriod: z.number().int().min(10).max(3600).default(300),
});

export type DpopConfig = ZodOutput<typeof dpopSchema>;
