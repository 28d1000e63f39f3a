// Following: people follow content items (to hear about new comments on them) and whole spaces (to
// hear about comments on anything published there). An explicit unfollow of an item is kept as a
// row in the 'unfollowed' state, so that commenting on it again, or a follow of its space, never
// silently brings back notifications that someone turned off. Space follows are only ever explicit:
// unfollowing a space deletes its row.
import { sql, type Kysely } from 'kysely';

// `any`: migrations are written against the schema of their time, not today's types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('content_follows')
    .addColumn('content_id', 'integer', (c) => c.notNull().references('content.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // 'following' or 'unfollowed' (an explicit choice that nothing automatic overrides).
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('following', 'unfollowed')`))
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('content_follows_pk', ['content_id', 'user_id'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();
  // A person's follows (and the cascade when a user row is deleted).
  await db.schema.createIndex('content_follows_by_user').on('content_follows').columns(['user_id', 'content_id']).execute();

  await db.schema
    .createTable('space_follows')
    .addColumn('space_id', 'integer', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('space_follows_pk', ['space_id', 'user_id'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();
  await db.schema.createIndex('space_follows_by_user').on('space_follows').columns(['user_id', 'space_id']).execute();
}
