// The search page's own reads: the spaces its filter offers (those the viewer may see).
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { spaceIsVisible } from '../../policy/visible-content.js';
import type { Viewer } from '../../policy/viewer.js';

/** Spaces offered by the filter at most (the company space and the viewer's own come first). */
export const SPACE_FILTER_LIMIT = 100;

export interface FilterSpace {
  id: number;
  name: string;
}

/**
 * The spaces the filter lists: the company space, the viewer's spaces, then others they may see, by
 * name, at most SPACE_FILTER_LIMIT; a space chosen but beyond the limit is added by the caller.
 */
export async function filterSpaces(db: Kysely<Database>, viewer: Viewer): Promise<FilterSpace[]> {
  const rows = await db
    .selectFrom('spaces as s')
    .select(['s.id', 's.name', 's.visibility'])
    .where(spaceIsVisible(viewer, 's.id'))
    .orderBy('s.sort_name')
    .orderBy('s.id')
    .limit(SPACE_FILTER_LIMIT)
    .execute();
  const rank = (r: { id: number; visibility: string }) => (r.visibility === 'company' ? 0 : viewer.spaceRoles.has(r.id) ? 1 : 2);
  return rows.sort((a, b) => rank(a) - rank(b)).map((r) => ({ id: r.id, name: r.name }));
}

/** The space with this id if the viewer may see it. */
export async function visibleSpace(db: Kysely<Database>, viewer: Viewer, id: number): Promise<FilterSpace | undefined> {
  return db.selectFrom('spaces as s').select(['s.id', 's.name']).where('s.id', '=', id).where(spaceIsVisible(viewer, 's.id')).executeTakeFirst();
}
