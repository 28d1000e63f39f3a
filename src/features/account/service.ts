// A member's own account: name, language and password.
import type { Kysely } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { invalidateUserSessions } from '../../auth/sessions.js';
import { findUserById, setUserPassword } from '../../auth/users.js';
import type { Database, Locale } from '../../db/schema.js';

export async function updateProfile(db: Kysely<Database>, userId: number, changes: { name: string; locale: Locale }, now = Date.now()) {
  await db.updateTable('users').set({ name: changes.name, locale: changes.locale, updated_at: now }).where('id', '=', userId).execute();
}

export async function setLocale(db: Kysely<Database>, userId: number, locale: Locale, now = Date.now()) {
  await db.updateTable('users').set({ locale, updated_at: now }).where('id', '=', userId).execute();
}

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
