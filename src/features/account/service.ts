// A member's own account: name, language and password.
import type { Kysely } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { invalidateUserSessions } from '../../auth/sessions.js';
import { findUserById, setUserPassword } from '../../auth/users.js';
import type { Database } from '../../db/schema.js';


/**
 * Changes the password after checking the current one, and ends every other session
 * (a password change is what someone does when they fear another device is signed in).
 */
export async function changePassword(
  db: Kysely<Database>,
  userId: number,
  currentSessionId: string,
  current: string,
  next: string,
  now = Date.now(),
): Promise<{ ok: true; sessionsEnded: number } | { ok: false }> {
  const user = await findUserById(db, userId);
  if (!user || !(await verifyPassword(user.password_hash, current))) return { ok: false };
  const hash = await hashPassword(next);
  await setUserPassword(db, userId, hash, now);
  const sessionsEnded = await invalidateUserSessions(db, userId, currentSessionId);
  await recordAudit(db, { actorId: userId, action: 'user.passwordChange', subjectType: 'user', subjectId: userId, details: { sessionsEnded } }, now);
  return { ok: true, sessionsEnded };
}
