// Moderation's writes: delete and restore content, hide and unhide content and comments, report
// them, and decide on reports. A moderator's act closes the open reports it answers and is written to
// the audit log, in the same transaction as the change. The routes have asked the policy already.
import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import { restoreContent, softDeleteContent } from '../../content/store.js';
import type { Database, ReportStatus } from '../../db/schema.js';
import { notify } from '../../notifications/notify.js';
import { deleteComment } from '../conversation/service.js';
import type { CommentSubject, ContentSubject } from '../../policy/index.js';
import { findOpenReport, findRecentDismissal, moderatorsOf, type ReportTarget } from './queries.js';

/** Longest hide reason, shown to the author. */
export const HIDE_REASON_MAX = 500;
/** Longest report reason. */
export const REPORT_REASON_MAX = 1000;
/** Longest note a moderator leaves when dismissing reports. */
export const DECISION_NOTE_MAX = 500;
/**
 * After a moderator dismisses someone's report, that person may not report the same thing again for
 * this long: the moderators are not asked about it twice a day (and notified each time) by one person.
 */
export const REPORT_AGAIN_AFTER_DISMISSAL_MS = 24 * 60 * 60 * 1000;

const targetOfContent = (content: ContentSubject): ReportTarget => ({ contentId: content.id, commentId: null });
const targetOfComment = (comment: CommentSubject): ReportTarget => ({ contentId: comment.content.id, commentId: comment.id });

/** Marks the open reports about `target` decided; returns their ids. */
async function closeReports(
  trx: Transaction<Database>,
  target: ReportTarget,
  decision: Exclude<ReportStatus, 'open'>,
  actorId: number,
  note: string | null,
  now: number,
): Promise<number[]> {
  const rows = await trx
    .updateTable('reports')
    .set({ status: decision, decided_by: actorId, decided_at: now, decision_note: note })
    .where('content_id', '=', target.contentId)
    .where((eb) => (target.commentId === null ? eb('comment_id', 'is', null) : eb('comment_id', '=', target.commentId)))
    .where('status', '=', 'open')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Soft-deletes a content item: it vanishes everywhere, and an admin may restore it for 30 days.
 * Deleting someone else's item is a moderation act: audited, and it answers the reports about it.
 * False when it was already deleted.
 */
export async function deleteContent(db: Kysely<Database>, actorId: number, content: ContentSubject, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await softDeleteContent(trx, content.id, actorId, now))) return false;
    if (content.authorId !== actorId) {
      const reportsClosed = await closeReports(trx, targetOfContent(content), 'deleted', actorId, null, now);
      await recordAudit(
        trx,
        { actorId, action: 'content.delete', subjectType: 'content', subjectId: content.id, details: { kind: content.kind, spaceId: content.space.id, authorId: content.authorId, reportsClosed } },
        now,
      );
    }
    return true;
  });
}

/** Brings a deleted item back, with an audit entry. False when it was not deleted. */
export async function restoreDeletedContent(db: Kysely<Database>, actorId: number, content: ContentSubject, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await restoreContent(trx, content.id, now))) return false;
    await recordAudit(
      trx,
      { actorId, action: 'content.restore', subjectType: 'content', subjectId: content.id, details: { kind: content.kind, deletedAt: content.deletedAt } },
      now,
    );
    return true;
  });
}

/**
 * Hides an item from everyone but its author (who sees the reason) and the moderators; answers the
 * open reports about it. False when it was already hidden or is deleted.
 */
export async function hideContent(db: Kysely<Database>, actorId: number, content: ContentSubject, reason: string, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('content')
      .set({ hidden_at: now, hidden_by: actorId, hidden_reason: reason })
      .where('id', '=', content.id)
      .where('hidden_at', 'is', null)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;
    const reportsClosed = await closeReports(trx, targetOfContent(content), 'hidden', actorId, reason, now);
    await recordAudit(trx, { actorId, action: 'content.hide', subjectType: 'content', subjectId: content.id, details: { reason, reportsClosed } }, now);
    return true;
  });
}

/** Shows a hidden item again. False when it was not hidden. */
export async function unhideContent(db: Kysely<Database>, actorId: number, content: ContentSubject, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('content').select('hidden_reason').where('id', '=', content.id).where('hidden_at', 'is not', null).executeTakeFirst();
    if (!before) return false;
    await trx.updateTable('content').set({ hidden_at: null, hidden_by: null, hidden_reason: null }).where('id', '=', content.id).execute();
    await recordAudit(trx, { actorId, action: 'content.unhide', subjectType: 'content', subjectId: content.id, details: { reason: before.hidden_reason } }, now);
    return true;
  });
}

