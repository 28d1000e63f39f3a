// Moderation's reads: what an item or comment is (title and excerpt, whatever its kind), the
// moderation queue (open reports grouped per item), the deleted content an admin may restore, and
// who moderates a space. Every list is a fixed number of queries whatever its length.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ContentKinds } from '../../content/kinds.js';
import { excerpt, plainText } from '../../content/markdown.js';
import { contentSubjectColumns, loadContentSubjects, toContentSubject } from '../../content/subjects.js';
import type { Database, Millis } from '../../db/schema.js';
import { encodeTimeCursor, parseTimeCursor } from '../../http/cursor.js';
import type { Translate } from '../../i18n/index.js';
import { can, type CommentSubject, type ContentSubject, type Viewer } from '../../policy/index.js';
import { RESTORE_WINDOW_MS } from '../../policy/content-rules.js';
import { spaceIsVisible } from '../../policy/visible-content.js';
import { isAdmin } from '../../policy/viewer.js';

type Db = Kysely<Database> | Transaction<Database>;

/** How much of a text moderation pages quote. */
export const EXCERPT_LENGTH = 280;
export const QUEUE_PAGE_SIZE = 30;
/** Reasons quoted per queue entry (the oldest); the entry says how many reports there are in all. */
export const QUEUE_REASONS_SHOWN = 10;
export const DELETED_PAGE_SIZE = 50;

/** A content item as moderation pages name it: its kind's title and the start of its text. */
export interface ContentSummary {
  title: string;
  excerpt: string;
}

/**
 * The title and excerpt of content items of any kinds: one `load` per kind present (never per item).
 * An item whose kind is not registered (a plugin removed) is named by its number.
 *
 * @example
 * const summaries = await describeContent(app.db, app.contentKinds, request.t, [{ id: 4, kind: 'post' }]);
 */
export async function describeContent(
  db: Kysely<Database>,
  kinds: ContentKinds,
  t: Translate,
  items: ReadonlyArray<{ id: number; kind: string }>,
): Promise<Map<number, ContentSummary>> {
  const loaded = await kinds.loadMany(db, items);
  const summaries = new Map<number, ContentSummary>();
  for (const { id } of items) {
    const found = loaded.get(id);
    summaries.set(
      id,
      found
        ? { title: found.kind.title(found.data, t), excerpt: excerpt(found.kind.searchText(found.data).body, EXCERPT_LENGTH) }
        : { title: t('moderation.untitled', { id }), excerpt: '' },
    );
  }
  return summaries;
}

/** A comment as moderation sees it: the policy's subject, with its text and hide reason. */
export interface CommentRecord {
  subject: CommentSubject;
  body: string;
  hiddenReason: string | null;
}

/** Comments with their items (for the policy), by id; missing ids are simply absent. */
export async function loadComments(db: Db, ids: readonly number[]): Promise<Map<number, CommentRecord>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('comments as m')
    .innerJoin('content as c', 'c.id', 'm.content_id')
    .innerJoin('spaces as s', 's.id', 'c.space_id')
    .select(contentSubjectColumns)
    .select([
      'm.id as comment_id',
      'm.author_id as comment_author_id',
      'm.deleted_at as comment_deleted_at',
      'm.hidden_at as comment_hidden_at',
      'm.hidden_reason as comment_hidden_reason',
      'm.body as comment_body',
    ])
    .where('m.id', 'in', [...ids])
    .execute();
  return new Map(
    rows.map((row) => [
      row.comment_id,
      {
        subject: {
          id: row.comment_id,
          authorId: row.comment_author_id,
          deletedAt: row.comment_deleted_at,
          hiddenAt: row.comment_hidden_at,
          content: toContentSubject(row),
        },
        body: row.comment_body,
        hiddenReason: row.comment_hidden_reason,
      },
    ]),
  );
}

