// Spaces, the content model (one `content` row per feed item, one table per kind) and everything that
// points at a content item: comments, reactions, mentions, topics, attachments, read confirmations,
// reports, notifications. Plus the usage charter and the feed's "new since your last visit".
import { sql, type Kysely } from 'kysely';

const strict = sql`strict`;

// `any`: migrations are written against the schema of their time, not today's types.
export async function up(db: Kysely<any>): Promise<void> {
  // Organisation policies (admin settings).
  await db.schema
    .alterTable('organisation')
    .addColumn('space_creation', 'text', (c) => c.notNull().defaultTo('everyone'))
    .execute();
  await db.schema
    .alterTable('organisation')
    .addColumn('member_posts_in_company', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('spaces')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sort_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    // 'company' (the one space of every employee), 'open' (anyone sees and joins), 'private'.
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema
    .createIndex('spaces_one_company_space')
    .on('spaces')
    .column('visibility')
    .unique()
    .where(sql.ref('visibility'), '=', 'company')
    .execute();
  await db.schema.createIndex('spaces_by_sort_name').on('spaces').columns(['sort_name', 'id']).execute();

  // Membership of spaces other than the company space (every active user is in that one).
  await db.schema
    .createTable('space_members')
    .addColumn('space_id', 'integer', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // 'admin' (space admin) or 'member'.
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('space_members_pk', ['space_id', 'user_id'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();
  await db.schema.createIndex('space_members_by_user').on('space_members').columns(['user_id', 'space_id']).execute();

  // A request to join a private space, or an invitation to join a space: at most one per person and space.
  await db.schema
    .createTable('space_requests')
    .addColumn('space_id', 'integer', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // 'request' (the person asked) or 'invitation' (a space admin asked them).
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('space_requests_pk', ['space_id', 'user_id'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();
  await db.schema.createIndex('space_requests_by_user').on('space_requests').columns(['user_id', 'space_id']).execute();

  await db.schema
    .createTable('content')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    // 'news', 'post', and the kinds plugins add ('poll', ...).
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('space_id', 'integer', (c) => c.notNull().references('spaces.id'))
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    // Null: a draft. In the future: scheduled.
    .addColumn('published_at', 'integer')
    // Set when the author changed the text after publication: the "edited" marker.
    .addColumn('edited_at', 'integer')
    .addColumn('pinned_until', 'integer')
    .addColumn('must_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('comments_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    // Soft delete: recoverable by admins for 30 days.
    .addColumn('deleted_at', 'integer')
    .addColumn('deleted_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    // Hidden by a moderator, with a reason the author sees.
    .addColumn('hidden_at', 'integer')
    .addColumn('hidden_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('hidden_reason', 'text')
    .modifyEnd(strict)
    .execute();
  // The feed reads newest first by (published_at, id); lists skip deleted rows through the index.
  await db.schema
    .createIndex('content_feed')
    .on('content')
    .columns(['published_at desc', 'id desc'])
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('content_by_space')
    .on('content')
    .columns(['space_id', 'published_at desc', 'id desc'])
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema.createIndex('content_by_author').on('content').columns(['author_id', 'id']).execute();
  await db.schema.createIndex('content_must_read').on('content').column('published_at').where(sql.ref('must_read'), '=', 1).execute();
  await db.schema.createIndex('content_pinned').on('content').column('pinned_until').where(sql.ref('pinned_until'), 'is not', null).execute();
  await db.schema.createIndex('content_deleted').on('content').column('deleted_at').where(sql.ref('deleted_at'), 'is not', null).execute();

  await db.schema
    .createTable('news_articles')
    .addColumn('content_id', 'integer', (c) => c.primaryKey().references('content.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    // Markdown as typed, and the HTML the server rendered from it (sanitized, with mentions and topics linked).
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    // Its first words without markup, for cards (src/content/markdown.ts): reading never parses markdown.
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable('posts')
    .addColumn('content_id', 'integer', (c) => c.primaryKey().references('content.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    // Its first words without markup: the post's title in lists, notifications and page titles.
    .addColumn('summary', 'text', (c) => c.notNull())
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable('comments')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('content_id', 'integer', (c) => c.notNull().references('content.id').onDelete('cascade'))
    // One level of replies: a reply's parent is never itself a reply.
    .addColumn('parent_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('edited_at', 'integer')
    .addColumn('deleted_at', 'integer')
    .addColumn('deleted_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('hidden_at', 'integer')
    .addColumn('hidden_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('hidden_reason', 'text')
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex('comments_by_content').on('comments').columns(['content_id', 'id']).execute();
  await db.schema.createIndex('comments_by_parent').on('comments').columns(['parent_id', 'id']).execute();
  // Every card counts its comments: from this index alone, without reading each comment's row.
  await db.schema
    .createIndex('comments_shown_by_content')
    .on('comments')
    .column('content_id')
    .where(sql.ref('deleted_at'), 'is', null)
    .where(sql.ref('hidden_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('attachments')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('uploader_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    // Random name of the file under DATA_DIR/uploads; the user's file name is never a path.
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('original_name', 'text', (c) => c.notNull())
    // Detected from the bytes, not from the name or the browser's claim.
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('is_image', 'integer', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('has_preview', 'integer', (c) => c.notNull().defaultTo(0))
    // What it belongs to: at most one of these; none while it waits for the form that uploaded it.
    .addColumn('content_id', 'integer', (c) => c.references('content.id').onDelete('cascade'))
    .addColumn('comment_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('space_id', 'integer', (c) => c.references('spaces.id').onDelete('cascade'))
    // 'file' (listed under the item), 'cover' (an article's cover image), 'space-image' (the newest is shown).
    .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('file'))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  // Partial: a lookup of "no comment" (an item's own files: comment_id is null) must not walk every
  // file of every item through the comments' index, as SQLite chose to without the condition.
  await db.schema
    .createIndex('attachments_by_content')
    .on('attachments')
    .columns(['content_id', 'id'])
    .where(sql.ref('content_id'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('attachments_by_comment')
    .on('attachments')
    .columns(['comment_id', 'id'])
    .where(sql.ref('comment_id'), 'is not', null)
    .execute();
  await db.schema.createIndex('attachments_by_space').on('attachments').columns(['space_id', 'id']).execute();
  await db.schema.createIndex('attachments_by_uploader').on('attachments').columns(['uploader_id', 'id']).execute();

  await db.schema
    .createTable('reactions')
    .addColumn('content_id', 'integer', (c) => c.notNull().references('content.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // One of the fixed set in src/features/conversation (like, thumbs up, heart...).
    .addColumn('reaction', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('reactions_pk', ['content_id', 'reaction', 'user_id'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();
  await db.schema.createIndex('reactions_by_user').on('reactions').columns(['user_id', 'content_id']).execute();

  await db.schema
    .createTable('mentions')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('content_id', 'integer', (c) => c.notNull().references('content.id').onDelete('cascade'))
    .addColumn('comment_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex('mentions_by_content').on('mentions').columns(['content_id', 'comment_id']).execute();
  // Deleting a comment (the purge of deleted content cascades to its comments) looks up what points
  // at it: without these indexes, each comment purged would read the whole table.
  await db.schema
    .createIndex('mentions_by_comment')
    .on('mentions')
    .column('comment_id')
    .where(sql.ref('comment_id'), 'is not', null)
    .execute();
  await db.schema.createIndex('mentions_by_user').on('mentions').columns(['user_id', 'id']).execute();

  await db.schema
    .createTable('topics')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    // Folded (lower case, no accents): "#Sécurité" and "#securite" are one topic.
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    // As first written, for display.
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema
    .createTable('content_topics')
    .addColumn('topic_id', 'integer', (c) => c.notNull().references('topics.id').onDelete('cascade'))
    .addColumn('content_id', 'integer', (c) => c.notNull().references('content.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('content_topics_pk', ['topic_id', 'content_id'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();
  await db.schema.createIndex('content_topics_by_content').on('content_topics').columns(['content_id', 'topic_id']).execute();

  await db.schema
    .createTable('read_confirmations')
    .addColumn('content_id', 'integer', (c) => c.notNull().references('content.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('confirmed_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('read_confirmations_pk', ['content_id', 'user_id'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();
  await db.schema.createIndex('read_confirmations_by_user').on('read_confirmations').columns(['user_id', 'content_id']).execute();

  await db.schema
    .createTable('must_read_reminders')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('content_id', 'integer', (c) => c.notNull().references('content.id').onDelete('cascade'))
    .addColumn('sent_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('sent_at', 'integer', (c) => c.notNull())
    .addColumn('recipient_count', 'integer', (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex('must_read_reminders_by_content').on('must_read_reminders').columns(['content_id', 'sent_at']).execute();

  await db.schema
    .createTable('reports')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('content_id', 'integer', (c) => c.notNull().references('content.id').onDelete('cascade'))
    // Set when the report is about a comment of the content item.
    .addColumn('comment_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('reporter_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    // 'open', then 'dismissed', 'hidden' or 'deleted'.
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('decided_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('decided_at', 'integer')
    .addColumn('decision_note', 'text')
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex('reports_by_status').on('reports').columns(['status', 'id']).execute();
  await db.schema.createIndex('reports_by_content').on('reports').columns(['content_id', 'comment_id']).execute();
  await db.schema
    .createIndex('reports_by_comment')
    .on('reports')
    .column('comment_id')
    .where(sql.ref('comment_id'), 'is not', null)
    .execute();

  // In-app notifications (the notifications issue adds grouping, live updates, email and preferences).
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // 'mention', 'must-read', 'must-read-reminder', 'space-invitation', 'space-request', ...
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('content_id', 'integer', (c) => c.references('content.id').onDelete('cascade'))
    .addColumn('comment_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('space_id', 'integer', (c) => c.references('spaces.id').onDelete('cascade'))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('read_at', 'integer')
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex('notifications_by_user').on('notifications').columns(['user_id', 'id desc']).execute();
  await db.schema
    .createIndex('notifications_unread')
    .on('notifications')
    .column('user_id')
    .where(sql.ref('read_at'), 'is', null)
    .execute();
  // For the cascades from a purged item or comment (and must-read notifications found by item).
  await db.schema.createIndex('notifications_by_content').on('notifications').column('content_id').execute();
  await db.schema
    .createIndex('notifications_by_comment')
    .on('notifications')
    .column('comment_id')
    .where(sql.ref('comment_id'), 'is not', null)
    .execute();

  // The usage charter: each published text is a new version; acceptance is per version.
  await db.schema
    .createTable('charter_versions')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('published_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('published_at', 'integer', (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema
    .createTable('charter_acceptances')
    .addColumn('version_id', 'integer', (c) => c.notNull().references('charter_versions.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('accepted_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('charter_acceptances_pk', ['version_id', 'user_id'])
    .modifyEnd(sql`strict, without rowid`)
    .execute();
  await db.schema.createIndex('charter_acceptances_by_user').on('charter_acceptances').columns(['user_id', 'version_id']).execute();

  // When each user last looked at the feed: items published since are marked new.
  await db.schema
    .createTable('feed_visits')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    // Start of the visit in progress, and the start of the one before (items after it are "new").
    .addColumn('current_visit_at', 'integer', (c) => c.notNull())
    .addColumn('previous_visit_at', 'integer')
    .modifyEnd(strict)
    .execute();

  // The company space exists from setup; an organisation set up before spaces existed gets it now.
  const organisation = await db.selectFrom('organisation').select(['name', 'created_at']).executeTakeFirst();
  if (organisation) {
    await db
      .insertInto('spaces')
      .values({
        name: organisation.name,
        sort_name: organisation.name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase(),
        description: '',
        visibility: 'company',
        created_at: organisation.created_at,
        updated_at: organisation.created_at,
      })
      .execute();
  }
}
