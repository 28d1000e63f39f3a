// The organisation's policies an admin sets: who may create spaces, and whether members may post in
// the company space. Written with an audit entry (before/after) in the same transaction.
import type { Kysely } from 'kysely';
import { changedFields, recordAudit } from '../../audit/audit-log.js';
import type { Database, Organisation, SpaceCreation } from '../../db/schema.js';

export interface OrganisationSettings {
  spaceCreation: SpaceCreation;
  memberPostsInCompany: boolean;
}

export function settingsOf(organisation: Pick<Organisation, 'space_creation' | 'member_posts_in_company'>): OrganisationSettings {
  return { spaceCreation: organisation.space_creation, memberPostsInCompany: organisation.member_posts_in_company === 1 };
}

/**
 * Saves the settings; only what changed is written to the audit log. Returns whether anything changed.
 * The caller forgets the cached organisation row (`app.organisation.forget()`), so that the next
 * request decides with the new settings.
 *
 * @example
 * await saveSettings(app.db, admin.id, { spaceCreation: 'admins', memberPostsInCompany: true });
 */
export async function saveSettings(db: Kysely<Database>, actorId: number, next: OrganisationSettings, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('organisation').select(['space_creation', 'member_posts_in_company']).where('id', '=', 1).executeTakeFirstOrThrow();
    const before = settingsOf(row);
    const details = changedFields(before, next, ['spaceCreation', 'memberPostsInCompany']);
    if (Object.keys(details).length === 0) return false;
    await trx
      .updateTable('organisation')
      .set({ space_creation: next.spaceCreation, member_posts_in_company: next.memberPostsInCompany ? 1 : 0, updated_at: now })
      .where('id', '=', 1)
      .execute();
    await recordAudit(
      trx,
      {
        actorId,
        action: 'settings.change',
        subjectType: 'organisation',
        subjectId: 1,
        details,
      },
      now,
    );
    return true;
  });
}
