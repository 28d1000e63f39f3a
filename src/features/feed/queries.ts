// The feed's reads: which content items a list shows, newest first, a page at a time. Every list is
// built on the policy's SQL definition of "content this viewer may see" (visibleContent, or its fast
// path for spaces known beforehand: contentInKnownSpaces) and reads an index in feed order, so a page
// costs the same on a small or a large database.
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../db/schema.js';
import { loadItems, type ItemsApp, type LoadItemsOptions } from '../../content/load-items.js';
import type { ContentItem } from '../../content/items.js';
import { compiledQuery, inJson } from '../../db/compiled-query.js';
import {
  compiledForViewer,
  contentInKnownSpaces,
  contentVisibleWith,
  knownSpaces,
  knownTogether,
  memberSpacesJson,
  readKindsOff,
  visibleContent,
  type KindsOff,
  type Visibility,
} from '../../policy/visible-content.js';
import { isAdmin } from '../../policy/viewer.js';
import type { Viewer } from '../../policy/index.js';
import { encodeTimeCursor, parseTimeCursor } from '../../http/cursor.js';

export const FEED_PAGE_SIZE = 20;
export const FEED_MAX_PAGE_SIZE = 50;
/** The most spaces whose feeds are read each on its own index and merged (the home feed). */
export const MERGE_MAX_SPACES = 32;

export interface FeedFilter {
  /** 'home': the company space and the viewer's spaces (admins too). 'all' (default): every space the viewer may see. */
  scope?: 'home' | 'all';
  spaceId?: number;
  authorId?: number;
  /** A folded topic slug ("securite"); an unknown topic lists nothing. */
  topicSlug?: string;
  /** A registered kind ('news', 'post'); unregistered kinds are never listed. */
  kind?: string;
  /** The cursor a previous page returned as `next`; malformed means the first page. */
  after?: string;
  /** Items per page: 20 by default, 50 at most. */
  limit?: number;
  /** Only the must-reads the viewer has not confirmed yet. */
  unconfirmedMustRead?: boolean;
  /** Items left out of the list (the home page's must-reads and pinned items, shown above it). */
  excludeIds?: readonly number[];
}

export interface FeedIdsPage {
  ids: number[];
  /** Cursor of the next page, or null on the last one. */
  next: string | null;
}

export interface FeedPage {
  items: ContentItem[];
  next: string | null;
}

type VisibleQuery = SelectQueryBuilder<Database & { c: Database['content'] }, 'c', {}>;
type FeedQuery = SelectQueryBuilder<Database & { c: Database['content'] }, 'c', { id: number; published_at: number | null }>;

const companySpaces = new WeakMap<Kysely<Database>, number>();

/** The company space's id: created at setup, never changed, so read once per database. */
export async function companySpaceId(db: Kysely<Database>): Promise<number | null> {
  const cached = companySpaces.get(db);
  if (cached !== undefined) return cached;
  const row = await db.selectFrom('spaces').select('id').where('visibility', '=', 'company').executeTakeFirst();
  if (row) companySpaces.set(db, row.id);
  return row?.id ?? null;
}

/** The spaces of the home feed: the company space and the viewer's own (admins see only theirs there too). */
export async function homeSpaceIds(db: Kysely<Database>, viewer: Viewer): Promise<number[]> {
  const company = await companySpaceId(db);
  return [...(company === null ? [] : [company]), ...[...viewer.spaceRoles.keys()].filter((id) => id !== company)];
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isInteger(limit) || limit < 1) return FEED_PAGE_SIZE;
  return Math.min(limit, FEED_MAX_PAGE_SIZE);
}

/** The topic's id, from its folded slug. */
export async function findTopic(db: Kysely<Database>, slug: string): Promise<{ id: number; slug: string; label: string } | undefined> {
  return db.selectFrom('topics').select(['id', 'slug', 'label']).where('slug', '=', slug).executeTakeFirst();
}

/**
 * The ids of one page of a feed, newest first, and the cursor of the next page.
 *
 * With several spaces (the home feed), each space is read on its own index (content_by_space) for at
 * most one page, and the pages are merged: a page costs the same whatever the size of the table, and
 * never sorts more than (spaces × page) rows. `kindsOff`: readKindsOff's answer, when the caller
 * already read it for this request.
 *
 * @example
 * const { ids, next } = await listFeedIds(app, viewer, { scope: 'home', after: request.query.after });
 */
