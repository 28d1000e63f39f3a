// The signed-in person as the policy sees them: who they are, their role in each space, and the
// organisation's rules that decide what members may do. Built once per request.
import type { Kysely } from 'kysely';
import type { CurrentUser } from '../auth/sessions.js';
import { compiledQuery } from '../db/compiled-query.js';
import type { Database, Organisation, SpaceCreation, SpaceRole } from '../db/schema.js';

export interface OrganisationPolicy {
  spaceCreation: SpaceCreation;
  /** Plain members may post in the company space (editors and admins always may). */
  memberPostsInCompany: boolean;
}

export interface Viewer extends CurrentUser {
  /** The viewer's role in each space they belong to; the company space is not listed (everyone is in it). */
  spaceRoles: ReadonlyMap<number, SpaceRole>;
  /** The same spaces with their names, sorted by name: "My spaces" in the navigation. */
  memberSpaces: ReadonlyArray<{ id: number; name: string; role: SpaceRole }>;
  organisationPolicy: OrganisationPolicy;
}

export const isAdmin = (user: Viewer) => user.role === 'admin';
export const isEditor = (user: Viewer) => user.role === 'editor' || user.role === 'admin';

export function organisationPolicy(organisation: Pick<Organisation, 'space_creation' | 'member_posts_in_company'> | null): OrganisationPolicy {
  return {
    spaceCreation: organisation?.space_creation ?? 'everyone',
    memberPostsInCompany: (organisation?.member_posts_in_company ?? 1) === 1,
  };
}

// Every signed-in request runs it: compiled once (src/db/compiled-query.ts).
const memberships = compiledQuery((db, userId: number) =>
  db
    .selectFrom('space_members as m')
    .innerJoin('spaces as s', 's.id', 'm.space_id')
    .select(['m.space_id', 'm.role', 's.name'])
    .where('m.user_id', '=', userId)
    .orderBy('s.sort_name')
    .orderBy('s.id'),
);

/**
 * Adds to a signed-in user what the policy needs: one indexed query for their spaces and roles.
 *
 * @example
 * request.user = await loadViewer(app.db, session.user, request.organisation);
 */
export async function loadViewer(db: Kysely<Database>, user: CurrentUser, organisation: Organisation | null): Promise<Viewer> {
  const rows = await memberships(db, user.id);
  return {
    ...user,
    spaceRoles: new Map(rows.map((r) => [r.space_id, r.role])),
    memberSpaces: rows.map((r) => ({ id: r.space_id, name: r.name, role: r.role })),
    organisationPolicy: organisationPolicy(organisation),
  };
}
