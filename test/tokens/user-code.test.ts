import { describe, expect, it } from 'vitest';
import { formatUserCode, newUserCode, normalizeUserCode, userCodeId } from '../../src/tokens/user-code.js';

const shape = { alphabet: 'BCDFGHJKLMNPQRSTVWXZ', length: 8 };

describe('user codes (RFC 8628 §6.1)', () => {
  it('draws codes of the configured length from the alphabet only, every character in use', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const code = newUserCode(shape);
      expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
      for (const ch of code) seen.add(ch);
    }
    expect(seen.size).toBe(20);
  });

  it('shows groups of four and reads back case, dashes and spaces loosely', () => {
    expect(formatUserCode('WDJBMJHT')).toBe('WDJB-MJHT');
    expect(formatUserCode('WDJBMJHTKL')).toBe('WDJB-MJHT-KL');
    expect(normalizeUserCode(' wdjb-mjht ', shape)).toBe('WDJBMJHT');
    expect(normalizeUserCode('WD JB MJ HT', shape)).toBe('WDJBMJHT');
    expect(normalizeUserCode('wdjb--mjht', shape)).toBe('WDJBMJHT');
  });

  it('refuses what cannot be a code: wrong length, characters outside the alphabet, oversized input', () => {
    expect(normalizeUserCode('WDJB-MJH', shape)).toBeUndefined();
    expect(normalizeUserCode('WDJB-MJHA', shape)).toBeUndefined();
    expect(normalizeUserCode('WDJB-MJH0', shape)).toBeUndefined();
    expect(normalizeUserCode(`${' '.repeat(60)}WDJBMJHT`, shape)).toBeUndefined();
  });

  it('stores a hash of the normalised code, the same however it was typed', () => {
    expect(userCodeId('WDJBMJHT')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(userCodeId(normalizeUserCode('wdjb mjht', shape)!)).toBe(userCodeId('WDJBMJHT'));
    expect(userCodeId('WDJBMJHT')).not.toContain('WDJB');
  });
});
