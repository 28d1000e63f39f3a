// Writes of links, each in one transaction: the core's content row (insertContent, so the author
// follows it and the search index hears of it) and the plugin's own row. Routes have asked the policy.
import type { Kysely } from 'kysely';
import { insertContent } from '../../src/content/store.js';
import type { Database } from '../../src/db/schema.js';
import { KIND, linksDb } from './kind.js';

export interface LinkInput {
  title: string;
  /** Checked by checkUrl (url.ts). */
  url: string;
  host: string;
  description: string;
}

/**
 * Shares a link in a space now and returns its content id.
 *
 * @example
 * const id = await addLink(app.db, { spaceId: 3, authorId: viewer.id, title: 'Handbook', url: 'https://example.org/', host: 'example.org', description: '' });
 */
export async function addLink(db: Kysely<Database>, input: LinkInput & { spaceId: number; authorId: number }, now = Date.now()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const id = await insertContent(trx, { kind: KIND, spaceId: input.spaceId, authorId: input.authorId, publishedAt: now }, now);
    await linksDb(trx)
      .insertInto('links_links')
      .values({ content_id: id, title: input.title, url: input.url, host: input.host, description: input.description })
      .execute();
    return id;
  });
}

/** Saves a new version of a link; marks it edited when something changed. Returns whether it did. */
export async function updateLink(db: Kysely<Database>, contentId: number, input: LinkInput, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const links = linksDb(trx);
    const before = await links.selectFrom('links_links').selectAll().where('content_id', '=', contentId).executeTakeFirstOrThrow();
    const changed = before.title !== input.title || before.url !== input.url || before.description !== input.description;
    await links.updateTable('links_links').set({ title: input.title, url: input.url, host: input.host, description: input.description }).where('content_id', '=', contentId).execute();
    // updated_at changing is what tells the search index to read the link again.
    await trx
      .updateTable('content')
      .set(changed ? { edited_at: now, updated_at: now } : { updated_at: now })
      .where('id', '=', contentId)
      .execute();
    return changed;
  });
}

/** The link as its edit form shows it, whatever its state (the route has checked the viewer may edit it). */
export async function findLink(db: Kysely<Database>, contentId: number): Promise<LinkInput | undefined> {
  return linksDb(db).selectFrom('links_links').select(['title', 'url', 'host', 'description']).where('content_id', '=', contentId).executeTakeFirst();
}
