// Reads and marks of in-app notifications. A notification shows (and counts as unread) only while
// its content is visible to its recipient now, through the policy's `visibleContent`: a deleted,
// hidden, moved or not-yet-published item takes its notifications with it, without N+1 checks.
import { sql, type Kysely } from 'kysely';
import type { Database, Millis } from '../../db/schema.js';
import type { Viewer } from '../../policy/index.js';
import { visibleContent } from '../../policy/visible-content.js';

export const NOTIFICATIONS_PAGE_SIZE = 30;

/** Types about a must-read: shown only while the item still asks for confirmation. */
const MUST_READ_TYPES = ['must-read', 'must-read-reminder'];

/** The viewer's notifications that may be shown now, as `notifications as n`. */
function shownNotifications(db: Kysely<Database>, viewer: Viewer, now: Millis) {
  return db
    .selectFrom('notifications as n')
    .where('n.user_id', '=', viewer.id)
    .where('n.created_at', '<=', now)
    .where((eb) =>
      eb.or([
        eb('n.content_id', 'is', null),
        eb.exists(
          visibleContent(db, viewer, now)
            .select('c.id')
            .where('c.id', '=', sql.ref<number>('n.content_id'))
            .where((inner) => inner.or([inner(sql.ref<string>('n.type'), 'not in', MUST_READ_TYPES), inner('c.must_read', '=', 1)])),
        ),
      ]),
    )
    .where((eb) =>
      eb.or([
        eb('n.comment_id', 'is', null),
        eb.exists(
          eb
            .selectFrom('comments as m')
            .select('m.id')
            .whereRef('m.id', '=', 'n.comment_id')
            .where('m.deleted_at', 'is', null)
            .where('m.hidden_at', 'is', null),
        ),
      ]),
    );
}

/**
 * How many of the viewer's notifications are unread and may be shown: the header's bell.
 *
 * @example
 * request.layout.unreadNotifications = await countUnread(app.db, request.user);
 */
export async function countUnread(db: Kysely<Database>, viewer: Viewer, now = Date.now()): Promise<number> {
  const row = await shownNotifications(db, viewer, now)
    .where('n.read_at', 'is', null)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export interface NotificationRow {
  id: number;
  type: string;
  actorName: string | null;
  contentId: number | null;
  contentKind: string | null;
  commentId: number | null;
  spaceId: number | null;
  spaceName: string | null;
  createdAt: Millis;
  readAt: Millis | null;
}

/** The viewer's notifications, newest first, a page at a time (`before` a notification id). */
export async function listNotifications(
  db: Kysely<Database>,
  viewer: Viewer,
  position: { before?: number | null } = {},
  now = Date.now(),
): Promise<{ notifications: NotificationRow[]; next: number | null }> {
  let query = shownNotifications(db, viewer, now)
    .leftJoin('users as a', 'a.id', 'n.actor_id')
    .leftJoin('spaces as s', 's.id', 'n.space_id')
    .leftJoin('content as c', 'c.id', 'n.content_id')
    .select(['n.id', 'n.type', 'a.name as actor_name', 'n.content_id', 'c.kind', 'n.comment_id', 'n.space_id', 's.name as space_name', 'n.created_at', 'n.read_at'])
    .orderBy('n.id', 'desc')
    .limit(NOTIFICATIONS_PAGE_SIZE + 1);
  if (position.before) query = query.where('n.id', '<', position.before);
  const rows = await query.execute();
  const page = rows.slice(0, NOTIFICATIONS_PAGE_SIZE);
  return {
    notifications: page.map((r) => ({
      id: r.id,
      type: r.type,
      actorName: r.actor_name,
      contentId: r.content_id,
      contentKind: r.kind,
      commentId: r.comment_id,
      spaceId: r.space_id,
      spaceName: r.space_name,
      createdAt: r.created_at,
      readAt: r.read_at,
    })),
    next: rows.length > NOTIFICATIONS_PAGE_SIZE ? page.at(-1)!.id : null,
  };
}

/** One of the viewer's notifications, if it may be shown now. */
export async function findShownNotification(
  db: Kysely<Database>,
  viewer: Viewer,
  id: number,
  now = Date.now(),
): Promise<Pick<NotificationRow, 'id' | 'type' | 'contentId' | 'commentId' | 'spaceId'> | undefined> {
  const row = await shownNotifications(db, viewer, now)
    .select(['n.id', 'n.type', 'n.content_id', 'n.comment_id', 'n.space_id'])
    .where('n.id', '=', id)
    .executeTakeFirst();
  return row && { id: row.id, type: row.type, contentId: row.content_id, commentId: row.comment_id, spaceId: row.space_id };
}

export async function markRead(db: Kysely<Database>, viewerId: number, id: number, now = Date.now()): Promise<void> {
  await db.updateTable('notifications').set({ read_at: now }).where('id', '=', id).where('user_id', '=', viewerId).where('read_at', 'is', null).execute();
}

/** Marks read every notification already shown (those dated in the future stay unread). Returns how many. */
export async function markAllRead(db: Kysely<Database>, viewerId: number, now = Date.now()): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set({ read_at: now })
    .where('user_id', '=', viewerId)
    .where('read_at', 'is', null)
    .where('created_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
