/**
 * Which key of a client's JWK Set can receive a JWE for an algorithm. Shared
 * by the configuration check (an inline `jwks` without such a key is refused
 * at startup) and by the encryption step (tokens/encryption-key.ts).
 */
import type { JweAlgorithm } from './response-crypto-schema.js';

/** RFC 7518 §4.3 (RSA-OAEP: kty RSA), §4.6 (ECDH-ES: kty EC, or OKP with X25519/X448 per RFC 8037 §3.2). */
function ktyFits(jwk: Record<string, unknown>, alg: JweAlgorithm): boolean {
  if (alg.startsWith('RSA-OAEP')) return jwk.kty === 'RSA';
  if (jwk.kty === 'EC') return jwk.crv === 'P-256' || jwk.crv === 'P-384' || jwk.crv === 'P-521';
  return jwk.kty === 'OKP' && (jwk.crv === 'X25519' || jwk.crv === 'X448');
}

/** RFC 7517 §4.3: operations that encrypt to a public key (direct key agreement derives a key). */
const ENCRYPT_OPS = ['encrypt', 'wrapKey', 'deriveKey', 'deriveBits'];

/**
 * A public key usable for `alg`: the right key type, `use` absent or `enc`
 * (RFC 7517 §4.2), `key_ops` (if any) allowing encryption, `alg` absent or
 * equal, and no private part.
 *
 * @example usableEncryptionJwk({ kty: 'RSA', use: 'enc', n, e }, 'RSA-OAEP-256') // true
 */
export function usableEncryptionJwk(jwk: Record<string, unknown>, alg: JweAlgorithm): boolean {
  if (!ktyFits(jwk, alg) || 'd' in jwk) return false;
  if (jwk.use !== undefined && jwk.use !== 'enc') return false;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.some((op) => ENCRYPT_OPS.includes(op as string))) return false;
  return jwk.alg === undefined || jwk.alg === alg;
}

/**
 * The key to encrypt to: among the usable ones, those that say `use: enc` or
 * name the alg first (an explicit registration wins over a general key).
 */
export function selectEncryptionJwk<T extends Record<string, unknown>>(keys: readonly T[], alg: JweAlgorithm): T | undefined {
  const usable = keys.filter((k) => usableEncryptionJwk(k, alg));
  return usable.find((k) => k.use === 'enc' || k.alg === alg) ?? usable[0];
}
