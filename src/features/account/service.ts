// A member's own account: name, language and password.
import type { Kysely } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import { cancelPasswordResets } from '../../auth/password-reset.js';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { createSession, invalidateSession, invalidateUserSessions } from '../../auth/sessions.js';
import { findUserById, setUserPassword } from '../../auth/users.js';
import type { Database } from '../../db/schema.js';

export type PasswordChange =
  | { ok: true; sessionsEnded: number; resetLinksCancelled: number; sessionToken: string }
  | { ok: false };

/**
 * Changes the password after checking the current one. A password change is what someone does
 * when they fear somebody else got in, so it also ends every other session, replaces this
 * browser's session with a new one (a session id seen before the change is worth nothing after
 * it), and spends every reset link still open. The caller sets the cookie to `sessionToken`.
 *
 * @example
 * const result = await changePassword(db, { userId, sessionId, userAgent, current, next });
 * if (result.ok) reply.setSessionCookie(result.sessionToken);
 */
export async function changePassword(
  db: Kysely<Database>,
  change: { userId: number; sessionId: string; userAgent: string; current: string; next: string },
  now = Date.now(),
): Promise<PasswordChange> {
  const user = await findUserById(db, change.userId);
  if (!user || !(await verifyPassword(user.password_hash, change.current))) return { ok: false };
  const hash = await hashPassword(change.next);
  return db.transaction().execute(async (trx) => {
    await setUserPassword(trx, user.id, hash, now);
    const sessionsEnded = await invalidateUserSessions(trx, user.id, change.sessionId);
    await invalidateSession(trx, change.sessionId);
    const { token } = await createSession(trx, user.id, change.userAgent, now);
    const resetLinksCancelled = await cancelPasswordResets(trx, user.id, now);
    await recordAudit(
      trx,
      { actorId: user.id, action: 'user.passwordChange', subjectType: 'user', subjectId: user.id, details: { sessionsEnded, resetLinksCancelled } },
      now,
    );
    return { ok: true as const, sessionsEnded, resetLinksCancelled, sessionToken: token };
  });
}
