// Rate limit counters in the database: no cache to evict them, and a restart does not reset them.
import { sql, type Kysely } from 'kysely';

// `any`: migrations are written against the schema of their time, not today's types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limit_counters')
    // The limit's name in src/http/rate-limits.ts ("passwordFailuresPerAccount"...).
    .addColumn('limit_name', 'text', (c) => c.notNull())
    // SHA-256 of what is counted (an email, an address, a user id): no address is kept in clear.
    .addColumn('key_hash', 'blob', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('window_ends_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_counters_pk', ['limit_name', 'key_hash'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();
  await db.schema.createIndex('rate_limit_counters_by_window_end').on('rate_limit_counters').column('window_ends_at').execute();
}
