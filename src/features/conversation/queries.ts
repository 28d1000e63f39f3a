// Reads of the conversation around a content item: its comments (one level of replies), its
// reactions and who reacted. Each read is a fixed number of queries, whatever the number of comments.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { AttachmentRef, PersonRef } from '../../content/items.js';
import type { Database, Millis, UserStatus } from '../../db/schema.js';
import { can, type CommentSubject, type ContentSubject, type Viewer } from '../../policy/index.js';
import { isPublished } from '../../policy/content-rules.js';
import { loadAttachmentRefs } from '../attachments/queries.js';
import { REACTIONS, type Reaction } from './reactions.js';

/** Top-level comments shown at once; the rest is reached with "more comments" (keyset on id). */
export const COMMENTS_PAGE_SIZE = 100;

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

  const replyRows =
    page.length === 0
      ? []
      : await db
          .selectFrom('comments as m')
          .leftJoin('users as u', 'u.id', 'm.author_id')
          .select(COMMENT_COLUMNS)
          .where('m.parent_id', 'in', page.map((r) => r.id))
          .where('m.deleted_at', 'is', null)
          .orderBy('m.id')
          .execute();

  const shownIds = [...page.filter((r) => r.deleted_at === null), ...replyRows].map((r) => r.id);
  const attachments = (await loadAttachmentRefs(db, { commentIds: shownIds })).byComment;

  const canComment = can(viewer, 'content.comment', subject);
  const build = (row: CommentRow): ConversationComment => {
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
    };
  };

  const repliesByParent = new Map<number, ConversationComment[]>();
  for (const row of replyRows) {
    const list = repliesByParent.get(row.parent_id!) ?? [];
    list.push(build(row));
    repliesByParent.set(row.parent_id!, list);
  }
  const comments: ConversationComment[] = [];
  for (const row of page) {
    const replies = repliesByParent.get(row.id) ?? [];
    // A deleted comment stays as a placeholder only while it holds a conversation together.
    if (row.deleted_at !== null && replies.length === 0) continue;
    comments.push({ ...build(row), replies });
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
  people: PersonRef[];
}

/** Who reacted to an item, grouped by reaction in the order of the set, each group sorted by name. */
export async function whoReacted(db: Kysely<Database>, contentId: number): Promise<ReactionGroup[]> {
  const rows = await db
    .selectFrom('reactions as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.reaction', 'u.id', 'u.name', 'u.status'])
    .where('r.content_id', '=', contentId)
    .orderBy('r.reaction')
    .orderBy('u.sort_name')
    .orderBy('u.id')
    .execute();
  return REACTIONS.map((reaction) => ({
    reaction,
    people: rows.filter((r) => r.reaction === reaction.key).map((r) => ({ id: r.id, name: r.name, active: r.status === 'active' })),
  })).filter((group) => group.people.length > 0);
}
