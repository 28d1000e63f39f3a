// First-run setup: creates the organisation and its first admin, once. After that it is gone for good.
import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit-log.js';
import type { Database, Locale } from '../db/schema.js';
import { hashPassword } from './passwords.js';
import { insertUser, sortName } from './users.js';

export interface SetupInput {
  organisationName: string;
  locale: Locale;
  timeZone: string;
  adminName: string;
  email: string;
  password: string;
}

/**
 * Creates the organisation and the first admin in one transaction.
 * Returns the admin's id, or null when setup was already done (a replay, or two people at once).
 */
export async function completeSetup(db: Kysely<Database>, input: SetupInput, now = Date.now()): Promise<number | null> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('organisation').select('id').executeTakeFirst();
    if (existing) return null;
    await trx
      .insertInto('organisation')
      .values({ id: 1, name: input.organisationName, default_locale: input.locale, time_zone: input.timeZone, created_at: now, updated_at: now })
      .execute();
    // The company space: every employee's space, named after the organisation (admins may rename it).
    await trx
      .insertInto('spaces')
      .values({ name: input.organisationName, sort_name: sortName(input.organisationName), visibility: 'company', created_at: now, updated_at: now })
      .execute();
    const adminId = await insertUser(
      trx,
      { email: input.email, name: input.adminName, passwordHash, role: 'admin', locale: input.locale },
      now,
    );
    await recordAudit(trx, { actorId: adminId, action: 'organisation.setup', subjectType: 'organisation', subjectId: 1, details: { name: input.organisationName, locale: input.locale } }, now);
    return adminId;
  });
}
