// The 'link' content kind: what a link tells the content model (its card and page, title, search
// text, where it is edited). Registered by index.ts (`contentKinds`); its items are hidden everywhere
// while the plugin is disabled, and in a space that switched it off.
import type { Kysely } from 'kysely';
import type { ContentKind } from '../../src/content/kinds.js';
import { inJson } from '../../src/db/compiled-query.js';
import type { Database } from '../../src/db/schema.js';

/** The plugin's table, as Kysely sees it (the core's Database type does not know plugins' tables). */
export interface LinksTable {
  content_id: number;
  title: string;
  url: string;
  host: string;
  description: string;
}

export type LinksDatabase = Database & { links_links: LinksTable };

/** The database with the plugin's table known to Kysely. */
export const linksDb = (db: Kysely<Database>): Kysely<LinksDatabase> => db.withTables<{ links_links: LinksTable }>();

/** A link's own data, as cards and pages receive it in `it.item.data`. */
export interface Link {
  title: string;
  /** Always http: or https: (url.ts). */
  url: string;
  /** The host without "www.": shown so people know where the link goes. */
  host: string;
  description: string;
}

export const KIND = 'link';
export const TITLE_MAX = 200;
export const URL_MAX = 2000;
export const DESCRIPTION_MAX = 1000;

/**
 * Links by content id, in one query (every feed page with links runs it).
 *
 * @example
 * const links = await loadLinks(db, [12, 15]);
 */
export async function loadLinks(db: Kysely<Database>, contentIds: readonly number[]): Promise<Map<number, Link>> {
  if (contentIds.length === 0) return new Map();
  const rows = await linksDb(db)
    .selectFrom('links_links')
    .select(['content_id', 'title', 'url', 'host', 'description'])
    .where('content_id', 'in', inJson<number>(JSON.stringify(contentIds)))
    .execute();
  return new Map(rows.map((row) => [row.content_id, { title: row.title, url: row.url, host: row.host, description: row.description }]));
}

export const linkKind: ContentKind<Link> = {
  kind: KIND,
  load: loadLinks,
  // All loadLinks reads: the data is kept between pages and read again after a write there (docs/plugins.md).
  dataTables: [{ table: 'links_links', column: 'content_id' }],
  // "/plugins/links/card" is plugins/links/views/card.eta (views/content/card.eta adds the leading "/").
  cardTemplate: '/plugins/links/card',
  pageTemplate: '/plugins/links/page',
  title: (link) => link.title,
  searchText: (link) => ({ title: link.title, body: `${link.description} ${link.host}`.trim() }),
  editUrl: (contentId) => `/links/${contentId}/edit`,
  label: (t) => t('plugins.links.kind'),
};
