// Route parameters that name a row by its numeric id, such as /admin/members/42/role.
import { NotFound } from './errors.js';

/**
 * The id in a URL; anything that is not one (1e3, -1, twenty digits) names no page, so 404.
 *
 * @example
 * const memberId = idParam(request.params.id);
 */
export function idParam(value: string): number {
  // 15 digits at most: every such number is exact in a JavaScript number.
  if (!/^\d{1,15}$/.test(value)) throw new NotFound();
  return Number(value);
}
