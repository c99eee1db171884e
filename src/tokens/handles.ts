/** Opaque handles given to clients: 256 random bits; only their hash is stored. */
import { createHash, randomBytes } from 'node:crypto';

/** A new random handle (32 bytes, base64url). */
export function newHandle(): string {
  return randomBytes(32).toString('base64url');
}

/** The storage id of a handle: base64url SHA-256, so a leaked database holds no usable tokens. */
export function handleId(handle: string): string {
  return createHash('sha256').update(handle).digest('base64url');
}
