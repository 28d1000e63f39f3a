// What the home page reads besides the feed itself: its spaces, and counts for those who look after members.
import type { Kysely } from 'kysely';
import { countOpenInvitations } from '../../auth/invitations.js';
import { compiledQuery, inJson } from '../../db/compiled-query.js';
import type { Database, SpaceVisibility } from '../../db/schema.js';
import type { Viewer } from '../../policy/index.js';
import { homeSpaceIds } from '../feed/queries.js';

/** Active members, and open invitations: the same ones the members page lists as waiting for an answer. */
export async function countMembers(db: Kysely<Database>): Promise<{ active: number; openInvitations: number }> {
  const [active, openInvitations] = await Promise.all([
    db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow(),
    countOpenInvitations(db),
  ]);
  return { active: Number(active.n), openInvitations };
}

export interface HomeSpace {
  id: number;
  name: string;
  visibility: SpaceVisibility;
}

// Every home page runs it: compiled once (src/db/compiled-query.ts). Found by id (the company space's
// id is kept in memory): half the time of `visibility = 'company' or id in (...)`, which read two indexes.
const homeSpaces = compiledQuery((db, spaceIdsJson: string) =>
  db
    .selectFrom('spaces')
    .select(['id', 'name', 'visibility'])
    .where('id', 'in', inJson<number>(spaceIdsJson))
    .orderBy((eb) => eb.case().when('visibility', '=', 'company').then(0).else(1).end())
    .orderBy('sort_name')
    .orderBy('id'),
);

/**
 * The spaces of the home feed: the company space first, then the viewer's spaces by name. One query
 * (the viewer's memberships are already known); names read now, the company's included (it can change).
 */
export async function listHomeSpaces(db: Kysely<Database>, viewer: Viewer): Promise<HomeSpace[]> {
  return homeSpaces(db, JSON.stringify(await homeSpaceIds(db, viewer)));
}
