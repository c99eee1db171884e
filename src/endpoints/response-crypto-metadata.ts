/**
 * Discovery metadata of signed and encrypted responses: OpenID Connect
 * Discovery 1.0 §3 (id_token_*, userinfo_*) and RFC 9701 §8
 * (introspection_*). Signing algs are the server's configured key algs;
 * encryption algs are what tokens/encrypt-jwt.ts can produce.
 */
import { JWE_ALGORITHMS, JWE_ENCRYPTIONS } from '../config/response-crypto-schema.js';
import type { ProviderContext } from '../context.js';

/**
 * The metadata members; userinfo's only where the userinfo endpoint is served.
 *
 * @example Object.assign(doc, responseCryptoMetadata(ctx, true));
 */
export function responseCryptoMetadata(ctx: ProviderContext, withUserinfo: boolean): Record<string, string[]> {
  const signing = [...ctx.config.keys.algorithms];
  const meta: Record<string, string[]> = {
    id_token_signing_alg_values_supported: signing,
    id_token_encryption_alg_values_supported: [...JWE_ALGORITHMS],
    id_token_encryption_enc_values_supported: [...JWE_ENCRYPTIONS],
    introspection_signing_alg_values_supported: signing,
    introspection_encryption_alg_values_supported: [...JWE_ALGORITHMS],
    introspection_encryption_enc_values_supported: [...JWE_ENCRYPTIONS],
  };
  if (withUserinfo) {
    Object.assign(meta, {
      userinfo_signing_alg_values_supported: signing,
      userinfo_encryption_alg_values_supported: [...JWE_ALGORITHMS],
      userinfo_encryption_enc_values_supported: [...JWE_ENCRYPTIONS],
    });
  }
  return meta;
}