/** Hides a comment, like hideContent. */
export async function hideComment(db: Kysely<Database>, actorId: number, comment: CommentSubject, reason: string, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('comments')
      .set({ hidden_at: now, hidden_by: actorId, hidden_reason: reason })
      .where('id', '=', comment.id)
      .where('hidden_at', 'is', null)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;
    const reportsClosed = await closeReports(trx, targetOfComment(comment), 'hidden', actorId, reason, now);
    await recordAudit(
      trx,
      { actorId, action: 'comment.hide', subjectType: 'comment', subjectId: comment.id, details: { contentId: comment.content.id, reason, reportsClosed } },
      now,
    );
    return true;
  });
}

/** Shows a hidden comment again. False when it was not hidden. */
export async function unhideComment(db: Kysely<Database>, actorId: number, comment: CommentSubject, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('comments').select('hidden_reason').where('id', '=', comment.id).where('hidden_at', 'is not', null).executeTakeFirst();
    if (!before) return false;
    await trx.updateTable('comments').set({ hidden_at: null, hidden_by: null, hidden_reason: null }).where('id', '=', comment.id).execute();
    await recordAudit(
      trx,
      { actorId, action: 'comment.unhide', subjectType: 'comment', subjectId: comment.id, details: { contentId: comment.content.id, reason: before.hidden_reason } },
      now,
    );
    return true;
  });
}

/**
 * Deletes a reported comment (a moderator's decision) the way its author would (the conversation's
 * own delete, audited when done by someone else) and closes the reports about it, in one transaction:
 * never a deleted comment whose reports stay open, nor closed reports about a comment still there.
 * False when it was already deleted.
 */
export async function deleteReportedComment(db: Kysely<Database>, actorId: number, comment: CommentSubject, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await deleteComment(trx, { id: comment.id, authorId: comment.authorId, contentId: comment.content.id }, actorId, now))) return false;
    await closeReports(trx, targetOfComment(comment), 'deleted', actorId, null, now);
    return true;
  });
}

/**
 * Closes the open reports about an item or comment without acting on it. Returns how many were
 * closed (0: someone decided first).
 */
export async function dismissReports(db: Kysely<Database>, actorId: number, target: ReportTarget, note: string | null, now = Date.now()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const reportsClosed = await closeReports(trx, target, 'dismissed', actorId, note, now);
    if (reportsClosed.length === 0) return 0;
    await recordAudit(
      trx,
      {
        actorId,
        action: 'reports.dismiss',
        subjectType: target.commentId === null ? 'content' : 'comment',
        subjectId: target.commentId ?? target.contentId,
        details: { contentId: target.contentId, reportsClosed, note },
      },
      now,
    );
    return reportsClosed.length;
  });
}

export type ReportResult =
  | { ok: true }
  | { ok: false; problem: 'alreadyReported' }
  /** A report of this person about this thing was dismissed less than a day ago; `until`: when they may report it again. */
  | { ok: false; problem: 'recentlyDismissed'; until: number };

/**
 * Files a report about an item (or one of its comments, with `comment`) and tells the moderators of
 * its space. One open report per person and thing, and none for a day after a moderator dismissed
 * this person's report about it. The reporter's name is kept for the record but not put in the
 * notification: moderators judge the content, not who pointed at it.
 */
export async function fileReport(
  db: Kysely<Database>,
  reporterId: number,
  about: { content: ContentSubject; comment?: CommentSubject },
  reason: string,
  now = Date.now(),
): Promise<ReportResult> {
  const target = about.comment ? targetOfComment(about.comment) : targetOfContent(about.content);
  return db.transaction().execute(async (trx) => {
    if ((await findOpenReport(trx, reporterId, target)) !== undefined) return { ok: false, problem: 'alreadyReported' } as const;
    const dismissedAt = await findRecentDismissal(trx, reporterId, target, now - REPORT_AGAIN_AFTER_DISMISSAL_MS);
    if (dismissedAt !== undefined) return { ok: false, problem: 'recentlyDismissed', until: dismissedAt + REPORT_AGAIN_AFTER_DISMISSAL_MS } as const;
    await trx
      .insertInto('reports')
      .values({ content_id: target.contentId, comment_id: target.commentId, reporter_id: reporterId, reason, created_at: now, decided_by: null, decided_at: null, decision_note: null })
      .execute();
    const authorId = about.comment ? about.comment.authorId : about.content.authorId;
    const moderators = (await moderatorsOf(trx, about.content.space)).filter((id) => id !== reporterId && id !== authorId);
    await notify(
      trx,
      moderators.map((userId) => ({
        userId,
        type: 'content-reported' as const,
        actorId: null,
        contentId: target.contentId,
        commentId: target.commentId,
        spaceId: about.content.space.id,
        createdAt: now,
      })),
    );
    return { ok: true } as const;
  });
}
