// Route and query parameters: an id in a URL path (/admin/members/42/role), an optional id in a
// query string or form field (?before=42, space=3), and a query parameter given once.
import { NotFound } from './errors.js';

/** Whole numbers of 15 digits at most: every such number is exact in a JavaScript number. */
const ID = /^\d{1,15}$/;

/**
 * The id in a URL; anything that is not one (1e3, -1, twenty digits) names no page, so 404.
 *
 * @example
 * const memberId = idParam(request.params.id);
 */
export function idParam(value: string): number {
  if (!ID.test(value)) throw new NotFound();
  return Number(value);
}

/**
 * An id given in a query string or a form field, or null for anything else (absent, repeated,
 * empty, not a whole number of at most 15 digits): an optional id means "none" when it is not one.
 *
 * @example
 * const before = optionalId(request.query.before); // "42" -> 42, "abc" -> null
 */
export function optionalId(value: unknown): number | null {
  return typeof value === 'string' && ID.test(value) ? Number(value) : null;
}

/**
 * A query parameter given once, or null (absent, empty, or repeated: which copy counts must never
 * be a guess).
 *
 * @example
 * const after = single(query.after);
 */
export function single(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
