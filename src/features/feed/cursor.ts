// The position in a feed, for keyset pagination on (published_at desc, id desc): opaque in URLs,
// checked when read back. Anything that is not a cursor Hameau wrote means "from the start".

export interface FeedCursor {
  publishedAt: number;
  id: number;
}

/** "1767000000000.42" in base64url: short, URL-safe, and not an invitation to edit it by hand. */
export function encodeCursor(cursor: FeedCursor): string {
  return Buffer.from(`${cursor.publishedAt}.${cursor.id}`, 'utf8').toString('base64url');
}

/**
 * The cursor in `value`, or null for anything malformed (then the first page is shown, never an
 * error). A forged cursor only moves the starting point: what it lists is still filtered by the policy.
 *
 * @example
 * decodeCursor(encodeCursor({ publishedAt: 1, id: 2 })) // { publishedAt: 1, id: 2 }
 */
export function decodeCursor(value: unknown): FeedCursor | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64 || !/^[A-Za-z0-9_-]+$/.test(value)) return null;
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) return null;
  return { publishedAt: Number(match[1]), id: Number(match[2]) };
}
