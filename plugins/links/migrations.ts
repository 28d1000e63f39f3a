// The links plugin's own table. A link is a content item (a row of the core's `content` table, kind
// 'link'): comments, reactions, reports, search, the feed and soft deletion come from the content
// model. This table holds what only a link has. Applied by Hameau in a transaction, recorded in
// `plugin_links_migrations`; append new migrations, never change one that shipped.
import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '0001-links': {
    // `any`: migrations are written against the schema of their time.
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('links_links')
        // Deleting the content row (a purge, the 30-day clean-up of deleted items) deletes the link.
        .addColumn('content_id', 'integer', (c) => c.primaryKey().references('content.id').onDelete('cascade'))
        .addColumn('title', 'text', (c) => c.notNull())
        // Always http: or https: (checked in url.ts before it is stored).
        .addColumn('url', 'text', (c) => c.notNull())
        // The URL's host without "www.", stored for the card and the "most linked domains" widget.
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .modifyEnd(sql`strict`)
        .execute();
      await db.schema.createIndex('links_links_host').on('links_links').column('host').execute();
    },
  },
};
