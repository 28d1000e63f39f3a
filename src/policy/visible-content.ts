// The policy's rules about seeing content, as SQL: "content this viewer may see" for every list
// (feeds, space and topic pages, profiles, search, notifications, digests, exports). The rule for one
// item is `seesContent` in content-rules.ts; test/unit/visible-content.test.ts checks they agree.
import { sql, type Compilable, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { compiledQuery } from '../db/compiled-query.js';
import type { Database } from '../db/schema.js';
import type { SpaceSubject } from './subjects.js';
import { isAdmin, type Viewer } from './viewer.js';

type WithContent = Database & { c: Database['content'] };

/**
 * The private spaces the viewer belongs to, as the one JSON parameter the rules below take: the SQL
 * text is then the same for every viewer, and its statement (and a compiled query) is reused.
 */
export function memberSpacesJson(viewer: Viewer): string {
  return JSON.stringify([...viewer.spaceRoles.keys()]);
}

/**
 * The spaces the viewer may see, as a condition on a space id column: the company and open spaces,
 * the private ones they belong to; every space for admins.
 *
 * @example
 * db.selectFrom('spaces').selectAll().where(spaceIsVisible(viewer, 'spaces.id'))
 */
export function spaceIsVisible(viewer: Viewer, column: string): RawBuilder<SqlBool> {
  return spaceVisibility({ admin: isAdmin(viewer), memberOf: memberSpacesJson(viewer) }, column);
}

/**
 * Who sees what, given as values rather than as a Viewer: `admin`, and `memberOf` (memberSpacesJson)
 * placed in the query as a parameter. Compiled queries (src/db/compiled-query.ts) pass stand-ins for
 * them; everything else calls spaceIsVisible and visibleContent.
 */
export interface Visibility {
  admin: boolean;
  /** memberSpacesJson(viewer), or a compiled query's stand-in for it. */
  memberOf: unknown;
}

export function visibilityOf(viewer: Viewer): Visibility {
  return { admin: isAdmin(viewer), memberOf: memberSpacesJson(viewer) };
}

/** spaceIsVisible, from a Visibility. */
export function spaceVisibility(visibility: Visibility, column: string): RawBuilder<SqlBool> {
  if (visibility.admin) return sql<SqlBool>`1 = 1`;
  const ref = sql.ref(column);
  return sql<SqlBool>`(${ref} in (select id from spaces where visibility in ('company', 'open')) or ${ref} in (select value from json_each(${visibility.memberOf})))`;
}

/**
 * Published, not deleted, not hidden content in a space the viewer may see, as `content as c`.
 * Lists never show drafts, scheduled or hidden items, even to their author: those are reached from
 * the author's own pages and the permalink, where `can(viewer, 'content.view', item)` decides.
 *
 * @example
 * const rows = await visibleContent(db, viewer).select(['c.id', 'c.kind']).orderBy('c.published_at', 'desc').limit(20).execute();
 */
export function visibleContent(db: Kysely<Database>, viewer: Viewer, now = Date.now()): SelectQueryBuilder<WithContent, 'c', {}> {
  return contentVisibleWith(db, visibilityOf(viewer), now);
}

/** visibleContent, from a Visibility; `now` may be a compiled query's stand-in too. */
export function contentVisibleWith(db: Kysely<Database>, visibility: Visibility, now: unknown): SelectQueryBuilder<WithContent, 'c', {}> {
  return db
    .selectFrom('content as c')
    .where('c.deleted_at', 'is', null)
    .where('c.hidden_at', 'is', null)
    .where('c.published_at', 'is not', null)
    .where('c.published_at', '<=', now as number)
    .where(spaceVisibility(visibility, 'c.space_id'))
    .where(kindIsOn('c.kind', 'c.space_id'));
}

/**
 * The item's kind is on where it is: not switched off everywhere (its plugin disabled or failed) nor in
 * its space (content_kinds_off, kept by the plugin runtime). Both subqueries are read once per statement.
 */
export function kindIsOn(kindColumn: string, spaceColumn: string): RawBuilder<SqlBool> {
  const kind = sql.ref(kindColumn);
  return sql<SqlBool>`(${kind} not in (select kind from content_kinds_off where space_id = 0) and (${kind}, ${sql.ref(spaceColumn)}) not in (select kind, space_id from content_kinds_off where space_id <> 0))`;
}

/**
 * A compiled query (src/db/compiled-query.ts) that applies the visibility rule: built once for admins
 * and once for everyone else, the viewer's private spaces passed as a parameter. `build` places its
 * arguments in the query as values, like compiledQuery's.
 *
 * @example
 * const countShown = compiledForViewer((db, visibility, now: number) =>
 *   contentVisibleWith(db, visibility, now).select((eb) => eb.fn.countAll<number>().as('n')));
 * const [{ n }] = await countShown(app.db, viewer, Date.now());
 */
export function compiledForViewer<Args extends unknown[], Row>(
  build: (db: Kysely<Database>, visibility: Visibility, ...args: Args) => Compilable<Row>,
): (db: Kysely<Database>, viewer: Viewer, ...args: Args) => Promise<Row[]> {
  const forAdmins = compiledQuery((db, ...args: Args) => build(db, { admin: true, memberOf: null }, ...args));
  // The member list comes last: the build sees it as the stand-in for `memberOf`.
  const forMembers = compiledQuery((db, ...args: [...Args, string]) => {
    const memberOf = args[args.length - 1];
    return build(db, { admin: false, memberOf }, ...(args.slice(0, -1) as Args));
  });
  return (db, viewer, ...args) => (isAdmin(viewer) ? forAdmins(db, ...args) : forMembers(db, ...args, memberSpacesJson(viewer)));
}

export type AudienceQuery = SelectQueryBuilder<Database & { u: Database['users'] }, 'u', {}>;

/**
 * The same rule read the other way round: the active users who see what is published in `space`
 * (everyone for company and open spaces; members and admins for a private one), as `users as u`.
 * For must-read audiences, mention notifications, and later digests.
 *
 * @example
 * const ids = await spaceAudience(db, subject.space).select('u.id').execute();
 */
export function spaceAudience(db: Kysely<Database>, space: SpaceSubject): AudienceQuery {
  const active = db.selectFrom('users as u').where('u.status', '=', 'active');
  if (space.visibility !== 'private') return active;
  return active.where((eb) =>
    eb.or([
      eb('u.role', '=', 'admin'),
      eb.exists(eb.selectFrom('space_members as m').select('m.user_id').whereRef('m.user_id', '=', 'u.id').where('m.space_id', '=', space.id)),
    ]),
  );
}
