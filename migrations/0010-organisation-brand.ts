// The organisation's brand: its logo (a resized copy under DATA_DIR/brand) and its colour, which
// /brand.css applies to the whole interface (src/features/admin/brand.ts). Both optional.
import { sql, type Kysely } from 'kysely';

// `any`: migrations are written against the schema of their time, not today's types.
export async function up(db: Kysely<any>): Promise<void> {
  // The stored file's name, "<32 hex>.webp": random, never the upload's name; null without a logo.
  await db.schema
    .alterTable('organisation')
    .addColumn('logo_file', 'text', (c) => c.check(sql`logo_file is null or logo_file glob '[0-9a-f]*.webp'`))
    .execute();
  // "#rrggbb" in lower case; null: Hameau's own colours.
  await db.schema
    .alterTable('organisation')
    .addColumn('brand_colour', 'text', (c) =>
      c.check(sql`brand_colour is null or (length(brand_colour) = 7 and brand_colour glob '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')`),
    )
    .execute();
}
