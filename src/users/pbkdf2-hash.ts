/**
 * PBKDF2 password hashes migrated from another identity provider (Keycloak),
 * kept as they were until the user's next sign-in, which verifies them and
 * replaces them with argon2id (src/users/user-service.ts).
 *
 * Encoded form (PHC-like, one string in the `password_hash` column):
 *
 *   $pbkdf2-<prf>$i=<iterations>$<salt, base64>$<derived key, base64>
 *
 * where <prf> is sha1, sha256 or sha512 (the HMAC of PBKDF2, RFC 8018 §5.2)
 * and the derived key length is the decoded key's length.
 */
import { pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

export type Pbkdf2Digest = 'sha1' | 'sha256' | 'sha512';

const PATTERN = /^\$pbkdf2-(sha1|sha256|sha512)\$i=([1-9][0-9]{0,7})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;
/** Bounds that keep a hostile or broken import from pinning a CPU: iterations and key bytes. */
const MAX_ITERATIONS = 10_000_000;
const MIN_KEY = 16;
const MAX_KEY = 128;

/** True for a string in the encoded PBKDF2 form above. */
export function isPbkdf2Hash(encoded: string): boolean {
  return PATTERN.test(encoded);
}

/**
 * Encodes a PBKDF2 hash (salt and key as raw bytes).
 *
 * @example encodePbkdf2('sha256', 27500, salt, key) // '$pbkdf2-sha256$i=27500$...$...'
 */
export function encodePbkdf2(digest: Pbkdf2Digest, iterations: number, salt: Buffer, key: Buffer): string {
  return `$pbkdf2-${digest}$i=${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * Verifies a password against an encoded PBKDF2 hash, comparing in constant
 * time. Never throws: a malformed hash is a failed verification.
 */
export async function verifyPbkdf2(encoded: string, password: string): Promise<boolean> {
  const m = PATTERN.exec(encoded);
  if (!m) return false;
  const iterations = Number(m[2]);
  const salt = Buffer.from(m[3], 'base64');
  const expected = Buffer.from(m[4], 'base64');
  if (iterations > MAX_ITERATIONS || expected.length < MIN_KEY || expected.length > MAX_KEY) return false;
  try {
    const actual = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, expected.length, m[1]);
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}
