// Formatting helpers for templates and emails. Dates are shown in the organisation's time zone.
// Intl formatters are costly to create, so each one is made once and reused.
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

/**
 * "30 November 2026 at 14:05" / "30 novembre 2026 à 14:05", in `timeZone`; with `withZone`,
 * the zone's short name follows ("… 14:05 CET"), for emails read far from the office.
 */
export function formatDateTime(locale: Locale, millis: number, timeZone: string | undefined, withZone = false): string {
  const key = `dt:${locale}:${timeZone ?? ''}:${withZone}`;
  return cached(
    key,
    () =>
      new Intl.DateTimeFormat(locale, {
        dateStyle: 'long',
        timeStyle: withZone ? 'long' : 'short',
        ...(timeZone ? { timeZone } : {}),
      }),
  ).format(millis);
}

const languageNames = new Map<Locale, string>();

/** Localised language name, in that language: "Français", "English". Every page's header asks for them. */
export function languageName(locale: Locale): string {
  let found = languageNames.get(locale);
  if (found === undefined) {
    const name = cached(`lang:${locale}`, () => new Intl.DisplayNames([locale], { type: 'language' })).of(locale) ?? locale;
    found = name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
    languageNames.set(locale, found);
  }
  return found;
}

/** Given to every template through @fastify/view's default context. */
export const viewHelpers = { languageName };
