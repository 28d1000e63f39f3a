// Turns content ids into the ContentItems that cards and permalink pages receive: the content row,
// its space and author, the kind's own data, and what the content model attaches to every item
// (reactions, comment count, attachments, topics, the viewer's read confirmation). A fixed number of
// queries whatever the number of ids: for the items the item cache does not hold, the content rows
// (with their comment counts), reactions, attachments, topics, plus one per kind present; then one
// for the viewer's own confirmations and reactions. A page whose items are all kept runs that one alone.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { compiledQuery, inJson } from '../db/compiled-query.js';
import type { Millis } from '../db/schema.js';
import { can, type Viewer } from '../policy/index.js';
import { loadAttachmentRefs } from '../features/attachments/queries.js';
import { REACTION_KEYS } from '../features/conversation/reactions.js';
import type { ContentSubject } from '../policy/subjects.js';
import { itemCacheOf, type SharedItem } from './item-cache.js';
import type { ContentItem, ReactionCount } from './items.js';
import type { Topic } from './markdown.js';
import { kindOffColumn, toContentSubject } from './subjects.js';

/** What loadItems needs of the application: the database and the registered kinds. */
export type ItemsApp = Pick<FastifyInstance, 'db' | 'contentKinds'>;

export interface LoadItemsOptions {
  /** The start of the viewer's previous visit to the feed: items published after it are marked new. */
  previousVisitAt?: Millis | null;
  now?: Millis;
}

// Every feed page runs these: compiled once, with the ids as one JSON parameter (compiled-query.ts).
// What they read is the same for every viewer (kept by the item cache); the viewer's own part is
// viewerState below.
const contentRows = compiledQuery((db, idsJson: string) =>
  db
    .selectFrom('content as c')
    .innerJoin('spaces as s', 's.id', 'c.space_id')
    .leftJoin('users as u', 'u.id', 'c.author_id')
    .select([
      'c.id',
      'c.kind',
      'c.author_id',
      'c.space_id',
      's.visibility',
      's.name as space_name',
      'c.published_at',
      'c.deleted_at',
      'c.hidden_at',
      'c.hidden_reason',
      'c.must_read',
      'c.comments_enabled',
      kindOffColumn(),
      'c.created_at',
      'c.edited_at',
      'c.pinned_until',
      'u.name as author_name',
      'u.status as author_status',
    ])
    // Counted from comments_shown_by_content alone.
    .select((eb) =>
      eb
        .selectFrom('comments as m')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('m.content_id', '=', 'c.id')
        .where('m.deleted_at', 'is', null)
        .where('m.hidden_at', 'is', null)
        .as('comment_count'),
    )
    .where('c.id', 'in', inJson<number>(idsJson)),
);

const reactionCounts = compiledQuery((db, idsJson: string) =>
  db
    .selectFrom('reactions')
    .select(['content_id', 'reaction'])
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('content_id', 'in', inJson<number>(idsJson))
    .groupBy(['content_id', 'reaction']),
);

// The viewer's read confirmations of the must-reads, and their own reactions on the items that have
// any, in one statement: both from the viewer's index (read_confirmations_by_user, reactions_by_user).
const viewerState = compiledQuery((db, viewerId: number, mustReadJson: string, reactedJson: string) =>
  db
    .selectFrom('read_confirmations')
    // Typed as the union's rows: a confirmation has no reaction, a reaction no date.
    .select(['content_id', sql<string | null>`null`.as('reaction'), sql<Millis | null>`confirmed_at`.as('confirmed_at')])
    .where('user_id', '=', viewerId)
    .where('content_id', 'in', inJson<number>(mustReadJson))
    .unionAll(
      db
        .selectFrom('reactions')
        .select(['content_id', sql<string | null>`reaction`.as('reaction'), sql<Millis | null>`null`.as('confirmed_at')])
        .where('user_id', '=', viewerId)
        .where('content_id', 'in', inJson<number>(reactedJson)),
    ),
);