export async function listFeedIds(app: ItemsApp, viewer: Viewer, filter: FeedFilter, now = Date.now(), kindsOff?: KindsOff): Promise<FeedIdsPage> {
  const db = app.db;
  const limit = pageSize(filter.limit);
  const kinds = app.contentKinds.all().map((k) => k.kind);
  if (kinds.length === 0 || (filter.kind !== undefined && !kinds.includes(filter.kind))) return { ids: [], next: null };
  let topicId: number | null = null;
  if (filter.topicSlug !== undefined) {
    const topic = await findTopic(db, filter.topicSlug);
    if (!topic) return { ids: [], next: null };
    topicId = topic.id;
  }
  const cursor = parseTimeCursor(filter.after);
  // Items left out (shown on top) are skipped here rather than in SQL: a `not in` in every arm of the
  // merge made the home feed's query several times slower. Enough rows are read to fill the page anyway.
  const excluded = new Set(filter.excludeIds ?? []);
  // A literal limit (a number computed here), not a parameter: with `limit ?` SQLite read each arm of
  // the merge much further (docs/performance.md).
  const fetched = limit + 1 + excluded.size;

  const spaces =
    filter.spaceId !== undefined ? [filter.spaceId] : filter.scope === 'home' ? await homeSpaceIds(db, viewer) : null;
  if (spaces !== null && spaces.length === 0) return { ids: [], next: null };

  // Rare items (must-reads), one author, one topic: their own index or a short scan decides, not the spaces.
  // Past MERGE_MAX_SPACES spaces, one statement reads the feed index in order for all of them (most of
  // what it reads is theirs): a merge would be too many arms (SQLite refuses more than 500) and one
  // compiled query per number of spaces.
  const mergeSpaces =
    spaces !== null && spaces.length > 1 && spaces.length <= MERGE_MAX_SPACES && !filter.unconfirmedMustRead && filter.authorId === undefined && topicId === null;
  const listed = filter.kind !== undefined ? [filter.kind] : kinds;
  const known = spaces === null ? null : knownSpaceArgs(viewer, await companySpaceId(db), spaces, listed, mergeSpaces, kindsOff ?? (await readKindsOff(db)));
  const shape: FeedShape = {
    rule: known !== null ? 'known' : isAdmin(viewer) ? 'admin' : 'member',
    spaces: spaces === null ? 'all' : spaces.length === 1 ? 'one' : mergeSpaces ? spaces.length : 'list',
    mustRead: filter.unconfirmedMustRead === true,
    author: filter.authorId !== undefined,
    topic: topicId !== null,
    cursor: cursor !== null,
    fetched,
  };
  const values: FeedArgs = {
    now,
    memberOf: memberSpacesJson(viewer),
    kinds: JSON.stringify(listed),
    viewer: viewer.id,
    author: filter.authorId,
    topic: topicId,
    at: cursor?.at,
    id: cursor?.id,
    spaces: known ?? (shape.spaces === 'list' ? [JSON.stringify(spaces)] : (spaces ?? [])),
  };
  const rows = await compiledFeedQuery(shape)(db, ...feedArgs(shape, values));

  const kept = excluded.size === 0 ? rows : rows.filter((r) => !excluded.has(r.id));
  const page = kept.slice(0, limit);
  const last = page.at(-1);
  return {
    ids: page.map((r) => r.id),
    next: kept.length > limit && last && last.published_at !== null ? encodeTimeCursor({ at: last.published_at, id: last.id }) : null,
  };
}

/**
 * The spaces' arguments of the fast path (the policy's contentInKnownSpaces), when the policy decides
 * them in JS: each space's id and kinds (one space, or each arm of a merge), or for a list read in one
 * statement, the ids and the kinds they share. Null: the general rule lists them.
 */
function knownSpaceArgs(
  viewer: Viewer,
  companySpace: number | null,
  spaces: readonly number[],
  kinds: readonly string[],
  merged: boolean,
  kindsOff: KindsOff,
): unknown[] | null {
  const known = knownSpaces(viewer, companySpace, spaces, kinds, kindsOff);
  if (spaces.length > 1 && !merged) {
    const together = knownTogether(known);
    return together === null ? null : [together.ids, together.kinds];
  }
  const args: unknown[] = [];
  for (const space of known) {
    if (space === null) return null;
    args.push(space.id, space.kinds);
  }
  return args;
}

