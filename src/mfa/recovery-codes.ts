/**
 * Recovery codes: 10 single-use codes shown once. Each is 80 random bits
 * (16 base32 characters, grouped by four), so a plain SHA-256 is enough to
 * store them: guessing a preimage of 2^80 is out of reach, and a slow
 * password hash (argon2id) only pays where the secret has low entropy
 * (NIST SP 800-63B §5.1.2.2 asks for a one-way hash of look-up secrets with at
 * least 64 bits; a salted slow hash only below 112 bits of entropy "SHOULD",
 * weighed here against 10 argon2 verifications per attempt). Compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Upper-case, no separators or spaces: what the user typed, as generated. */
export const normalizeRecoveryCode = (code: string): string => code.toUpperCase().replace(/[\s-]+/g, '');

export const hashRecoveryCode = (code: string): string =>
  createHash('sha256')
    .update(`gatehouse-recovery:${normalizeRecoveryCode(code)}`)
    .digest('hex');

function oneCode(): string {
  const bytes = randomBytes(10); // 80 bits -> 16 base32 characters
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return [0, 4, 8, 12].map((i) => out.slice(i, i + 4)).join('-');
}

/** New codes (to show once) and their hashes (to store). */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, oneCode);
  return { codes, hashes: codes.map(hashRecoveryCode) };
}

/** The index of the stored hash the code matches, or -1; every hash compared (constant time per entry). */
export function matchRecoveryCode(hashes: readonly string[], code: string): number {
  const normalized = normalizeRecoveryCode(code);
  if (!/^[A-Z2-7]{16}$/.test(normalized)) return -1;
  const presented = Buffer.from(hashRecoveryCode(normalized), 'hex');
  let found = -1;
  hashes.forEach((h, i) => {
    const stored = Buffer.from(h, 'hex');
    if (stored.length === presented.length && timingSafeEqual(stored, presented) && found < 0) found = i;
  });
  return found;
}
