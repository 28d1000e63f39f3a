// The search box's text as an FTS5 query: only ever quoted words, checked here on the strings and on
// a real FTS5 index (with the tokenizer of migrations/0007-search.ts), where a syntax error would throw.
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  foldWord,
  highlightHtml,
  highlightText,
  indexableText,
  kindToken,
  MAX_QUERY_LENGTH,
  MAX_TERMS,
  parseSearchQuery,
  scopedMatch,
  snippetText,
  spaceToken,
} from '../../src/search/query.js';

describe('parseSearchQuery', () => {
  it('quotes every word, and matches words of two letters or more as prefixes', () => {
    expect(parseSearchQuery('réunion budget').match).toBe('{title body} : ("réunion"* "budget"*)');
    expect(parseSearchQuery("l'école").match).toBe('{title body} : ("l" "école"*)');
    expect(parseSearchQuery('réunion budget').terms).toEqual(['réunion', 'budget']);
  });

  it('reads operators, quotes, parentheses, column filters and symbols as plain words or separators', () => {
    expect(parseSearchQuery('foo AND').match).toBe('{title body} : ("foo"* "AND"*)');
    expect(parseSearchQuery('NEAR(a b)').match).toBe('{title body} : ("NEAR"* "a" "b")');
    expect(parseSearchQuery('title:x').match).toBe('{title body} : ("title"* "x")');
    expect(parseSearchQuery('"budget" OR -secret*').match).toBe('{title body} : ("budget"* "OR"* "secret"*)');
    expect(parseSearchQuery('{title body}: ^x + y').match).toBe('{title body} : ("title"* "body"* "x" "y")');
  });

  it('finds no word in a lone star, punctuation, symbols or emptiness', () => {
    for (const text of ['', '   ', '*', '"', '""', '()', '-', ':', '^', '***', '🙂', '€ $ %', '\u0000', '\uE000\uE001', undefined, null, 42, ['a']]) {
      const query = parseSearchQuery(text);
      expect(query.match, String(text)).toBeNull();
      expect(query.terms).toEqual([]);
    }
  });

  it('keeps the words of any script, normalised, and once each', () => {
    expect(parseSearchQuery('e\u0301ve\u0301nement').terms).toEqual(['événement']);
    expect(parseSearchQuery('Réunion réunion RÉUNION').terms).toEqual(['Réunion']);
    expect(parseSearchQuery('שלום мир 東京 مرحبا').terms).toEqual(['שלום', 'мир', '東京', 'مرحبا']);
    expect(parseSearchQuery('covid19 2025').terms).toEqual(['covid19', '2025']);
  });

  it('cuts long input: a bounded number of characters and words', () => {
    const long = parseSearchQuery('x'.repeat(1000));
    expect(long.text).toHaveLength(MAX_QUERY_LENGTH);
    expect(long.terms[0]!.length).toBeLessThanOrEqual(64);
    const many = parseSearchQuery(Array.from({ length: 100 }, (_, i) => `w${i}`).join(' '));
    expect(many.terms).toHaveLength(MAX_TERMS);
    // Never half a character: an emoji at the cut stays whole or goes.
    const cut = parseSearchQuery('a'.repeat(MAX_QUERY_LENGTH - 1) + '🙂🙂');
    expect(Array.from(cut.text)).toHaveLength(MAX_QUERY_LENGTH);
    expect(cut.text.endsWith('🙂')).toBe(true);
  });
});

describe('scopedMatch', () => {
  it('narrows by kind and space through the scope column only', () => {
    const match = parseSearchQuery('budget').match!;
    expect(scopedMatch(match, {})).toBe(match);
    expect(scopedMatch(match, { kind: 'post' })).toBe(`${match} AND scope : ("${kindToken('post')}")`);
    expect(scopedMatch(match, { kind: 'post', spaceId: 7 })).toBe(`${match} AND scope : ("${kindToken('post')}" "s7")`);
    expect(kindToken('poll-option')).toMatch(/^k[0-9a-f]+$/);
    expect(kindToken('a-b')).not.toBe(kindToken('a_b'));
    expect(spaceToken(12)).toBe('s12');
  });
});

describe('highlightHtml', () => {
  it('escapes everything, then turns the markers into <mark>', () => {
    expect(highlightHtml('\uE000Réunion\uE001 <script>alert("x")</script> & \'y\'')).toBe(
      '<mark>Réunion</mark> &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;y&#39;',
    );
    expect(highlightHtml('\uE000<b>\uE001')).toBe('<mark>&lt;b&gt;</mark>');
  });

  it('never leaves a mark open or closes one that is not open', () => {
    expect(highlightHtml('\uE000open')).toBe('<mark>open</mark>');
    expect(highlightHtml('close\uE001 \uE001')).toBe('close ');
    expect(highlightHtml('\uE000\uE000a\uE001')).toBe('<mark>a</mark>');
  });

  it('is fed text in which people cannot write markers', () => {
    expect(indexableText('a\uE000b\uE001c')).toBe('a b c');
    expect(indexableText('e\u0301')).toBe('é');
  });
});

