// The feed's reads: which content items a list shows, newest first, a page at a time. Every list is
// built on visibleContent (the policy's one SQL definition of "content this viewer may see") and
// reads an index in feed order, so a page costs the same on a small or a large database.
import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../db/schema.js';
import { loadItems, type ItemsApp, type LoadItemsOptions } from '../../content/load-items.js';
import type { ContentItem } from '../../content/items.js';
import { visibleContent } from '../../policy/visible-content.js';
import type { Viewer } from '../../policy/index.js';
import { encodeTimeCursor, parseTimeCursor, type TimeCursor } from '../../http/cursor.js';

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

  const narrowed = (spaceCondition: (q: FeedQuery) => FeedQuery): FeedQuery => {
    let query = visibleContent(db, viewer, now).select(['c.id', 'c.published_at']) as FeedQuery;
    query = spaceCondition(query);
    query = query.where('c.kind', 'in', filter.kind !== undefined ? [filter.kind] : kinds);
    if (filter.authorId !== undefined) query = query.where('c.author_id', '=', filter.authorId);
    if (topicId !== null) {
      query = query.where('c.id', 'in', db.selectFrom('content_topics').select('content_id').where('topic_id', '=', topicId));
    }
    if (filter.unconfirmedMustRead) {
      query = query
        .where('c.must_read', '=', 1)
        // Authors do not confirm their own must-reads.
        .where((eb) => eb.or([eb('c.author_id', 'is', null), eb('c.author_id', '!=', viewer.id)]))
        .where((eb) =>
          eb.not(
            eb.exists(
              eb.selectFrom('read_confirmations as rc').select('rc.user_id').whereRef('rc.content_id', '=', 'c.id').where('rc.user_id', '=', viewer.id),
            ),
          ),
        );
    }
    if (cursor) query = query.where(beyond(cursor));
    return query.orderBy('c.published_at', 'desc').orderBy('c.id', 'desc').limit(sql.lit(fetched));
  };

  let rows: { id: number; published_at: number | null }[];
  // Rare items (must-reads), one author, one topic: their own index or a short scan decides, not the spaces.
  const mergeSpaces = spaces !== null && spaces.length > 1 && !filter.unconfirmedMustRead && filter.authorId === undefined && topicId === null;
  if (mergeSpaces) {
    const [first, ...rest] = spaces.map((spaceId) => db.selectFrom(narrowed((q) => q.where('c.space_id', '=', spaceId)).as('page')).select(['page.id', 'page.published_at']));
    let union = first!;
    for (const arm of rest) union = union.unionAll(arm);
    rows = await db
      .selectFrom(union.as('merged'))
      .select(['merged.id', 'merged.published_at'])
      .orderBy('merged.published_at', 'desc')
      .orderBy('merged.id', 'desc')
      .limit(sql.lit(fetched))
      .execute();
  } else if (spaces !== null && spaces.length === 1) {
    rows = await narrowed((q) => q.where('c.space_id', '=', spaces[0]!)).execute();
  } else if (spaces !== null) {
    // The unary plus keeps SQLite from reading content_by_space for each space and sorting them all.
    rows = await narrowed((q) => q.where(sql<number>`+c.space_id`, 'in', spaces)).execute();
  } else {
    rows = await narrowed((q) => q).execute();
  }

  const kept = excluded.size === 0 ? rows : rows.filter((r) => !excluded.has(r.id));
  const page = kept.slice(0, limit);
  const last = page.at(-1);
  return {
    ids: page.map((r) => r.id),
    next: kept.length > limit && last && last.published_at !== null ? encodeTimeCursor({ at: last.published_at, id: last.id }) : null,
  };
}

/** After the cursor in (published_at desc, id desc) order: a row-value comparison SQLite reads on the index. */
const beyond = (cursor: TimeCursor) => (eb: ExpressionBuilder<Database & { c: Database['content'] }, 'c'>) =>
  eb(eb.refTuple('c.published_at', 'c.id'), '<', eb.tuple(cursor.at, cursor.id));

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

/**
 * The viewer's unconfirmed must-reads in the home feed's spaces, newest first: the first `limit`
 * ids and how many there are in all (for "N more").
 */
export async function unconfirmedMustReads(app: ItemsApp, viewer: Viewer, limit: number, now = Date.now()): Promise<{ ids: number[]; total: number }> {
  const spaces = await homeSpaceIds(app.db, viewer);
  const kinds = app.contentKinds.all().map((k) => k.kind);
  if (spaces.length === 0 || kinds.length === 0) return { ids: [], total: 0 };
  const rows = await visibleContent(app.db, viewer, now)
    .select(['c.id', sql<number>`count(*) over ()`.as('total')])
    .where('c.must_read', '=', 1)
    // Authors do not confirm their own must-reads.
    .where((eb) => eb.or([eb('c.author_id', 'is', null), eb('c.author_id', '!=', viewer.id)]))
    .where(sql<number>`+c.space_id`, 'in', spaces)
    .where('c.kind', 'in', kinds)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('read_confirmations as rc').select('rc.user_id').whereRef('rc.content_id', '=', 'c.id').where('rc.user_id', '=', viewer.id))),
    )
    .orderBy('c.published_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
  return { ids: rows.map((r) => r.id), total: Number(rows[0]?.total ?? 0) };
}

/** Items pinned until a date still to come, in the home feed's spaces, newest first. */
export async function pinnedItemIds(app: ItemsApp, viewer: Viewer, limit: number, now = Date.now()): Promise<number[]> {
  const spaces = await homeSpaceIds(app.db, viewer);
  const kinds = app.contentKinds.all().map((k) => k.kind);
  if (spaces.length === 0 || kinds.length === 0) return [];
  const rows = await visibleContent(app.db, viewer, now)
    .select('c.id')
    // Found by id from content_pinned (a handful of rows, then sorted), rather than by walking the
    // whole feed index in order looking for them.
    .where('c.id', 'in', (eb) => eb.selectFrom('content as p').select('p.id').where('p.pinned_until', '>', now))
    .where(sql<number>`+c.space_id`, 'in', spaces)
    .where('c.kind', 'in', kinds)
    .orderBy('c.published_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
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
