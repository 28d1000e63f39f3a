// The 'post' content kind: what a post tells the content model (its card, its page, its title and
// search text), registered by routes.ts the way a plugin registers its kinds.
import type { Kysely } from 'kysely';
import type { ContentKind } from '../../content/kinds.js';
import { excerpt, plainText } from '../../content/markdown.js';
import type { Database } from '../../db/schema.js';

/** A post's own data, as cards and pages receive it in `it.item.data`. */
export interface Post {
  /** Markdown as the author typed it. */
  body: string;
  /** Rendered and sanitized once, when saved (src/content/markdown.ts): shown raw. */
  bodyHtml: string;
}

/** Longest post, in characters (UTF-16 units, as the browser's maxlength counts them). */
export const POST_MAX_LENGTH = 10_000;
/** A post has no title: its first words stand for it in page titles, notifications and lists. */
export const TITLE_LENGTH = 80;

/**
 * Posts by content id, in one query.
 *
 * @example
 * const posts = await loadPosts(db, [12, 15]);
 */
export async function loadPosts(db: Kysely<Database>, contentIds: readonly number[]): Promise<Map<number, Post>> {
  if (contentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('posts')
    .select(['content_id', 'body', 'body_html'])
    .where('content_id', 'in', [...contentIds])
    .execute();
  return new Map(rows.map((row) => [row.content_id, { body: row.body, bodyHtml: row.body_html }]));
}

export const postKind: ContentKind<Post> = {
  kind: 'post',
  load: loadPosts,
  cardTemplate: 'posts/card',
  pageTemplate: 'posts/page',
  // Only the first words matter; a 10,000-character post is not parsed whole for a title.
  title: (post, t) => excerpt(plainText(post.body.slice(0, TITLE_LENGTH * 8)), TITLE_LENGTH) || t('posts.untitled'),
  searchText: (post) => ({ title: '', body: plainText(post.body) }),
  editUrl: (contentId) => `/posts/${contentId}/edit`,
};
