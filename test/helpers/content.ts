// Factories for spaces and content, written straight to the database: for tests about what happens
// once they exist. Tests of creating them go through HTTP.
import type { FastifyInstance } from 'fastify';
import { sortName } from '../../src/auth/users.js';
import { renderMarkdown } from '../../src/content/markdown.js';
import { insertContent, recordLinks } from '../../src/content/store.js';
import type { Insertable } from 'kysely';
import type { ContentTable, SpaceRole, SpaceVisibility } from '../../src/db/schema.js';

/** The company space's id (created by setup). */
export async function companySpaceId(app: FastifyInstance): Promise<number> {
  const row = await app.db.selectFrom('spaces').select('id').where('visibility', '=', 'company').executeTakeFirstOrThrow();
  return row.id;
}

export async function createSpace(
  app: FastifyInstance,
  space: { name: string; visibility?: Exclude<SpaceVisibility, 'company'>; description?: string; members?: Array<[userId: number, role: SpaceRole]> },
): Promise<number> {
  const now = Date.now();
  const row = await app.db
    .insertInto('spaces')
    .values({ name: space.name, sort_name: sortName(space.name), description: space.description ?? '', visibility: space.visibility ?? 'open', created_by: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [userId, role] of space.members ?? []) {
    await app.db.insertInto('space_members').values({ space_id: row.id, user_id: userId, role, joined_at: now }).execute();
  }
  return row.id;
}

export async function addSpaceMember(app: FastifyInstance, spaceId: number, userId: number, role: SpaceRole = 'member'): Promise<void> {
  await app.db.insertInto('space_members').values({ space_id: spaceId, user_id: userId, role, joined_at: Date.now() }).execute();
}

interface ItemOptions {
  spaceId: number;
  authorId: number;
  /** Default: published a second ago. Null for a draft. */
  publishedAt?: number | null;
  mustRead?: boolean;
  commentsEnabled?: boolean;
  pinnedUntil?: number | null;
}

/** A post, with its mentions and topics recorded as the service would. */
export async function createPost(app: FastifyInstance, options: ItemOptions & { body: string }): Promise<number> {
  const rendered = await renderMarkdown(app.db, options.body, 'short');
  return app.db.transaction().execute(async (trx) => {
    const id = await insertContent(trx, { kind: 'post', ...options, publishedAt: options.publishedAt === undefined ? Date.now() - 1000 : options.publishedAt });
    await trx.insertInto('posts').values({ content_id: id, body: options.body, body_html: rendered.html, summary: rendered.summary }).execute();
    await recordLinks(trx, { contentId: id, actorId: options.authorId }, rendered);
    return id;
  });
}

/** A news article, with its mentions and topics recorded as the service would. */
export async function createArticle(
  app: FastifyInstance,
  options: ItemOptions & { title: string; body: string; category?: string | null },
): Promise<number> {
  const rendered = await renderMarkdown(app.db, options.body, 'article');
  return app.db.transaction().execute(async (trx) => {
    const id = await insertContent(trx, { kind: 'news', ...options, publishedAt: options.publishedAt === undefined ? Date.now() - 1000 : options.publishedAt });
    await trx
      .insertInto('news_articles')
      .values({ content_id: id, title: options.title, body: options.body, body_html: rendered.html, summary: rendered.summary, category: options.category ?? null })
      .execute();
    await recordLinks(trx, { contentId: id, actorId: options.authorId }, rendered);
    return id;
  });
}

export async function createComment(
  app: FastifyInstance,
  options: { contentId: number; authorId: number; body: string; parentId?: number | null },
): Promise<number> {
  const rendered = await renderMarkdown(app.db, options.body, 'short');
  const row = await app.db
    .insertInto('comments')
    .values({
      content_id: options.contentId,
      parent_id: options.parentId ?? null,
      author_id: options.authorId,
      body: options.body,
      body_html: rendered.html,
      created_at: Date.now(),
      edited_at: null,
      deleted_at: null,
      deleted_by: null,
      hidden_at: null,
      hidden_by: null,
      hidden_reason: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * A whole `content` row for inserting states the forms never make (hidden, deleted, scheduled, a
 * must-read by anyone): published a moment ago, in `spaceId`, by `authorId`, then `overrides`.
 *
 * @example
 * await app.db.insertInto('content').values(contentRow(spaceId, authorId, { hidden_at: Date.now() })).execute();
 */
export function contentRow(spaceId: number, authorId: number | null, overrides: Partial<Insertable<ContentTable>> = {}, now = Date.now()): Insertable<ContentTable> {
  return {
    kind: 'post',
    space_id: spaceId,
    author_id: authorId,
    created_at: now - 100,
    updated_at: now - 100,
    published_at: now - 50,
    edited_at: null,
    pinned_until: null,
    must_read: 0,
    comments_enabled: 1,
    deleted_at: null,
    deleted_by: null,
    hidden_at: null,
    hidden_by: null,
    hidden_reason: null,
    ...overrides,
  };
}
