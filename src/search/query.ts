// What people type in the search box, turned into an FTS5 query that can only mean "these words":
// every word is quoted, so quotes, operators (AND, OR, NOT, NEAR), parentheses, column filters
// ("title:"), '*', '-', '^' and ':' typed by people are punctuation between words, never syntax.
// Words are what SQLite's unicode61 tokenizer calls tokens (letters, digits, private-use characters),
// so a word found here is a word of the index. Accents and case are folded by the index itself.
import { sortName } from '../auth/users.js';

/** Characters of the query kept: a longer text is cut (a pasted page never errors, nor costs more). */
export const MAX_QUERY_LENGTH = 200;
/** Words kept: each one is a list the index intersects. */
export const MAX_TERMS = 8;
/** Characters kept of one word (an index term is never longer in practice). */
export const MAX_TERM_LENGTH = 64;

/** Marks a highlighted match in the index's output (private use: never in indexed text, see `indexableText`). */
export const MATCH_START = '\uE000';
export const MATCH_END = '\uE001';

// unicode61's token characters: letters, numbers and private-use characters (its default categories).
const WORD = /[\p{L}\p{N}\p{Co}]+/gu;

export interface SearchQuery {
  /** What was typed, cut to MAX_QUERY_LENGTH, for showing back in the box. */
  text: string;
  /** The words searched, as typed (after Unicode normalisation). */
  terms: string[];
  /** The FTS5 expression over the title and body columns, or null when there is no word to search. */
  match: string | null;
}

/**
 * Parses a search box's text. Every word of two characters or more matches as a prefix: the last one
 * because people are still typing it, the others because Hameau has no stemming, and a prefix finds
 * "réunions" from "reunion" in French and "meetings" from "meeting" in English. One-letter words
 * ("l", "a") match exactly: as prefixes they would match half the index.
 *
 * @example
 * parseSearchQuery('Réunion "budget" AND title:2025*').match
 * // '{title body} : ("Réunion"* "budget"* "AND"* "title"* "2025"*)'
 */
export function parseSearchQuery(input: unknown): SearchQuery {
  const raw = typeof input === 'string' ? input : '';
  // Cut by characters, not UTF-16 units: never half an emoji.
  const text = Array.from(indexableText(raw)).slice(0, MAX_QUERY_LENGTH).join('');
  const seen = new Set<string>();
  const terms: string[] = [];
  for (const [word] of text.matchAll(WORD)) {
    const term = Array.from(word).slice(0, MAX_TERM_LENGTH).join('');
    const key = term.toLocaleLowerCase('fr');
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push(term);
    if (terms.length === MAX_TERMS) break;
  }
  if (terms.length === 0) return { text: text.trim(), terms, match: null };
  // A word holds no quote (it is letters and digits only): quoting it cannot be escaped from.
  const phrases = terms.map((term) => (Array.from(term).length >= 2 ? `"${term}"*` : `"${term}"`));
  return { text: text.trim(), terms, match: `{title body} : (${phrases.join(' ')})` };
}

/**
 * The search query narrowed to results of one kind and/or one space, through the index's `scope`
 * column (tokens written by the search module, never typed by people).
 */
export function scopedMatch(match: string, scope: { kind?: string | null; spaceId?: number | null }): string {
  const filters = [
    ...(scope.kind ? [kindToken(scope.kind)] : []),
    ...(scope.spaceId !== undefined && scope.spaceId !== null ? [spaceToken(scope.spaceId)] : []),
  ];
  if (filters.length === 0) return match;
  return `${match} AND scope : (${filters.map((f) => `"${f}"`).join(' ')})`;
}

/** The scope token of a kind: hexadecimal, so that any kind name is one plain token. */
export function kindToken(kind: string): string {
  return `k${Buffer.from(kind, 'utf8').toString('hex')}`;
}

export function spaceToken(spaceId: number): string {
  return `s${spaceId}`;
}

