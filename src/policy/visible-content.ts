// The policy's rules about seeing content, as SQL: "content this viewer may see" for every list
// (feeds, space and topic pages, profiles, search, notifications, digests, exports). The rule for one
// item is `seesContent` in content-rules.ts; test/unit/visible-content.test.ts checks they agree.
import { sql, type Compilable, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { compiledQuery, inJson } from '../db/compiled-query.js';
import type { Database } from '../db/schema.js';
import { seesSpace } from './space-rules.js';
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
  return liveContent(db, now).where(spaceVisibility(visibility, 'c.space_id')).where(kindIsOn('c.kind', 'c.space_id'));
}

/** What a list shows of any item it may see: published by `now`, not deleted, not hidden. */
function liveContent(db: Kysely<Database>, now: unknown): SelectQueryBuilder<WithContent, 'c', {}> {
  return db
    .selectFrom('content as c')
    .where('c.deleted_at', 'is', null)
    .where('c.hidden_at', 'is', null)
    .where('c.published_at', 'is not', null)
    .where('c.published_at', '<=', now as number);
}

// The fast path of contentVisibleWith, for lists whose spaces are known before the query runs (the
// home feed's: the company space and the viewer's own; one space's feed). Why: the general rule's
// space and kind conditions are four list subqueries that SQLite materializes in each statement, and
// in each arm of the home feed's merge (30 per page: on the seeded database that query alone took
// 126 µs with them, 54 µs without; 253 against 90 with a kind off in one space). Here the same rule
// is decided in JS, once per request, for each space: the viewer sees it (seesSpace), and the kinds
// switched off are taken out of the kinds it lists. The SQL then keeps only the rules of each item
// (liveContent). test/unit/visible-content.test.ts checks that both give exactly the same rows.

/** The kinds switched off (content_kinds_off, kept by the plugin runtime): everywhere, and in some spaces. */
export interface KindsOff {
  everywhere: ReadonlySet<string>;
  bySpace: ReadonlyMap<number, ReadonlySet<string>>;
}

// A handful of rows, almost always none: read once per request rather than in every statement.
const kindsOffRows = compiledQuery((db) => db.selectFrom('content_kinds_off').select(['kind', 'space_id']));

/** Reads content_kinds_off for knownSpaces (space 0 there means everywhere). */
export async function readKindsOff(db: Kysely<Database>): Promise<KindsOff> {
  const everywhere = new Set<string>();
  const bySpace = new Map<number, Set<string>>();
  for (const row of await kindsOffRows(db)) {
    if (row.space_id === 0) everywhere.add(row.kind);
    else bySpace.set(row.space_id, (bySpace.get(row.space_id) ?? new Set<string>()).add(row.kind));
  }
  return { everywhere, bySpace };
}

/** A space knownSpaces decided the viewer sees, with the kinds its lists show (JSON, for inJson). */
export interface KnownSpace {
  readonly id: number;
  readonly kinds: string;
}

/**
 * For each space, whether the policy can tell here that the viewer sees it and, if so, the kinds of
 * `kinds` its lists show: `null` for a space it cannot decide without reading the space (an open space
 * the viewer is not in), which the general rule (contentVisibleWith) must list instead.
 * `companySpace` is the company space's id (everyone's, and never another visibility).
 *
 * @example
 * const known = knownSpaces(viewer, companyId, [companyId, 3], ['news', 'post'], await readKindsOff(db));
 * // [{ id: companyId, kinds: '["news","post"]' }, { id: 3, kinds: '["news","post"]' }] for a member of 3
 */
export function knownSpaces(
  viewer: Viewer,
  companySpace: number | null,
  spaceIds: readonly number[],
  kinds: readonly string[],
  off: KindsOff,
): Array<KnownSpace | null> {
  const onEverywhere = kinds.filter((kind) => !off.everywhere.has(kind));
  return spaceIds.map((id) => {
    // Only the company space's visibility is known here; any other is taken as private, the strictest:
    // seen then by its members and by admins, who see it whatever its visibility.
    if (!seesSpace(viewer, { id, visibility: id === companySpace ? 'company' : 'private' })) return null;
    const offHere = off.bySpace.get(id);
    return { id, kinds: JSON.stringify(offHere === undefined ? onEverywhere : onEverywhere.filter((kind) => !offHere.has(kind))) };
  });
}

/**
 * knownSpaces for spaces read together in one statement, with one kinds list: null (use the general
 * rule) unless every space is known and they all show the same kinds (no kind switched off in some of
 * them only).
 */
export function knownTogether(known: ReadonlyArray<KnownSpace | null>): { ids: string; kinds: string } | null {
  const first = known[0];
  if (first === undefined || first === null || known.some((space) => space === null || space.kinds !== first.kinds)) return null;
  return { ids: JSON.stringify(known.map((space) => space!.id)), kinds: first.kinds };
}

/**
 * contentVisibleWith for spaces and kinds knownSpaces (or knownTogether) gave: `space` is one space's
 * `id`, or `ids`, a JSON list; `kinds` is their JSON list of kinds. Values only (compiled queries pass
 * stand-ins), never anything that did not come from knownSpaces.
 *
 * @example
 * const [space] = knownSpaces(viewer, companyId, [3], kinds, off);
 * if (space) rows = await contentInKnownSpaces(db, Date.now(), { id: space.id }, space.kinds).select('c.id').execute();
 */
export function contentInKnownSpaces(
  db: Kysely<Database>,
  now: unknown,
  space: { id: unknown } | { ids: unknown },
  kinds: unknown,
): SelectQueryBuilder<WithContent, 'c', {}> {
  const query = liveContent(db, now);
  const inSpace =
    'id' in space
      ? query.where('c.space_id', '=', space.id as number)
      : // The unary plus keeps SQLite from reading content_by_space for each space and sorting them all.
        query.where(sql<number>`+c.space_id`, 'in', inJson<number>(space.ids as string));
  return inSpace.where('c.kind', 'in', inJson<string>(kinds as string));
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
