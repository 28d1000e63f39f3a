// Member administration: roles, deactivation and reactivation. Each change is audited.
import type { Kysely } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import { invalidateUserSessions } from '../../auth/sessions.js';
import { setUserRole, setUserStatus } from '../../auth/users.js';
import type { Database, Role, User } from '../../db/schema.js';

export const MEMBERS_PAGE_SIZE = 50;

export interface MemberPage {
  members: User[];
  /** Cursor of the next page ("name|id"), or null on the last page. */
  next: string | null;
}

/** Members sorted by name, a page at a time (keyset on name, id). */
export async function listMembers(db: Kysely<Database>, after: string | null): Promise<MemberPage> {
  let query = db.selectFrom('users').selectAll().orderBy('sort_name').orderBy('id').limit(MEMBERS_PAGE_SIZE + 1);
  const cursor = parseCursor(after);
  if (cursor) {
    query = query.where((eb) =>
      eb.or([eb('sort_name', '>', cursor.name), eb.and([eb('sort_name', '=', cursor.name), eb('id', '>', cursor.id)])]),
    );
  }
  const rows = await query.execute();
  const members = rows.slice(0, MEMBERS_PAGE_SIZE);
  const last = members.at(-1);
  return { members, next: rows.length > MEMBERS_PAGE_SIZE && last ? `${last.sort_name}|${last.id}` : null };
}

function parseCursor(after: string | null): { name: string; id: number } | null {
  if (!after) return null;
  const at = after.lastIndexOf('|');
  const id = Number(after.slice(at + 1));
  if (at < 0 || !Number.isInteger(id)) return null;
  return { name: after.slice(0, at), id };
}

export async function changeRole(db: Kysely<Database>, actorId: number, member: User, role: Role, now = Date.now()): Promise<void> {
  if (member.role === role) return;
  await db.transaction().execute(async (trx) => {
    await setUserRole(trx, member.id, role, now);
    await recordAudit(trx, { actorId, action: 'member.changeRole', subjectType: 'user', subjectId: member.id, details: { before: member.role, after: role } }, now);
  });
}

/** The member can no longer sign in and every session of theirs ends now; their content stays. */
export async function deactivateMember(db: Kysely<Database>, actorId: number, member: User, now = Date.now()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await setUserStatus(trx, member.id, 'deactivated', now);
    const ended = await invalidateUserSessions(trx, member.id);
    await recordAudit(trx, { actorId, action: 'member.deactivate', subjectType: 'user', subjectId: member.id, details: { sessionsEnded: ended } }, now);
  });
}

export async function reactivateMember(db: Kysely<Database>, actorId: number, member: User, now = Date.now()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await setUserStatus(trx, member.id, 'active', now);
    await recordAudit(trx, { actorId, action: 'member.reactivate', subjectType: 'user', subjectId: member.id }, now);
  });
}
