// The in-app channel of the preferences, as one SQL condition for the in-app read paths (bell count,
// notifications page): a notification shows in the app unless its recipient turned that type off
// (their own choice, else the organisation's default). Two primary-key lookups per row.
import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * True when the notification `alias` (a `notifications` row) is wanted in the app.
 *
 * @example
 * db.selectFrom('notifications as n').where(shownInApp('n'))
 */
export function shownInApp(alias: string): RawBuilder<SqlBool> {
  const user = sql.ref(`${alias}.user_id`);
  const type = sql.ref(`${alias}.type`);
  return sql<SqlBool>`coalesce(
    (select p.in_app from notification_preferences p where p.user_id = ${user} and p.type = ${type}),
    (select d.in_app from notification_defaults d where d.type = ${type}),
    1) = 1`;
}
