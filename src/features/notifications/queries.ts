// Reads and marks of in-app notifications. A notification shows (and counts as unread) only while
// its content is visible to its recipient now, through the policy's `visibleContent`: a deleted,
// hidden, moved or not-yet-published item takes its notifications with it, without N+1 checks.
// The list is grouped at read time: notifications of a groupable type about the same item (or space),
// all unread or all read, make one entry ("Alice and 3 others commented on …"); the bell counts entries.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, Millis } from '../../db/schema.js';
import type { Viewer } from '../../policy/index.js';
import { compiledForViewer, visibilityOf, type Visibility } from '../../policy/visible-content.js';
import { shownInApp } from '../email-notifications/in-app.js';
import { INACTIVITY_TIMEOUT_MS } from '../../auth/sessions.js';
import { stillConcerns } from '../../notifications/still-concerns.js';

export const NOTIFICATIONS_PAGE_SIZE = 30;

/**
 * Types where several people doing the same thing about the same item make one entry. Mentions,
 * must-reads and invitations stay one entry each: each is addressed to the person.
 */
export const GROUPED_TYPES: readonly string[] = ['reply', 'comment', 'reaction', 'space-request', 'content-reported'];

/** The entry a notification belongs to: type, item, space and read state for grouped types; itself otherwise. */
const groupKey: RawBuilder<string> = sql<string>`(case when n.type in (${sql.join(GROUPED_TYPES)})
  then n.type || '|' || ifnull(n.content_id, '') || '|' || ifnull(n.space_id, '') || '|' || (n.read_at is null)
  else 'n' || n.id end)`;

/**
 * The viewer's notifications that may be shown now, as `notifications as n`. Given the viewer as
 * values (their visibility and id) so that the bell's count can be compiled once (compiledForViewer).
 */
function shownNotifications(db: Kysely<Database>, visibility: Visibility, userId: number, now: Millis) {
  return db
    .selectFrom('notifications as n')
    .where('n.user_id', '=', userId)
    .where('n.created_at', '<=', now)
    // The person's in-app preference for the type (NOTIFY-EMAIL's preferences, else the organisation's default).
    .where(shownInApp('n'))
    // What it is about is still there for the person (the emails apply the same rule).
    .where((eb) => stillConcerns(eb, db, visibility, now));
}

/**
 * How many entries of the viewer's list are unread (grouped as the page groups them), counting only
 * notifications that may be shown: the header's bell. One query on the `notifications_unread` index.
 *
 * @example
 * request.layout.unreadNotifications = await countUnread(app.db, request.user);
 */
export async function countUnread(db: Kysely<Database>, viewer: Viewer, now = Date.now()): Promise<number> {
  const [row] = await unreadEntries(db, viewer, viewer.id, now);
  return Number(row?.count ?? 0);
}

// Every page runs it (the bell): compiled once (src/db/compiled-query.ts).
const unreadEntries = compiledForViewer((db, visibility, userId: number, now: number) =>
  shownNotifications(db, visibility, userId, now)
    .where('n.read_at', 'is', null)
    .select(sql<number>`count(distinct ${groupKey})`.as('count')),
);

/** One entry of the list: the latest notification of its group, with what the group adds up to. */
export interface NotificationRow {
  /** The latest notification of the entry: what "mark read" and the page's cursor name. */
  id: number;
  type: string;
  actorId: number | null;
  actorName: string | null;
  contentId: number | null;
  contentKind: string | null;
  /** The item's author: tells "a comment on your item" from "a reply to your comment". */
  contentAuthorId: number | null;
  /** The comment the entry leads to: the oldest of the group (where the new activity starts). */
  commentId: number | null;
  spaceId: number | null;
  spaceName: string | null;
  createdAt: Millis;
  readAt: Millis | null;
  /** How many notifications the entry stands for. */
  total: number;
  /** How many different people besides the one named. */
  others: number;
  /** A plugin's notification: the plugin's object it is about (src/notifications/plugin-types.ts). */
  subjectId: number | null;
}

