// Must-read: readers confirm "read and understood"; the audience is told when one is published, and
// whoever tracks it may remind those who have not confirmed, once a day at most.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, Locale, Millis } from '../../db/schema.js';
import { notify } from '../../notifications/notify.js';
import type { ContentSubject } from '../../policy/subjects.js';
import { loadContentSubject } from '../../content/subjects.js';
import { confirmedAt, mustReadAudience, REMINDER_INTERVAL_MS } from './must-read-queries.js';

/**
 * Records that `userId` read and understood the item; confirming again changes nothing (the first
 * date stays). Returns the date of the confirmation.
 */
export async function confirmRead(db: Kysely<Database>, contentId: number, userId: number, now = Date.now()): Promise<Millis> {
  await db
    .insertInto('read_confirmations')
    .values({ content_id: contentId, user_id: userId, confirmed_at: now })
    .onConflict((oc) => oc.columns(['content_id', 'user_id']).doNothing())
    .execute();
  return (await confirmedAt(db, contentId, userId)) ?? now;
}

/**
 * Keeps the 'must-read' notifications of an item true after it was saved: those not shown yet (for a
 * scheduled date) are replaced; a published or scheduled must-read notifies everyone of its audience
 * not told yet, dated when it is published (the notifications page shows an item once it is visible).
 * Call it in the transaction that saved the item.
 */
export async function syncMustReadNotifications(trx: Transaction<Database>, contentId: number, now = Date.now()): Promise<void> {
  await trx.deleteFrom('notifications').where('content_id', '=', contentId).where('type', '=', 'must-read').where('created_at', '>', now).execute();
  const item = await loadContentSubject(trx, contentId);
  if (!item || !item.mustRead || item.publishedAt === null || item.deletedAt !== null || item.hiddenAt !== null) return;
  const recipients = await mustReadAudience(trx, item)
    .select('u.id')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('notifications as n')
            .select('n.id')
            .whereRef('n.user_id', '=', 'u.id')
            .where('n.content_id', '=', contentId)
            .where('n.type', '=', 'must-read'),
        ),
      ),
    )
    .execute();
  const createdAt = Math.max(item.publishedAt, now);
  // One event, one notification: someone the article mentions and who must read it hears "new
  // must-read" only (the mention written by recordLinks just before, unread and not mailed yet, goes).
  const ids = recipients.map((r) => r.id);
  for (let start = 0; start < ids.length; start += 500) {
    await trx
      .deleteFrom('notifications')
      .where('content_id', '=', contentId)
      .where('type', '=', 'mention')
      .where('comment_id', 'is', null)
      .where('read_at', 'is', null)
      .where('email_state', 'is', null)
      .where('user_id', 'in', ids.slice(start, start + 500))
      .execute();
  }
  await notify(
    trx,
    recipients.map((r) => ({ userId: r.id, type: 'must-read' as const, actorId: item.authorId, contentId, createdAt })),
  );
}

export interface ReminderRecipient {
  id: number;
  name: string;
  email: string;
  locale: Locale | null;
}

export type ReminderResult =
  | { ok: true; recipients: ReminderRecipient[] }
  /** A reminder went out less than a day ago: the next one is possible at `nextAt`. */
  | { ok: false; problem: 'tooSoon'; nextAt: Millis }
  /** Everyone confirmed: nobody to remind. */
  | { ok: false; problem: 'nobody' };

/**
 * Reminds those of the audience who have not confirmed (an in-app notification each), unless a
 * reminder went out in the last 24 hours. The check and the record are one statement, so two
 * reminders sent at the same moment cannot both pass.
 */
export async function remindUnconfirmed(db: Kysely<Database>, item: ContentSubject, actorId: number, now = Date.now()): Promise<ReminderResult> {
  return db.transaction().execute(async (trx): Promise<ReminderResult> => {
    const pending = await mustReadAudience(trx, item)
      .leftJoin('read_confirmations as r', (join) => join.onRef('r.user_id', '=', 'u.id').on('r.content_id', '=', item.id))
      .select(['u.id', 'u.name', 'u.email', 'u.locale'])
      .where('r.user_id', 'is', null)
      .where('u.id', '!=', actorId)
      .execute();
    const since = now - REMINDER_INTERVAL_MS;
    const recorded = await sql<{ id: number }>`
      insert into must_read_reminders (content_id, sent_by, sent_at, recipient_count)
      select ${item.id}, ${actorId}, ${now}, ${pending.length}
      where ${pending.length} > 0
        and not exists (select 1 from must_read_reminders where content_id = ${item.id} and sent_at > ${since})
      returning id`.execute(trx);
    if (recorded.rows.length === 0) {
      const last = await trx
        .selectFrom('must_read_reminders')
        .select('sent_at')
        .where('content_id', '=', item.id)
        .where('sent_at', '>', since)
        .orderBy('sent_at', 'desc')
        .executeTakeFirst();
      if (last) return { ok: false, problem: 'tooSoon', nextAt: last.sent_at + REMINDER_INTERVAL_MS };
      return { ok: false, problem: 'nobody' };
    }
    await notify(
      trx,
      pending.map((p) => ({ userId: p.id, type: 'must-read-reminder' as const, actorId, contentId: item.id, createdAt: now })),
    );
    return { ok: true, recipients: pending };
  });
}
