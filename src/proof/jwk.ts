/**
 * The public key of a DPoP proof (`jwk` header, RFC 9449 §4.2): an
 * asymmetric public JWK without private members, fitting the proof's `alg`;
 * and its RFC 7638 SHA-256 thumbprint (`jkt`, RFC 9449 §6.1).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

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

/** RFC 7638 §3.2: the required members of each key type, in lexicographic order. */
const REQUIRED: Record<string, readonly string[]> = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] };

/** The required members of an asymmetric public JWK (RFC 7638 §3.2), or undefined for another key type or a missing member. */
function requiredMembers(jwk: JWK): Record<string, string> | undefined {
  const names = REQUIRED[jwk.kty ?? ''];
  if (!names) return undefined;
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = (jwk as Record<string, unknown>)[n];
    if (typeof v !== 'string' || v === '') return undefined;
    out[n] = v;
  }
  return out;
}

/**
 * RFC 7638 JWK thumbprint with SHA-256, base64url: the value of `cnf.jkt`.
 * Synchronous (one hash of a short string); see {@link jwkThumbprint}.
 */
export function jwkThumbprintSync(jwk: JWK): string {
  const members = requiredMembers(jwk);
  if (!members) throw new TypeError('the JWK is not an EC, RSA or OKP public key with its required members');
  // §3.3: no whitespace, members in lexicographic order (the insertion order above), UTF-8.
  return createHash('sha256').update(JSON.stringify(members), 'utf8').digest('base64url');
}

/** RFC 7638 JWK thumbprint with SHA-256, base64url: the value of `cnf.jkt`. */
export function jwkThumbprint(jwk: JWK): Promise<string> {
  try {
    return Promise.resolve(jwkThumbprintSync(jwk));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/** The proof key as a node:crypto KeyObject, from its required members only (undefined when node refuses it). */
export function publicKeyObject(jwk: JWK): KeyObject | undefined {
  const members = requiredMembers(jwk);
  if (!members) return undefined;
  try {
    return createPublicKey({ key: members, format: 'jwk' });
  } catch {
    return undefined;
  }
}
