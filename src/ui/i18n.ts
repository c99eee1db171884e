import { de } from './messages-de.js';
import { en, type Messages } from './messages-en.js';

export type { Messages } from './messages-en.js';

/** Locales the built-in pages are translated into. */
export type Locale = 'en' | 'de';

/** Supported locales, in no particular order. */
export const SUPPORTED_LOCALES: readonly Locale[] = ['en', 'de'];

const TABLES: Readonly<Record<Locale, Messages>> = { en, de };

/** Ignore pathological ui_locales values past this many tags. */
const MAX_TAGS = 20;

/** True when `value` is one of {@link SUPPORTED_LOCALES}. */
export function isLocale(value: string): value is Locale {
  return (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/**
 * Pick the page locale from an OIDC `ui_locales` value: the first of its
 * space-separated BCP47 tags that we support, matching on the primary
 * language subtag (`de-CH` matches `de`); else `fallback`.
 * OpenID Connect Core 1.0 §3.1.2.1 (ui_locales: "space-separated list of
 * BCP47 language tag values, ordered by preference").
 *
 * @example
 * pickLocale('de-CH en', 'en'); // 'de'
 * pickLocale('fr', 'en');       // 'en'
 */
export function pickLocale(uiLocales: string | undefined, fallback: Locale): Locale {
  if (!uiLocales) return fallback;
  const tags = uiLocales.split(/[ \t]+/, MAX_TAGS);
  for (const tag of tags) {
    const primary = tag.toLowerCase().split('-', 1)[0] ?? '';
    if (isLocale(primary)) return primary;
  }
  return fallback;
}

/**
 * The message table for a locale.
 *
 * @example
 * t('de').signIn; // 'Anmelden'
 * t('en').errorReference('req-1'); // 'Reference: req-1'
 */
export function t(locale: Locale): Messages {
  return TABLES[locale];
}
