// Every string people read comes from src/i18n/locales/{fr,en}.json: both files must say the same
// things, every key the code asks for must exist in both, and plurals must read right in each language.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasMessage, LOCALES, messageKeys, negotiateLocale, translate, type Locale } from '../../src/i18n/index.js';
import { localesDir, projectRoot } from '../../src/paths.js';

type Node = string | { [key: string]: Node };

const catalogues = Object.fromEntries(
  LOCALES.map((locale) => [locale, JSON.parse(fs.readFileSync(path.join(localesDir, `${locale}.json`), 'utf8')) as Node]),
) as Record<Locale, Node>;

/** Every leaf of a catalogue: "a.b.c" for a message, "a.b.c#one" for each plural form. */
function leaves(node: Node, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  if (typeof node === 'string') {
    found.set(prefix, node);
    return found;
  }
  const isPlural = typeof node.other === 'string';
  for (const [name, child] of Object.entries(node)) {
    const key = isPlural ? `${prefix}#${name}` : prefix ? `${prefix}.${name}` : name;
    for (const [k, v] of leaves(child, key)) found.set(k, v);
  }
  return found;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('locale files', () => {
  const fr = leaves(catalogues.fr);
  const en = leaves(catalogues.en);

  it('have exactly the same keys and the same plural forms', () => {
    expect([...fr.keys()].sort()).toEqual([...en.keys()].sort());
    expect(messageKeys('fr')).toEqual(messageKeys('en'));
    expect(messageKeys('fr').length).toBeGreaterThan(100);
  });

  it('use the same placeholders for the same message in both languages', () => {
    for (const [key, text] of fr) {
      // A plural form may spell its number ("1 minute") where another writes {count}.
      const normalise = (names: (string | undefined)[]) => names.filter((n) => !key.includes('#') || n !== 'count');
      expect(normalise(placeholders(text)), key).toEqual(normalise(placeholders(en.get(key) ?? '')));
    }
  });

  it('have no empty message and no leftover untranslated text', () => {
    for (const [locale, map] of [['fr', fr], ['en', en]] as const) {
      for (const [key, text] of map) {
        expect(text.trim(), `${locale} ${key}`).not.toBe('');
        expect(text, `${locale} ${key}`).not.toMatch(/TODO|FIXME|XXX/);
      }
    }
  });

  it('give every plural message an "other" form, and only forms the language knows', () => {
    for (const locale of LOCALES) {
      const categories = new Set<string>([...new Intl.PluralRules(locale).resolvedOptions().pluralCategories, 'zero']);
      const forms = new Map<string, string[]>();
      for (const key of leaves(catalogues[locale]).keys()) {
        const [message, form] = key.split('#');
        if (form) forms.set(message!, [...(forms.get(message!) ?? []), form]);
      }
      expect(forms.size, locale).toBeGreaterThan(0);
      for (const [message, list] of forms) {
        expect(list, `${locale} ${message}`).toContain('other');
        for (const form of list) expect(categories.has(form), `${locale} ${message}#${form}`).toBe(true);
      }
    }
  });
});

/** Files whose text may ask for a message: the core's sources and templates (plugins carry their own locales). */
function sourceFiles(): string[] {
  const files: string[] = [];
  for (const [dir, extension] of [['src', '.ts'], ['views', '.eta']] as const) {
    for (const entry of fs.readdirSync(path.join(projectRoot, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith(extension)) files.push(path.join(entry.parentPath, entry.name));
    }
  }
  return files;
}

/** Source text without documentation comments (their examples are not real calls). */
function codeOf(file: string): string {
  return fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

// A call with a literal key: t('...'), it.t('...'), request.t('...'), reply.flash('...'), translate(locale, '...').
const KEY_CALL = /(?:\b(?:t|flash)\(|\btranslate\(\s*[^,()]+,)\s*(['"`])((?:(?!\1)[^\\\n])*)\1(\s*\+)?/g;
// A call choosing between two literal keys: t(cond ? 'a.b' : 'c.d').
const KEY_CHOICE = /\b(?:t|flash)\([^()]*?\?\s*(['"])([^'"\n]+)\1\s*:\s*(['"])([^'"\n]+)\3/g;
// A typed error carrying the key of its message: new Forbidden('errors.crossSite.message').
const ERROR_KEY = /\bnew [A-Z]\w*\(\s*(?:\d+\s*,\s*)?(['"])([a-z][A-Za-z]*(?:\.[A-Za-z0-9]+)+)\1/g;
// Any string literal shaped like a key.
const KEY_LITERAL = /(['"`])([a-z][A-Za-z]*(?:\.[A-Za-z0-9]+)+)\1/g;
/** Modules that hand keys around as values (typed errors, titles, validation and password rules): every key-shaped literal in them counts. */
const KEY_MODULES = ['src/http/errors.ts', 'src/http/error-pages.ts', 'src/http/form.ts', 'src/auth/password-policy.ts'];

/**
 * Keys built at run time from a prefix, and every value the code can complete them with.
 * A new dynamic key fails the test until its variants are listed here.
 */
const DYNAMIC_KEYS: Record<string, string[]> = {
  'reset.invalid.': ['unknown', 'expired', 'used'],
  'invitation.invalid.': ['unknown', 'expired', 'accepted', 'revoked', 'pending'],
  'members.invite.': ['alreadyMember', 'alreadyInvited'],
  'members.statuses.': ['active', 'deactivated'],
  'roles.': ['admin', 'editor', 'member'],
  'members.outcome.': ['invitation', 'resend', 'resetLink'].flatMap((kind) => [`${kind}Emailed`, `${kind}Link`]),
  'spaces.visibility.': ['company', 'open', 'private'],
  'spaces.visibilityHint.': ['open', 'private'],
  'spaces.roles.': ['admin', 'member'],
  'spaces.directory.sections.': ['mine', 'open', 'private'],
  'spaces.directory.empty.': ['mine', 'open', 'private'],
  'spaces.invite.': ['notFound', 'ambiguous', 'alreadyMember', 'alreadyInvited'],
  'spaces.form.confirmVisibility.': ['open', 'private'].flatMap((v) => ['title', 'explain', 'label', 'required'].map((p) => `${v}.${p}`)),
  'people.lists.': ['departments', 'sites'].flatMap((l) => ['title', 'add', 'existing', 'empty', 'deleteTitle', 'inUse'].map((p) => `${l}.${p}`)),
  'people.fieldTypes.': ['text', 'choice', 'date', 'link'],
  'people.fieldErrors.': ['tooLong', 'choice', 'date', 'link'],
  'people.edit.': ['ownManager', 'managerCycle', 'managerUnknown', 'departmentUnknown', 'siteUnknown'],
  'people.import.read.': ['empty', 'unreadable', 'notUtf8', 'missingColumns', 'tooManyRows', 'tooLarge'],
  'people.import.columns.': ['name', 'email', 'jobTitle', 'department', 'site', 'managerEmail'],
  'people.import.errors.': ['nameMissing', 'emailMissing', 'badEmail', 'tooLong', 'duplicate', 'alreadyMember', 'alreadyInvited', 'badManagerEmail', 'managerUnknown', 'ownManager', 'managerCycle'],
  'emailNotifications.sentences.': ['mention', 'reply', 'comment', 'reaction', 'mustRead', 'mustReadReminder', 'spaceInvitation', 'spaceRequest', 'spaceRequestApproved', 'contentReported', 'other'],
  'emailNotifications.typeNames.': ['mention', 'reply', 'comment', 'reaction', 'mustRead', 'mustReadReminder', 'spaceInvitation', 'spaceRequest', 'spaceRequestApproved', 'contentReported', 'other'],
  'emailNotifications.typeLabels.': ['mention', 'reply', 'comment', 'reaction', 'mustRead', 'mustReadReminder', 'spaceInvitation', 'spaceRequest', 'spaceRequestApproved', 'contentReported', 'other'],
  'emailNotifications.frequencies.': ['daily', 'weekly', 'never'],
  'emailNotifications.digest.subject.': ['daily', 'weekly'],
  'emailNotifications.digest.intro.': ['daily', 'weekly'],
  'emailNotifications.admin.states.': ['pending', 'running', 'failed'],
};

function keysUsed() {
  const literal = new Map<string, string>();
  const prefixes = new Map<string, string>();
  const sections = new Set(Object.keys(catalogues.fr as Record<string, Node>));
  for (const file of sourceFiles()) {
    const where = path.relative(projectRoot, file);
    const code = codeOf(file);
    for (const [, , key = '', concatenated] of code.matchAll(KEY_CALL)) {
      const dynamic = key.indexOf('${');
      if (dynamic >= 0) prefixes.set(key.slice(0, dynamic), where);
      else if (concatenated) prefixes.set(key, where);
      else literal.set(key, where);
    }
    for (const [, , first = '', , second = ''] of code.matchAll(KEY_CHOICE)) {
      literal.set(first, where);
      literal.set(second, where);
    }
    for (const [, , key = ''] of code.matchAll(ERROR_KEY)) {
      if (sections.has(key.split('.')[0]!)) literal.set(key, where);
    }
    if (KEY_MODULES.includes(where.split(path.sep).join('/'))) {
      for (const [, , key = ''] of code.matchAll(KEY_LITERAL)) {
        if (sections.has(key.split('.')[0]!)) literal.set(key, where);
      }
    }
  }
  return { literal, prefixes };
}

describe('keys used by the code', () => {
  const { literal, prefixes } = keysUsed();

  it('finds the calls (the scan itself works)', () => {
    expect(literal.get('layout.skipToContent')).toBe(path.join('views', 'layout.eta'));
    expect(literal.has('flash.setupDone')).toBe(true);
    expect(literal.has('emails.passwordReset.subject')).toBe(true);
    expect(literal.has('errors.crossSite.message')).toBe(true);
    expect(literal.has('validation.passwordCommon')).toBe(true);
    expect(literal.has('errors.tooLarge.title')).toBe(true);
    expect(literal.has('login.deactivated')).toBe(true);
    expect(literal.has('members.outcome.resetLinkHint')).toBe(true);
    expect(literal.size).toBeGreaterThan(100);
    expect([...prefixes.keys()]).toContain('roles.');
    // Documentation examples are not calls.
    expect(literal.has('members.count')).toBe(false);
    const sample = "it.t('a.b') request.t(\"c.d\") reply.flash('e.f', {}) translate(options.locale, 'g.h') it.t('roles.' + role) t(`x.${y}`)";
    expect([...sample.matchAll(KEY_CALL)].map((m) => m[2] + (m[3] ? '+' : ''))).toEqual(['a.b', 'c.d', 'e.f', 'g.h', 'roles.+', 'x.${y}']);
  });

  it('every key asked for exists in French and in English', () => {
    const missing = [...literal].filter(([key]) => !hasMessage(key)).map(([key, file]) => `${key} (${file})`);
    expect(missing).toEqual([]);
  });

  it('every key built from a prefix is listed here with all its variants, each in both languages', () => {
    const unlisted = [...prefixes].filter(([prefix]) => !(prefix in DYNAMIC_KEYS)).map(([prefix, file]) => `${prefix}… (${file})`);
    expect(unlisted).toEqual([]);
    const missing = Object.entries(DYNAMIC_KEYS)
      .flatMap(([prefix, variants]) => variants.map((variant) => prefix + variant))
      .filter((key) => !hasMessage(key));
    expect(missing).toEqual([]);
    // A listed prefix no code uses any more is stale.
    expect(Object.keys(DYNAMIC_KEYS).filter((prefix) => !prefixes.has(prefix))).toEqual([]);
  });
});

describe('negotiateLocale', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['fr', 'fr'],
    ['en', 'en'],
    ['fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7', 'fr'],
    ['en-GB,en;q=0.9,fr;q=0.8', 'en'],
    ['FR-ca', 'fr'],
    ['de-DE,de;q=0.9,fr;q=0.5,en;q=0.4', 'fr'],
    ['de-DE,de;q=0.9', null],
    ['en;q=0.5, fr;q=0.9', 'fr'],
    ['fr, en', 'fr'],
    ['en, fr', 'en'],
    ['fr;q=0, en;q=0.1', 'en'],
    ['fr;q=0', null],
    ['en;q=oops, fr;q=0.2', 'fr'],
    ['*', null],
    [' ;;, ,', null],
  ])('reads %j as %j', (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });
});

describe('translate', () => {
  it('fills placeholders and formats numbers the way each language does', () => {
    expect(translate('en', 'home.heading', { name: 'Zoë' })).toBe('Hello, Zoë');
    expect(translate('fr', 'home.heading', { name: 'Zoë' })).toBe('Bonjour, Zoë');
    expect(translate('en', 'home.memberCount', { count: 1234 })).toBe('1,234 active members.');
    expect(translate('fr', 'home.memberCount', { count: 1234 })).toMatch(/^1\s234 membres actifs\.$/u);
  });

  it('shows a missing key as itself, so it is noticed', () => {
    expect(translate('fr', 'no.such.key')).toBe('no.such.key');
  });

  it.each([
    ['en', 0, 'No invitation waiting.'],
    ['en', 1, '1 invitation waiting for an answer.'],
    ['en', 2, '2 invitations waiting for an answer.'],
    ['fr', 0, 'Aucune invitation en attente.'],
    ['fr', 1, '1 invitation en attente de réponse.'],
    ['fr', 2, '2 invitations en attente de réponse.'],
  ] as const)('says %s plural with a zero form for %d', (locale, count, expected) => {
    expect(translate(locale, 'home.pendingCount', { count })).toBe(expected);
  });

  it.each([
    ['en', 0, '0 active members.'],
    ['en', 1, '1 active member.'],
    ['en', 2, '2 active members.'],
    // French counts zero as singular ("0 membre").
    ['fr', 0, '0 membre actif.'],
    ['fr', 1, '1 membre actif.'],
    ['fr', 2, '2 membres actifs.'],
  ] as const)('says %s plural without a zero form for %d', (locale, count, expected) => {
    expect(translate(locale, 'home.memberCount', { count })).toBe(expected);
  });

  it('shows the right number in every plural message, in every language', () => {
    for (const locale of LOCALES) {
      for (const key of messageKeys(locale)) {
        const message = leaves(catalogues[locale]);
        if (!message.has(`${key}#other`)) continue;
        for (const count of [0, 1, 2, 5, 21, 1000]) {
          const text = translate(locale, key, { count });
          if (count === 0 && message.has(`${key}#zero`)) continue;
          expect(text, `${locale} ${key} ${count}`).toContain(count.toLocaleString(locale));
        }
      }
    }
  });
});
