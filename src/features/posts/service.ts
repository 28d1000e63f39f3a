// Writes of posts: publishing one (content row, post row, mentions and topics, files) and editing it,
// each in one transaction. Routes have asked the policy first.
import type { Kysely } from 'kysely';
import { renderMarkdown } from '../../content/markdown.js';
import { insertContent, recordLinks } from '../../content/store.js';
import type { Database } from '../../db/schema.js';
import { attachAll } from '../attachments/service.js';
import { removeFiles } from '../conversation/service.js';

export interface NewPost {
  spaceId: number;
  authorId: number;
  body: string;
  /** The author's own pending attachments (checked with pendingAttachmentIds). */
  attachmentIds: readonly number[];
}

/**
 * Publishes a post now and returns its content id. Mentioned people who may see it are notified.
 * Throws AttachmentsTaken (nothing saved) when a file was claimed meanwhile by another request.
 *
 * @example
 * const id = await publishPost(db, { spaceId, authorId: viewer.id, body, attachmentIds: [] });
 */
export async function publishPost(db: Kysely<Database>, input: NewPost, now = Date.now()): Promise<number> {
  const rendered = await renderMarkdown(db, input.body, 'short');
  return db.transaction().execute(async (trx) => {
    const id = await insertContent(trx, { kind: 'post', spaceId: input.spaceId, authorId: input.authorId, publishedAt: now }, now);
    await trx.insertInto('posts').values({ content_id: id, body: input.body, body_html: rendered.html, summary: rendered.summary }).execute();
    await recordLinks(trx, { contentId: id, actorId: input.authorId }, rendered, now);
    await attachAll(trx, input.attachmentIds, { contentId: id }, input.authorId);
    return id;
  });
}

export interface PostChange {
  contentId: number;
  actorId: number;
  body: string;
  /** New files: the author's own pending attachments. */
  attachmentIds: readonly number[];
  /** Files of this post to take off it. */
  removeAttachmentIds: readonly number[];
}

export interface PostUpdate {
  /** The text or the files changed: the post is marked edited. */
  changed: boolean;
  /** Storage keys of the files taken off: remove them with removeStoredFiles once committed. */
  removedFiles: string[];
}

/**
 * Saves a new version of a post: text (rendered again), mentions and topics recorded again (newly
 * mentioned people are notified), files added and removed, and the "edited" marker when anything
 * changed. Throws AttachmentsTaken (nothing saved) when a new file was claimed meanwhile.
 */
export async function updatePost(db: Kysely<Database>, change: PostChange, now = Date.now()): Promise<PostUpdate> {
  const rendered = await renderMarkdown(db, change.body, 'short');
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('posts').select('body').where('content_id', '=', change.contentId).executeTakeFirstOrThrow();
    await trx.updateTable('posts').set({ body: change.body, body_html: rendered.html, summary: rendered.summary }).where('content_id', '=', change.contentId).execute();
    await recordLinks(trx, { contentId: change.contentId, actorId: change.actorId }, rendered, now);
    // Files taken off first: the ones added next are not among those kept.
    const removedFiles = await removeFiles(trx, { contentId: change.contentId }, change.removeAttachmentIds);
    await attachAll(trx, change.attachmentIds, { contentId: change.contentId }, change.actorId);
    const changed = before.body !== change.body || removedFiles.length > 0 || change.attachmentIds.length > 0;
    await trx
      .updateTable('content')
      .set(changed ? { edited_at: now, updated_at: now } : { updated_at: now })
      .where('id', '=', change.contentId)
      .execute();
    return { changed, removedFiles };
  });
}