/**
 * What decides the SQL text of a feed query (its values do not): each shape is built and compiled by
 * Kysely once (src/db/compiled-query.ts), then run with the values of each request.
 */
interface FeedShape {
  /** The policy's general rule (admins have no list of spaces in it), or its fast path for spaces it decided ('known'). */
  rule: 'admin' | 'member' | 'known';
  /** Every visible space ('all'), one space, a list of spaces, or the number of spaces merged. */
  spaces: 'all' | 'one' | 'list' | number;
  mustRead: boolean;
  author: boolean;
  topic: boolean;
  cursor: boolean;
  /** Rows read: a literal in the SQL (with `limit ?` SQLite read each arm of the merge much further). */
  fetched: number;
}

interface FeedArgs {
  now: number;
  memberOf: string;
  kinds: string;
  viewer: number;
  author: number | undefined;
  topic: number | null;
  at: number | undefined;
  id: number | undefined;
  /**
   * Last, as the shape reads them: the general rule's space id(s) (the list as JSON); the fast path's
   * id and kinds of each space (the list's ids as JSON, then their kinds).
   */
  spaces: readonly unknown[];
}

/** The arguments a shape's query takes, in order (a stand-in for each when it is built). */
function feedArgs(shape: FeedShape, values: FeedArgs): unknown[] {
  return [
    values.now,
    // Admins see every space: the list is not in their query. The fast path has neither.
    ...(shape.rule === 'member' ? [values.memberOf] : []),
    // The fast path has each space's kinds, with the spaces.
    ...(shape.rule === 'known' ? [] : [values.kinds]),
    ...(shape.mustRead ? [values.viewer] : []),
    ...(shape.author ? [values.author] : []),
    ...(shape.topic ? [values.topic] : []),
    ...(shape.cursor ? [values.at, values.id] : []),
    ...values.spaces,
  ];
}

type FeedRows = { id: number; published_at: number | null }[];
const feedQueries = new Map<string, (db: Kysely<Database>, ...args: unknown[]) => Promise<FeedRows>>();

function compiledFeedQuery(shape: FeedShape) {
  const key = JSON.stringify(shape);
  const found = feedQueries.get(key);
  if (found !== undefined) return found;
  const run = compiledQuery((db: Kysely<Database>, ...args: unknown[]) => buildFeedQuery(db, shape, args));
  feedQueries.set(key, run);
  return run;
}

/** The space condition of a feed query: one space's id, or a JSON list of ids; none for every visible space. */
type FeedSpaces = { id: number } | { ids: string } | null;

