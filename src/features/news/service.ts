// Writing news articles: create and edit, each in one transaction with the content row, the
// article's own row, its attachments, its mentions and topics, and its must-read notifications.
import type { Kysely } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import { renderMarkdown } from '../../content/markdown.js';
import { insertContent, recordLinks } from '../../content/store.js';
import type { Database, Millis } from '../../db/schema.js';
import { attachAll, detachAttachments } from '../attachments/service.js';
import { removeStoredFiles } from '../attachments/storage.js';
import { syncMustReadNotifications } from './must-read.js';
import type { ArticleForEdit } from './queries.js';

/** What the form gives, checked by the routes (lengths, dates in the future, the space allowed). */
export interface ArticleInput {
  title: string;
  body: string;
  category: string | null;
  pinnedUntil: Millis | null;
  commentsEnabled: boolean;
  mustRead: boolean;
  /** Urgent must-read (admins): true or false to set it, undefined to leave it as it is. Audited when it changes. */
  urgent?: boolean;
  /** Null: a draft. Now: published. Later: scheduled. Ignored when editing a published article. */
  publishedAt: Millis | null;
  /** The author's pending cover (at most one) and files, from receiveAttachments. */
  coverIds: number[];
  fileIds: number[];
}

export interface EditInput extends ArticleInput {
  /** The article's files still ticked on the form: the others are removed. */
  keepFileIds: number[];
  /** Take the cover off (a new cover replaces it anyway). */
  removeCover: boolean;
}

/** Where articles are written: the database, and the data directory whose files removed attachments leave. */
export interface NewsStore {
  db: Kysely<Database>;
  dataDir: string;
}

/**
 * Publishes, schedules or saves as a draft a new article; returns its id. Throws AttachmentsTaken
 * (nothing saved) when a file was claimed meanwhile by another request.
 *
 * @example
 * const id = await createArticle({ db: app.db, dataDir: app.config.dataDir }, { spaceId, authorId: user.id }, input);
 */
export async function createArticle(
  { db }: NewsStore,
  where: { spaceId: number; authorId: number },
  input: ArticleInput,
  now = Date.now(),
): Promise<number> {
  const rendered = await renderMarkdown(db, input.body, 'article');
  return db.transaction().execute(async (trx) => {
    const id = await insertContent(
      trx,
      {
        kind: 'news',
        spaceId: where.spaceId,
        authorId: where.authorId,
        publishedAt: input.publishedAt,
        mustRead: input.mustRead,
        commentsEnabled: input.commentsEnabled,
        pinnedUntil: input.pinnedUntil,
      },
      now,
    );
    await trx
      .insertInto('news_articles')
      .values({ content_id: id, title: input.title, body: input.body, body_html: rendered.html, summary: rendered.summary, category: input.category, urgent: input.urgent ? 1 : 0 })
      .execute();
    if (input.urgent) await recordAudit(trx, { actorId: where.authorId, action: 'news.urgent', subjectType: 'content', subjectId: id, details: { before: false, after: true } }, now);
    await attachAll(trx, [...input.coverIds.slice(-1), ...input.fileIds], { contentId: id }, where.authorId);
    await recordLinks(trx, { contentId: id, actorId: where.authorId }, rendered, now);
    await syncMustReadNotifications(trx, id, now);
    return id;
  });
}

/**
 * Saves the author's changes. A published article stays published (its date unchanged) and, when
 * its text changed, gets the "edited" marker; a draft or scheduled one takes `input.publishedAt`.
 * Throws AttachmentsTaken (nothing saved) when a new file was claimed meanwhile.
 */
export async function updateArticle(
  { db, dataDir }: NewsStore,
  article: ArticleForEdit,
  actorId: number,
  input: EditInput,
  now = Date.now(),
): Promise<void> {
  const rendered = await renderMarkdown(db, input.body, 'article');
  const wasPublished = article.publishedAt !== null && article.publishedAt <= now;
  const textChanged = article.title !== input.title || article.body !== input.body || article.category !== input.category;
  const removed = await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('content')
      .set({
        updated_at: now,
        published_at: wasPublished ? article.publishedAt : input.publishedAt,
        edited_at: wasPublished && textChanged ? now : article.editedAt,
        pinned_until: input.pinnedUntil,
        must_read: input.mustRead ? 1 : 0,
        comments_enabled: input.commentsEnabled ? 1 : 0,
      })
      .where('id', '=', article.id)
      .execute();
    await trx
      .updateTable('news_articles')
      .set({
        title: input.title,
        body: input.body,
        body_html: rendered.html,
        summary: rendered.summary,
        category: input.category,
        ...(input.urgent !== undefined ? { urgent: input.urgent ? 1 : 0 } : {}),
      })
      .where('content_id', '=', article.id)
      .execute();
    if (input.urgent !== undefined && input.urgent !== article.urgent) {
      await recordAudit(trx, { actorId, action: 'news.urgent', subjectType: 'content', subjectId: article.id, details: { before: article.urgent, after: input.urgent } }, now);
    }
    const owner = { contentId: article.id };
    const cover = input.coverIds.slice(-1);
    await attachAll(trx, [...cover, ...input.fileIds], owner, actorId);
    // One cover: a new one replaces the one before; "remove" with no new one leaves none.
    const removedCovers =
      cover.length > 0 || input.removeCover ? await detachAttachments(trx, owner, { purpose: 'cover', keep: cover }) : [];
    const removedFiles = await detachAttachments(trx, owner, { purpose: 'file', keep: [...input.keepFileIds, ...input.fileIds] });
    await recordLinks(trx, { contentId: article.id, actorId }, rendered, now);
    await syncMustReadNotifications(trx, article.id, now);
    return [...removedCovers, ...removedFiles];
  });
  // After the commit: a rollback must never leave rows pointing at deleted files.
  await removeStoredFiles(dataDir, removed);
}
