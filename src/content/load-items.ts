// Turns content ids into the ContentItems that cards and permalink pages receive: the content row,
// its space and author, the kind's own data, and what the content model attaches to every item
// (reactions, comment count, attachments, topics, the viewer's read confirmation). A fixed number of
// queries whatever the number of ids: one per concern, plus one per kind present.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Millis } from '../db/schema.js';
import { can, type Viewer } from '../policy/index.js';
import { loadAttachmentRefs } from '../features/attachments/queries.js';
import { REACTION_KEYS } from '../features/conversation/reactions.js';
import type { ContentItem, ReactionCount } from './items.js';
import type { ContentKind } from './kinds.js';
import type { Topic } from './markdown.js';
import { toContentSubject } from './subjects.js';

/** What loadItems needs of the application: the database and the registered kinds. */
export type ItemsApp = Pick<FastifyInstance, 'db' | 'contentKinds'>;

export interface LoadItemsOptions {
  /** The start of the viewer's previous visit to the feed: items published after it are marked new. */
  previousVisitAt?: Millis | null;
  now?: Millis;
}

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

  const rows = await db
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
      'c.created_at',
      'c.edited_at',
      'c.pinned_until',
      'u.name as author_name',
      'u.status as author_status',
    ])
    .where('c.id', 'in', unique)
    .execute();

  // The policy decides, item by item, before anything else is read about them.
  const seen = rows
    .map((row) => ({ row, subject: toContentSubject(row) }))
    .filter((entry) => app.contentKinds.get(entry.row.kind) !== undefined && can(viewer, 'content.view', entry.subject));
  if (seen.length === 0) return [];
  const seenIds = seen.map((entry) => entry.row.id);
  const mustReadIds = seen.filter((entry) => entry.subject.mustRead).map((entry) => entry.row.id);

  const kindIds = new Map<string, number[]>();
  for (const entry of seen) {
    const list = kindIds.get(entry.row.kind);
    if (list) list.push(entry.row.id);
    else kindIds.set(entry.row.kind, [entry.row.id]);
  }

  const [kindData, reactions, comments, attachments, topics, confirmations] = await Promise.all([
    Promise.all([...kindIds].map(async ([kind, idsOfKind]) => app.contentKinds.get(kind)!.load(db, idsOfKind))),
    db
      .selectFrom('reactions')
      .select(['content_id', 'reaction'])
      .select((eb) => [eb.fn.countAll<number>().as('count'), sql<number>`max(user_id = ${viewer.id})`.as('mine')])
      .where('content_id', 'in', seenIds)
      .groupBy(['content_id', 'reaction'])
      .execute(),
    db
      .selectFrom('comments')
      .select('content_id')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('content_id', 'in', seenIds)
      .where('deleted_at', 'is', null)
      .where('hidden_at', 'is', null)
      .groupBy('content_id')
      .execute(),
    loadAttachmentRefs(db, { contentIds: seenIds }),
    db
      .selectFrom('content_topics as ct')
      .innerJoin('topics as t', 't.id', 'ct.topic_id')
      .select(['ct.content_id', 't.slug', 't.label'])
      .where('ct.content_id', 'in', seenIds)
      .orderBy('t.slug')
      .execute(),
    mustReadIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('read_confirmations')
          .select(['content_id', 'confirmed_at'])
          .where('user_id', '=', viewer.id)
          .where('content_id', 'in', mustReadIds)
          .execute(),
  ]);

  // Cards and their partials (actions, must-read panel...) each ask for the title; a kind's title may
  // parse markdown (a post's first words). Asked once per item here: the same viewer, the same words.
  const kinds = new Map<string, ContentKind>();
  for (const kind of kindIds.keys()) kinds.set(kind, withTitleOnce(app.contentKinds.get(kind)!));

  const data = new Map<number, unknown>();
  for (const map of kindData) for (const [id, value] of map) data.set(id, value);
  const reactionsOf = group(reactions, (r) => r.content_id);
  const commentCounts = new Map(comments.map((r) => [r.content_id, Number(r.count)]));
  const topicsOf = group(topics, (r) => r.content_id);
  const confirmedAt = new Map(confirmations.map((r) => [r.content_id, r.confirmed_at]));
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
      kind: kinds.get(row.kind)!,
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
      commentCount: commentCounts.get(row.id) ?? 0,
      attachments: attachments.byContent.get(row.id) ?? [],
      topics: (topicsOf.get(row.id) ?? []).map((t): Topic => ({ slug: t.slug, label: t.label })),
      confirmedAt: confirmedAt.get(row.id) ?? null,
      // Nobody's own items are news to them.
      isNew: previousVisitAt !== null && row.published_at !== null && row.published_at > previousVisitAt && row.published_at <= now && row.author_id !== viewer.id,
      isPinned: row.pinned_until !== null && row.pinned_until > now,
    });
  }
  return unique.flatMap((id) => items.get(id) ?? []);
}

/** The kind, with a title() that computes each item's title once (for one request's items). */
function withTitleOnce(kind: ContentKind): ContentKind {
  const titles = new WeakMap<object, string>();
  // Delegates everything else to the kind itself, whether a plain object or a class instance.
  const wrapper: ContentKind = Object.create(kind);
  wrapper.title = (data, t) => {
    if (typeof data !== 'object' || data === null) return kind.title(data, t);
    let title = titles.get(data);
    if (title === undefined) {
      title = kind.title(data, t);
      titles.set(data, title);
    }
    return title;
  };
  return wrapper;
}
