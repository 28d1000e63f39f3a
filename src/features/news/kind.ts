// The 'news' content kind: what a news article tells the content model (its card, its page, its
// title and search text), registered by routes.ts the way a plugin registers its kinds.
import type { Kysely } from 'kysely';
import type { ContentKind } from '../../content/kinds.js';
import { compiledQuery, inJson } from '../../db/compiled-query.js';
import { plainText } from '../../content/markdown.js';
import type { Database } from '../../db/schema.js';

/** An article's own data, as cards and pages receive it in `it.item.data`. */
export interface NewsArticle {
  title: string;
  /** Markdown as the author typed it. */
  body: string;
  /** Rendered and sanitized once, when saved (src/content/markdown.ts): shown raw. */
  bodyHtml: string;
  category: string | null;
  /** The newest cover image attached to the article, served at /files/<id>/preview. */
  coverId: number | null;
  /** The first words of the text, without markup, for cards: stored when saved (news_articles.summary). */
  excerpt: string;
}

// Every feed page with an article runs it: compiled once (src/db/compiled-query.ts).
const articleRows = compiledQuery((db, idsJson: string) =>
  db
    .selectFrom('news_articles as n')
    .select(['n.content_id', 'n.title', 'n.body', 'n.body_html', 'n.summary', 'n.category'])
    .select((eb) =>
      eb
        .selectFrom('attachments as a')
        .select('a.id')
        .whereRef('a.content_id', '=', 'n.content_id')
        .where('a.comment_id', 'is', null)
        .where('a.purpose', '=', 'cover')
        .where('a.is_image', '=', 1)
        .orderBy('a.id', 'desc')
        .limit(1)
        .as('cover_id'),
    )
    .where('n.content_id', 'in', inJson<number>(idsJson)),
);

/**
 * Articles by content id, in one query (the cover is a correlated lookup on attachments_by_content).
 *
 * @example
 * const articles = await loadArticles(db, [12, 15]);
 */
export async function loadArticles(db: Kysely<Database>, contentIds: readonly number[]): Promise<Map<number, NewsArticle>> {
  if (contentIds.length === 0) return new Map();
  const rows = await articleRows(db, JSON.stringify(contentIds));
  return new Map(
    rows.map((row) => [
      row.content_id,
      {
        title: row.title,
        body: row.body,
        bodyHtml: row.body_html,
        category: row.category,
        coverId: row.cover_id ?? null,
        excerpt: row.summary,
      },
    ]),
  );
}

export const newsKind: ContentKind<NewsArticle> = {
  kind: 'news',
  load: loadArticles,
  // The cover is the newest image attached to the article.
  dataTables: [
    { table: 'news_articles', column: 'content_id' },
    { table: 'attachments', column: 'content_id' },
  ],
  cardTemplate: 'news/card',
  pageTemplate: 'news/page',
  title: (article) => article.title,
  searchText: (article) => ({ title: article.title, body: [article.category ?? '', plainText(article.body)].join(' ').trim() }),
  editUrl: (contentId) => `/news/${contentId}/edit`,
};
