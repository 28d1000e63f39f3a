// The settings feature's reads: the organisation's policies as stored (not the per-request cached copy).
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { settingsOf, type OrganisationSettings } from './service.js';

/**
 * The settings as stored now: the form shows what the database holds, never a cached copy.
 *
 * @example
 * const settings = await readSettings(app.db);
 */
export async function readSettings(db: Kysely<Database>): Promise<OrganisationSettings> {
  const row = await db.selectFrom('organisation').select(['space_creation', 'member_posts_in_company']).where('id', '=', 1).executeTakeFirstOrThrow();
  return settingsOf(row);
}
