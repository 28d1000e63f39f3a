// Who hears about a new comment and a reaction. The rules, for every event:
// - one event gives one person at most one notification, the most personal: a mention (written by
//   recordLinks) beats a reply, a reply beats a comment;
// - nobody hears about their own act;
// - only active people who may see the item hear about it (the policy's `spaceAudience`);
// - an explicit unfollow of an item silences comments on it and reactions to it, even for its author
//   (mentions and replies to one's own comments still come through).
import type { ExpressionBuilder, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { loadContentSubject } from '../content/subjects.js';
import { spaceAudience } from '../policy/visible-content.js';
import { autoFollowContent } from './follows.js';
import { notificationEvents } from './live.js';
import { notify, type NewNotification } from './notify.js';

/** "The user `u` has this follow state on the item", for audiences read as `users as u`. */
function followsItem(eb: ExpressionBuilder<Database & { u: Database['users'] }, 'u'>, contentId: number, state: 'following' | 'unfollowed') {
  return eb.exists(
    eb
      .selectFrom('content_follows as f')
      .select('f.user_id')
      .whereRef('f.user_id', '=', 'u.id')
      .where('f.content_id', '=', contentId)
      .where('f.state', '=', state),
  );
}

export interface CommentEvent {
  contentId: number;
  commentId: number;
  /** The top-level comment answered, or null. */
  parentId: number | null;
  actorId: number;
  /** Everyone the comment mentions: they got (or will get) a `mention` instead. */
  mentioned: readonly number[];
}

/**
 * After a comment is saved (inside its transaction): its author follows the item, the item's author
 * and the answered comment's author get a `reply`, the item's and the space's followers a `comment`.
 *
 * @example
 * await notifyComment(trx, { contentId, commentId, parentId, actorId, mentioned: rendered.mentionedUserIds }, now);
 */
export async function notifyComment(trx: Transaction<Database>, event: CommentEvent, now = Date.now()): Promise<void> {
  await autoFollowContent(trx, event.contentId, event.actorId, now);
  const item = await loadContentSubject(trx, event.contentId);
  if (!item) return;
  const skip = new Set<number>([event.actorId, ...event.mentioned]);

  // Replies: to the item's author (unless they unfollowed it), and to the answered comment's author.
  let parentAuthor: number | null = null;
  if (event.parentId !== null) {
    const parent = await trx.selectFrom('comments').select('author_id').where('id', '=', event.parentId).where('deleted_at', 'is', null).executeTakeFirst();
    parentAuthor = parent?.author_id ?? null;
  }
  const direct = new Set<number>();
  if (item.authorId !== null) direct.add(item.authorId);
  if (parentAuthor !== null) direct.add(parentAuthor);
  for (const id of skip) direct.delete(id);
  let replyTo: number[] = [];
  if (direct.size > 0) {
    const rows = await spaceAudience(trx, item.space)
      .select('u.id')
      .where('u.id', 'in', [...direct])
      .where((eb) =>
        eb.or([
          // The answered comment's author hears about the answer whatever they follow.
          ...(parentAuthor !== null ? [eb('u.id', '=', parentAuthor)] : []),
          eb.not(followsItem(eb, item.id, 'unfollowed')),
        ]),
      )
      .execute();
    replyTo = rows.map((r) => r.id);
  }
  for (const id of replyTo) skip.add(id);

  // Comments: followers of the item, and followers of its space who did not unfollow the item.
  const followers = await spaceAudience(trx, item.space)
    .select('u.id')
    // The candidates first, from the follow tables' indexes: not every member of the audience.
    .where('u.id', 'in', (eb) =>
      eb
        .selectFrom('content_follows')
        .select('user_id')
        .where('content_id', '=', item.id)
        .where('state', '=', 'following')
        .union(eb.selectFrom('space_follows').select('user_id').where('space_id', '=', item.space.id)),
    )
    .where((eb) =>
      eb.or([
        followsItem(eb, item.id, 'following'),
        eb.and([
          eb.exists(eb.selectFrom('space_follows as sf').select('sf.user_id').whereRef('sf.user_id', '=', 'u.id').where('sf.space_id', '=', item.space.id)),
          eb.not(followsItem(eb, item.id, 'unfollowed')),
        ]),
      ]),
    )
    .execute();

  const about = { actorId: event.actorId, contentId: item.id, commentId: event.commentId, createdAt: now };
  const notifications: NewNotification[] = [
    ...replyTo.map((userId) => ({ ...about, userId, type: 'reply' as const })),
    ...followers.filter((r) => !skip.has(r.id)).map((r) => ({ ...about, userId: r.id, type: 'comment' as const })),
  ];
  await notify(trx, notifications);
}

/**
 * After a reaction is added (inside its transaction): the item's author hears about it once per person
 * and item, however many reactions that person adds, unless they unfollowed their item.
 */
export async function notifyReaction(trx: Transaction<Database>, contentId: number, actorId: number, now = Date.now()): Promise<void> {
  const item = await loadContentSubject(trx, contentId);
  if (!item || item.authorId === null || item.authorId === actorId) return;
  const authorId = item.authorId;
  const already = await trx
    .selectFrom('notifications')
    .select('id')
    .where('content_id', '=', contentId)
    .where('type', '=', 'reaction')
    .where('user_id', '=', authorId)
    .where('actor_id', '=', actorId)
    .executeTakeFirst();
  if (already) return;
  const author = await spaceAudience(trx, item.space)
    .select('u.id')
    .where('u.id', '=', authorId)
    .where((eb) => eb.not(followsItem(eb, contentId, 'unfollowed')))
    .executeTakeFirst();
  if (!author) return;
  await notify(trx, [{ userId: authorId, type: 'reaction', actorId, contentId, createdAt: now }]);
}

/**
 * After a reaction is taken back: when the person has no reaction left on the item, their "reacted"
 * notification goes away (read or not), so that nobody is told about a reaction that is not there.
 */
export async function withdrawReaction(trx: Transaction<Database>, contentId: number, actorId: number): Promise<void> {
  const left = await trx.selectFrom('reactions').select('user_id').where('content_id', '=', contentId).where('user_id', '=', actorId).executeTakeFirst();
  if (left) return;
  const removed = await trx
    .deleteFrom('notifications')
    .where('content_id', '=', contentId)
    .where('type', '=', 'reaction')
    .where('actor_id', '=', actorId)
    .returning('user_id')
    .execute();
  notificationEvents.emitFor(removed.map((r) => r.user_id));
}
