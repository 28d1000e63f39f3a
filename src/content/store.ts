// Writes shared by every kind: the content row, its mentions and topics, soft delete and restore.
// A kind's service calls these inside its own transaction, next to the writes to its own table.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { spaceAudience } from '../policy/visible-content.js';
import { autoFollowContent } from '../notifications/follows.js';
import { notify } from '../notifications/notify.js';
import type { RenderedMarkdown } from './markdown.js';
import { loadContentSubject } from './subjects.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface NewContent {
  kind: string;
  spaceId: number;
  authorId: number;
  /** Null: a draft. In the future: scheduled. */
  publishedAt: number | null;
  mustRead?: boolean;
  commentsEnabled?: boolean;
  pinnedUntil?: number | null;
}

/**
 * Inserts the content row of a new item and returns its id; the kind then inserts its own row. Its
 * author follows it (every kind, plugins' included: they hear about comments on it).
 */
export async function insertContent(db: Db, input: NewContent, now = Date.now()): Promise<number> {
  const row = await db
    .insertInto('content')
    .values({
      kind: input.kind,
      space_id: input.spaceId,
      author_id: input.authorId,
      created_at: now,
      updated_at: now,
      published_at: input.publishedAt,
      edited_at: null,
      must_read: input.mustRead ? 1 : 0,
      comments_enabled: input.commentsEnabled === false ? 0 : 1,
      pinned_until: input.pinnedUntil ?? null,
      deleted_at: null,
      deleted_by: null,
      hidden_at: null,
      hidden_by: null,
      hidden_reason: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await autoFollowContent(db, row.id, input.authorId, now);
  return row.id;
}

/** Mentions beyond this many in one text are linked but not notified: a text is not a mailing list. */
const MAX_NOTIFIED_MENTIONS = 50;

/**
 * Records the mentions and topics of a text (an item's body, or one of its comments) after it was
 * saved, replacing those of its previous version. People mentioned for the first time are notified,
 * if they may see the item; the notification shows once the item is published (read paths filter).
 */
export async function recordLinks(
  trx: Transaction<Database>,
  target: { contentId: number; commentId?: number | null; actorId: number },
  rendered: Pick<RenderedMarkdown, 'mentionedUserIds' | 'topics'>,
  now = Date.now(),
): Promise<void> {
  const commentId = target.commentId ?? null;
  const previous = await trx
    .selectFrom('mentions')
    .select('user_id')
    .where('content_id', '=', target.contentId)
    .where((eb) => (commentId === null ? eb('comment_id', 'is', null) : eb('comment_id', '=', commentId)))
    .execute();
  const before = new Set(previous.map((r) => r.user_id));
  await trx
    .deleteFrom('mentions')
    .where('content_id', '=', target.contentId)
    .where((eb) => (commentId === null ? eb('comment_id', 'is', null) : eb('comment_id', '=', commentId)))
    .execute();
  if (rendered.mentionedUserIds.length > 0) {
    await trx
      .insertInto('mentions')
      .values(rendered.mentionedUserIds.map((userId) => ({ content_id: target.contentId, comment_id: commentId, user_id: userId, created_at: now })))
      .execute();
  }

  const fresh = rendered.mentionedUserIds.filter((id) => !before.has(id) && id !== target.actorId).slice(0, MAX_NOTIFIED_MENTIONS);
  const subject = fresh.length > 0 ? await loadContentSubject(trx, target.contentId) : undefined;
  if (subject) {
    // Only people who see the item's space hear about it: one query, the policy's own audience rule.
    const recipients = await spaceAudience(trx, subject.space).select('u.id').where('u.id', 'in', fresh).execute();
    // Shown once the item is published: read paths show a notification only while its item is visible.
    const createdAt = Math.max(now, subject.publishedAt ?? now);
    await notify(
      trx,
      recipients.map((r) => ({ userId: r.id, type: 'mention' as const, actorId: target.actorId, contentId: target.contentId, commentId, createdAt })),
    );
  }

  // Topics belong to the item's own text; a comment's topics are linked but do not file the item.
  if (commentId === null) {
    await trx.deleteFrom('content_topics').where('content_id', '=', target.contentId).execute();
    if (rendered.topics.length > 0) {
      await trx
        .insertInto('topics')
        .values(rendered.topics.map((t) => ({ slug: t.slug, label: t.label, created_at: now })))
        .onConflict((oc) => oc.column('slug').doNothing())
        .execute();
      const topics = await trx.selectFrom('topics').select('id').where('slug', 'in', rendered.topics.map((t) => t.slug)).execute();
      await trx.insertInto('content_topics').values(topics.map((t) => ({ topic_id: t.id, content_id: target.contentId }))).execute();
    }
  }
}

/** Soft delete: the item disappears everywhere; an admin may restore it for 30 days. */
export async function softDeleteContent(db: Db, contentId: number, actorId: number, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable('content')
    .set({ deleted_at: now, deleted_by: actorId, updated_at: now })
    .where('id', '=', contentId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function restoreContent(db: Db, contentId: number, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable('content')
    .set({ deleted_at: null, deleted_by: null, updated_at: now })
    .where('id', '=', contentId)
    .where('deleted_at', 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
