// Small formatting helpers every template can call (they take the locale explicitly).
// Intl formatters are costly to create, so each one is made once per locale and reused.
import type { Locale } from '../i18n/index.js';

const cache = new Map<string, Intl.DateTimeFormat | Intl.DisplayNames>();

function cached<T extends Intl.DateTimeFormat | Intl.DisplayNames>(key: string, make: () => T): T {
  let formatter = cache.get(key) as T | undefined;
  if (!formatter) {
    formatter = make();
    cache.set(key, formatter);
  }
  return formatter;
}

export const viewHelpers = {
  /** "30 November 2026 at 14:05" / "30 novembre 2026 à 14:05" */
  formatDateTime(locale: Locale, millis: number): string {
    return cached(`dt:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' })).format(millis);
  },
  formatDate(locale: Locale, millis: number): string {
    return cached(`d:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'long' })).format(millis);
  },
  /** Localised language name, in that language: "Français", "English". */
  languageName(locale: Locale): string {
    const name = cached(`lang:${locale}`, () => new Intl.DisplayNames([locale], { type: 'language' })).of(locale) ?? locale;
    return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
  },
};
