// The audience of a must-read: every active user who may see a published item of a space, as SQL
// over `users as u`. It is the policy's `seesSpace` (src/policy/space-rules.ts) read the other way
// round (which people see this space, rather than which spaces this person sees): company and open
// spaces are seen by everyone, a private space by its members and by admins.
// test/http/must-read.test.ts checks, person by person, that it agrees with can(…, 'content.view').
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { SpaceSubject } from '../../policy/subjects.js';

export type AudienceQuery = SelectQueryBuilder<Database & { u: Database['users'] }, 'u', {}>;

/**
 * Active users who see what is published in `space`.
 *
 * @example
 * const ids = await audienceOf(db, subject.space).select('u.id').execute();
 */
export function audienceOf(db: Kysely<Database>, space: SpaceSubject): AudienceQuery {
  const active = db.selectFrom('users as u').where('u.status', '=', 'active');
  if (space.visibility !== 'private') return active;
  return active.where((eb) =>
    eb.or([
      eb('u.role', '=', 'admin'),
      eb.exists(eb.selectFrom('space_members as m').select('m.user_id').whereRef('m.user_id', '=', 'u.id').where('m.space_id', '=', space.id)),
    ]),
  );
}
