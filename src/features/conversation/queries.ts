// Reads of the conversation around a content item: its comments (one level of replies), its
// reactions and who reacted. Each read is a fixed number of queries and a bounded page, whatever the
// number of comments, replies or reactions.
import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { AttachmentRef, PersonRef } from '../../content/items.js';
import type { Database, Millis, UserStatus } from '../../db/schema.js';
import { encodeNameCursor, parseNameCursor } from '../../http/cursor.js';
import { can, type CommentSubject, type ContentSubject, type Viewer } from '../../policy/index.js';
import { isPublished } from '../../policy/content-rules.js';
import { loadAttachmentRefs } from '../attachments/queries.js';
import { REACTIONS, type Reaction, type ReactionKey } from './reactions.js';

/** Top-level comments shown at once; the rest is reached with "more comments" (keyset on id). */
export const COMMENTS_PAGE_SIZE = 100;
/** Replies shown under a top-level comment with the conversation; the rest on its replies page. */
export const REPLIES_SHOWN = 20;
/** Replies of one comment shown at once on its replies page (keyset on id). */
export const REPLIES_PAGE_SIZE = 100;
/** People named under each reaction on the who-reacted page; the rest on the reaction's own page. */
export const WHO_REACTED_SHOWN = 20;
/** People shown at once on one reaction's page (keyset on sort name, id). */
export const WHO_REACTED_PAGE_SIZE = 100;

/** What the viewer may do with one comment (the policy's answers, asked once here). */
export interface CommentPermissions {
  edit: boolean;
  delete: boolean;
  hide: boolean;
  report: boolean;
  /**
   * Answer it: a comment neither hidden nor deleted, on an item open to comments. An answer to a
   * reply joins the thread of its top-level comment (one level of replies).
   */
  reply: boolean;
}

export interface ConversationComment {
  id: number;
  parentId: number | null;
  author: PersonRef | null;
  /**
   * 'visible'; 'hidden' by a moderator (its text and reason reach only its author and moderators);
   * 'deleted' (kept as a placeholder only while replies hang from it).
   */
  state: 'visible' | 'hidden' | 'deleted';
  /** The rendered text, or null when the viewer may not read it. */
  bodyHtml: string | null;
  /** Why a moderator hid it, for those who may read it. */
  hiddenReason: string | null;
  createdAt: Millis;
  editedAt: Millis | null;
  attachments: AttachmentRef[];
  subject: CommentSubject;
  may: CommentPermissions;
  replies: ConversationComment[];
  /** Replies beyond those in `replies` (0 for a reply), on the comment's replies page. */
  moreReplies: number;
  /** Where the comment's replies page continues (`?after=`): the last reply shown, or null. */
  repliesAfter: number | null;
}

/** Why someone who sees an item may not comment on it. */
export type ClosedReason = 'closed' | 'hidden' | 'unpublished';

export interface Conversation {
  contentId: number;
  /** Top-level comments, oldest first, each with its replies (oldest first). */
  comments: ConversationComment[];
  /** The page started after this top-level comment id (null: the first page). */
  after: number | null;
  /** Cursor for the next page of top-level comments, or null. */
  next: number | null;
  /** Comments of the whole item, replies included, deleted and hidden ones excepted. */
  count: number;
  canComment: boolean;
  closedReason: ClosedReason | null;
}

const COMMENT_COLUMNS = [
  'm.id',
  'm.parent_id',
  'm.author_id',
  'm.body_html',
  'm.created_at',
  'm.edited_at',
  'm.deleted_at',
  'm.hidden_at',
  'm.hidden_reason',
  'u.name as author_name',
  'u.status as author_status',
] as const;

interface CommentRow {
  id: number;
  parent_id: number | null;
  author_id: number | null;
  body_html: string;
  created_at: Millis;
  edited_at: Millis | null;
  deleted_at: Millis | null;
  hidden_at: Millis | null;
  hidden_reason: string | null;
  author_name: string | null;
  author_status: UserStatus | null;
}

/**
 * The comments on an item as `viewer` may see them: a page of top-level comments in order (keyset
 * on id, `COMMENTS_PAGE_SIZE` at a time), each with its replies, authors, attachments and what the
 * viewer may do. Four queries whatever the number of comments. The caller has checked that the
 * viewer may see the item.
 *
 * @example
 * const conversation = await loadConversation(app, request.user, subject);
 * return reply.render('content/page', { item, conversation });
 */