/** Text as the index keeps it: normalised, without the characters that mark matches in its output. */
export function indexableText(text: string): string {
  return text.normalize('NFC').replace(/[\uE000\uE001]/g, ' ');
}

/** A word as the index compares it: accents removed, lower case (unicode61 with remove_diacritics 2). */
export function foldWord(word: string): string {
  // Most words are plain ASCII: no decomposition needed (this runs for every word of the results shown).
  if (/^[\x00-\x7f]*$/.test(word)) return word.toLowerCase();
  // Folded the way names are for sorting and the directory.
  return sortName(word);
}

/** Words of a result shown around its first match. */
export const SNIPPET_WORDS = 24;
/** Characters of a text searched for the first match of a snippet. */
const SNIPPET_SCAN = 4000;

interface Token {
  start: number;
  end: number;
  matched: boolean;
}

function tokens(text: string, terms: readonly string[]): Token[] {
  const folded = terms.map((term) => ({ word: foldWord(term), prefix: Array.from(term).length >= 2 }));
  const found: Token[] = [];
  for (const m of text.matchAll(WORD)) {
    const word = foldWord(m[0]);
    const matched = folded.some((t) => (t.prefix ? word.startsWith(t.word) : word === t.word));
    found.push({ start: m.index, end: m.index + m[0].length, matched });
  }
  return found;
}

function mark(text: string, list: readonly Token[], from: number, to: number): string {
  let out = '';
  let at = from;
  for (const token of list) {
    if (token.end <= from || token.start >= to) continue;
    if (!token.matched) continue;
    out += text.slice(at, token.start) + MATCH_START + text.slice(token.start, token.end) + MATCH_END;
    at = token.end;
  }
  return out + text.slice(at, to);
}

/**
 * The words of `text` that `terms` match (the way the query does: prefixes from two characters),
 * between MATCH_START and MATCH_END. Text only: highlightHtml escapes it and makes the marks.
 *
 * @example
 * highlightText('Réunion d’équipe', ['reun']) // '\uE000Réunion\uE001 d’équipe'
 */
export function highlightText(text: string, terms: readonly string[]): string {
  return mark(text, tokens(text, terms), 0, text.length);
}

/**
 * About SNIPPET_WORDS words of `text` around its first match (its beginning when nothing matches),
 * marked like highlightText, with an ellipsis where it is cut.
 */
export function snippetText(full: string, terms: readonly string[], words = SNIPPET_WORDS): string {
  // Long texts are read up to a point: a snippet shows their beginning when the match comes later.
  const text = full.length > SNIPPET_SCAN ? full.slice(0, full.lastIndexOf(' ', SNIPPET_SCAN) + 1 || SNIPPET_SCAN) : full;
  const list = tokens(text, terms);
  if (list.length === 0) return '';
  const first = Math.max(0, list.findIndex((t) => t.matched));
  const startIndex = Math.max(0, Math.min(first - Math.floor(words / 4), list.length - words));
  const endIndex = Math.min(list.length, startIndex + words);
  const from = startIndex === 0 ? 0 : list[startIndex]!.start;
  const to = endIndex === list.length ? text.length : list[endIndex - 1]!.end;
  const cut = endIndex < list.length || text.length < full.length;
  return `${startIndex > 0 ? '…' : ''}${mark(text, list, from, to).trim()}${cut ? '…' : ''}`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/**
 * HTML of a highlighted text from the index: everything escaped first, then the match markers (which
 * indexed text never contains) turned into <mark>. The only HTML in the result is Hameau's own.
 *
 * @example
 * highlightHtml('\uE000Réunion\uE001 <script>') // '<mark>Réunion</mark> &lt;script&gt;'
 */
export function highlightHtml(text: string): string {
  let open = false;
  let html = '';
  for (const part of text.split(/([\uE000\uE001])/)) {
    if (part === MATCH_START) {
      if (!open) html += '<mark>';
      open = true;
    } else if (part === MATCH_END) {
      if (open) html += '</mark>';
      open = false;
    } else {
      html += part.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
    }
  }
  return open ? `${html}</mark>` : html;
}
