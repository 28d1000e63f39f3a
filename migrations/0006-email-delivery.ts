// Email delivery: the durable job queue, the email state of each notification, notification
// preferences (per person, and the organisation's defaults), quiet hours, and urgent must-reads.
import { sql, type Kysely } from 'kysely';

const strict = sql`strict`;

// `any`: migrations are written against the schema of their time, not today's types.
export async function up(db: Kysely<any>): Promise<void> {
  // Work done in the background by src/jobs: emails, the dispatcher, digests, plugins' jobs.
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    // What to run: the handler registered under this name ('email.notification', ...).
    .addColumn('type', 'text', (c) => c.notNull())
    // JSON given to the handler.
    .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
    // Optional name of the job: enqueueing a key that exists does nothing (recurring jobs, one email per notification).
    .addColumn('key', 'text')
    // 'pending', 'running', 'done', 'failed'.
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('run_at', 'integer', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5))
    // The last failure's message (one line, no stack): shown to admins.
    .addColumn('last_error', 'text')
    // A running job whose lock passed was interrupted (a crash): it runs again.
    .addColumn('locked_until', 'integer')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_at']).execute();
  await db.schema.createIndex('jobs_by_key').on('jobs').column('key').unique().where(sql.ref('key'), 'is not', null).execute();

  // Email state of each notification: null = not decided yet (the dispatcher's work list),
  // 'queued' (an email job exists, due at email_at), 'sent', 'digest' (waits for the digest),
  // 'digested', 'skipped' (no email: preference, read first, no longer visible, ...).
  await db.schema.alterTable('notifications').addColumn('email_state', 'text').execute();
  await db.schema.alterTable('notifications').addColumn('email_at', 'integer').execute();
  // Notifications written before email delivery existed are never mailed.
  await db.updateTable('notifications').set({ email_state: 'skipped' }).execute();
  await db.schema.createIndex('notifications_email_undecided').on('notifications').column('created_at').where(sql.ref('email_state'), 'is', null).execute();
  await db.schema
    .createIndex('notifications_email_digest')
    .on('notifications')
    .columns(['user_id', 'created_at'])
    .where(sql.ref('email_state'), '=', 'digest')
    .execute();

  // One person's choice for one notification type; without a row, the organisation's default holds.
  await db.schema
    .createTable('notification_preferences')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    // 1: shown in the app.
    .addColumn('in_app', 'integer', (c) => c.notNull())
    // 'immediate', 'digest' or 'off'.
    .addColumn('email', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_preferences_pk', ['user_id', 'type'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();

  // The organisation's default for one type; without a row, the built-in default holds.
  await db.schema
    .createTable('notification_defaults')
    .addColumn('type', 'text', (c) => c.primaryKey())
    .addColumn('in_app', 'integer', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .modifyEnd(sql`strict, without rowid`)
    .execute();

  // A person's digest frequency and own quiet hours; without a row (or nulls), the organisation's.
  await db.schema
    .createTable('notification_settings')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    // 'daily', 'weekly', 'never'; null: the organisation's.
    .addColumn('digest_frequency', 'text')
    // Minutes after midnight, in the organisation's time zone; all three null: the organisation's hours.
    .addColumn('quiet_start', 'integer')
    .addColumn('quiet_end', 'integer')
    .addColumn('quiet_weekends', 'integer')
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .modifyEnd(strict)
    .execute();

  // The organisation's digest frequency and quiet hours (default weekdays 20:00 to 07:30, and weekends).
  await db.schema.alterTable('organisation').addColumn('digest_frequency', 'text', (c) => c.notNull().defaultTo('daily')).execute();
  await db.schema.alterTable('organisation').addColumn('quiet_start', 'integer', (c) => c.notNull().defaultTo(20 * 60)).execute();
  await db.schema.alterTable('organisation').addColumn('quiet_end', 'integer', (c) => c.notNull().defaultTo(7 * 60 + 30)).execute();
  await db.schema.alterTable('organisation').addColumn('quiet_weekends', 'integer', (c) => c.notNull().defaultTo(1)).execute();

  // A must-read an admin marked urgent: its emails ignore quiet hours (each bypass is audited).
  await db.schema.alterTable('news_articles').addColumn('urgent', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
