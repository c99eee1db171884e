import { describe, expect, it } from 'vitest';
import { isLocale, pickLocale, SUPPORTED_LOCALES, t } from '../../src/ui/i18n.js';

describe('pickLocale (OIDC Core §3.1.2.1 ui_locales)', () => {
  it('takes the first supported tag, matching on the primary subtag', () => {
    expect(pickLocale('de-CH en', 'en')).toBe('de');
    expect(pickLocale('fr-CA de en', 'en')).toBe('de');
    expect(pickLocale('EN-gb de', 'de')).toBe('en');
  });
  it('falls back when nothing is supported or the value is absent', () => {
    expect(pickLocale('fr ja', 'de')).toBe('de');
    expect(pickLocale(undefined, 'en')).toBe('en');
    expect(pickLocale('', 'de')).toBe('de');
    expect(pickLocale('   ', 'en')).toBe('en');
  });
  it('does not treat a longer primary subtag as a match', () => {
    expect(pickLocale('deu eng', 'en')).toBe('en');
    expect(pickLocale('dex', 'en')).toBe('en');
  });
  it('ignores tags past the first twenty', () => {
    expect(pickLocale(`${'fr '.repeat(20)}de`, 'en')).toBe('en');
  });
});

describe('message tables', () => {
  it('every locale has every key of English with the same kind of value', () => {
    const en = t('en') as Record<string, unknown>;
    for (const locale of SUPPORTED_LOCALES) {
      const table = t(locale) as Record<string, unknown>;
      expect(Object.keys(table).sort()).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en)) expect(typeof table[key]).toBe(typeof en[key]);
    }
  });
  it('German is actually German', () => {
    expect(t('de').signIn).toBe('Anmelden');
    expect(t('de').errorInvalidCredentials).toBe('Benutzername oder Passwort ist ungültig.');
  });
  it('formats lockout waits per locale', () => {
    expect(t('en').errorLockedOut(1)).toContain('1 second.');
    expect(t('en').errorLockedOut(45)).toContain('45 seconds');
    expect(t('en').errorLockedOut(61)).toContain('2 minutes');
    expect(t('de').errorLockedOut(60)).toContain('1 Minute ');
    expect(t('en').errorLockedOut(undefined)).toBe('Too many failed attempts. Try again later.');
  });
  it('isLocale', () => {
    expect(isLocale('de')).toBe(true);
    expect(isLocale('fr')).toBe(false);
  });
});
