/**
 * Private signing keys at rest: AES-256-GCM under a key-encryption key (KEK),
 * with the kid as additional authenticated data so a ciphertext cannot be
 * moved to another key row. Format: `v1.<base64url iv>.<base64url ciphertext+tag>`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';

const VERSION = 'v1';
const IV_BYTES = 12; // NIST SP 800-38D §8.2: 96-bit IVs
const TAG_BYTES = 16;
const KEK_BYTES = 32;

/**
 * A key could not be encrypted or decrypted. Its message is meant for the
 * operator as-is (no stack trace needed).
 */
export class KeyEncryptionError extends Error {
  override readonly name = 'KeyEncryptionError';
}

function checkKek(kek: Uint8Array): void {
  if (kek.byteLength !== KEK_BYTES) {
    throw new KeyEncryptionError(`the key-encryption key must be ${KEK_BYTES} bytes, got ${kek.byteLength}`);
  }
}

/**
 * Encrypts a private JWK for storage.
 *
 * @example
 * const sealed = encryptPrivateKey(privateJwk, kid, kek); // 'v1.….…'
 */
export function encryptPrivateKey(jwk: JWK, kid: string, kek: Uint8Array): string {
  checkKek(kek);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

/**
 * Decrypts a private JWK sealed by {@link encryptPrivateKey}. Throws
 * {@link KeyEncryptionError} ("cannot decrypt signing key <kid>: wrong
 * key-encryption key?") when the KEK or the kid does not match.
 *
 * @example
 * const jwk = decryptPrivateKey(stored.encryptedPrivateKey, stored.kid, kek);
 */
export function decryptPrivateKey(sealed: string, kid: string, kek: Uint8Array): JWK {
  checkKek(kek);
  const parts = sealed.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) {
    throw new KeyEncryptionError(`cannot decrypt signing key ${kid}: unknown format`);
  }
  const iv = Buffer.from(parts[1], 'base64url');
  const body = Buffer.from(parts[2], 'base64url');
  if (iv.length !== IV_BYTES || body.length <= TAG_BYTES) {
    throw new KeyEncryptionError(`cannot decrypt signing key ${kid}: truncated ciphertext`);
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(kid, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    plain = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new KeyEncryptionError(`cannot decrypt signing key ${kid}: wrong key-encryption key?`);
  }
  return JSON.parse(plain.toString('utf8')) as JWK;
}

/** Parses a base64 (or base64url) KEK and checks its length; `source` names it in errors. */
export function parseKeyEncryptionKey(text: string, source: string): Uint8Array {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new KeyEncryptionError(`${source}: the key-encryption key must be base64 of ${KEK_BYTES} bytes`);
  }
  const bytes = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  if (bytes.length !== KEK_BYTES) {
    throw new KeyEncryptionError(`${source}: the key-encryption key must be base64 of ${KEK_BYTES} bytes, got ${bytes.length} bytes`);
  }
  return new Uint8Array(bytes);
}

/** A new random KEK, base64-encoded as written to the KEK file. */
export function newKeyEncryptionKey(): string {
  return randomBytes(KEK_BYTES).toString('base64');
}
