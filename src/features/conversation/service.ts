// Writes of the conversation: comments (one level of replies), their soft delete, and reactions.
// Routes have asked the policy first; these keep the rules the database must hold.
import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import { renderMarkdown } from '../../content/markdown.js';
import { recordLinks } from '../../content/store.js';
import type { Database } from '../../db/schema.js';
import { notifyComment, notifyReaction, withdrawReaction } from '../../notifications/events.js';
import { attachAll, detachAttachments, type AttachmentOwner } from '../attachments/service.js';
import type { ReactionKey } from './reactions.js';

/** Longest comment, in characters (UTF-16 units, as the browser's maxlength counts them). */
export const COMMENT_MAX_LENGTH = 5000;

export interface NewComment {
  contentId: number;
  authorId: number;
  body: string;
  /** The top-level comment answered (already resolved: never a reply), or null. */
  parentId: number | null;
  /** The author's own pending attachments (checked with pendingAttachmentIds). */
  attachmentIds: readonly number[];
}

/**
 * Saves a comment with its mentions (notified to those who may see the item) and its files, in one
 * transaction. Returns its id. Throws AttachmentsTaken (nothing saved) when a file was claimed meanwhile.
 */
export async function addComment(db: Kysely<Database>, input: NewComment, now = Date.now()): Promise<number> {
  const rendered = await renderMarkdown(db, input.body, 'short');
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('comments')
      .values({
        content_id: input.contentId,
        parent_id: input.parentId,
        author_id: input.authorId,
        body: input.body,
        body_html: rendered.html,
        created_at: now,
        edited_at: null,
        deleted_at: null,
        deleted_by: null,
        hidden_at: null,
        hidden_by: null,
        hidden_reason: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordLinks(trx, { contentId: input.contentId, commentId: row.id, actorId: input.authorId }, rendered, now);
    await attachAll(trx, input.attachmentIds, { commentId: row.id, contentId: input.contentId }, input.authorId);
    // Replies and comments to those who follow; the mentioned already heard (once is enough).
    await notifyComment(trx, { contentId: input.contentId, commentId: row.id, parentId: input.parentId, actorId: input.authorId, mentioned: rendered.mentionedUserIds }, now);
    return row.id;
  });
}

export interface CommentChange {
  commentId: number;
  contentId: number;
  actorId: number;
  body: string;
  /** New files: the author's own pending attachments. */
  attachmentIds: readonly number[];
  /** Files of this comment to take off it. */
  removeAttachmentIds: readonly number[];
}

export interface CommentUpdate {
  /** The text or the files changed: the comment is marked edited. */
  changed: boolean;
  /** Storage keys of the files taken off: remove them with removeStoredFiles once committed. */
  removedFiles: string[];
}

/**
 * Saves a new version of a comment: text, mentions, files, and the "edited" marker when the text or
 * the files changed (saving it as it was marks nothing). Throws AttachmentsTaken (nothing saved)
 * when a new file was claimed meanwhile.
 */
export async function editComment(db: Kysely<Database>, change: CommentChange, now = Date.now()): Promise<CommentUpdate> {
  const rendered = await renderMarkdown(db, change.body, 'short');
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('comments').select('body').where('id', '=', change.commentId).executeTakeFirstOrThrow();
    await trx.updateTable('comments').set({ body: change.body, body_html: rendered.html }).where('id', '=', change.commentId).execute();
    const owner = { commentId: change.commentId, contentId: change.contentId };
    // Files taken off first: the ones added next are not among those kept.
    const removedFiles = await removeFiles(trx, owner, change.removeAttachmentIds);
    await attachAll(trx, change.attachmentIds, owner, change.actorId);
    const changed = before.body !== change.body || removedFiles.length > 0 || change.attachmentIds.length > 0;
    if (changed) {
      await trx.updateTable('comments').set({ edited_at: now }).where('id', '=', change.commentId).execute();
      await recordLinks(trx, { contentId: change.contentId, commentId: change.commentId, actorId: change.actorId }, rendered, now);
    }
    return { changed, removedFiles };
  });
}

/**
 * Soft delete: the comment disappears (a placeholder stays while replies hang from it). An admin
 * deleting someone else's comment is a moderation decision, written to the audit log. Pass a
 * transaction to make it part of a larger change (moderation closes the reports in the same one);
 * given the database, it opens its own. False when it was already deleted.
 *
 * @example
 * await db.transaction().execute(async (trx) => { if (await deleteComment(trx, comment, actorId)) await closeReports(trx, ...); });
 */
export async function deleteComment(
  db: Kysely<Database> | Transaction<Database>,
  comment: { id: number; authorId: number | null; contentId: number },
  actorId: number,
  now = Date.now(),
): Promise<boolean> {
  if (!db.isTransaction) return db.transaction().execute((trx) => deleteComment(trx, comment, actorId, now));
  const result = await db
    .updateTable('comments')
    .set({ deleted_at: now, deleted_by: actorId })
    .where('id', '=', comment.id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  const deleted = result.numUpdatedRows > 0n;
  if (deleted && comment.authorId !== actorId) {
    await recordAudit(db, { actorId, action: 'comment.delete', subjectType: 'comment', subjectId: comment.id, details: { contentId: comment.contentId, authorId: comment.authorId } }, now);
  }
  return deleted;
}

/**
 * Adds the viewer's reaction, or takes it back when they had it. Safe when two clicks race: the
 * primary key (content, reaction, person) holds one row at most, and an insert that meets one does
 * nothing. Returns whether the reaction is now there.
 */
export async function toggleReaction(db: Kysely<Database>, contentId: number, userId: number, reaction: ReactionKey, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('reactions')
      .where('content_id', '=', contentId)
      .where('reaction', '=', reaction)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (removed.numDeletedRows > 0n) {
      // No reaction left from this person: nobody is told about one that is not there.
      await withdrawReaction(trx, contentId, userId);
      return false;
    }
    await trx
      .insertInto('reactions')
      .values({ content_id: contentId, user_id: userId, reaction, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .execute();
    // The item's author hears once per person, however many reactions they add.
    await notifyReaction(trx, contentId, userId, now);
    return true;
  });
}

/**
 * Takes files (purpose 'file') off an item or a comment; ids that are not its own are ignored.
 * Returns the storage keys of those removed.
 */
export async function removeFiles(trx: Transaction<Database>, owner: AttachmentOwner, ids: readonly number[]): Promise<string[]> {
  if (ids.length === 0) return [];
  let query = trx.selectFrom('attachments').select('id').where('purpose', '=', 'file');
  if ('commentId' in owner) query = query.where('comment_id', '=', owner.commentId);
  else if ('contentId' in owner) query = query.where('content_id', '=', owner.contentId).where('comment_id', 'is', null);
  else return [];
  const own = (await query.execute()).map((r) => r.id);
  if (!own.some((id) => ids.includes(id))) return [];
  return detachAttachments(trx, owner, { purpose: 'file', keep: own.filter((id) => !ids.includes(id)) });
}
