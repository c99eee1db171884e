/**
 * Stateless rotating DPoP server nonces (RFC 9449 §8, §9): a nonce is the
 * index of a time window and an HMAC over it, so any node holding the same
 * secret can check a nonce issued by another without shared state. A nonce
 * is accepted during its own window and the next one, so it lives between
 * one and two `period`s.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export interface DpopNonceOptions {
  /** At least 32 bytes; the same on every node (see {@link deriveNonceSecret}). */
  secret: Uint8Array | string;
  /** Seconds per window. Default 300. */
  period?: number;
  /** Separates nonce families that share a secret (e.g. the token endpoint and an API). Default `dpop`. */
  label?: string;
}

export interface DpopNonces {
  /** A nonce for the current window. */
  createNonce(now: number): string;
  /** True when `nonce` was made with this secret and label in the current or the previous window. */
  checkNonce(nonce: string, now: number): boolean;
}

/** A nonce secret derived (HKDF-SHA256) from other key material, e.g. a configured secret or the key store's encryption key. */
export function deriveNonceSecret(material: Uint8Array | string, info = 'gatehouse dpop nonce'): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', material, new Uint8Array(0), info, 32));
}

const NONCE = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;

export function createDpopNonces(options: DpopNonceOptions): DpopNonces {
  const secret = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : Buffer.from(options.secret);
  if (secret.length < 32) throw new Error('DPoP nonces: the secret must have at least 32 bytes');
  const period = options.period ?? 300;
  if (!Number.isInteger(period) || period < 1) throw new Error('DPoP nonces: period must be a positive whole number of seconds');
  const label = options.label ?? 'dpop';
  const mac = (window: number) => createHmac('sha256', secret).update(`${label}\u0000${window}`).digest();
  const windowOf = (now: number) => Math.floor(now / period);
  return {
    createNonce(now) {
      const w = windowOf(now);
      return `${w.toString(36)}.${mac(w).toString('base64url')}`;
    },
    checkNonce(nonce, now) {
      const m = NONCE.exec(nonce);
      if (!m) return false;
      const w = parseInt(m[1], 36);
      const current = windowOf(now);
      if (w !== current && w !== current - 1) return false;
      return timingSafeEqual(Buffer.from(m[2], 'base64url'), mac(w));
    },
  };
}
