/**
 * Discovery metadata of JARM (JWT Secured Authorization Response Mode for
 * OAuth 2.0, §4): the `jwt` response modes, and the algorithms a JARM response
 * is signed and encrypted with (the server's key algs; what tokens/encrypt-jwt.ts produces).
 */
import { JWE_ALGORITHMS, JWE_ENCRYPTIONS } from '../config/response-crypto-schema.js';
import type { ProviderContext } from '../context.js';
import { JWT_RESPONSE_MODES } from './authorize/jarm.js';

/** @example Object.assign(doc, jarmMetadata(ctx)); */
export function jarmMetadata(ctx: ProviderContext): Record<string, string[]> {
  return {
    response_modes_supported: ['query', 'fragment', 'form_post', ...JWT_RESPONSE_MODES],
    authorization_signing_alg_values_supported: [...ctx.config.keys.algorithms],
    authorization_encryption_alg_values_supported: [...JWE_ALGORITHMS],
    authorization_encryption_enc_values_supported: [...JWE_ENCRYPTIONS],
  };
}
