// The privacy core's minimum group size k (src/privacy): results about people (anonymous polls and
// surveys, later well-being checks) are shown only when at least k people answered. Default 5;
// the admin may set it between 3 and 10 on /admin/organisation. A survey copies k when it opens.
import { sql, type Kysely } from 'kysely';

// `any`: migrations are written against the schema of their time, not today's types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('organisation')
    .addColumn('privacy_min_group', 'integer', (c) =>
      c.notNull().defaultTo(5).check(sql`privacy_min_group between 3 and 10`),
    )
    .execute();
}
