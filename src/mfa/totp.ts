/**
 * TOTP (RFC 6238) with the `otpauth` library: SHA-1, 6 digits, 30-second
 * steps (the values every authenticator app supports, RFC 6238 §5.2/§4.1),
 * a window of ±`window` steps for clock drift, and a step accepted at most
 * once (the caller stores the last accepted step atomically).
 */
import * as OTPAuth from 'otpauth';

export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;

/** A new random secret (160 bits, RFC 4226 §4 R6 recommends at least that), base32. */
export const newTotpSecret = (): string => new OTPAuth.Secret({ size: 20 }).base32;

const totpOf = (secret: string, issuer = 'Gatehouse', label = 'user') =>
  new OTPAuth.TOTP({ issuer, label, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD, secret: OTPAuth.Secret.fromBase32(secret) });

/** The otpauth:// URI an authenticator app scans (Key URI Format). */
export const totpUri = (secret: string, issuer: string, label: string): string => totpOf(secret, issuer, label).toString();

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'wrong' | 'reused' };

/**
 * Checks a code at `now` (epoch seconds) within ±`window` steps. A code of a
 * step at or before `lastStep` is refused as `reused` (RFC 6238 §5.2: "the
 * verifier MUST NOT accept the second attempt of the OTP after the successful
 * validation has been issued for the first OTP").
 *
 * @example
 * const r = checkTotp(secret, '123456', clock.now(), 1, doc.totp.lastStep);
 * if (r.ok) doc.totp.lastStep = r.step;
 */
export function checkTotp(secret: string, code: string, now: number, window: number, lastStep?: number): TotpCheck {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return { ok: false, reason: 'wrong' };
  const delta = totpOf(secret).validate({ token, timestamp: now * 1000, window });
  if (delta === null) return { ok: false, reason: 'wrong' };
  const step = Math.floor(now / TOTP_PERIOD) + delta;
  if (lastStep !== undefined && step <= lastStep) return { ok: false, reason: 'reused' };
  return { ok: true, step };
}
