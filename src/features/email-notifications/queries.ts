// Small reads for the routes of this feature (routes hold no SQL).
import type { Kysely } from 'kysely';
import type { Database, Organisation } from '../../db/schema.js';
import { EMAIL_JOB_TYPES } from './delivery.js';

/** The organisation as stored now (not the per-request cached copy): forms show what is stored. */
export async function storedOrganisation(db: Kysely<Database>): Promise<Organisation | null> {
  return (await db.selectFrom('organisation').selectAll().where('id', '=', 1).executeTakeFirst()) ?? null;
}

/** Whether `id` is an email job (of the outbox): other jobs are not the admin's to retry here. */
export async function isEmailJob(db: Kysely<Database>, id: number): Promise<boolean> {
  const job = await db.selectFrom('jobs').select('id').where('id', '=', id).where('type', 'in', EMAIL_JOB_TYPES).executeTakeFirst();
  return job !== undefined;
}

/** The person an unsubscribe link names. */
export async function findRecipient(db: Kysely<Database>, id: number): Promise<{ id: number; email: string } | undefined> {
  return db.selectFrom('users').select(['id', 'email']).where('id', '=', id).executeTakeFirst();
}
