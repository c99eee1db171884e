/**
 * The public key of a DPoP proof (`jwk` header, RFC 9449 §4.2): an
 * asymmetric public JWK without private members, fitting the proof's `alg`;
 * and its RFC 7638 SHA-256 thumbprint (`jkt`, RFC 9449 §6.1).
 */
import { calculateJwkThumbprint, type JWK } from 'jose';

/** Members that only a private (or symmetric) key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Why `jwk` cannot be a proof key for `alg`, or undefined when it can. */
export function publicJwkProblem(jwk: unknown, alg: string): string | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'the jwk header is missing or not a JSON object';
  const key = jwk as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((m) => Object.hasOwn(key, m))) return 'the jwk header contains a private or symmetric key';
  if (key.alg !== undefined && key.alg !== alg) return 'the jwk alg differs from the proof alg';
  if (key.use !== undefined && key.use !== 'sig') return 'the jwk is not a signing key';
  const fits =
    alg.startsWith('RS') || alg.startsWith('PS')
      ? key.kty === 'RSA' && typeof key.n === 'string' && typeof key.e === 'string'
      : alg === 'ES256' || alg === 'ES384' || alg === 'ES512'
        ? key.kty === 'EC' && key.crv === { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg] && typeof key.x === 'string' && typeof key.y === 'string'
        : alg === 'EdDSA'
          ? key.kty === 'OKP' && key.crv === 'Ed25519' && typeof key.x === 'string'
          : false;
  return fits ? undefined : `the jwk does not fit the proof alg ${alg}`;
}

/** RFC 7638 JWK thumbprint with SHA-256, base64url: the value of `cnf.jkt`. */
export function jwkThumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256');
}
