/** The factor primitives: TOTP window and replay, recovery codes, sealed secrets, the remember-device MAC, the policy. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkTotp, totpUri } from '../../src/mfa/totp.js';
import { matchRecoveryCode, newRecoveryCodes } from '../../src/mfa/recovery-codes.js';
import { openSecret, sealSecret } from '../../src/mfa/secret-box.js';
import { deviceKey, isRememberedDevice, rememberDeviceCookie } from '../../src/mfa/remember-device.js';
import { acrOfSignIn, isMultiFactor, needsStepUp } from '../../src/mfa/mfa-policy.js';
import { PAPE_MULTI_FACTOR } from '../../src/config/mfa-schema.js';
import { totpAt } from './mfa-helpers.js';

const SECRET = 'JBSWY3DPEHPK3PXP';
const T = 1_765_000_020; // a step boundary: 1765000020 / 30 = 58833334

describe('TOTP', () => {
  it('accepts the current step and ±1, not ±2; the step it reports is the code step', () => {
    expect(checkTotp(SECRET, totpAt(SECRET, T), T, 1)).toEqual({ ok: true, step: T / 30 });
    expect(checkTotp(SECRET, totpAt(SECRET, T - 30), T, 1)).toEqual({ ok: true, step: T / 30 - 1 });
    expect(checkTotp(SECRET, totpAt(SECRET, T + 30), T, 1)).toEqual({ ok: true, step: T / 30 + 1 });
    expect(checkTotp(SECRET, totpAt(SECRET, T + 60), T, 1)).toEqual({ ok: false, reason: 'wrong' });
    expect(checkTotp(SECRET, totpAt(SECRET, T - 60), T, 1)).toEqual({ ok: false, reason: 'wrong' });
    expect(checkTotp(SECRET, totpAt(SECRET, T + 60), T, 0)).toEqual({ ok: false, reason: 'wrong' });
  });
  it('refuses a step at or before the last accepted one (RFC 6238 §5.2), and malformed codes', () => {
    expect(checkTotp(SECRET, totpAt(SECRET, T), T, 1, T / 30)).toEqual({ ok: false, reason: 'reused' });
    expect(checkTotp(SECRET, totpAt(SECRET, T - 30), T, 1, T / 30)).toEqual({ ok: false, reason: 'reused' });
    expect(checkTotp(SECRET, totpAt(SECRET, T + 30), T, 1, T / 30)).toEqual({ ok: true, step: T / 30 + 1 });
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 34 5x']) expect(checkTotp(SECRET, bad, T, 1).ok).toBe(false);
    expect(checkTotp(SECRET, totpAt(SECRET, T).replace(/(...)/, '$1 '), T, 1).ok).toBe(true);
  });
  it('builds the otpauth URI apps scan', () => {
    expect(totpUri(SECRET, 'Gatehouse', 'carol')).toBe(
      'otpauth://totp/Gatehouse:carol?issuer=Gatehouse&secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
    );
  });
});

describe('recovery codes', () => {
  it('are 10 distinct 80-bit codes, stored as hashes, matched case- and dash-insensitively', () => {
    const { codes, hashes } = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    expect(hashes.join()).not.toContain(codes[0]);
    expect(matchRecoveryCode(hashes, codes[7])).toBe(7);
    expect(matchRecoveryCode(hashes, codes[7].toLowerCase().replace(/-/g, ' '))).toBe(7);
    expect(matchRecoveryCode(hashes, 'AAAA-AAAA-AAAA-AAAA')).toBe(-1);
    expect(matchRecoveryCode(hashes, 'x'.repeat(60))).toBe(-1);
  });
});

describe('sealed TOTP secrets', () => {
  it('open with the same key and subject only', () => {
    const kek = randomBytes(32);
    const sealed = sealSecret(SECRET, '3', kek);
    expect(sealed).not.toContain(SECRET);
    expect(openSecret(sealed, '3', kek)).toBe(SECRET);
    expect(openSecret(sealed, '4', kek)).toBeUndefined();
    expect(openSecret(sealed, '3', randomBytes(32))).toBeUndefined();
    expect(openSecret('t1.x.y', '3', kek)).toBeUndefined();
  });
});

describe('remember-device cookie', () => {
  it('verifies for its user and device secret until it expires', () => {
    const key = deviceKey(randomBytes(32));
    const c = rememberDeviceCookie(key, '3', 'secret-1', 1000, 60);
    const jar = { [c.name]: c.value };
    expect(isRememberedDevice(key, '3', 'secret-1', jar, 1059)).toBe(true);
    expect(isRememberedDevice(key, '3', 'secret-1', jar, 1060)).toBe(false);
    expect(isRememberedDevice(key, '3', 'secret-2', jar, 1001)).toBe(false);
    expect(isRememberedDevice(key, '4', 'secret-1', { ...jar, [rememberDeviceCookie(key, '4', 'x', 0, 1).name]: c.value }, 1001)).toBe(false);
    expect(isRememberedDevice(key, '3', 'secret-1', { [c.name]: `9999999999.${c.value.split('.')[1]}` }, 1001)).toBe(false);
  });
});

describe('policy', () => {
  const config = { mfa: { enabled: true, acr: PAPE_MULTI_FACTOR } } as Parameters<typeof needsStepUp>[0];
  it('knows multi-factor sign-ins (RFC 8176) and when a session must step up', () => {
    expect(isMultiFactor(['pwd'])).toBe(false);
    expect(isMultiFactor(['pwd', 'otp'])).toBe(true);
    expect(isMultiFactor(['hwk', 'user'])).toBe(false);
    expect(isMultiFactor(['hwk', 'user', 'mfa'])).toBe(true);
    expect(acrOfSignIn(config, ['pwd', 'hwk'])).toBe(PAPE_MULTI_FACTOR);
    expect(acrOfSignIn(config, ['pwd'])).toBeUndefined();
    expect(needsStepUp(config, {}, [PAPE_MULTI_FACTOR], ['pwd'])).toBe(true);
    expect(needsStepUp(config, {}, ['urn:other'], ['pwd'])).toBe(false);
    expect(needsStepUp(config, { requireMfa: true }, [], ['pwd'])).toBe(true);
    expect(needsStepUp(config, { requireMfa: true }, [PAPE_MULTI_FACTOR], ['pwd', 'otp'])).toBe(false);
  });
});
