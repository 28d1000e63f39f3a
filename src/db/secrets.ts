// Secrets Hameau makes for itself on first start and keeps in the database (cookie signing, ...).
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Returns the named secret, creating 32 random bytes the first time. */
export async function appSecret(db: Kysely<Database>, name: string): Promise<Buffer> {
  await db
    .insertInto('app_secret')
    .values({ name, value: crypto.randomBytes(32) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('app_secret').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
