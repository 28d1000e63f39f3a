// The home feed: on top, the viewer's unconfirmed must-reads and the pinned items; below, everything
// else from the company space and the viewer's spaces, newest first. Items shown on top are left out
// of the stream below (so nothing appears twice), on every page of it. A filtered view (space, kind,
// topic) or the must-read view is that one list alone.
import { loadItems, type ItemsApp } from '../../content/load-items.js';
import type { ContentItem } from '../../content/items.js';
import type { Millis } from '../../db/schema.js';
import type { Viewer } from '../../policy/index.js';
import { readKindsOff } from '../../policy/visible-content.js';
import { isFiltered, type FeedQuery } from '../feed/filters.js';
import { listFeedIds, pinnedItemIds, unconfirmedMustReads } from '../feed/queries.js';

/** At most this many must-reads on top; the rest are one link away (?filter=must-read). */
export const TOP_MUST_READS = 10;
/** At most this many pinned items on top. */
export const TOP_PINNED = 10;

export interface HomeFeed {
  /** Shown on top (the first page of the unfiltered feed only). */
  mustReads: ContentItem[];
  /** All the viewer's unconfirmed must-reads, of which `mustReads` are the newest. */
  mustReadTotal: number;
  pinned: ContentItem[];
  stream: ContentItem[];
  next: string | null;
}

/**
 * Everything the home feed shows, for one page: a bounded number of queries (the top ids, the stream
 * ids, then one loadItems for all of them).
 *
 * @example
 * const feed = await loadHomeFeed(app, viewer, parseFeedQuery(request.query, kinds), { previousVisitAt });
 */
export async function loadHomeFeed(
  app: ItemsApp,
  viewer: Viewer,
  query: FeedQuery,
  options: { previousVisitAt: Millis | null; now?: Millis },
): Promise<HomeFeed> {
  const now = options.now ?? Date.now();
  const withTop = !isFiltered(query) && !query.mustRead;
  // Read once for the three lists below (the policy folds it into the kinds each space lists).
  const kindsOff = await readKindsOff(app.db);
  const [mustReads, pinnedIds] = withTop
    ? await Promise.all([unconfirmedMustReads(app, viewer, TOP_MUST_READS, now, kindsOff), pinnedItemIds(app, viewer, TOP_PINNED, now, kindsOff)])
    : [{ ids: [], total: 0 }, []];
  const pinned = pinnedIds.filter((id) => !mustReads.ids.includes(id));
  const onTop = [...mustReads.ids, ...pinned];

  const stream = await listFeedIds(
    app,
    viewer,
    {
      scope: 'home',
      spaceId: query.spaceId,
      kind: query.kind,
      topicSlug: query.topicSlug,
      after: query.after,
      unconfirmedMustRead: query.mustRead,
      excludeIds: onTop,
    },
    now,
    kindsOff,
  );
  // Continuation pages leave the top out as well, but do not show it again.
  const shownOnTop = query.after === undefined ? onTop : [];
  const items = await loadItems(app, viewer, [...shownOnTop, ...stream.ids], { previousVisitAt: options.previousVisitAt, now });
  const byId = new Map(items.map((item) => [item.id, item]));
  const pick = (ids: readonly number[]) => ids.flatMap((id) => byId.get(id) ?? []);
  return {
    mustReads: query.after === undefined ? pick(mustReads.ids) : [],
    mustReadTotal: mustReads.total,
    pinned: query.after === undefined ? pick(pinned) : [],
    stream: pick(stream.ids),
    next: stream.next,
  };
}
