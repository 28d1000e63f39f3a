// People: the profile columns of `users`, departments and sites (admin-managed lists), skills (free
// tags), the extra profile fields an admin defines, the profile an invited person gets on acceptance,
// and the CSV imports waiting for an admin's confirmation.
import { sql, type Kysely } from 'kysely';

const strict = sql`strict`;

// `any`: migrations are written against the schema of their time, not today's types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('departments')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // The name folded (lower case, accents removed): sorting, and one "Ventes" however it is typed.
    .addColumn('sort_name', 'text', (c) => c.notNull().unique())
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable('sites')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sort_name', 'text', (c) => c.notNull().unique())
    .modifyEnd(strict)
    .execute();

  // Profile columns. All optional: a person invited without them fills them in later, or an admin does.
  const userColumns: Array<[string, (c: any) => any]> = [
    ['job_title', (c) => c],
    ['department_id', (c) => c.references('departments.id').onDelete('set null')],
    ['site_id', (c) => c.references('sites.id').onDelete('set null')],
    ['manager_id', (c) => c.references('users.id').onDelete('set null')],
    ['phone', (c) => c],
    ['bio', (c) => c],
    // The stored file name of the resized photo under DATA_DIR/photos (random, never the upload's name).
    ['photo_id', (c) => c],
    // Comma-separated language names as the person typed them ("Français, English, Deutsch").
    ['languages', (c) => c],
    // The job title folded like sort_name: what the directory's search matches, accents and case aside.
    ['job_title_sort', (c) => c],
  ];
  for (const [name, build] of userColumns) {
    const type = name.endsWith('_id') && name !== 'photo_id' ? 'integer' : 'text';
    await db.schema.alterTable('users').addColumn(name, type, build).execute();
  }
  // The directory lists active people by (sort_name, id), optionally within a department or a site.
  await db.schema.createIndex('users_by_status_sort_name').on('users').columns(['status', 'sort_name', 'id']).execute();
  await db.schema.createIndex('users_by_department').on('users').columns(['department_id', 'sort_name', 'id']).execute();
  await db.schema.createIndex('users_by_site').on('users').columns(['site_id', 'sort_name', 'id']).execute();
  await db.schema.createIndex('users_by_manager').on('users').column('manager_id').execute();

  await db.schema
    .createTable('skills')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    // As first typed ("Gestion de projet").
    .addColumn('label', 'text', (c) => c.notNull())
    // The label folded like sort_name ("gestion de projet"): one skill however it is typed.
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable('user_skills')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('skill_id', 'integer', (c) => c.notNull().references('skills.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_skills_pk', ['user_id', 'skill_id'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();
  await db.schema.createIndex('user_skills_by_skill').on('user_skills').columns(['skill_id', 'user_id']).execute();

  // Extra profile fields an admin defines.
  await db.schema
    .createTable('profile_fields')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull())
    // 'text', 'choice', 'date' (YYYY-MM-DD), 'link' (http or https URL).
    .addColumn('type', 'text', (c) => c.notNull())
    // JSON array of strings: the options of a 'choice' field; '[]' for the other types.
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('[]'))
    // 1 when the directory shows the field next to each person.
    .addColumn('in_directory', 'integer', (c) => c.notNull().defaultTo(0))
    // Display order, smallest first.
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable('profile_values')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('field_id', 'integer', (c) => c.notNull().references('profile_fields.id').onDelete('cascade'))
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('profile_values_pk', ['user_id', 'field_id'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();
  await db.schema.createIndex('profile_values_by_field').on('profile_values').columns(['field_id', 'user_id']).execute();

  // The profile an invited person gets when they accept (CSV import): JSON
  // { jobTitle, departmentId, siteId, managerEmail }, the manager resolved by email at acceptance.
  await db.schema.alterTable('invitations').addColumn('profile', 'text').execute();

  // A parsed CSV import waiting for the admin's confirmation: the confirm step reads the rows from
  // here, never from the browser. Expired rows are ignored and deleted on the next import.
  await db.schema
    .createTable('people_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_by', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // JSON: the valid rows and the departments and sites to create.
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'integer', (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
}
