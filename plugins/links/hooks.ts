// The links plugin's hooks: its part of a person's data export (GDPR).
//
// No 'user.erase': a link is a content item the person authored, like a post. Erasure keeps the
// organisation's content and anonymises its author in the core (the `content` row), and this
// plugin's table holds nothing about the person beyond what they wrote in the link (title, address,
// description), which stays with the item as a post's text does.
import type { Hooks } from '../../src/plugins/contract.js';
import { KIND, linksDb } from './kind.js';

const iso = (millis: number | null) => (millis === null ? null : new Date(millis).toISOString());

export const hooks: Hooks = {
  // Every link they shared, in any space (their own words are theirs), deleted ones still kept marked so.
  async 'user.export'({ db, userId }) {
    const rows = await linksDb(db)
      .selectFrom('links_links as l')
      .innerJoin('content as c', 'c.id', 'l.content_id')
      .innerJoin('spaces as s', 's.id', 'c.space_id')
      .select(['c.id', 's.name as space', 'l.title', 'l.url', 'l.description', 'c.published_at', 'c.edited_at', 'c.deleted_at'])
      .where('c.author_id', '=', userId)
      .where('c.kind', '=', KIND)
      .orderBy('c.id')
      .execute();
    if (rows.length === 0) return null;
    return {
      links: rows.map((r) => ({
        contentId: r.id,
        space: r.space,
        title: r.title,
        url: r.url,
        description: r.description,
        sharedAt: iso(r.published_at),
        editedAt: iso(r.edited_at),
        deletedAt: iso(r.deleted_at),
      })),
    };
  },
};
