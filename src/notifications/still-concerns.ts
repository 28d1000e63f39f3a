// Whether a notification still concerns its recipient: the one rule the bell (its list and count) and
// the emails (checked again when they are sent) apply, so that nothing is shown or mailed about what
// the person may no longer see.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database, Millis } from '../db/schema.js';
import { contentVisibleWith, spaceVisibility, type Visibility } from '../policy/visible-content.js';
import { pluginNotificationIsOn } from './plugin-types.js';

/** Types about a must-read: shown and mailed only while the item still asks for confirmation. */
export const MUST_READ_TYPES: readonly string[] = ['must-read', 'must-read-reminder'];

type WithNotifications = Database & { n: Database['notifications'] };

/**
 * The rule, as a condition on `notifications as n`, for a recipient seen through `visibility`
 * (visibilityOf(viewer), or a compiled query's stand-ins):
 * - a plugin's notification while its plugin is on (everywhere and in its space) and until it expires;
 * - about an item: while the recipient may see it now (the policy's visibleContent), and for a
 *   must-read, while the item still is one;
 * - about a space alone (a request to join, an approval): while the recipient may see the space; an
 *   invitation, addressed to someone not yet a member, always;
 * - about a comment: while the comment is neither deleted nor hidden.
 *
 * @example
 * db.selectFrom('notifications as n').select('n.id').where((eb) => stillConcerns(eb, db, visibilityOf(viewer), Date.now()))
 */
export function stillConcerns(eb: ExpressionBuilder<WithNotifications, 'n'>, db: Kysely<Database>, visibility: Visibility, now: Millis): Expression<SqlBool> {
  return eb.and([
    pluginNotificationIsOn('n', now),
    eb.or([
      eb('n.content_id', 'is', null),
      eb.exists(
        contentVisibleWith(db, visibility, now)
          .select('c.id')
          .where('c.id', '=', sql.ref<number>('n.content_id'))
          .where((inner) => inner.or([inner(sql.ref<string>('n.type'), 'not in', MUST_READ_TYPES), inner('c.must_read', '=', 1)])),
      ),
    ]),
    eb.or([eb('n.content_id', 'is not', null), eb('n.space_id', 'is', null), eb('n.type', '=', 'space-invitation'), spaceVisibility(visibility, 'n.space_id')]),
    eb.or([
      eb('n.comment_id', 'is', null),
      eb.exists(
        eb.selectFrom('comments as m').select('m.id').whereRef('m.id', '=', 'n.comment_id').where('m.deleted_at', 'is', null).where('m.hidden_at', 'is', null),
      ),
    ]),
  ]);
}
