// The profile a person invited by a CSV import gets when they accept: job title, department, site and
// manager. Stored as JSON on the invitation (invitations.profile); the manager is found by email at
// acceptance (they may have joined since the import), and a department or site deleted since is skipped.
// A manager who joins after their reports becomes their manager then (linkWaitingReports).
import { sql, type Kysely } from 'kysely';
import { normaliseEmail, sortName } from '../../auth/users.js';
import type { Database } from '../../db/schema.js';
import { wouldCreateCycle } from './org.js';

export interface InvitationProfile {
  /** The name in the file: offered in the acceptance form, which the person may change. */
  name: string | null;
  jobTitle: string | null;
  departmentId: number | null;
  siteId: number | null;
  managerEmail: string | null;
}

export function serialiseProfile(profile: InvitationProfile): string {
  return JSON.stringify(profile);
}

/** The stored JSON read back; anything unexpected counts as absent. */
export function readProfile(json: string): InvitationProfile | null {
  try {
    const value = JSON.parse(json) as Record<string, unknown>;
    if (!value || typeof value !== 'object') return null;
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    const id = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
    return { name: text(value.name), jobTitle: text(value.jobTitle), departmentId: id(value.departmentId), siteId: id(value.siteId), managerEmail: text(value.managerEmail) };
  } catch {
    return null;
  }
}

/** The name an imported person is offered when accepting, if the import gave one. */
export function invitedName(json: string | null): string | null {
  return json === null ? null : (readProfile(json)?.name ?? null);
}

/**
 * Sets the new account's profile from its invitation, in the acceptance's transaction. The manager
 * must be an active member by then; otherwise the field stays empty until the manager joins (then
 * `linkWaitingReports` sets it), or the person or an admin sets it.
 */
export async function applyInvitationProfile(trx: Kysely<Database>, json: string, userId: number, now: number): Promise<void> {
  const profile = readProfile(json);
  if (!profile) return linkWaitingReports(trx, userId, now);
  const [department, site, manager] = await Promise.all([
    profile.departmentId === null ? undefined : trx.selectFrom('departments').select('id').where('id', '=', profile.departmentId).executeTakeFirst(),
    profile.siteId === null ? undefined : trx.selectFrom('sites').select('id').where('id', '=', profile.siteId).executeTakeFirst(),
    profile.managerEmail === null
      ? undefined
      : trx.selectFrom('users').select('id').where('email', '=', normaliseEmail(profile.managerEmail)).where('status', '=', 'active').executeTakeFirst(),
  ]);
  await trx
    .updateTable('users')
    .set({
      job_title: profile.jobTitle,
      job_title_sort: profile.jobTitle === null ? null : sortName(profile.jobTitle),
      department_id: department?.id ?? null,
      site_id: site?.id ?? null,
      manager_id: manager && manager.id !== userId ? manager.id : null,
      updated_at: now,
    })
    .where('id', '=', userId)
    .execute();
  await linkWaitingReports(trx, userId, now);
}

/**
 * The people imported with `userId` as their manager (by email) who joined before them, and have no
 * manager yet: `userId` becomes their manager now, unless that would close a loop. Without this, the
 * file's manager links would depend on the order people accept their invitations.
 */
export async function linkWaitingReports(trx: Kysely<Database>, userId: number, now: number): Promise<void> {
  const me = await trx.selectFrom('users').select('email').where('id', '=', userId).where('status', '=', 'active').executeTakeFirst();
  if (!me) return;
  const waiting = await trx
    .selectFrom('invitations as i')
    .innerJoin('users as u', 'u.id', 'i.accepted_user_id')
    .select('u.id')
    .where('i.profile', 'is not', null)
    .where(sql<string | null>`case when json_valid(i.profile) then json_extract(i.profile, '$.managerEmail') end`, '=', normaliseEmail(me.email))
    .where('u.id', '!=', userId)
    .where('u.manager_id', 'is', null)
    .where('u.status', '=', 'active')
    .orderBy('u.id')
    .execute();
  if (waiting.length === 0) return;
  const links = await trx.selectFrom('users').select(['id', 'manager_id']).where('manager_id', 'is not', null).execute();
  const managerOf = new Map(links.map((l) => [l.id, l.manager_id]));
  for (const report of waiting) {
    if (wouldCreateCycle(managerOf, report.id, userId)) continue;
    await trx.updateTable('users').set({ manager_id: userId, updated_at: now }).where('id', '=', report.id).where('manager_id', 'is', null).execute();
    managerOf.set(report.id, userId);
  }
}
