// Turns content ids into the ContentItems that cards and permalink pages receive: the content row,
// its space and author, the kind's own data, and what the content model attaches to every item
// (reactions, comment count, attachments, topics, the viewer's read confirmation). A fixed number of
// queries whatever the number of ids: the content rows (with their comment counts and the viewer's
// confirmations), reactions, attachments, topics, plus one per kind present.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { compiledQuery, inJson } from '../db/compiled-query.js';
import type { Millis } from '../db/schema.js';
import { can, type Viewer } from '../policy/index.js';
import { loadAttachmentRefs } from '../features/attachments/queries.js';
import { REACTION_KEYS } from '../features/conversation/reactions.js';
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
const contentRows = compiledQuery((db, idsJson: string, viewerId: number) =>
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
    .select((eb) =>
      eb
        .selectFrom('read_confirmations as rc')
        .select('rc.confirmed_at')
        .whereRef('rc.content_id', '=', 'c.id')
        .where('rc.user_id', '=', viewerId)
        .as('confirmed_at'),
    )
    .where('c.id', 'in', inJson<number>(idsJson)),
);

const reactionCounts = compiledQuery((db, idsJson: string, viewerId: number) =>
  db
    .selectFrom('reactions')
    .select(['content_id', 'reaction'])
    .select((eb) => [eb.fn.countAll<number>().as('count'), sql<number>`max(user_id = ${viewerId})`.as('mine')])
    .where('content_id', 'in', inJson<number>(idsJson))
    .groupBy(['content_id', 'reaction']),
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
 *
 * @example
 * const items = await loadItems(app, request.user, [12, 9, 4], { previousVisitAt });
 */
export async function loadItems(app: ItemsApp, viewer: Viewer, ids: readonly number[], options: LoadItemsOptions = {}): Promise<ContentItem[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const now = options.now ?? Date.now();
  const db = app.db;

  // With each row, its comment count and the viewer's read confirmation: dropped with the row below
  // when the policy says no.
  const rows = await contentRows(db, JSON.stringify(unique), viewer.id);

  // The policy decides, item by item, before anything else is read about them.
  const seen = rows
    .map((row) => ({ row, subject: toContentSubject(row) }))
    .filter((entry) => app.contentKinds.get(entry.row.kind) !== undefined && can(viewer, 'content.view', entry.subject));
  if (seen.length === 0) return [];
  const seenIds = seen.map((entry) => entry.row.id);
  const seenJson = JSON.stringify(seenIds);

  const kindIds = new Map<string, number[]>();
  for (const entry of seen) {
    const list = kindIds.get(entry.row.kind);
    if (list) list.push(entry.row.id);
    else kindIds.set(entry.row.kind, [entry.row.id]);
  }

  const [kindData, reactions, attachments, topics] = await Promise.all([
    Promise.all([...kindIds].map(async ([kind, idsOfKind]) => app.contentKinds.get(kind)!.load(db, idsOfKind))),
    reactionCounts(db, seenJson, viewer.id),
    loadAttachmentRefs(db, { contentIds: seenIds }),
    topicsOfItems(db, seenJson),
  ]);

  const data = new Map<number, unknown>();
  for (const map of kindData) for (const [id, value] of map) data.set(id, value);
  const reactionsOf = group(reactions, (r) => r.content_id);
  const topicsOf = group(topics, (r) => r.content_id);
  const previousVisitAt = options.previousVisitAt ?? null;

  const items = new Map<number, ContentItem>();
  for (const { row, subject } of seen) {
    // A kind row missing (half-written item, kind table purged): nothing to show.
    if (!data.has(row.id)) continue;
    const own = new Map((reactionsOf.get(row.id) ?? []).map((r) => [r.reaction, r]));
    const reactionCounts: ReactionCount[] = [];
    for (const reaction of REACTION_KEYS) {
      const counted = own.get(reaction);
      if (counted && Number(counted.count) > 0) reactionCounts.push({ reaction, count: Number(counted.count), mine: Number(counted.mine) === 1 });
    }
    items.set(row.id, {
      id: row.id,
      subject,
      kind: app.contentKinds.get(row.kind)!,
      data: data.get(row.id),
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
      reactions: reactionCounts,
      commentCount: Number(row.comment_count ?? 0),
      attachments: attachments.byContent.get(row.id) ?? [],
      topics: (topicsOf.get(row.id) ?? []).map((t): Topic => ({ slug: t.slug, label: t.label })),
      // Only a must-read is confirmed (a confirmation left from when it was one does not count).
      confirmedAt: subject.mustRead ? (row.confirmed_at ?? null) : null,
      // Nobody's own items are news to them.
      isNew: previousVisitAt !== null && row.published_at !== null && row.published_at > previousVisitAt && row.published_at <= now && row.author_id !== viewer.id,
      isPinned: row.pinned_until !== null && row.pinned_until > now,
    });
  }
  return unique.flatMap((id) => items.get(id) ?? []);
}