const topicsOfItems = compiledQuery((db, idsJson: string) =>
  db
    .selectFrom('content_topics as ct')
    .innerJoin('topics as t', 't.id', 'ct.topic_id')
    .select(['ct.content_id', 't.slug', 't.label'])
    .where('ct.content_id', 'in', inJson<number>(idsJson))
    .orderBy('t.slug'),
);

const group = <T>(rows: readonly T[], key: (row: T) => number): Map<number, T[]> => {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const id = key(row);
    const list = groups.get(id);
    if (list) list.push(row);
    else groups.set(id, [row]);
  }
  return groups;
};

/**
 * Loads the items with these ids for this viewer, in the order of `ids`. Ids the viewer may not see
 * (`content.view`), ids that do not exist, and items of a kind no longer registered are left out.
 * What every viewer sees alike comes from the item cache when it holds it (src/content/item-cache.ts);
 * the policy still decides on every call, and the viewer's own part is read for them every time.
 *
 * @example
 * const items = await loadItems(app, request.user, [12, 9, 4], { previousVisitAt });
 */
export async function loadItems(app: ItemsApp, viewer: Viewer, ids: readonly number[], options: LoadItemsOptions = {}): Promise<ContentItem[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const now = options.now ?? Date.now();
  const db = app.db;
  const connection = itemCacheOf(db);
  const cache = connection?.refresh() ? connection.cache : undefined;
  // Taken before the first read: whatever is invalidated from here on, what this call read is not kept.
  const generation = cache?.generation ?? 0;

  const kept = new Map<number, SharedItem>();
  const missing: number[] = [];
  for (const id of unique) {
    const item = cache?.get(id);
    if (item) kept.set(id, item);
    else missing.push(id);
  }
  // With each row read, its comment count.
  const rows = missing.length > 0 ? await contentRows(db, JSON.stringify(missing)) : [];

  // The policy decides, item by item, before anything else is read about them; kept ones too.
  const visible = (subject: ContentSubject) => app.contentKinds.get(subject.kind) !== undefined && can(viewer, 'content.view', subject);
  const fresh = rows.map((row) => ({ row, subject: toContentSubject(row) })).filter((entry) => visible(entry.subject));
  const seen = new Map([...kept].filter(([, item]) => visible(item.subject)));
  if (fresh.length === 0 && seen.size === 0) return [];

  // A kind's data is kept only once the triggers on its tables exist: made here, before it is read.
  const keepsData = new Map<string, boolean>();
  const keepsDataOf = (name: string): boolean => {
    let keeps = keepsData.get(name);
    if (keeps === undefined) {
      const tables = app.contentKinds.get(name)!.dataTables;
      keeps = cache !== undefined && tables !== undefined && tables.every((table) => connection!.watch(table));
      keepsData.set(name, keeps);
    }
    return keeps;
  };
  // One query per kind present: the data of the items read now, and of kept items whose kind's data is not kept.
  const kindIds = new Map<string, number[]>();
  const toLoad = (kind: string, id: number) => {
    const list = kindIds.get(kind);
    if (list) list.push(id);
    else kindIds.set(kind, [id]);
  };
  for (const { row } of fresh) {
    keepsDataOf(row.kind);
    toLoad(row.kind, row.id);
  }
  for (const item of seen.values()) if (item.data === undefined) toLoad(item.kind, item.id);

  const freshIds = fresh.map((entry) => entry.row.id);
  const freshJson = JSON.stringify(freshIds);
  const [kindData, reactions, attachments, topics] = await Promise.all([
    Promise.all([...kindIds].map(async ([kind, idsOfKind]) => app.contentKinds.get(kind)!.load(db, idsOfKind))),
    freshIds.length > 0 ? reactionCounts(db, freshJson) : [],
    loadAttachmentRefs(db, { contentIds: freshIds }),
    freshIds.length > 0 ? topicsOfItems(db, freshJson) : [],
  ]);

  const data = new Map<number, unknown>();
  for (const map of kindData) for (const [id, value] of map) data.set(id, value);
  const reactionsOf = group(reactions, (r) => r.content_id);
  const topicsOf = group(topics, (r) => r.content_id);
  const read: SharedItem[] = [];
  for (const { row, subject } of fresh) {
    // A kind row missing (half-written item, kind table purged): nothing to show.
    if (!data.has(row.id)) continue;
    const counts = new Map((reactionsOf.get(row.id) ?? []).map((r) => [r.reaction, Number(r.count)]));
    const item: SharedItem = {
      id: row.id,
      kind: row.kind,
      subject,
      author:
        row.author_id !== null && row.author_name !== null
          ? { id: row.author_id, name: row.author_name, active: row.author_status === 'active' }
          : null,
      space: { id: row.space_id, name: row.space_name, visibility: row.visibility },
      createdAt: row.created_at,
      publishedAt: row.published_at,
      editedAt: row.edited_at,
      pinnedUntil: row.pinned_until,
      hiddenReason: row.hidden_reason,
      commentCount: Number(row.comment_count ?? 0),
      reactionCounts: REACTION_KEYS.flatMap((reaction) => {
        const count = counts.get(reaction) ?? 0;
        return count > 0 ? [{ reaction, count }] : [];
      }),
      attachments: attachments.byContent.get(row.id) ?? [],
      topics: (topicsOf.get(row.id) ?? []).map((t): Topic => ({ slug: t.slug, label: t.label })),
      ...(keepsDataOf(row.kind) ? { data: { value: data.get(row.id) } } : {}),
    };
    read.push(item);
    seen.set(row.id, item);
  }
  cache?.store(generation, read);

  // The viewer's own part: never kept, read for the items where it can show.
  const mustReads: number[] = [];
  const reacted: number[] = [];
  for (const item of seen.values()) {
    if (item.subject.mustRead) mustReads.push(item.id);
    if (item.reactionCounts.length > 0) reacted.push(item.id);
  }
  const own = mustReads.length + reacted.length > 0 ? await viewerState(db, viewer.id, JSON.stringify(mustReads), JSON.stringify(reacted)) : [];
  const confirmedAt = new Map<number, Millis>();
  const mine = new Set<string>();
  for (const row of own) {
    if (row.reaction === null) confirmedAt.set(row.content_id, row.confirmed_at!);
    else mine.add(`${row.content_id} ${row.reaction}`);
  }

  const previousVisitAt = options.previousVisitAt ?? null;
  return unique.flatMap((id): ContentItem[] => {
    const item = seen.get(id);
    if (item === undefined) return [];
    const kindData = item.data ?? (data.has(id) ? { value: data.get(id) } : undefined);
    if (kindData === undefined) return [];
    const { subject, publishedAt, pinnedUntil } = item;
    // A fresh object per call: what it shares with the cache is frozen.
    return [
      {
        id,
        subject,
        kind: app.contentKinds.get(item.kind)!,
        data: kindData.value,
        author: item.author,
        space: item.space,
        createdAt: item.createdAt,
        publishedAt,
        editedAt: item.editedAt,
        pinnedUntil,
        hiddenReason: item.hiddenReason,
        reactions: item.reactionCounts.map(({ reaction, count }): ReactionCount => ({ reaction, count, mine: mine.has(`${id} ${reaction}`) })),
        commentCount: item.commentCount,
        attachments: item.attachments,
        topics: item.topics,
        // Only a must-read is confirmed (a confirmation left from when it was one does not count).
        confirmedAt: subject.mustRead ? (confirmedAt.get(id) ?? null) : null,
        // Nobody's own items are news to them.
        isNew: previousVisitAt !== null && publishedAt !== null && publishedAt > previousVisitAt && publishedAt <= now && subject.authorId !== viewer.id,
        isPinned: pinnedUntil !== null && pinnedUntil > now,
      },
    ];
  });
}