/** The active people who moderate a space: every admin, and the space's own admins. */
export async function moderatorsOf(db: Db, space: { id: number; visibility: string }): Promise<number[]> {
  const admins = await db.selectFrom('users').select('id').where('role', '=', 'admin').where('status', '=', 'active').execute();
  const ids = new Set(admins.map((r) => r.id));
  if (space.visibility !== 'company') {
    const spaceAdmins = await db
      .selectFrom('space_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('u.id')
      .where('m.space_id', '=', space.id)
      .where('m.role', '=', 'admin')
      .where('u.status', '=', 'active')
      .execute();
    for (const row of spaceAdmins) ids.add(row.id);
  }
  return [...ids];
}

/** The open report this person already made about this item or comment, if any. */
export async function findOpenReport(db: Db, reporterId: number, target: ReportTarget): Promise<number | undefined> {
  const row = await db
    .selectFrom('reports')
    .select('id')
    .where('reporter_id', '=', reporterId)
    .where('content_id', '=', target.contentId)
    .where((eb) => (target.commentId === null ? eb('comment_id', 'is', null) : eb('comment_id', '=', target.commentId)))
    .where('status', '=', 'open')
    .executeTakeFirst();
  return row?.id;
}

/**
 * When a moderator last dismissed a report of this person about this item or comment, if that was
 * after `since` (a dismissed thing is not reported again by the same person for a day).
 */
export async function findRecentDismissal(db: Db, reporterId: number, target: ReportTarget, since: Millis): Promise<Millis | undefined> {
  const row = await db
    .selectFrom('reports')
    .select((eb) => eb.fn.max('decided_at').as('decided_at'))
    .where('reporter_id', '=', reporterId)
    .where('content_id', '=', target.contentId)
    .where((eb) => (target.commentId === null ? eb('comment_id', 'is', null) : eb('comment_id', '=', target.commentId)))
    .where('status', '=', 'dismissed')
    .where('decided_at', '>', since)
    .executeTakeFirst();
  return row?.decided_at ?? undefined;
}

/** What a report is about: a content item (commentId null), or one of its comments. */
export interface ReportTarget {
  contentId: number;
  commentId: number | null;
}

/** One line of the queue: an item or a comment, and the open reports about it. */
export interface QueueEntry {
  target: ReportTarget;
  content: ContentSubject;
  comment: CommentSubject | null;
  title: string;
  excerpt: string;
  space: { id: number; name: string };
  author: string | null;
  /** Where the reported thing is read. */
  url: string;
  /** The oldest open reports (at most QUEUE_REASONS_SHOWN). */
  reports: Array<{ id: number; reason: string; createdAt: Millis }>;
  /** Open reports about it in all. */
  reportCount: number;
}

export interface QueuePage {
  entries: QueueEntry[];
  /** `?after=` of the next page, or null. */
  next: string | null;
}

/**
 * Open reports the viewer may decide on, grouped per item or comment, the longest waiting first:
 * everything for admins, their own spaces for space admins. Reports about deleted things are left
 * out (nothing to decide); a private space's reports reach only those who may see it.
 *
 * @example
 * const page = await listQueue(app.db, app.contentKinds, request.user, request.t, { after: null });
 */
export async function listQueue(
  db: Kysely<Database>,
  kinds: ContentKinds,
  viewer: Viewer,
  t: Translate,
  position: { after: number | null },
): Promise<QueuePage> {
  const moderated = [...viewer.spaceRoles].filter(([, role]) => role === 'admin').map(([id]) => id);
  if (!isAdmin(viewer) && moderated.length === 0) return { entries: [], next: null };

  let query = db
    .selectFrom('reports as r')
    .innerJoin('content as c', 'c.id', 'r.content_id')
    .leftJoin('comments as m', 'm.id', 'r.comment_id')
    .select(['r.content_id', 'r.comment_id', (eb) => eb.fn.min('r.id').as('first_id'), (eb) => eb.fn.countAll<number>().as('report_count')])
    .where('r.status', '=', 'open')
    .where('c.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('r.comment_id', 'is', null), eb('m.deleted_at', 'is', null)]))
    .where(spaceIsVisible(viewer, 'c.space_id'))
    .groupBy(['r.content_id', 'r.comment_id'])
    .orderBy('first_id')
    .limit(QUEUE_PAGE_SIZE + 1);
  if (!isAdmin(viewer)) query = query.where('c.space_id', 'in', moderated);
  if (position.after !== null) {
    const after = position.after;
    query = query.having((eb) => eb(eb.fn.min('r.id'), '>', after));
  }
  const groups = await query.execute();
  const page = groups.slice(0, QUEUE_PAGE_SIZE);
  if (page.length === 0) return { entries: [], next: null };

  const contentIds = [...new Set(page.map((g) => g.content_id))];
  const itemIds = page.flatMap((g) => (g.comment_id === null ? [g.content_id] : []));
  const commentIds = page.flatMap((g) => (g.comment_id === null ? [] : [g.comment_id]));
  const [reports, subjects, comments, places] = await Promise.all([
    // The oldest reasons of each entry of the page only: an item with many reported comments, or a
    // comment reported by hundreds, still makes a page of bounded size.
    db
      .selectFrom((eb) =>
        eb
          .selectFrom('reports')
          .select(['id', 'content_id', 'comment_id', 'reason', 'created_at'])
          .select(sql<number>`row_number() over (partition by content_id, comment_id order by id)`.as('position'))
          .where('status', '=', 'open')
          .where((eb) =>
            eb.or([
              ...(itemIds.length > 0 ? [eb.and([eb('comment_id', 'is', null), eb('content_id', 'in', itemIds)])] : []),
              ...(commentIds.length > 0 ? [eb('comment_id', 'in', commentIds)] : []),
            ]),
          )
          .as('r'),
      )
      .selectAll()
      .where('r.position', '<=', QUEUE_REASONS_SHOWN)
      .orderBy('r.id')
      .execute(),
    loadContentSubjects(db, contentIds),
    loadComments(db, commentIds),
    db
      .selectFrom('content as c')
      .innerJoin('spaces as s', 's.id', 'c.space_id')
      .leftJoin('users as u', 'u.id', 'c.author_id')
      .select(['c.id', 's.name as space_name', 'u.name as author_name'])
      .where('c.id', 'in', contentIds)
      .execute(),
  ]);
  const commentAuthors = await authorNames(db, [...comments.values()].map((c) => c.subject.authorId));
  const subjectOf = new Map(subjects.map((s) => [s.id, s]));
  const placeOf = new Map(places.map((p) => [p.id, p]));
  const summaries = await describeContent(db, kinds, t, subjects);

  const entries: QueueEntry[] = [];
  for (const group of page) {
    const content = subjectOf.get(group.content_id);
    const place = placeOf.get(group.content_id);
    if (!content || !place) continue;
    const comment = group.comment_id === null ? null : comments.get(group.comment_id);
    if (comment === undefined) continue;
    // The SQL above chose the spaces; the policy has the last word on each entry.
    if (comment ? !can(viewer, 'comment.moderate', comment.subject) : !can(viewer, 'content.moderate', content)) continue;
    const summary = summaries.get(content.id)!;
    entries.push({
      target: { contentId: content.id, commentId: comment ? comment.subject.id : null },
      content,
      comment: comment ? comment.subject : null,
      title: summary.title,
      excerpt: comment ? excerpt(plainText(comment.body), EXCERPT_LENGTH) : summary.excerpt,
      space: { id: content.space.id, name: place.space_name },
      author: comment ? (commentAuthors.get(comment.subject.authorId ?? 0) ?? null) : place.author_name,
      url: comment ? `/content/${content.id}#comment-${comment.subject.id}` : `/content/${content.id}`,
      reports: reports
        .filter((r) => r.content_id === group.content_id && r.comment_id === group.comment_id)
        .map((r) => ({ id: r.id, reason: r.reason, createdAt: r.created_at })),
      reportCount: Number(group.report_count),
    });
  }
  const last = page.at(-1)!;
  return { entries, next: groups.length > QUEUE_PAGE_SIZE ? String(last.first_id) : null };
}

async function authorNames(db: Db, ids: ReadonlyArray<number | null>): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** A deleted content item as the admin's list shows it. */
export interface DeletedEntry {
  subject: ContentSubject;
  title: string;
  excerpt: string;
  spaceName: string;
  author: string | null;
  deletedBy: string | null;
  deletedAt: Millis;
  /** When it is purged for good. */
  purgeAt: Millis;
}

export interface DeletedPage {
  entries: DeletedEntry[];
  /** `?after=` of the next page ("deletedAt|id"), or null. */
  next: string | null;
}

/**
 * Content deleted within the restore window, the most recently deleted first, a page at a time
 * (keyset on content_deleted).
 */
export async function listDeleted(
  db: Kysely<Database>,
  kinds: ContentKinds,
  t: Translate,
  position: { after: string | null },
  now = Date.now(),
): Promise<DeletedPage> {
  let query = db
    .selectFrom('content as c')
    .innerJoin('spaces as s', 's.id', 'c.space_id')
    .leftJoin('users as author', 'author.id', 'c.author_id')
    .leftJoin('users as remover', 'remover.id', 'c.deleted_by')
    .select(contentSubjectColumns)
    .select(['s.name as space_name', 'author.name as author_name', 'remover.name as remover_name'])
    .where('c.deleted_at', 'is not', null)
    .where('c.deleted_at', '>', now - RESTORE_WINDOW_MS)
    .orderBy('c.deleted_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(DELETED_PAGE_SIZE + 1);
  const cursor = parseTimeCursor(position.after);
  if (cursor) query = query.where((eb) => eb(eb.refTuple('c.deleted_at', 'c.id'), '<', eb.tuple(cursor.at, cursor.id)));
  const rows = await query.execute();
  const page = rows.slice(0, DELETED_PAGE_SIZE);
  const summaries = await describeContent(db, kinds, t, page);
  const last = page.at(-1);
  return {
    entries: page.map((row) => {
      const summary = summaries.get(row.id)!;
      return {
        subject: toContentSubject(row),
        title: summary.title,
        excerpt: summary.excerpt,
        spaceName: row.space_name,
        author: row.author_name,
        deletedBy: row.remover_name,
        deletedAt: row.deleted_at!,
        purgeAt: row.deleted_at! + RESTORE_WINDOW_MS,
      };
    }),
    next: rows.length > DELETED_PAGE_SIZE && last ? encodeTimeCursor({ at: last.deleted_at!, id: last.id }) : null,
  };
}
