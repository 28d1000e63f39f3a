// What the links plugin adds to Hameau's pages: the space tab, the composer action, the main
// navigation entry, the profile section and the admin dashboard widget (see docs/plugins.md, "Slots").
import { sql } from 'kysely';
import type { Slots } from '../../src/plugins/contract.js';
import { can } from '../../src/policy/index.js';
import { visibleContent } from '../../src/policy/visible-content.js';
import { KIND, linksDb, loadLinks } from './kind.js';

/** Links shown in a profile's section; the rest are on /links?author=. */
export const PROFILE_LINKS = 5;
/** Domains listed by the admin widget. */
export const TOP_DOMAINS = 5;

export const slots: Slots = {
  // Every signed-in person: the links of every space they may see.
  navigation: [{ label: (t) => t('plugins.links.nav'), href: '/links' }],

  // Shown in the spaces the plugin is on in (Hameau filters by the per-space switch), to whoever sees the space.
  spaceTabs: [{ label: (t) => t('plugins.links.tab'), href: (space) => `/links/spaces/${space.id}` }],

  // Beside "New post" in a space's composer, for those who may add a link there: who may post, and
  // only the space's admins when the setting keeps links to them (the form checks the same). Not on
  // the home page: a link belongs to one space, chosen from its tab.
  composerActions: [
    {
      label: (t) => t('plugins.links.composerAction'),
      href: (space) => `/links/new?space=${space!.id}`,
      visible: (viewer, space, plugin) =>
        space !== null && can(viewer, 'space.post', space) && (plugin.settings.membersMayAdd === true || can(viewer, 'space.manage', space)),
    },
  ],

  profileSections: [
    {
      title: (t) => t('plugins.links.profile.title'),
      template: '/plugins/links/profile',
      // Only the links this viewer may see (the policy's own SQL rule); none: no section.
      async load({ db, viewer, personId, now }) {
        const rows = await visibleContent(db, viewer, now)
          .select(['c.id', 'c.published_at'])
          .where('c.kind', '=', KIND)
          .where('c.author_id', '=', personId)
          .orderBy('c.published_at', 'desc')
          .orderBy('c.id', 'desc')
          .limit(PROFILE_LINKS + 1)
          .execute();
        if (rows.length === 0) return null;
        const shown = rows.slice(0, PROFILE_LINKS);
        const links = await loadLinks(db, shown.map((r) => r.id));
        return {
          links: shown.flatMap((r) => {
            const link = links.get(r.id);
            return link ? [{ id: r.id, ...link }] : [];
          }),
          more: rows.length > PROFILE_LINKS ? `/links?author=${personId}` : null,
        };
      },
    },
  ],

  // /admin is for admins only: counts over every link not deleted, whatever its space.
  adminWidgets: [
    {
      title: (t) => t('plugins.links.widget.title'),
      template: '/plugins/links/widget',
      async load({ db }) {
        const links = linksDb(db);
        const base = links
          .selectFrom('links_links as l')
          .innerJoin('content as c', 'c.id', 'l.content_id')
          .where('c.deleted_at', 'is', null)
          .where('c.kind', '=', KIND);
        const [count, domains] = await Promise.all([
          base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
          base
            .select(['l.host', sql<number>`count(*)`.as('n')])
            .groupBy('l.host')
            .orderBy('n', 'desc')
            .orderBy('l.host')
            .limit(TOP_DOMAINS)
            .execute(),
        ]);
        return { count: Number(count.n), domains: domains.map((d) => ({ host: d.host, count: Number(d.n) })) };
      },
    },
  ],
};
