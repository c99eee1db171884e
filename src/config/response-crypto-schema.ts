/**
 * Client (and API resource) settings for signed and encrypted responses:
 * OpenID Connect Dynamic Client Registration 1.0 §2 (`id_token_signed_response_alg`,
 * `id_token_encrypted_response_alg/enc`, `userinfo_*`) and RFC 9701 §6
 * (`introspection_signed_response_alg`, `introspection_encrypted_response_alg/enc`),
 * in the configuration's camelCase. See docs/signed-encrypted-responses.md.
 */
import type { output as ZodOutput } from 'zod';
import { z } from './zod-runtime.js';

/** JWE key management algorithms (RFC 7518 §4.3, §4.6) a client key can receive. */
export const JWE_ALGORITHMS = ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW'] as const;
/** JWE content encryption algorithms (RFC 7518 §5.1). */
export const JWE_ENCRYPTIONS = ['A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512', 'A128GCM', 'A192GCM', 'A256GCM'] as const;
/** Registration §2: the enc used when only the alg is given. */
export const DEFAULT_JWE_ENCRYPTION = 'A128CBC-HS256';

export const jweAlgorithm = z.enum(JWE_ALGORITHMS);
export const jweEncryption = z.enum(JWE_ENCRYPTIONS);
// Kept local (same values as schema.ts `signingAlgorithm`) so this module does not import schema.ts, which imports it.
const responseSigningAlgorithm = z.enum(['RS256', 'PS256', 'ES256', 'EdDSA']);

export type JweAlgorithm = ZodOutput<typeof jweAlgorithm>;
export type JweEncryption = ZodOutput<typeof jweEncryption>;

/** Spread into the client schema. Every value must name a configured key algorithm (config/response-crypto-checks.ts). */
export const responseCryptoClientFields = {
  /** JWS alg of this client's ID tokens; one of `keys.algorithms`. Default: the first of `keys.algorithms`. */
  idTokenSignedResponseAlg: responseSigningAlgorithm.optional(),
  /** Encrypt ID tokens to the client's key (jwks / jwksUri) with this JWE alg: a nested JWT (OIDC Core §10.2). */
  idTokenEncryptedResponseAlg: jweAlgorithm.optional(),
  /** JWE enc of encrypted ID tokens; needs idTokenEncryptedResponseAlg. Default A128CBC-HS256. */
  idTokenEncryptedResponseEnc: jweEncryption.optional(),
  /** Answer userinfo as a JWT signed with this alg (OIDC Core §5.3.2); one of `keys.algorithms`. */
  userinfoSignedResponseAlg: responseSigningAlgorithm.optional(),
  /** Encrypt userinfo responses to the client's key with this JWE alg. */
  userinfoEncryptedResponseAlg: jweAlgorithm.optional(),
  /** JWE enc of encrypted userinfo responses; needs userinfoEncryptedResponseAlg. Default A128CBC-HS256. */
  userinfoEncryptedResponseEnc: jweEncryption.optional(),
  ...introspectionFields(),
};

/** RFC 9701 §6, for whoever calls the introspection endpoint (clients and API resources). */
function introspectionFields() {
  return {
    /** JWS alg of RFC 9701 JWT introspection responses to this caller. Default RS256 (§6) when configured, else the first of `keys.algorithms`. */
    introspectionSignedResponseAlg: responseSigningAlgorithm.optional(),
    /** Encrypt JWT introspection responses to this caller's key (jwks / jwksUri) with this JWE alg. */
    introspectionEncryptedResponseAlg: jweAlgorithm.optional(),
    /** JWE enc of encrypted introspection responses; needs introspectionEncryptedResponseAlg. Default A128CBC-HS256. */
    introspectionEncryptedResponseEnc: jweEncryption.optional(),
  };
}

const jwkSet = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

/** Spread into the API resource schema: RFC 9701 settings, and the keys encrypted introspection responses go to. */
export const responseCryptoResourceFields = {
  ...introspectionFields(),
  /** The API's public encryption keys, inline (for encrypted introspection responses). */
  jwks: jwkSet.optional(),
  /** The API's public encryption keys, by URI (cached). */
  jwksUri: z.url().optional(),
};