function buildFeedQuery(db: Kysely<Database>, shape: FeedShape, args: readonly unknown[]) {
  let next = 0;
  const take = () => args[next++] as never;
  const now: number = take();
  const memberOf: string | null = shape.rule === 'member' ? take() : null;
  const kinds: string | null = shape.rule === 'known' ? null : take();
  const viewerId: number | undefined = shape.mustRead ? take() : undefined;
  const authorId: number | undefined = shape.author ? take() : undefined;
  const topicId: number | undefined = shape.topic ? take() : undefined;
  const cursor: { at: number; id: number } | undefined = shape.cursor ? { at: take(), id: take() } : undefined;

  const narrowed = (space: FeedSpaces, kindsJson: string): FeedQuery => {
    const visible =
      shape.rule === 'known'
        ? // The fast path always has its spaces (never every visible space).
          contentInKnownSpaces(db, now, space!, kindsJson)
        : visibleByRule(db, { admin: shape.rule === 'admin', memberOf }, now, space, kindsJson);
    let query = visible.select(['c.id', 'c.published_at']) as FeedQuery;
    if (authorId !== undefined) query = query.where('c.author_id', '=', authorId);
    if (topicId !== undefined) {
      query = query.where('c.id', 'in', db.selectFrom('content_topics').select('content_id').where('topic_id', '=', topicId));
    }
    if (viewerId !== undefined) {
      query = query
        .where('c.must_read', '=', 1)
        // Authors do not confirm their own must-reads.
        .where((eb) => eb.or([eb('c.author_id', 'is', null), eb('c.author_id', '!=', viewerId)]))
        .where((eb) =>
          eb.not(
            eb.exists(
              eb.selectFrom('read_confirmations as rc').select('rc.user_id').whereRef('rc.content_id', '=', 'c.id').where('rc.user_id', '=', viewerId),
            ),
          ),
        );
    }
    // After the cursor in (published_at desc, id desc) order: a row-value comparison SQLite reads on the index.
    if (cursor) query = query.where((eb) => eb(eb.refTuple('c.published_at', 'c.id'), '<', eb.tuple(cursor.at, cursor.id)));
    return query.orderBy('c.published_at', 'desc').orderBy('c.id', 'desc').limit(sql.lit(shape.fetched));
  };
  // The spaces come last; with the fast path, each followed by its kinds.
  const spaceThenKinds = (space: { id: number } | { ids: string }): FeedQuery => narrowed(space, shape.rule === 'known' ? take() : kinds!);

  if (typeof shape.spaces === 'number') {
    // Each space read on its own index (content_by_space) for at most one page, then merged.
    const arms = Array.from({ length: shape.spaces }, () =>
      db.selectFrom(spaceThenKinds({ id: take() }).as('page')).select(['page.id', 'page.published_at']),
    );
    let union = arms[0]!;
    for (const arm of arms.slice(1)) union = union.unionAll(arm);
    return db
      .selectFrom(union.as('merged'))
      .select(['merged.id', 'merged.published_at'])
      .orderBy('merged.published_at', 'desc')
      .orderBy('merged.id', 'desc')
      .limit(sql.lit(shape.fetched));
  }
  if (shape.spaces === 'one') return spaceThenKinds({ id: take() });
  if (shape.spaces === 'list') return spaceThenKinds({ ids: take() });
  return narrowed(null, kinds!);
}

/**
 * One page of a feed as items ready for cards: `listFeedIds`, then `loadItems`.
 *
 * @example
 * const { items, next } = await listFeed(app, viewer, { spaceId: 3, after: request.query.after });
 */
export async function listFeed(app: ItemsApp, viewer: Viewer, filter: FeedFilter, options: LoadItemsOptions = {}): Promise<FeedPage> {
  const now = options.now ?? Date.now();
  const { ids, next } = await listFeedIds(app, viewer, filter, now);
  return { items: await loadItems(app, viewer, ids, { ...options, now }), next };
}

/** The policy's general rule (contentVisibleWith) in `space`, for the kinds listed: what its fast path stands in for. */
function visibleByRule(db: Kysely<Database>, visibility: Visibility, now: number, space: FeedSpaces, kindsJson: string): VisibleQuery {
  let query = contentVisibleWith(db, visibility, now);
  if (space !== null && 'id' in space) query = query.where('c.space_id', '=', space.id);
  // The unary plus keeps SQLite from reading content_by_space for each space and sorting them all.
  if (space !== null && 'ids' in space) query = query.where(sql<number>`+c.space_id`, 'in', inJson<number>(space.ids));
  return query.where('c.kind', 'in', inJson<string>(kindsJson));
}

/**
 * The home feed's spaces (the company space and the viewer's) as the policy's fast path takes them, read
 * in one statement: null when a kind is switched off in some of them only (the general rule then).
 */
async function knownHomeSpaces(app: ItemsApp, viewer: Viewer, spaces: readonly number[], kinds: readonly string[], kindsOff: KindsOff | undefined) {
  return knownTogether(knownSpaces(viewer, await companySpaceId(app.db), spaces, kinds, kindsOff ?? (await readKindsOff(app.db))));
}

