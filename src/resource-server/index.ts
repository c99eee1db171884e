/**
 * `gatehouse/resource-server`: protect an API with access tokens from a
 * Gatehouse (or any OAuth 2.0) authorization server. Needs only the issuer
 * URL and the API's audience; see docs/resource-server.md.
 *
 * @example
 * import { createResourceServer } from 'gatehouse/resource-server';
 * const rs = createResourceServer({ issuer: 'https://id.example.com', audience: 'api' });
 * app.get('/api/me', rs.node({ scopes: ['api'] }), (req, res) => res.json({ sub: req.auth.subject }));
 */
export { createResourceServer, type ResourceServer, type FetchContext } from './resource-server.js';
export {
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
  type ProtectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
} from './protected-resource-metadata.js';
export { dpopVerifier, type DpopVerifierOptions } from './dpop-verifier.js';
export { mtlsVerifier, type MtlsVerifierOptions } from './mtls-verifier.js';
export { MemoryReplayStore, type ReplayStore } from '../proof/replay.js';
export { createDpopNonces, deriveNonceSecret, type DpopNonces } from '../proof/nonce.js';
export { certificateThumbprint } from '../proof/mtls.js';
export { accessTokenHash, type DpopAlgorithm } from '../proof/dpop.js';
export type {
  AccessTokenInfo,
  AuthenticatedRequest,
  FetchLike,
  IntrospectionOptions,
  JwsAlgorithm,
  ProofFailure,
  ProofInput,
  ProofVerifier,
  Requirement,
  ResourceFailure,
  ResourceRequest,
  ResourceServerOptions,
  VerifyResult,
} from './types.js';
