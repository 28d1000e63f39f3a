// Slots drawn by the core's pages. The main navigation's entries (the core's own, then enabled
// plugins'), for every full page:
// what the header (views/partials/header.eta) reads as `it.layout.navigation`. Cheap: the runtime
// filters an array held in memory, no query. An onRequest hook (after the request context's, which
// loads the viewer), so that error pages, a disabled plugin's 404 included, still show the navigation.
// Space tabs and composer actions are worked out by the routes that draw them (helpers below), and
// so is the whole top of a space's page (`spaceHeader`).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { SpaceRole } from '../db/schema.js';
import { countActiveMembers, findPending, type PendingKind, type SpaceRow } from '../features/spaces/queries.js';
import { isPartialRequest } from '../http/render.js';
import { spaceRole } from '../policy/space-rules.js';
import type { SpaceSubject } from '../policy/subjects.js';

/** One entry of the main navigation as the header draws it. */
export interface NavigationLink {
  label: string;
  href: string;
  /** The page shown is this entry's (its `activePrefix ?? href`, or below it): aria-current="page". */
  current: boolean;
}

export default fp(
  async (app) => {
    app.addHook('onRequest', async (request) => {
      // Visitors see no navigation; fragments have no header.
      if (!request.user || isPartialRequest(request)) return;
      const path = request.url.split('?')[0]!;
      const links: NavigationLink[] = [];
      for (const entry of app.plugins.navigation(request.user)) {
        try {
          links.push({ label: entry.label(request.t), href: entry.href, current: isCurrent(path, entry.activePrefix ?? entry.href) });
        } catch (error) {
          // A label that throws leaves its entry out, never the page.
          request.log.error({ err: error, href: entry.href }, 'a navigation entry failed: left out of the page');
        }
      }
      request.layout.navigation = links;
      request.layout.stylesheets = app.plugins.stylesheets();
    });
  },
  { name: 'hameau-plugins-layout', dependencies: ['hameau-request-context'] },
);

/**
 * Whether a navigation entry is the current page: the path is its prefix, or below it ("/links"
 * matches "/links" and "/links/spaces/3", not "/linksmith"). A prefix ending in "/" matches below only.
 *
 * @example
 * isCurrent('/people/4', '/people') // true
 */
export function isCurrent(path: string, prefix: string): boolean {
  if (prefix.endsWith('/')) return path.startsWith(prefix);
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** A slot entry drawn as a link (a space tab, a composer action): its label and address, already worked out. */
export interface SlotLink {
  label: string;
  href: string;
}

/** Calls a slot entry's label and href; an entry whose code throws is left out (and logged), never the page. */
function links<E>(request: FastifyRequest, entries: readonly E[], draw: (entry: E) => SlotLink): SlotLink[] {
  const drawn: SlotLink[] = [];
  for (const entry of entries) {
    try {
      drawn.push(draw(entry));
    } catch (error) {
      request.log.error({ err: error }, 'a plugin slot failed: left out of the page');
    }
  }
  return drawn;
}

/**
 * The tabs of the spaceTabs slot on a space's page (after "Feed" and "Members"): the core's ("Settings",
 * "Features", src/plugins/core-slots.ts), then the enabled plugins', for views/spaces/space-header.eta
 * as `it.pluginTabs`. Usually through `spaceHeader`.
 *
 * @example
 * pluginTabs: spaceTabLinks(app, request, space)
 */
export function spaceTabLinks(app: FastifyInstance, request: FastifyRequest, space: SpaceSubject): SlotLink[] {
  if (!request.user) return [];
  return links(request, app.plugins.spaceTabs(request.user, space), (tab) => ({ label: tab.label(request.t), href: tab.href(space) }));
}

/** What views/spaces/space-header.eta shows: the top of every page of a space, and its tabs. */
export interface SpaceHeader {
  space: SpaceRow;
  /** Its active members. */
  memberCount: number;
  /** The viewer's role in the space (null: not a member). */
  role: SpaceRole | null;
  /** The viewer's request to join or invitation, waiting. */
  pending: PendingKind | null;
  /** The current tab among the space header's own ('feed', 'members'); a slot tab is current by its address. */
  tab: string;
  /** The spaceTabs slot's tabs for this viewer (`spaceTabLinks`). */
  pluginTabs: SlotLink[];
}

/**
 * The data of the space header (views/spaces/space-header.eta) for a space the viewer may see: spread
 * it into the page's data and include the header with `include('/spaces/space-header', it)`. Two small
 * queries (member count, the viewer's pending request or invitation); the tabs come from memory.
 *
 * @example
 * return reply.render('/plugins/links/space', { ...(await spaceHeader(app, request, space, 'links')), title, items });
 */
export async function spaceHeader(app: FastifyInstance, request: FastifyRequest, space: SpaceRow, tab: string): Promise<SpaceHeader> {
  const viewer = request.user;
  const [counts, pending] = await Promise.all([countActiveMembers(app.db, [space.id]), viewer ? findPending(app.db, space.id, viewer.id) : null]);
  return {
    space,
    memberCount: counts.get(space.id) ?? 0,
    role: viewer ? spaceRole(viewer, space) : null,
    pending,
    tab,
    pluginTabs: spaceTabLinks(app, request, space),
  };
}

/**
 * The actions beside "New post" (the core's "New article" on the home page, "New link"...), for
 * views/posts/composer.eta as `it.composer.actions`: in a space, or on the home page (space null).
 */
export function composerActionLinks(app: FastifyInstance, request: FastifyRequest, space: SpaceSubject | null): SlotLink[] {
  if (!request.user) return [];
  return links(request, app.plugins.composerActions(request.user, space), (action) => ({ label: action.label(request.t), href: action.href(space) }));
}
