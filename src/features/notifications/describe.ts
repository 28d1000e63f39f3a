// Each entry of the list as a sentence and a link: "Alice mentioned you in …", "New must-read: …",
// "Alice and 3 others commented on …" (plurals from the locale files, through `count`).
// Titles come from each content kind, loaded for a whole page at once (one query per kind).
import type { FastifyInstance } from 'fastify';
import type { Translate } from '../../i18n/index.js';
import { notificationEvents } from '../../notifications/live.js';
import { describePluginNotification, markMootRead } from '../../notifications/plugin-types.js';
import type { NotificationRow } from './queries.js';

export interface DescribedNotification {
  /** The entry's latest notification: marking it read marks the entry read. */
  id: number;
  /** The sentence, in the viewer's language, with the names and title in it (escaped by the template). */
  text: string;
  href: string;
  createdAt: number;
  unread: boolean;
  /** Grouped entries: how many notifications it stands for. */
  total: number;
}

/** Where a notification leads. */
export function hrefOf(n: Pick<NotificationRow, 'type' | 'contentId' | 'commentId' | 'spaceId'>): string {
  if (n.type === 'content-reported') return '/admin/moderation';
  if (n.type === 'space-request' && n.spaceId !== null) return `/spaces/${n.spaceId}/members`;
  if (n.contentId !== null) return `/content/${n.contentId}${n.commentId !== null ? `#comment-${n.commentId}` : ''}`;
  if (n.spaceId !== null) return `/spaces/${n.spaceId}`;
  return '/notifications';
}

/** The titles of the content items the notifications are about, by content id. */
async function titles(app: FastifyInstance, rows: readonly NotificationRow[], t: Translate): Promise<Map<number, string>> {
  const items = rows.flatMap((row) => (row.contentId !== null && row.contentKind !== null ? [{ id: row.contentId, kind: row.contentKind }] : []));
  const loaded = await app.contentKinds.loadMany(app.db, items);
  return new Map([...loaded].map(([id, { kind, data }]) => [id, kind.title(data, t)]));
}

/**
 * The sentences and links of a page of notifications.
 *
 * @example
 * const items = await describeNotifications(app, page.notifications, request.t);
 */
export async function describeNotifications(
  app: FastifyInstance,
  rows: readonly NotificationRow[],
  t: Translate,
  viewerId: number,
): Promise<DescribedNotification[]> {
  const titleOf = await titles(app, rows, t);
  const now = Date.now();
  const described: DescribedNotification[] = [];
  const moot: number[] = [];
  for (const n of rows) {
    const common = { id: n.id, createdAt: n.createdAt, unread: n.readAt === null, total: n.total };
    // A plugin's type: its own sentence and link (src/notifications/plugin-types.ts).
    const own = await describePluginNotification(app.db, { ...n, userId: viewerId }, t, now);
    if (own) {
      if (own.description === 'moot') moot.push(n.id);
      else if (own.description === 'failed') app.log.error({ err: own.error, notificationType: n.type }, 'plugin notification could not be described');
      else described.push({ ...common, text: own.description.text, href: own.description.href });
      continue;
    }
    const params = {
      actor: n.actorName ?? t('notifications.someone'),
      title: (n.contentId !== null ? titleOf.get(n.contentId) : undefined) || t('notifications.untitled'),
      space: n.spaceName ?? '',
      count: n.others,
    };
    described.push({ ...common, text: sentence(n, params, t, viewerId), href: hrefOf(n) });
  }
  // Some were still unread: the person's other tabs count them no more either.
  if ((await markMootRead(app.db, moot, now)) > 0) notificationEvents.emitFor([viewerId]);
  return described;
}

function sentence(n: NotificationRow, params: { actor: string; title: string; space: string; count: number }, t: Translate, viewerId: number): string {
  switch (n.type) {
    case 'reply':
      // The item is the viewer's: a comment on it; otherwise an answer to the viewer's comment.
      return n.contentAuthorId === viewerId ? t('notifications.groups.replyOnYours', params) : t('notifications.groups.replyToComment', params);
    case 'comment':
      return t('notifications.groups.comment', params);
    case 'reaction':
      return t('notifications.groups.reaction', params);
    case 'mention':
      return n.commentId !== null ? t('notifications.types.mentionInComment', params) : t('notifications.types.mention', params);
    case 'must-read':
      return t('notifications.types.mustRead', params);
    case 'must-read-reminder':
      return t('notifications.types.mustReadReminder', params);
    case 'space-invitation':
      return t('notifications.types.spaceInvitation', params);
    case 'space-request':
      return t('notifications.groups.spaceRequest', params);
    case 'space-request-approved':
      return t('notifications.types.spaceRequestApproved', params);
    case 'content-reported':
      // Reports do not name who reported: moderators judge the content. Counted instead.
      return t('notifications.groups.contentReported', { ...params, count: n.total });
    default:
      return n.contentId !== null ? t('notifications.types.otherContent', params) : t('notifications.types.other', params);
  }
}
