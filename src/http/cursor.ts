// Keyset cursors as they appear in URLs (?after=, ?before=): "sort name|id" for lists sorted by a
// person's or a space's folded name, "at|id" for lists sorted by a time. Read back, anything that is
// not a cursor Hameau wrote is null (the list starts from the beginning, never an error): a forged
// cursor only moves the starting point, what the list holds is still decided by its query.

/** A position in a list sorted by (sort_name, id). */
export interface NameCursor {
  name: string;
  id: number;
}

/** A position in a list sorted by (a time in milliseconds, id). */
export interface TimeCursor {
  at: number;
  id: number;
}

const ID = /^\d{1,15}$/;

/**
 * "sort name|id". A name may hold "|" itself: the id is what follows the last one.
 *
 * @example
 * encodeNameCursor({ name: 'bruno petit', id: 7 }) // "bruno petit|7"
 */
export function encodeNameCursor(cursor: NameCursor): string {
  return `${cursor.name}|${cursor.id}`;
}

/**
 * The cursor in `value`, or null for anything else (absent, empty, repeated, no id after the last "|").
 *
 * @example
 * parseNameCursor('bruno petit|7') // { name: 'bruno petit', id: 7 }
 */
export function parseNameCursor(value: unknown): NameCursor | null {
  if (typeof value !== 'string' || value === '') return null;
  const at = value.lastIndexOf('|');
  const id = value.slice(at + 1);
  if (at < 0 || !ID.test(id)) return null;
  return { name: value.slice(0, at), id: Number(id) };
}

/**
 * "at|id".
 *
 * @example
 * encodeTimeCursor({ at: 1767000000000, id: 42 }) // "1767000000000|42"
 */
export function encodeTimeCursor(cursor: TimeCursor): string {
  return `${cursor.at}|${cursor.id}`;
}

/**
 * The cursor in `value`, or null for anything else.
 *
 * @example
 * parseTimeCursor('1767000000000|42') // { at: 1767000000000, id: 42 }
 */
export function parseTimeCursor(value: unknown): TimeCursor | null {
  const match = typeof value === 'string' ? /^(\d{1,15})\|(\d{1,15})$/.exec(value) : null;
  return match ? { at: Number(match[1]), id: Number(match[2]) } : null;
}
