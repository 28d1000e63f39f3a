// The shared readers of what a URL says: keyset cursors ("name|id", "at|id"), optional ids, and query
// parameters given once. Junk is never an error: it reads as "none" (null).
import { describe, expect, it } from 'vitest';
import { encodeNameCursor, encodeTimeCursor, parseNameCursor, parseTimeCursor } from '../../src/http/cursor.js';
import { NotFound } from '../../src/http/errors.js';
import { idParam, optionalId, single } from '../../src/http/params.js';

describe('name cursors', () => {
  it('round-trip, a "|" in the name included', () => {
    for (const cursor of [{ name: 'bruno petit', id: 7 }, { name: 'a|b', id: 1 }, { name: '', id: 42 }, { name: 'zoë 🙂', id: 999_999_999_999_999 }]) {
      expect(parseNameCursor(encodeNameCursor(cursor))).toEqual(cursor);
    }
    expect(encodeNameCursor({ name: 'bruno petit', id: 7 })).toBe('bruno petit|7');
  });

  it.each([undefined, null, '', 'no bar', 'name|', 'name|x', 'name|-1', 'name|1.5', 'name|1e3', `name|${'9'.repeat(16)}`, ['a|1', 'b|2'], 42])(
    'reads %j as none',
    (value) => {
      expect(parseNameCursor(value)).toBe(null);
    },
  );
});

describe('time cursors', () => {
  it('round-trip', () => {
    expect(encodeTimeCursor({ at: 1767000000000, id: 42 })).toBe('1767000000000|42');
    expect(parseTimeCursor('1767000000000|42')).toEqual({ at: 1767000000000, id: 42 });
  });

  it.each([undefined, null, '', '1|', '|1', 'a|1', '1|a', '1|2|3', ' 1|2', '-1|2', `${'9'.repeat(16)}|1`, ['1|2'], 12])('reads %j as none', (value) => {
    expect(parseTimeCursor(value)).toBe(null);
  });
});

describe('ids in URLs', () => {
  it('optionalId reads a whole number of at most 15 digits, and nothing else', () => {
    expect(optionalId('42')).toBe(42);
    expect(optionalId('007')).toBe(7);
    expect(optionalId('999999999999999')).toBe(999_999_999_999_999);
    for (const junk of [undefined, null, '', ' 1', '1 ', '-1', '1.0', '1e3', '0x10', '9'.repeat(16), ['1'], 1]) expect(optionalId(junk)).toBe(null);
  });

  it('idParam answers 404 for anything that is not an id', () => {
    expect(idParam('12')).toBe(12);
    expect(() => idParam('twelve')).toThrow(NotFound);
  });

  it('single takes a parameter given once, and not an empty or repeated one', () => {
    expect(single('a|1')).toBe('a|1');
    for (const none of [undefined, null, '', ['a', 'b'], 3]) expect(single(none)).toBe(null);
  });
});