/** The viewer's entries, newest activity first, a page at a time (`before` an entry's latest notification id). */
export async function listNotifications(
  db: Kysely<Database>,
  viewer: Viewer,
  position: { before?: number | null } = {},
  now = Date.now(),
): Promise<{ notifications: NotificationRow[]; next: number | null }> {
  let groups = shownNotifications(db, visibilityOf(viewer), viewer.id, now)
    .select([
      sql<number>`max(n.id)`.as('last_id'),
      sql<number>`count(*)`.as('total'),
      sql<number>`count(distinct n.actor_id)`.as('actors'),
      sql<number | null>`min(n.comment_id)`.as('first_comment_id'),
    ])
    .groupBy(groupKey)
    .orderBy(sql`max(n.id)`, 'desc')
    .limit(NOTIFICATIONS_PAGE_SIZE + 1);
  if (position.before) groups = groups.having(sql`max(n.id)`, '<', position.before);
  const found = await groups.execute();
  const page = found.slice(0, NOTIFICATIONS_PAGE_SIZE);
  if (page.length === 0) return { notifications: [], next: null };

  const latest = await db
    .selectFrom('notifications as n')
    .leftJoin('users as a', 'a.id', 'n.actor_id')
    .leftJoin('spaces as s', 's.id', 'n.space_id')
    .leftJoin('content as c', 'c.id', 'n.content_id')
    .select([
      'n.id',
      'n.type',
      'n.actor_id',
      'a.name as actor_name',
      'n.content_id',
      'c.kind',
      'c.author_id as content_author_id',
      'n.space_id',
      's.name as space_name',
      'n.created_at',
      'n.read_at',
      'n.subject_id',
    ])
    .where('n.id', 'in', page.map((g) => g.last_id))
    .execute();
  const byId = new Map(latest.map((r) => [r.id, r]));
  const notifications = page.flatMap((g): NotificationRow[] => {
    const r = byId.get(g.last_id);
    if (!r) return [];
    const actors = Number(g.actors);
    return [
      {
        id: r.id,
        type: r.type,
        actorId: r.actor_id,
        actorName: r.actor_name,
        contentId: r.content_id,
        contentKind: r.kind,
        contentAuthorId: r.content_author_id,
        commentId: g.first_comment_id,
        spaceId: r.space_id,
        spaceName: r.space_name,
        createdAt: r.created_at,
        readAt: r.read_at,
        total: Number(g.total),
        others: Math.max(0, actors - (r.actor_id !== null ? 1 : 0)),
        subjectId: r.subject_id,
      },
    ];
  });
  return { notifications, next: found.length > NOTIFICATIONS_PAGE_SIZE ? page.at(-1)!.last_id : null };
}

export type ShownNotification = Pick<NotificationRow, 'id' | 'type' | 'actorId' | 'contentId' | 'commentId' | 'spaceId' | 'readAt' | 'subjectId' | 'createdAt'>;

/** One of the viewer's notifications, if it may be shown now (the comment it leads to: its group's oldest unread). */
export async function findShownNotification(db: Kysely<Database>, viewer: Viewer, id: number, now = Date.now()): Promise<ShownNotification | undefined> {
  const row = await shownNotifications(db, visibilityOf(viewer), viewer.id, now)
    .select(['n.id', 'n.type', 'n.actor_id', 'n.content_id', 'n.comment_id', 'n.space_id', 'n.read_at', 'n.subject_id', 'n.created_at'])
    .where('n.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  let commentId = row.comment_id;
  if (GROUPED_TYPES.includes(row.type) && row.read_at === null && row.content_id !== null) {
    const first = await groupOf(db, viewer.id, row)
      .where((eb) =>
        eb.exists(eb.selectFrom('comments as m').select('m.id').whereRef('m.id', '=', 'n.comment_id').where('m.deleted_at', 'is', null).where('m.hidden_at', 'is', null)),
      )
      .select(sql<number | null>`min(n.comment_id)`.as('first'))
      .executeTakeFirst();
    commentId = first?.first ?? commentId;
  }
  return {
    id: row.id,
    type: row.type,
    actorId: row.actor_id,
    contentId: row.content_id,
    commentId,
    spaceId: row.space_id,
    readAt: row.read_at,
    subjectId: row.subject_id,
    createdAt: row.created_at,
  };
}

/** The unread notifications of the entry whose latest notification is `row` (those before it, and it). */
function groupOf(db: Kysely<Database>, viewerId: number, row: { id: number; type: string; content_id: number | null; space_id: number | null }) {
  return db
    .selectFrom('notifications as n')
    .where('n.user_id', '=', viewerId)
    .where('n.read_at', 'is', null)
    .where('n.id', '<=', row.id)
    .where('n.type', '=', row.type)
    .where((eb) => (row.content_id === null ? eb('n.content_id', 'is', null) : eb('n.content_id', '=', row.content_id)))
    .where((eb) => (row.space_id === null ? eb('n.space_id', 'is', null) : eb('n.space_id', '=', row.space_id)));
}

/**
 * Marks read the entry whose latest notification is `notification`: for a grouped type, every unread
 * notification of the group up to it (newer ones, not yet seen, stay unread). Returns how many.
 */
export async function markRead(db: Kysely<Database>, viewerId: number, notification: ShownNotification, now = Date.now()): Promise<number> {
  let query = db.updateTable('notifications').set({ read_at: now }).where('user_id', '=', viewerId).where('read_at', 'is', null);
  if (GROUPED_TYPES.includes(notification.type)) {
    query = query
      .where('id', '<=', notification.id)
      .where('type', '=', notification.type)
      .where((eb) => (notification.contentId === null ? eb('content_id', 'is', null) : eb('content_id', '=', notification.contentId)))
      .where((eb) => (notification.spaceId === null ? eb('space_id', 'is', null) : eb('space_id', '=', notification.spaceId)));
  } else {
    query = query.where('id', '=', notification.id);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
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

/**
 * The active person of a session that still exists and has not passed its inactivity timeout (the
 * live stream checks it at every recount; an open stream does not renew its session).
 */
export async function findSessionUser(db: Kysely<Database>, sessionId: string, now = Date.now()) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.email', 'u.name', 'u.role', 'u.locale'])
    .where('s.id', '=', sessionId)
    .where('s.last_verified_at', '>', now - INACTIVITY_TIMEOUT_MS)
    .where('u.status', '=', 'active')
    .executeTakeFirst();
}
