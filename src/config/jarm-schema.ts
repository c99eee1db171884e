/**
 * JARM (JWT Secured Authorization Response Mode for OAuth 2.0) client
 * metadata, §3 (`authorization_signed_response_alg`,
 * `authorization_encrypted_response_alg/enc`), in the configuration's
 * camelCase. Checked at startup with the other response algorithms
 * (config/response-crypto-checks.ts). See docs/jarm.md.
 */
import { z } from './zod-runtime.js';
import { jweAlgorithm, jweEncryption } from './response-crypto-schema.js';

export const jarmClientFields = {
  /** JWS alg of this client's JARM responses; one of `keys.algorithms`. Default RS256 when configured (JARM §3), else the first of `keys.algorithms`. */
  authorizationSignedResponseAlg: z.enum(['RS256', 'PS256', 'ES256', 'EdDSA']).optional(),
  /** Encrypt JARM responses to the client's key (jwks / jwksUri) with this JWE alg: a nested JWT (JARM §2.3). */
  authorizationEncryptedResponseAlg: jweAlgorithm.optional(),
  /** JWE enc of encrypted JARM responses; needs authorizationEncryptedResponseAlg. Default A128CBC-HS256. */
  authorizationEncryptedResponseEnc: jweEncryption.optional(),
};
