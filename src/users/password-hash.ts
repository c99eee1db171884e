/**
 * Password hashing with argon2id at the OWASP Password Storage Cheat Sheet
 * parameters (m=19456 KiB, t=2, p=1). Hashes are PHC strings
 * (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) that carry their own
 * parameters, so raising them later still verifies old hashes.
 */
import { Algorithm, hash, verify, type Options } from '@node-rs/argon2';
import { verifyPbkdf2, isPbkdf2Hash } from './pbkdf2-hash.js';

/** OWASP minimum for argon2id: 19 MiB memory, 2 iterations, 1 lane. */
export const ARGON2_OPTIONS: Readonly<Options> = Object.freeze({
  algorithm: Algorithm.Argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

/**
 * Hashes a password (random 16-byte salt, runs off the event loop).
 *
 * @example
 * const encoded = await hashPassword('correct horse'); // '$argon2id$v=19$m=19456,t=2,p=1$...'
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/**
 * Verifies a password against an encoded argon2 hash. Never throws: a
 * malformed or unsupported hash is a failed verification.
 *
 * @example
 * if (await verifyPassword(user.passwordHash, password)) { ... }
 */
export async function verifyPassword(encodedHash: string, password: string): Promise<boolean> {
  if (typeof encodedHash === 'string' && isPbkdf2Hash(encodedHash)) return verifyPbkdf2(encodedHash, password);
  if (typeof encodedHash !== 'string' || !encodedHash.startsWith('$argon2')) return false;
  try {
    return await verify(encodedHash, password);
  } catch {
    return false;
  }
}

/**
 * True when a hash that just verified should be replaced by a fresh argon2id
 * hash of the same password: migrated PBKDF2 hashes (Keycloak import).
 *
 * @example
 * if (ok && needsRehash(user.passwordHash)) await users.update(sub, { passwordHash: await hashPassword(password) });
 */
export function needsRehash(encodedHash: string): boolean {
  return isPbkdf2Hash(encodedHash);
}
