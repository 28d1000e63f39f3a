// Search: the full-text index (SQLite FTS5), what each of its rows is, and the queue that keeps it in
// step. Triggers on the tables whose text is searched write (source, key) into `search_queue`; the
// search module (src/search/) drains it, computing each row's text through the registered sources,
// before every search. The FTS5 statements are SQLite-only: src/search/fts.ts holds their twins.
import { sql, type Kysely } from 'kysely';

// `any`: migrations are written against the schema of their time, not today's types.
export async function up(db: Kysely<any>): Promise<void> {
  // What each row of the index is. Its id is the index's rowid: ids grow with time (a rebuild inserts
  // oldest first), which is how search reads "the newest matches" without ranking every match.
  await db.schema
    .createTable('search_entries')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    // The source that computed it ('content', 'comment', 'space', 'person', or a plugin's) and that
    // source's id (a content id, a comment id, a space id, a user id...).
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('key', 'integer', (c) => c.notNull())
    // What results are grouped by: the content kind ('news', 'post', ...), 'comment', 'space', 'person'.
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('content_id', 'integer')
    .addColumn('comment_id', 'integer')
    .addColumn('space_id', 'integer')
    .addColumn('user_id', 'integer')
    .modifyEnd(sql`strict`)
    .execute();
  await db.schema.createIndex('search_entries_by_key').on('search_entries').columns(['source', 'key']).unique().execute();
  // A purged item takes its comments' entries with it.
  await db.schema
    .createIndex('search_entries_by_content')
    .on('search_entries')
    .column('content_id')
    .where(sql.ref('content_id'), 'is not', null)
    .execute();

  // The index itself. Folded words (case, and accents with remove_diacritics 2: "evenement" finds
  // "événement"); prefix indexes of 2 to 6 characters, so that every word typed, matched as a prefix,
  // reads one list rather than merging the lists of all the words it starts (docs/search.md).
  // `scope` holds filter tokens (the kind, the space), matched only through a column filter.
  await sql`create virtual table search_index using fts5(title, body, scope, tokenize = "unicode61 remove_diacritics 2", prefix = '2 3 4 5 6')`.execute(db);

  // What changed since the index was last brought up to date: one row per thing to recompute.
  await db.schema
    .createTable('search_queue')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('key', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('search_queue_pk', ['source', 'key'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();

  // The content kinds whose items have been queued once: a kind a plugin registers later gets its
  // existing items indexed the first time search sees it.
  await db.schema
    .createTable('search_kinds')
    .addColumn('kind', 'text', (c) => c.primaryKey())
    .modifyEnd(sql`strict, without rowid`)
    .execute();

  const queue = (source: string, key: string) => sql.raw(`insert or ignore into search_queue (source, key) values ('${source}', ${key});`);
  const trigger = async (name: string, event: string, body: ReturnType<typeof sql.raw>, when?: string) =>
    sql`create trigger ${sql.raw(name)} after ${sql.raw(event)} for each row ${sql.raw(when ? `when ${when}` : '')} begin ${body} end`.execute(db);

  // Content items: their kind's text may change with the row's updated_at (every edit sets it), their
  // scope with the space. Core kinds' own tables have their triggers; a plugin's kind is re-read when
  // its item's updated_at changes, or when the plugin queues it (app.search.queue).
  await trigger('search_content_insert', 'insert on content', queue('content', 'new.id'));
  await trigger('search_content_update', 'update of updated_at, kind, space_id on content', queue('content', 'new.id'));
  await trigger('search_content_delete', 'delete on content', queue('content', 'old.id'));
  // An item moved to another space takes its comments along (their scope names the space).
  await trigger(
    'search_content_moved',
    'update of space_id on content',
    sql.raw(`insert or ignore into search_queue (source, key) select 'comment', id from comments where content_id = new.id;`),
    'old.space_id is not new.space_id',
  );
  for (const table of ['posts', 'news_articles']) {
    await trigger(`search_${table}_insert`, `insert on ${table}`, queue('content', 'new.content_id'));
    await trigger(`search_${table}_update`, `update on ${table}`, queue('content', 'new.content_id'));
    await trigger(`search_${table}_delete`, `delete on ${table}`, queue('content', 'old.content_id'));
  }

  await trigger('search_comments_insert', 'insert on comments', queue('comment', 'new.id'));
  await trigger('search_comments_update', 'update of body, content_id on comments', queue('comment', 'new.id'));
  await trigger('search_comments_delete', 'delete on comments', queue('comment', 'old.id'));

  await trigger('search_spaces_insert', 'insert on spaces', queue('space', 'new.id'));
  await trigger('search_spaces_update', 'update of name, description on spaces', queue('space', 'new.id'));
  await trigger('search_spaces_delete', 'delete on spaces', queue('space', 'old.id'));

  // People: their name and profile (migration 0004-people), department, site and skills.
  await trigger('search_users_insert', 'insert on users', queue('person', 'new.id'));
  await trigger(
    'search_users_update',
    'update of name, job_title, department_id, site_id, languages, bio on users',
    queue('person', 'new.id'),
  );
  await trigger('search_users_delete', 'delete on users', queue('person', 'old.id'));
  await trigger(
    'search_departments_update',
    'update of name on departments',
    sql.raw(`insert or ignore into search_queue (source, key) select 'person', id from users where department_id = new.id;`),
  );
  await trigger(
    'search_sites_update',
    'update of name on sites',
    sql.raw(`insert or ignore into search_queue (source, key) select 'person', id from users where site_id = new.id;`),
  );
  await trigger('search_user_skills_insert', 'insert on user_skills', queue('person', 'new.user_id'));
  await trigger('search_user_skills_delete', 'delete on user_skills', queue('person', 'old.user_id'));
  await trigger(
    'search_skills_update',
    'update of label on skills',
    sql.raw(`insert or ignore into search_queue (source, key) select 'person', user_id from user_skills where skill_id = new.id;`),
  );

  // What already exists (an organisation upgrading): queued, indexed by the first search or by
  // `node dist/src/cli/search-rebuild.js` (docs/search.md).
  await sql`insert or ignore into search_queue (source, key) select 'content', id from content`.execute(db);
  await sql`insert or ignore into search_queue (source, key) select 'comment', id from comments`.execute(db);
  await sql`insert or ignore into search_queue (source, key) select 'space', id from spaces`.execute(db);
  await sql`insert or ignore into search_queue (source, key) select 'person', id from users`.execute(db);
}
