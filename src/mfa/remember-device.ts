/**
 * "Remember this device": a signed, expiring, HttpOnly cookie per user that
 * lets this browser skip the user's own second-factor requirement. The MAC
 * (HMAC-SHA-256 under a key derived from the key-encryption key) covers the
 * subject, the expiry and the user's `deviceSecret`, so replacing that
 * secret (account security page, "forget remembered devices") revokes every
 * remembered device of the user at once.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { SetCookie } from '../core/types.js';

/** The cookie of one user on this browser (several users may remember one browser). */
export const deviceCookieName = (subjectId: string) => `gh.mfad.${createHash('sha256').update(subjectId).digest('base64url').slice(0, 12)}`;

export const deviceKey = (kek: Uint8Array): Buffer => Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), 'gatehouse remember-device', 32));

const mac = (key: Buffer, subjectId: string, expires: number, deviceSecret: string) =>
  createHmac('sha256', key).update(`${subjectId}\0${expires}\0${deviceSecret}`).digest();

export function rememberDeviceCookie(key: Buffer, subjectId: string, deviceSecret: string, now: number, lifetime: number): SetCookie {
  const expires = now + lifetime;
  return { name: deviceCookieName(subjectId), value: `${expires}.${mac(key, subjectId, expires, deviceSecret).toString('base64url')}`, maxAge: lifetime };
}

/** Whether the browser's cookie remembers this device for the user (valid MAC, not expired, secret unchanged). */
export function isRememberedDevice(
  key: Buffer,
  subjectId: string,
  deviceSecret: string | undefined,
  cookies: Readonly<Record<string, string>>,
  now: number,
): boolean {
  const value = cookies[deviceCookieName(subjectId)];
  if (!deviceSecret || !value || value.length > 128) return false;
  const [expText, macText] = value.split('.');
  const expires = Number(expText);
  if (!Number.isSafeInteger(expires) || expires <= now || !macText) return false;
  const presented = Buffer.from(macText, 'base64url');
  const expected = mac(key, subjectId, expires, deviceSecret);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