export async function loadConversation(
  app: FastifyInstance,
  viewer: Viewer,
  subject: ContentSubject,
  options: { after?: number | null } = {},
): Promise<Conversation> {
  const db = app.db;
  const after = options.after ?? null;
  let topQuery = db
    .selectFrom('comments as m')
    .leftJoin('users as u', 'u.id', 'm.author_id')
    .select(COMMENT_COLUMNS)
    .where('m.content_id', '=', subject.id)
    .where('m.parent_id', 'is', null)
    .orderBy('m.id')
    .limit(COMMENTS_PAGE_SIZE + 1);
  if (after !== null) topQuery = topQuery.where('m.id', '>', after);
  const [topRows, count] = await Promise.all([topQuery.execute(), countComments(db, subject.id)]);
  const page = topRows.slice(0, COMMENTS_PAGE_SIZE);
  const next = topRows.length > COMMENTS_PAGE_SIZE ? page.at(-1)!.id : null;

  // The first REPLIES_SHOWN replies of each comment of the page, and how many each has.
  const replyRows =
    page.length === 0
      ? []
      : await db
          .selectFrom((eb) =>
            eb
              .selectFrom('comments as m')
              .leftJoin('users as u', 'u.id', 'm.author_id')
              .select(COMMENT_COLUMNS)
              .select([
                sql<number>`row_number() over (partition by m.parent_id order by m.id)`.as('position'),
                sql<number>`count(*) over (partition by m.parent_id)`.as('siblings'),
              ])
              .where('m.parent_id', 'in', page.map((r) => r.id))
              .where('m.deleted_at', 'is', null)
              .as('r'),
          )
          .selectAll()
          .where('r.position', '<=', REPLIES_SHOWN)
          .orderBy('r.id')
          .execute();

  const shownIds = [...page.filter((r) => r.deleted_at === null), ...replyRows].map((r) => r.id);
  const attachments = (await loadAttachmentRefs(db, { commentIds: shownIds })).byComment;

  const canComment = can(viewer, 'content.comment', subject);
  const build = commentBuilder(viewer, subject, attachments, canComment);

  const repliesByParent = new Map<number, ConversationComment[]>();
  const siblingsOf = new Map<number, number>();
  for (const row of replyRows) {
    const list = repliesByParent.get(row.parent_id!) ?? [];
    list.push(build(row));
    repliesByParent.set(row.parent_id!, list);
    siblingsOf.set(row.parent_id!, Number(row.siblings));
  }
  const comments: ConversationComment[] = [];
  for (const row of page) {
    const replies = repliesByParent.get(row.id) ?? [];
    // A deleted comment stays as a placeholder only while it holds a conversation together.
    if (row.deleted_at !== null && replies.length === 0) continue;
    const moreReplies = (siblingsOf.get(row.id) ?? 0) - replies.length;
    comments.push({ ...build(row), replies, moreReplies, repliesAfter: moreReplies > 0 ? replies.at(-1)!.id : null });
  }

  return {
    contentId: subject.id,
    comments,
    after,
    next,
    count,
    canComment,
    closedReason: canComment ? null : closedReason(subject),
  };
}

/** Turns comment rows into what the templates show, asking the policy once per comment. */
function commentBuilder(
  viewer: Viewer,
  subject: ContentSubject,
  attachments: Map<number, AttachmentRef[]>,
  canComment: boolean,
): (row: CommentRow) => ConversationComment {
  return (row) => {
    const commentSubject: CommentSubject = {
      id: row.id,
      authorId: row.author_id,
      deletedAt: row.deleted_at,
      hiddenAt: row.hidden_at,
      content: subject,
    };
    const state = row.deleted_at !== null ? 'deleted' : row.hidden_at !== null ? 'hidden' : 'visible';
    const readable = state !== 'deleted' && can(viewer, 'comment.view', commentSubject);
    return {
      id: row.id,
      parentId: row.parent_id,
      author: row.author_id === null ? null : { id: row.author_id, name: row.author_name ?? '', active: row.author_status === 'active' },
      state,
      bodyHtml: readable ? row.body_html : null,
      hiddenReason: readable && state === 'hidden' ? row.hidden_reason : null,
      createdAt: row.created_at,
      editedAt: row.edited_at,
      attachments: readable ? (attachments.get(row.id) ?? []) : [],
      subject: commentSubject,
      may: {
        edit: can(viewer, 'comment.edit', commentSubject),
        delete: can(viewer, 'comment.delete', commentSubject),
        hide: can(viewer, 'comment.hide', commentSubject),
        report: can(viewer, 'comment.report', commentSubject),
        reply: canComment && state === 'visible',
      },
      replies: [],
      moreReplies: 0,
      repliesAfter: null,
    };
  };
}

