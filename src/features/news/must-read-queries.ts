// Reads about must-reads: who of the audience confirmed and who has not yet, counts, the list for the
// CSV export, and the last reminder. Lists are keyset-paged by (sort_name, id) of the person.
// The audience of a must-read is everyone who may see it but its author, who asks for the
// confirmations rather than gives one.
import { sql, type Kysely } from 'kysely';
import type { Database, Millis } from '../../db/schema.js';
import { encodeNameCursor, parseNameCursor } from '../../http/cursor.js';
import type { ContentSubject } from '../../policy/subjects.js';
import { spaceAudience, type AudienceQuery } from '../../policy/visible-content.js';

/** A reminder may be sent once per this period per item. */
export const REMINDER_INTERVAL_MS = 24 * 60 * 60 * 1000;

export const CONFIRMATIONS_PAGE_SIZE = 100;

export interface AudienceMember {
  id: number;
  name: string;
  email: string;
  /** When they confirmed, or null. */
  confirmedAt: Millis | null;
}

export interface ConfirmationCounts {
  confirmed: number;
  /** Everyone who may see the item now. */
  audience: number;
}

/** Active users who may see the item, its author excepted. */
export function mustReadAudience(db: Kysely<Database>, item: ContentSubject): AudienceQuery {
  const audience = spaceAudience(db, item.space);
  return item.authorId === null ? audience : audience.where('u.id', '!=', item.authorId);
}

/** When this person confirmed the item, or null. */
export async function confirmedAt(db: Kysely<Database>, contentId: number, userId: number): Promise<Millis | null> {
  const row = await db
    .selectFrom('read_confirmations')
    .select('confirmed_at')
    .where('content_id', '=', contentId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.confirmed_at ?? null;
}

/** How many of the audience confirmed, out of how many. Confirmations of people who left it do not count. */
export async function confirmationCounts(db: Kysely<Database>, item: ContentSubject): Promise<ConfirmationCounts> {
  const row = await mustReadAudience(db, item)
    .leftJoin('read_confirmations as r', (join) => join.onRef('r.user_id', '=', 'u.id').on('r.content_id', '=', item.id))
    .select((eb) => [eb.fn.countAll<number>().as('audience'), eb.fn.count<number>('r.user_id').as('confirmed')])
    .executeTakeFirstOrThrow();
  return { confirmed: Number(row.confirmed), audience: Number(row.audience) };
}

export interface AudiencePage {
  people: AudienceMember[];
  /** Cursor of the next page (for `?after=`), or null on the last one. */
  next: string | null;
}

/**
 * Those of the audience who confirmed (`confirmed: true`) or have not yet, by name, a page at a time.
 *
 * @example
 * const pending = await listAudience(db, item, { confirmed: false, after: request.query.pending });
 */
export async function listAudience(
  db: Kysely<Database>,
  item: ContentSubject,
  options: { confirmed: boolean; after?: unknown },
): Promise<AudiencePage> {
  const from = parseNameCursor(options.after);
  let query = mustReadAudience(db, item)
    .leftJoin('read_confirmations as r', (join) => join.onRef('r.user_id', '=', 'u.id').on('r.content_id', '=', item.id))
    .select(['u.id', 'u.name', 'u.email', 'u.sort_name', 'r.confirmed_at'])
    .where('r.user_id', options.confirmed ? 'is not' : 'is', null)
    .orderBy('u.sort_name')
    .orderBy('u.id')
    .limit(CONFIRMATIONS_PAGE_SIZE + 1);
  if (from) query = query.where((eb) => eb(eb.refTuple('u.sort_name', 'u.id'), '>', eb.tuple(from.name, from.id)));
  const rows = await query.execute();
  const page = rows.slice(0, CONFIRMATIONS_PAGE_SIZE);
  const last = page.at(-1);
  return {
    people: page.map((r) => ({ id: r.id, name: r.name, email: r.email, confirmedAt: r.confirmed_at })),
    next: rows.length > CONFIRMATIONS_PAGE_SIZE && last ? encodeNameCursor({ name: last.sort_name, id: last.id }) : null,
  };
}

/** The whole audience by name with each one's confirmation: what the CSV export holds. */
export async function wholeAudience(db: Kysely<Database>, item: ContentSubject): Promise<AudienceMember[]> {
  const rows = await mustReadAudience(db, item)
    .leftJoin('read_confirmations as r', (join) => join.onRef('r.user_id', '=', 'u.id').on('r.content_id', '=', item.id))
    .select(['u.id', 'u.name', 'u.email', 'r.confirmed_at'])
    .orderBy(sql`r.user_id is null`)
    .orderBy('u.sort_name')
    .orderBy('u.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, confirmedAt: r.confirmed_at }));
}

/** When the last reminder about the item went out, or null. */
export async function lastReminderAt(db: Kysely<Database>, contentId: number): Promise<Millis | null> {
  const row = await db
    .selectFrom('must_read_reminders')
    .select('sent_at')
    .where('content_id', '=', contentId)
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.sent_at ?? null;
}
