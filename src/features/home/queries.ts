// What the home page counts for those who look after the members.
import type { Kysely } from 'kysely';
import { countOpenInvitations } from '../../auth/invitations.js';
import type { Database } from '../../db/schema.js';

/** Active members, and open invitations: the same ones the members page lists as waiting for an answer. */
export async function countMembers(db: Kysely<Database>): Promise<{ active: number; openInvitations: number }> {
  const [active, openInvitations] = await Promise.all([
    db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow(),
    countOpenInvitations(db),
  ]);
  return { active: Number(active.n), openInvitations };
}
