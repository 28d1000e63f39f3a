// Each notification as a sentence and a link: "Alice mentioned you in …", "New must-read: …".
// Titles come from each content kind, loaded for a whole page at once (one query per kind).
import type { FastifyInstance } from 'fastify';
import type { Translate } from '../../i18n/index.js';
import type { NotificationRow } from './queries.js';

export interface DescribedNotification {
  id: number;
  /** The sentence, in the viewer's language, with the names and title in it (escaped by the template). */
  text: string;
  href: string;
  createdAt: number;
  unread: boolean;
}

/** Where a notification leads. */
export function hrefOf(n: Pick<NotificationRow, 'type' | 'contentId' | 'commentId' | 'spaceId'>): string {
  if (n.type === 'content-reported') return '/admin/moderation';
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
export async function describeNotifications(app: FastifyInstance, rows: readonly NotificationRow[], t: Translate): Promise<DescribedNotification[]> {
  const titleOf = await titles(app, rows, t);
  return rows.map((n) => {
    const params = {
      actor: n.actorName ?? t('notifications.someone'),
      title: (n.contentId !== null ? titleOf.get(n.contentId) : undefined) || t('notifications.untitled'),
      space: n.spaceName ?? '',
    };
    return { id: n.id, text: sentence(n, params, t), href: hrefOf(n), createdAt: n.createdAt, unread: n.readAt === null };
  });
}

function sentence(n: NotificationRow, params: { actor: string; title: string; space: string }, t: Translate): string {
  switch (n.type) {
    case 'mention':
      return n.commentId !== null ? t('notifications.types.mentionInComment', params) : t('notifications.types.mention', params);
    case 'must-read':
      return t('notifications.types.mustRead', params);
    case 'must-read-reminder':
      return t('notifications.types.mustReadReminder', params);
    case 'space-invitation':
      return t('notifications.types.spaceInvitation', params);
    case 'space-request':
      return t('notifications.types.spaceRequest', params);
    case 'space-request-approved':
      return t('notifications.types.spaceRequestApproved', params);
    case 'content-reported':
      return t('notifications.types.contentReported', params);
    default:
      return n.contentId !== null ? t('notifications.types.otherContent', params) : t('notifications.types.other', params);
  }
}