describe('highlightText and snippetText', () => {
  const marked = (text: string) => text.replace(/\uE000/g, '[').replace(/\uE001/g, ']');

  it('marks the words the query matches, as the index folds them', () => {
    expect(marked(highlightText('Réunion d’équipe à l’École', ['reun', 'ecole']))).toBe('[Réunion] d’équipe à l’[École]');
    expect(marked(highlightText('Événement ÉVÉNEMENTS evenement', ['événement']))).toBe('[Événement] [ÉVÉNEMENTS] [evenement]');
    // One letter: the word itself, not every word it starts.
    expect(marked(highlightText('l’avis à la une', ['l']))).toBe('[l]’avis à la une');
    expect(marked(highlightText('Nothing here', ['absent']))).toBe('Nothing here');
    expect(foldWord('ÉCOLE')).toBe('ecole');
  });

  it('shows the words around the first match, cut with an ellipsis', () => {
    const words = Array.from({ length: 60 }, (_, i) => `w${i}`);
    words[40] = 'budget';
    const snippet = marked(snippetText(words.join(' '), ['budget'], 10));
    expect(snippet).toBe('…w38 w39 [budget] w41 w42 w43 w44 w45 w46 w47…');
    expect(marked(snippetText('Un budget court.', ['budget']))).toBe('Un [budget] court.');
    expect(marked(snippetText(words.join(' '), ['absent'], 5))).toBe('w0 w1 w2 w3 w4…');
    expect(snippetText('', ['x'])).toBe('');
  });
});

describe('on a real FTS5 index', () => {
  let db: SQLite.Database;
  beforeAll(() => {
    db = new SQLite(':memory:');
    db.exec(`create virtual table search_index using fts5(title, body, scope, tokenize = "unicode61 remove_diacritics 2", prefix = '2 3 4 5 6')`);
    const insert = db.prepare('insert into search_index (rowid, title, body, scope) values (?, ?, ?, ?)');
    insert.run(1, 'Événement annuel', 'Réunions à l’École', `${kindToken('news')} ${spaceToken(1)}`);
    insert.run(2, '', 'AND OR NOT NEAR title body scope', `${kindToken('post')} ${spaceToken(2)}`);
    insert.run(3, '', 'Meeting notes: meetings of the board', `${kindToken('post')} ${spaceToken(1)}`);
  });
  afterAll(() => db.close());

  const find = (text: string, scope: { kind?: string; spaceId?: number } = {}) => {
    const query = parseSearchQuery(text);
    if (query.match === null) return null;
    return db
      .prepare<[string], { rowid: number }>('select rowid from search_index where search_index match ? order by rowid')
      .all(scopedMatch(query.match, scope))
      .map((r) => r.rowid);
  };

  it('never throws, whatever is typed', () => {
    const nasty = ['foo AND', 'AND', 'OR', 'NOT', 'NEAR(', 'NEAR(a b, 3)', '"', '"a', 'a"', '*', 'a*', '*a', 'title:', 'title:x', 'scope:k706f7374', '{scope}: s1', '(', ')', '(a OR b', '-a', '+a', '^a', 'a:b:c', 'x'.repeat(1000), '\\', "'", '`', '\u0000a', 'é'.repeat(300)];
    for (const text of nasty) expect(() => find(text), text).not.toThrow();
  });

  it('folds accents and case both ways, and matches prefixes (French and English)', () => {
    expect(find('evenement')).toEqual([1]);
    expect(find('ÉVÉNEMENT')).toEqual([1]);
    expect(find('ecole')).toEqual([1]);
    expect(find('reunion')).toEqual([1]);
    expect(find('meeting')).toEqual([3]);
    expect(find('meet')).toEqual([3]);
    expect(find('réunion école')).toEqual([1]);
  });

  it('searches operators as words, and never the scope column from the box', () => {
    expect(find('NEAR')).toEqual([2]);
    expect(find('AND OR')).toEqual([2]);
    expect(find('k706f7374')).toEqual([]);
    expect(find('s1')).toEqual([]);
    expect(find('scope')).toEqual([2]);
  });

  it('narrows by kind and by space', () => {
    expect(find('annuel', { kind: 'news' })).toEqual([1]);
    expect(find('annuel', { kind: 'post' })).toEqual([]);
    expect(find('board', { spaceId: 1 })).toEqual([3]);
    expect(find('board', { spaceId: 2 })).toEqual([]);
  });
});
