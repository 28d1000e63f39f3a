// "New since your last visit": when each person last came to the home feed (feed_visits). A visit
// starts with a full page view of the feed more than 30 minutes after the start of the previous one;
// items published after the start of the previous visit are marked new for the whole visit.
import { sql, type Kysely } from 'kysely';
import { compiledQuery } from '../../db/compiled-query.js';
import type { Database, Millis } from '../../db/schema.js';

/** Page views closer than this to the start of the current visit belong to it. */
export const VISIT_GAP_MS = 30 * 60 * 1000;

const findVisit = compiledQuery((db, userId: number) =>
  db.selectFrom('feed_visits').select(['current_visit_at', 'previous_visit_at']).where('user_id', '=', userId),
);

/**
 * Records a full page view of the home feed and returns the start of the previous visit (null on the
 * very first one: nothing is marked new then). A page view within the visit in progress only reads;
 * a new visit is one upsert that moves the visit on only after the gap (two tabs at once agree).
 *
 * @example
 * const previousVisitAt = await recordFeedVisit(app.db, viewer.id);
 */
export async function recordFeedVisit(db: Kysely<Database>, userId: number, now: Millis = Date.now()): Promise<Millis | null> {
  // Most page views belong to the visit in progress: no write (each would grow the write-ahead log).
  const [visit] = await findVisit(db, userId);
  if (visit && now - visit.current_visit_at <= VISIT_GAP_MS) return visit.previous_visit_at;
  const newVisit = sql<boolean>`${now} - feed_visits.current_visit_at > ${VISIT_GAP_MS}`;
  const row = await db
    .insertInto('feed_visits')
    .values({ user_id: userId, current_visit_at: now, previous_visit_at: null })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        // SQLite evaluates every SET expression against the row as it was: both read the old current_visit_at.
        previous_visit_at: sql`case when ${newVisit} then feed_visits.current_visit_at else feed_visits.previous_visit_at end`,
        current_visit_at: sql`case when ${newVisit} then ${now} else feed_visits.current_visit_at end`,
      }),
    )
    .returning('previous_visit_at')
    .executeTakeFirst();
  return row?.previous_visit_at ?? null;
}

/** The start of the previous visit without recording one (next pages, fragments). */
export async function previousFeedVisit(db: Kysely<Database>, userId: number): Promise<Millis | null> {
  const [visit] = await findVisit(db, userId);
  return visit?.previous_visit_at ?? null;
}
