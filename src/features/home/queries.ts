import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export async function countMembers(db: Kysely<Database>): Promise<{ active: number; pendingInvitations: number }> {
  const now = Date.now();
  const [active, pending] = await Promise.all([
    db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow(),
    db
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow(),
  ]);
  return { active: Number(active.n), pendingInvitations: Number(pending.n) };
}
