/**
 * TOTP secrets at rest: AES-256-GCM under the provider's key-encryption key
 * (keys/load-key-encryption-key.ts), with the subject as additional
 * authenticated data, so a sealed secret copied to another user's row does
 * not open. Format: `t1.<base64url iv>.<base64url ciphertext+tag>`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 't1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const aad = (subjectId: string) => Buffer.from(`gatehouse-totp:${subjectId}`, 'utf8');

/** Seals a secret for storage. */
export function sealSecret(secret: string, subjectId: string, kek: Uint8Array): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(subjectId));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

/** Opens a sealed secret; undefined when it does not open (another KEK, another subject, damaged). */
export function openSecret(sealed: string, subjectId: string, kek: Uint8Array): string | undefined {
  const [version, ivText, bodyText] = sealed.split('.');
  if (version !== VERSION || !ivText || !bodyText) return undefined;
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (iv.length !== IV_BYTES || body.length <= TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(subjectId));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
