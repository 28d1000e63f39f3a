// The 'post' content kind: what a post tells the content model (its card, its page, its title and
// search text), registered by routes.ts the way a plugin registers its kinds.
import type { Kysely } from 'kysely';
import type { ContentKind } from '../../content/kinds.js';
import { compiledQuery, inJson } from '../../db/compiled-query.js';
import { excerpt, plainText } from '../../content/markdown.js';
import type { Database } from '../../db/schema.js';

/** A post's own data, as cards and pages receive it in `it.item.data`. */
export interface Post {
  /** Markdown as the author typed it. */
  body: string;
  /** Rendered and sanitized once, when saved (src/content/markdown.ts): shown raw. */
  bodyHtml: string;
  /** The first words of the text without markup, stored when saved (posts.summary). */
  summary: string;
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
  const rows = await postRows(db, JSON.stringify(contentIds));
  return new Map(rows.map((row) => [row.content_id, { body: row.body, bodyHtml: row.body_html, summary: row.summary }]));
}

// Every feed page runs it: compiled once (src/db/compiled-query.ts).
const postRows = compiledQuery((db, idsJson: string) =>
  db.selectFrom('posts').select(['content_id', 'body', 'body_html', 'summary']).where('content_id', 'in', inJson<number>(idsJson)),
);

export const postKind: ContentKind<Post> = {
  kind: 'post',
  load: loadPosts,
  dataTables: [{ table: 'posts', column: 'content_id' }],
  cardTemplate: 'posts/card',
  pageTemplate: 'posts/page',
  // The stored summary's first words: no markdown parsed when reading.
  title: (post, t) => excerpt(post.summary, TITLE_LENGTH) || t('posts.untitled'),
  searchText: (post) => ({ title: '', body: plainText(post.body) }),
  editUrl: (contentId) => `/posts/${contentId}/edit`,
};
