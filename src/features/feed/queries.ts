// The feed's reads: which content items a list shows, newest first, a page at a time. Every list is
// built on visibleContent (the policy's one SQL definition of "content this viewer may see") and
// reads an index in feed order, so a page costs the same on a small or a large database.
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../db/schema.js';
import { loadItems, type ItemsApp, type LoadItemsOptions } from '../../content/load-items.js';
import type { ContentItem } from '../../content/items.js';
import { compiledQuery, inJson } from '../../db/compiled-query.js';
import { compiledForViewer, contentVisibleWith, memberSpacesJson, visibleContent } from '../../policy/visible-content.js';
import { isAdmin } from '../../policy/viewer.js';
import type { Viewer } from '../../policy/index.js';
import { encodeTimeCursor, parseTimeCursor } from '../../http/cursor.js';

export const FEED_PAGE_SIZE = 20;
export const FEED_MAX_PAGE_SIZE = 50;

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
 * never sorts more than (spaces × page) rows.
 *
 * @example
 * const { ids, next } = await listFeedIds(app, viewer, { scope: 'home', after: request.query.after });
 */
export async function listFeedIds(app: ItemsApp, viewer: Viewer, filter: FeedFilter, now = Date.now()): Promise<FeedIdsPage> {
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
  const mergeSpaces = spaces !== null && spaces.length > 1 && !filter.unconfirmedMustRead && filter.authorId === undefined && topicId === null;
  const shape: FeedShape = {
    admin: isAdmin(viewer),
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
    kinds: JSON.stringify(filter.kind !== undefined ? [filter.kind] : kinds),
    viewer: viewer.id,
    author: filter.authorId,
    topic: topicId,
    at: cursor?.at,
    id: cursor?.id,
    spaces: spaces ?? [],
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
 * What decides the SQL text of a feed query (its values do not): each shape is built and compiled by
 * Kysely once (src/db/compiled-query.ts), then run with the values of each request.
 */
interface FeedShape {
  admin: boolean;
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
  spaces: readonly number[];
}

/** The arguments a shape's query takes, in order (a stand-in for each when it is built). */
function feedArgs(shape: FeedShape, values: FeedArgs): unknown[] {
  return [
    values.now,
    // Admins see every space: the list is not in their query.
    ...(shape.admin ? [] : [values.memberOf]),
    values.kinds,
    ...(shape.mustRead ? [values.viewer] : []),
    ...(shape.author ? [values.author] : []),
    ...(shape.topic ? [values.topic] : []),
    ...(shape.cursor ? [values.at, values.id] : []),
    ...(shape.spaces === 'one' ? [values.spaces[0]] : shape.spaces === 'list' ? [JSON.stringify(values.spaces)] : typeof shape.spaces === 'number' ? values.spaces : []),
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

function buildFeedQuery(db: Kysely<Database>, shape: FeedShape, args: readonly unknown[]) {
  let next = 0;
  const take = () => args[next++] as never;
  const now: number = take();
  const memberOf: string | null = shape.admin ? null : take();
  const kinds: string = take();
  const viewerId: number | undefined = shape.mustRead ? take() : undefined;
  const authorId: number | undefined = shape.author ? take() : undefined;
  const topicId: number | undefined = shape.topic ? take() : undefined;
  const cursor: { at: number; id: number } | undefined = shape.cursor ? { at: take(), id: take() } : undefined;

  const narrowed = (spaceCondition: (q: FeedQuery) => FeedQuery): FeedQuery => {
    let query = contentVisibleWith(db, { admin: shape.admin, memberOf }, now).select(['c.id', 'c.published_at']) as FeedQuery;
    query = spaceCondition(query);
    query = query.where('c.kind', 'in', inJson<string>(kinds));
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

  if (typeof shape.spaces === 'number') {
    // Each space read on its own index (content_by_space) for at most one page, then merged.
    const arms = Array.from({ length: shape.spaces }, () => {
      const spaceId: number = take();
      return db.selectFrom(narrowed((q) => q.where('c.space_id', '=', spaceId)).as('page')).select(['page.id', 'page.published_at']);
    });
    let union = arms[0]!;
    for (const arm of arms.slice(1)) union = union.unionAll(arm);
    return db
      .selectFrom(union.as('merged'))
      .select(['merged.id', 'merged.published_at'])
      .orderBy('merged.published_at', 'desc')
      .orderBy('merged.id', 'desc')
      .limit(sql.lit(shape.fetched));
  }
  if (shape.spaces === 'one') {
    const spaceId: number = take();
    return narrowed((q) => q.where('c.space_id', '=', spaceId));
  }
  if (shape.spaces === 'list') {
    const spacesJson: string = take();
    // The unary plus keeps SQLite from reading content_by_space for each space and sorting them all.
    return narrowed((q) => q.where(sql<number>`+c.space_id`, 'in', inJson<number>(spacesJson)));
  }
  return narrowed((q) => q);
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

// In the home feed's spaces (company + the viewer's, as JSON), the kinds installed (JSON), newest first.
const mustReadRows = compiledForViewer((db, visibility, now: number, kinds: string, spaces: string, viewerId: number, limit: number) =>
  contentVisibleWith(db, visibility, now)
    .select(['c.id', sql<number>`count(*) over ()`.as('total')])
    .where('c.must_read', '=', 1)
    // Authors do not confirm their own must-reads.
    .where((eb) => eb.or([eb('c.author_id', 'is', null), eb('c.author_id', '!=', viewerId)]))
    .where(sql<number>`+c.space_id`, 'in', inJson<number>(spaces))
    .where('c.kind', 'in', inJson<string>(kinds))
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('read_confirmations as rc').select('rc.user_id').whereRef('rc.content_id', '=', 'c.id').where('rc.user_id', '=', viewerId))),
    )
    .orderBy('c.published_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit),
);

const pinnedRows = compiledForViewer((db, visibility, now: number, kinds: string, spaces: string, limit: number) =>
  contentVisibleWith(db, visibility, now)
    .select('c.id')
    // Found by id from content_pinned (a handful of rows, then sorted), rather than by walking the
    // whole feed index in order looking for them.
    .where('c.id', 'in', (eb) => eb.selectFrom('content as p').select('p.id').where('p.pinned_until', '>', now))
    .where(sql<number>`+c.space_id`, 'in', inJson<number>(spaces))
    .where('c.kind', 'in', inJson<string>(kinds))
    .orderBy('c.published_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit),
);

/**
 * The viewer's unconfirmed must-reads in the home feed's spaces, newest first: the first `limit`
 * ids and how many there are in all (for "N more").
 */
export async function unconfirmedMustReads(app: ItemsApp, viewer: Viewer, limit: number, now = Date.now()): Promise<{ ids: number[]; total: number }> {
  const spaces = await homeSpaceIds(app.db, viewer);
  const kinds = app.contentKinds.all().map((k) => k.kind);
  if (spaces.length === 0 || kinds.length === 0) return { ids: [], total: 0 };
  const rows = await mustReadRows(app.db, viewer, now, JSON.stringify(kinds), JSON.stringify(spaces), viewer.id, limit);
  return { ids: rows.map((r) => r.id), total: Number(rows[0]?.total ?? 0) };
}

/** Items pinned until a date still to come, in the home feed's spaces, newest first. */
export async function pinnedItemIds(app: ItemsApp, viewer: Viewer, limit: number, now = Date.now()): Promise<number[]> {
  const spaces = await homeSpaceIds(app.db, viewer);
  const kinds = app.contentKinds.all().map((k) => k.kind);
  if (spaces.length === 0 || kinds.length === 0) return [];
  const rows = await pinnedRows(app.db, viewer, now, JSON.stringify(kinds), JSON.stringify(spaces), limit);
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
