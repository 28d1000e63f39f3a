// Small formatting helpers every template can call (they take the locale explicitly).
import type { Locale } from '../i18n/index.js';

export const viewHelpers = {
  /** "30 November 2026 at 14:05" / "30 novembre 2026 à 14:05" */
  formatDateTime(locale: Locale, millis: number): string {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(millis);
  },
  formatDate(locale: Locale, millis: number): string {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(millis);
  },
  /** Localised language name, in that language: "Français", "English". */
  languageName(locale: Locale): string {
    const name = new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale;
    return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
  },
};