/** A top-level comment with a page of its replies (its replies page). */
export interface RepliesPage {
  comment: ConversationComment;
  /** The page started after this reply id (null: from the first reply). */
  after: number | null;
  canComment: boolean;
}

/**
 * A top-level comment and its replies after `after` (keyset on id), `REPLIES_PAGE_SIZE` at a time;
 * `comment.moreReplies` / `comment.repliesAfter` lead to the next page. Undefined when the comment
 * is not a top-level comment of this item, or is deleted. Four queries. The caller has checked that
 * the viewer may see the comment.
 *
 * @example
 * const page = await loadReplies(app, request.user, subject, commentId, { after: null });
 */
export async function loadReplies(
  app: FastifyInstance,
  viewer: Viewer,
  subject: ContentSubject,
  commentId: number,
  options: { after?: number | null } = {},
): Promise<RepliesPage | undefined> {
  const db = app.db;
  const after = options.after ?? null;
  const parent = await db
    .selectFrom('comments as m')
    .leftJoin('users as u', 'u.id', 'm.author_id')
    .select(COMMENT_COLUMNS)
    .where('m.id', '=', commentId)
    .where('m.content_id', '=', subject.id)
    .where('m.parent_id', 'is', null)
    .where('m.deleted_at', 'is', null)
    .executeTakeFirst();
  if (!parent) return undefined;
  let query = db
    .selectFrom('comments as m')
    .leftJoin('users as u', 'u.id', 'm.author_id')
    .select(COMMENT_COLUMNS)
    .where('m.parent_id', '=', parent.id)
    .where('m.deleted_at', 'is', null)
    .orderBy('m.id')
    .limit(REPLIES_PAGE_SIZE + 1);
  if (after !== null) query = query.where('m.id', '>', after);
  const [rows, remaining] = await Promise.all([
    query.execute(),
    db
      .selectFrom('comments')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('parent_id', '=', parent.id)
      .where('deleted_at', 'is', null)
      .where('id', '>', after ?? 0)
      .executeTakeFirstOrThrow(),
  ]);
  const replyRows = rows.slice(0, REPLIES_PAGE_SIZE);
  const attachments = (await loadAttachmentRefs(db, { commentIds: [parent.id, ...replyRows.map((r) => r.id)] })).byComment;
  const canComment = can(viewer, 'content.comment', subject);
  const build = commentBuilder(viewer, subject, attachments, canComment);
  const replies = replyRows.map(build);
  const moreReplies = Number(remaining.count) - replies.length;
  return {
    comment: { ...build(parent), replies, moreReplies, repliesAfter: moreReplies > 0 ? replies.at(-1)!.id : null },
    after,
    canComment,
  };
}

