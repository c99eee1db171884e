/**
 * Proof of possession (RFC 9449 DPoP, RFC 8705 mutual TLS): pure checks with
 * no provider state, used by the token endpoint and the resource server.
 * See docs/proof-of-possession.md.
 */
export {
  accessTokenHash,
  checkDpopAlgorithms,
  DEFAULT_DPOP_ALGORITHMS,
  DPOP_ALGORITHMS,
  verifyDpopProof,
  type DpopAlgorithm,
  type DpopPolicy,
  type DpopRequest,
  type VerifiedDpopProof,
} from './dpop.js';
export { DpopError, tokenEndpointAnswer, type DpopErrorCode } from './errors.js';
export { htuMatches, normalizeHtu } from './htu.js';
export { jwkThumbprint } from './jwk.js';
export { createDpopNonces, deriveNonceSecret, type DpopNonceOptions, type DpopNonces } from './nonce.js';
export { MemoryReplayStore, type ReplayStore } from './replay.js';
export { certificateFromHeader, certificateMatchesCnf, certificateThumbprint, type CertificateInput } from './mtls.js';
export { parseCompactJws, MalformedJwt } from '../tokens/compact-jws.js';
