// The plugin system's state: which plugins are enabled (and by whom, since when, with which settings),
// where space admins switched one off, and the content kinds hidden because their plugin is off.
import { sql, type Kysely } from 'kysely';

// `any`: migrations are written against the schema of their time, not today's types.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per plugin ever seen; a plugin without a row is disabled. Never deleted by a purge
  // (the row then records when and by whom the data was purged).
  await db.schema
    .createTable('plugin_state')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
    // JSON object of the values the admin saved (defaults are filled in when read).
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('enabled_at', 'integer')
    .addColumn('enabled_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('purged_at', 'integer')
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .modifyEnd(sql`strict`)
    .execute();

  // A plugin switched off in one space by its admins (plugins that declare `perSpace`). On elsewhere.
  await db.schema
    .createTable('plugin_space_off')
    .addColumn('plugin_id', 'text', (c) => c.notNull())
    .addColumn('space_id', 'integer', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('switched_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('switched_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('plugin_space_off_pk', ['plugin_id', 'space_id'])
    .modifyEnd(sql`strict`)
    .execute();

  // Content kinds whose items nobody sees now: everywhere (space_id 0) when their plugin is disabled
  // or failed, or in one space switched off. Rewritten by the plugin runtime at start and on every
  // change; read by the visibility rule (src/policy/visible-content.ts). Empty in most organisations.
  await db.schema
    .createTable('content_kinds_off')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('space_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('content_kinds_off_pk', ['kind', 'space_id'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();

  // The organisation's stage of the method (1 inform and listen, 2 process communities, 3 social performance).
  await db.schema.alterTable('organisation').addColumn('stage', 'integer', (c) => c.notNull().defaultTo(1)).execute();
}