// The viewer's unconfirmed must-reads among `visible`, newest first, each row with their number.
const mustReadsAmong = (visible: VisibleQuery, viewerId: number, limit: number) =>
  visible
    .select(['c.id', sql<number>`count(*) over ()`.as('total')])
    .where('c.must_read', '=', 1)
    // Authors do not confirm their own must-reads.
    .where((eb) => eb.or([eb('c.author_id', 'is', null), eb('c.author_id', '!=', viewerId)]))
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('read_confirmations as rc').select('rc.user_id').whereRef('rc.content_id', '=', 'c.id').where('rc.user_id', '=', viewerId))),
    )
    .orderBy('c.published_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit);

// In the home feed's spaces (JSON) with the kinds the policy left there (JSON): the usual case.
const mustReadRows = compiledQuery((db, now: number, spaces: string, kinds: string, viewerId: number, limit: number) =>
  mustReadsAmong(contentInKnownSpaces(db, now, { ids: spaces }, kinds), viewerId, limit),
);
// The same by the general rule, with the kinds installed.
const mustReadRowsByRule = compiledForViewer((db, visibility, now: number, spaces: string, kinds: string, viewerId: number, limit: number) =>
  mustReadsAmong(visibleByRule(db, visibility, now, { ids: spaces }, kinds), viewerId, limit),
);

// Items pinned until after `now` among `visible`, newest first.
const pinnedAmong = (visible: VisibleQuery, now: number, limit: number) =>
  visible
    .select('c.id')
    // Found by id from content_pinned (a handful of rows, then sorted), rather than by walking the
    // whole feed index in order looking for them.
    .where('c.id', 'in', (eb) => eb.selectFrom('content as p').select('p.id').where('p.pinned_until', '>', now))
    .orderBy('c.published_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit);

const pinnedRows = compiledQuery((db, now: number, spaces: string, kinds: string, limit: number) =>
  pinnedAmong(contentInKnownSpaces(db, now, { ids: spaces }, kinds), now, limit),
);
const pinnedRowsByRule = compiledForViewer((db, visibility, now: number, spaces: string, kinds: string, limit: number) =>
  pinnedAmong(visibleByRule(db, visibility, now, { ids: spaces }, kinds), now, limit),
);

/**
 * The viewer's unconfirmed must-reads in the home feed's spaces, newest first: the first `limit`
 * ids and how many there are in all (for "N more"). `kindsOff`: as listFeedIds.
 */
export async function unconfirmedMustReads(
  app: ItemsApp,
  viewer: Viewer,
  limit: number,
  now = Date.now(),
  kindsOff?: KindsOff,
): Promise<{ ids: number[]; total: number }> {
  const spaces = await homeSpaceIds(app.db, viewer);
  const kinds = app.contentKinds.all().map((k) => k.kind);
  if (spaces.length === 0 || kinds.length === 0) return { ids: [], total: 0 };
  const known = await knownHomeSpaces(app, viewer, spaces, kinds, kindsOff);
  const rows =
    known !== null
      ? await mustReadRows(app.db, now, known.ids, known.kinds, viewer.id, limit)
      : await mustReadRowsByRule(app.db, viewer, now, JSON.stringify(spaces), JSON.stringify(kinds), viewer.id, limit);
  return { ids: rows.map((r) => r.id), total: Number(rows[0]?.total ?? 0) };
}

/** Items pinned until a date still to come, in the home feed's spaces, newest first. `kindsOff`: as listFeedIds. */
export async function pinnedItemIds(app: ItemsApp, viewer: Viewer, limit: number, now = Date.now(), kindsOff?: KindsOff): Promise<number[]> {
  const spaces = await homeSpaceIds(app.db, viewer);
  const kinds = app.contentKinds.all().map((k) => k.kind);
  if (spaces.length === 0 || kinds.length === 0) return [];
  const known = await knownHomeSpaces(app, viewer, spaces, kinds, kindsOff);
  const rows =
    known !== null
      ? await pinnedRows(app.db, now, known.ids, known.kinds, limit)
      : await pinnedRowsByRule(app.db, viewer, now, JSON.stringify(spaces), JSON.stringify(kinds), limit);
  return rows.map((r) => r.id);
}

/** How many items the viewer may see under a topic (the topic page's count). */
export async function countTopicItems(app: ItemsApp, viewer: Viewer, topicId: number, now = Date.now()): Promise<number> {
  const kinds = app.contentKinds.all().map((k) => k.kind);
  if (kinds.length === 0) return 0;
  const row = await visibleContent(app.db, viewer, now)
    .innerJoin('content_topics as ct', 'ct.content_id', 'c.id')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('ct.topic_id', '=', topicId)
    .where('c.kind', 'in', kinds)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
