// Writes in-app notifications. Read paths show a notification only while its content is visible to
// its recipient (the policy decides at read time, so a hidden or deleted item vanishes from them too).
// Who hears about what (replies, comments, reactions) is decided in events.ts; following in follows.ts.
// NOTIFY-EMAIL's job reads this table to send emails: nothing here calls email code.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { notificationEvents } from './live.js';

/**
 * Every type, in the order the preference pages list them:
 * - `reply`: a comment on my content, or a reply to my comment;
 * - `comment`: a comment on content I follow (or in a space I follow) that is neither a mention nor a reply to me;
 * - `reaction`: a reaction on my content, one row per person and item, withdrawn when they take all theirs back.
 */
export const NOTIFICATION_TYPES = [
  'mention',
  'reply',
  'comment',
  'reaction',
  'must-read',
  'must-read-reminder',
  'space-invitation',
  'space-request',
  'space-request-approved',
  'content-reported',
] as const;

export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface NewNotification {
  userId: number;
  /** A core type, or a plugin's "<plugin id>.<name>" (written by notifyFromPlugin in plugin-types.ts). */
  type: NotificationType | `${string}.${string}`;
  actorId: number | null;
  contentId?: number | null;
  commentId?: number | null;
  spaceId?: number | null;
  createdAt: number;
  /** Plugin notifications only (plugin-types.ts). */
  pluginId?: string | null;
  subjectId?: number | null;
  expiresAt?: number | null;
}

/**
 * Inserts notifications in one statement (nothing to do for an empty list), then tells the live bus
 * (live.ts explains why that is right even inside a transaction that has not committed yet).
 */
export async function notify(db: Kysely<Database> | Transaction<Database>, notifications: readonly NewNotification[]): Promise<void> {
  if (notifications.length === 0) return;
  // SQLite allows 32,766 bound values: 10 per row, so chunks of 2,000 rows.
  for (let start = 0; start < notifications.length; start += 2000) {
    await db
      .insertInto('notifications')
      .values(
        notifications.slice(start, start + 2000).map((n) => ({
          user_id: n.userId,
          type: n.type,
          actor_id: n.actorId,
          content_id: n.contentId ?? null,
          comment_id: n.commentId ?? null,
          space_id: n.spaceId ?? null,
          created_at: n.createdAt,
          read_at: null,
          plugin_id: n.pluginId ?? null,
          subject_id: n.subjectId ?? null,
          expires_at: n.expiresAt ?? null,
        })),
      )
      .execute();
  }
  notificationEvents.emitFor(notifications.map((n) => n.userId));
}
