// Translations: every string users see comes from locales/<locale>.json through `translate`.
import fs from 'node:fs';
import path from 'node:path';
import { localesDir } from '../paths.js';
import type { Locale } from '../db/schema.js';

export type { Locale };
export const LOCALES: readonly Locale[] = ['fr', 'en'];
export const FALLBACK_LOCALE: Locale = 'fr';

/** A message is a string, or plural forms chosen by Intl.PluralRules from `count`. */
type Message = string | { [form: string]: string };
interface Catalogue {
  [key: string]: Message | Catalogue;
}

export type Params = Record<string, string | number>;
export type Translate = (key: string, params?: Params) => string;

/**
 * A locale's catalogue: `locales/<locale>.json`, plus one file per feature in `locales/<locale>/`
 * (`locales/fr/spaces.json`...), each holding its own top-level keys. Two files may not define the
 * same top-level key: that would silently hide messages, so it stops the start.
 */
function loadCatalogue(locale: Locale): Catalogue {
  const catalogue = JSON.parse(fs.readFileSync(path.join(localesDir, `${locale}.json`), 'utf8')) as Catalogue;
  const featureDir = path.join(localesDir, locale);
  const files = fs.existsSync(featureDir) ? fs.readdirSync(featureDir).filter((f) => f.endsWith('.json')).sort() : [];
  for (const file of files) {
    const part = JSON.parse(fs.readFileSync(path.join(featureDir, file), 'utf8')) as Catalogue;
    for (const [key, value] of Object.entries(part)) {
      if (key in catalogue) throw new Error(`Locale ${locale}: the key "${key}" of ${locale}/${file} is already defined`);
      catalogue[key] = value;
    }
  }
  return catalogue;
}

const catalogues = new Map<Locale, Catalogue>(LOCALES.map((locale) => [locale, loadCatalogue(locale)]));
const pluralRules = new Map(LOCALES.map((locale) => [locale, new Intl.PluralRules(locale)]));
const numberFormats = new Map(LOCALES.map((locale) => [locale, new Intl.NumberFormat(locale)]));

/** True for a language Hameau speaks ("fr", "en"). */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

function lookup(catalogue: Catalogue | undefined, key: string): Message | undefined {
  let node: Message | Catalogue | undefined = catalogue;
  for (const part of key.split('.')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = (node as Catalogue)[part];
  }
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object' && typeof (node as Record<string, unknown>).other === 'string') {
    return node as Record<string, string>;
  }
  return undefined;
}

/**
 * A message split once into its literal text and its placeholders: literals at even indexes, the
 * names of `{placeholders}` at odd ones. A page calls `t` hundreds of times; splitting every message
 * again with a regular expression on each call showed in the feed's profile.
 */
type Parts = readonly string[];
type Compiled = { plural: false; parts: Parts } | { plural: true; forms: Record<string, Parts> };

function split(text: string): Parts {
  return text.split(/\{(\w+)\}/g);
}

function compile(message: Message): Compiled {
  if (typeof message === 'string') return { plural: false, parts: split(message) };
  return { plural: true, forms: Object.fromEntries(Object.entries(message).map(([form, text]) => [form, split(text)])) };
}

/** Compiled messages by key, per locale, with the fallback locale's where a locale has none. */
const compiled = new Map<Locale, Map<string, Compiled>>();

function compiledMessage(locale: Locale, key: string): Compiled | undefined {
  let messages = compiled.get(locale);
  if (!messages) compiled.set(locale, (messages = new Map()));
  let found = messages.get(key);
  if (found === undefined) {
    const message = lookup(catalogues.get(locale), key) ?? lookup(catalogues.get(FALLBACK_LOCALE), key);
    if (message === undefined) return undefined;
    messages.set(key, (found = compile(message)));
  }
  return found;
}

/**
 * Adds a plugin's messages under `plugins.<id>` (t('plugins.links.tab')). A locale the plugin does not
 * translate falls back to the fallback locale's messages, as the core's do.
 *
 * @example
 * addPluginMessages('links', { fr: { tab: 'Liens' }, en: { tab: 'Links' } });
 */
export function addPluginMessages(id: string, messages: Partial<Record<Locale, Record<string, unknown>>>): void {
  for (const locale of LOCALES) {
    const catalogue = catalogues.get(locale)!;
    const plugins = (catalogue.plugins ??= {}) as Catalogue;
    plugins[id] = (messages[locale] ?? {}) as Catalogue;
    // Messages compiled before (a plugin loaded again by a test) are read afresh.
    const prefix = `plugins.${id}.`;
    for (const key of compiled.get(locale)?.keys() ?? []) if (key.startsWith(prefix)) compiled.get(locale)!.delete(key);
  }
}

/** True when `key` names a message in every locale (used by tests and by code that builds keys). */
export function hasMessage(key: string): boolean {
  return LOCALES.every((locale) => lookup(catalogues.get(locale), key) !== undefined);
}

/**
 * Returns the message for `key` in `locale`, with `{name}` placeholders filled in.
 * A missing key shows as the key itself, so it is noticed rather than hidden.
 *
 * @example
 * translate('fr', 'members.count', { count: 3 }) // "3 membres"
 */
export function translate(locale: Locale, key: string, params: Params = {}): string {
  const message = compiledMessage(locale, key);
  if (message === undefined) return key;
  let parts: Parts;
  if (!message.plural) {
    parts = message.parts;
  } else {
    const count = typeof params.count === 'number' ? params.count : Number(params.count ?? 0);
    const form = count === 0 && message.forms.zero !== undefined ? 'zero' : pluralRules.get(locale)!.select(count);
    parts = message.forms[form] ?? message.forms.other!;
  }
  if (parts.length === 1) return parts[0]!;
  let text = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!;
    const value = params[name];
    text += (value === undefined ? `{${name}}` : typeof value === 'number' ? numberFormats.get(locale)!.format(value) : value) + parts[i + 1]!;
  }
  return text;
}

/** `translate` bound to one language: the `t` of requests and templates. */
export function translator(locale: Locale): Translate {
  return (key, params) => translate(locale, key, params);
}

/**
 * Picks the best supported locale from an Accept-Language header, or null when none matches.
 *
 * @example
 * negotiateLocale('en-GB,en;q=0.9,fr;q=0.8') // 'en'
 */
export function negotiateLocale(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranges = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...attrs] = part.trim().split(';');
      const q = attrs.map((a) => a.trim()).find((a) => a.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { language: tag.trim().toLowerCase().split('-')[0] ?? '', quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((r) => r.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const range of ranges) {
    if (isLocale(range.language)) return range.language;
  }
  return null;
}

/** Flat list of every key in a locale's catalogue (for the completeness test). */
export function messageKeys(locale: Locale): string[] {
  const keys: string[] = [];
  const walk = (node: Catalogue, prefix: string) => {
    for (const [name, child] of Object.entries(node)) {
      const key = prefix ? `${prefix}.${name}` : name;
      if (typeof child === 'string' || (typeof child === 'object' && typeof (child as Record<string, unknown>).other === 'string')) {
        keys.push(key);
      } else {
        walk(child as Catalogue, key);
      }
    }
  };
  walk(catalogues.get(locale) ?? {}, '');
  return keys.sort();
}