/** Replies of a comment before `replyId` (deleted ones aside): tells whether a new reply is shown with the conversation. */
export async function repliesBefore(db: Kysely<Database>, parentId: number, replyId: number): Promise<number> {
  const row = await db
    .selectFrom('comments')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('parent_id', '=', parentId)
    .where('deleted_at', 'is', null)
    .where('id', '<', replyId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Why an item the viewer sees is not open to their comments (asked once `content.comment` said no). */
export function closedReason(subject: ContentSubject): ClosedReason {
  if (subject.hiddenAt !== null) return 'hidden';
  if (!isPublished(subject)) return 'unpublished';
  return 'closed';
}

/** Comments of an item that are neither deleted nor hidden: the count its card shows too. */
export async function countComments(db: Kysely<Database>, contentId: number): Promise<number> {
  const row = await db
    .selectFrom('comments')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('content_id', '=', contentId)
    .where('deleted_at', 'is', null)
    .where('hidden_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Top-level comments of an item before `commentId`: tells which page of the conversation a new
 * comment lands on.
 */
export async function topLevelCommentsBefore(db: Kysely<Database>, contentId: number, commentId: number): Promise<number> {
  const row = await db
    .selectFrom('comments')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('content_id', '=', contentId)
    .where('parent_id', 'is', null)
    .where('id', '<', commentId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** One comment with what its edit form needs. */
export interface CommentForEdit {
  id: number;
  contentId: number;
  parentId: number | null;
  body: string;
  attachments: AttachmentRef[];
}

export async function findCommentForEdit(db: Kysely<Database>, commentId: number): Promise<CommentForEdit | undefined> {
  const row = await db
    .selectFrom('comments')
    .select(['id', 'content_id', 'parent_id', 'body'])
    .where('id', '=', commentId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { byComment } = await loadAttachmentRefs(db, { commentIds: [row.id] });
  const attachments = (byComment.get(row.id) ?? []).filter((file) => file.purpose === 'file');
  return { id: row.id, contentId: row.content_id, parentId: row.parent_id, body: row.body, attachments };
}

/** A comment that a reply may answer: its item, its parent (for one level of replies), its state. */
export interface ReplyTarget {
  id: number;
  contentId: number;
  parentId: number | null;
  open: boolean;
}

export async function findReplyTarget(db: Kysely<Database>, commentId: number): Promise<ReplyTarget | undefined> {
  const row = await db
    .selectFrom('comments')
    .select(['id', 'content_id', 'parent_id', 'deleted_at', 'hidden_at'])
    .where('id', '=', commentId)
    .executeTakeFirst();
  if (!row) return undefined;
  return { id: row.id, contentId: row.content_id, parentId: row.parent_id, open: row.deleted_at === null && row.hidden_at === null };
}

export interface ReactionGroup {
  reaction: Reaction;
  /** Everyone who reacted so. */
  count: number;
  /** The first of them by name (at most WHO_REACTED_SHOWN). */
  people: PersonRef[];
}

/**
 * Who reacted to an item, grouped by reaction in the order of the set: how many, and the first
 * `WHO_REACTED_SHOWN` of each by name (the rest on the reaction's page, whoReactedWith). Two queries.
 */
export async function whoReacted(db: Kysely<Database>, contentId: number): Promise<ReactionGroup[]> {
  const [counts, rows] = await Promise.all([
    db
      .selectFrom('reactions')
      .select(['reaction', (eb) => eb.fn.countAll<number>().as('count')])
      .where('content_id', '=', contentId)
      .groupBy('reaction')
      .execute(),
    db
      .selectFrom((eb) =>
        eb
          .selectFrom('reactions as r')
          .innerJoin('users as u', 'u.id', 'r.user_id')
          .select(['r.reaction', 'u.id', 'u.name', 'u.status', 'u.sort_name'])
          .select(sql<number>`row_number() over (partition by r.reaction order by u.sort_name, u.id)`.as('position'))
          .where('r.content_id', '=', contentId)
          .as('p'),
      )
      .selectAll()
      .where('p.position', '<=', WHO_REACTED_SHOWN)
      .orderBy('p.reaction')
      .orderBy('p.position')
      .execute(),
  ]);
  const countOf = new Map(counts.map((c) => [c.reaction, Number(c.count)]));
  return REACTIONS.map((reaction) => ({
    reaction,
    count: countOf.get(reaction.key) ?? 0,
    people: rows.filter((r) => r.reaction === reaction.key).map((r) => ({ id: r.id, name: r.name, active: r.status === 'active' })),
  })).filter((group) => group.count > 0);
}

export interface ReactionPage {
  people: PersonRef[];
  /** Everyone who reacted so. */
  count: number;
  /** Cursor of the next page ("sort name|id", `?after=`), or null. */
  next: string | null;
}

/** Who reacted to an item with one reaction, by name, a page at a time (keyset on sort name, id). */
export async function whoReactedWith(db: Kysely<Database>, contentId: number, reaction: ReactionKey, after?: string | null): Promise<ReactionPage> {
  let query = db
    .selectFrom('reactions as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['u.id', 'u.name', 'u.status', 'u.sort_name'])
    .where('r.content_id', '=', contentId)
    .where('r.reaction', '=', reaction)
    .orderBy('u.sort_name')
    .orderBy('u.id')
    .limit(WHO_REACTED_PAGE_SIZE + 1);
  const from = parseNameCursor(after);
  if (from) query = query.where((eb) => eb(eb.refTuple('u.sort_name', 'u.id'), '>', eb.tuple(from.name, from.id)));
  const [rows, total] = await Promise.all([
    query.execute(),
    db
      .selectFrom('reactions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('content_id', '=', contentId)
      .where('reaction', '=', reaction)
      .executeTakeFirstOrThrow(),
  ]);
  const page = rows.slice(0, WHO_REACTED_PAGE_SIZE);
  const last = page.at(-1);
  return {
    people: page.map((r) => ({ id: r.id, name: r.name, active: r.status === 'active' })),
    count: Number(total.count),
    next: rows.length > WHO_REACTED_PAGE_SIZE && last ? encodeNameCursor({ name: last.sort_name, id: last.id }) : null,
  };
}
