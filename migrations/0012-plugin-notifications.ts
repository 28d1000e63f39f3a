// Plugins send notifications of their own types (a survey's reminder, a poll's "post the outcome"):
// stored in `notifications` like the core's, with the plugin's id, the plugin's own object they are
// about (a survey has no content item), and an end after which they are no longer shown (a reminder
// about a survey that has closed). `plugins_off` says which plugins are off, everywhere (space 0) or
// in one space: the read paths hide their notifications (kept by the plugin runtime, like
// content_kinds_off).
import { sql, type Kysely } from 'kysely';

// `any`: migrations are written against the schema of their time, not today's types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('plugin_id', 'text').execute();
  await db.schema.alterTable('notifications').addColumn('subject_id', 'integer').execute();
  await db.schema.alterTable('notifications').addColumn('expires_at', 'integer').execute();
  await db.schema
    .createIndex('notifications_by_plugin_subject')
    .on('notifications')
    .columns(['plugin_id', 'subject_id'])
    .where(sql.ref('plugin_id'), 'is not', null)
    .execute();
  await db.schema
    .createTable('plugins_off')
    .addColumn('plugin_id', 'text', (c) => c.notNull())
    .addColumn('space_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('plugins_off_pk', ['plugin_id', 'space_id'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();
}
