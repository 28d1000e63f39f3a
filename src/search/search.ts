// A search, from the words typed to the results a viewer may see: the index is brought up to date,
// the newest matches are read (a bounded window, ranked with bm25), each source keeps what the
// viewer may see, and results are grouped by kind with their links and highlighted text.
import type { Translate } from '../i18n/index.js';
import { spaceIsVisible } from '../policy/visible-content.js';
import { isAdmin, type Viewer } from '../policy/viewer.js';
import { countMatches, indexTexts, newestMatches, type MatchedRow } from './fts.js';
import { highlightHtml, highlightText, indexableText, parseSearchQuery, scopedMatch, snippetText, type SearchQuery } from './query.js';
import { addTo, type HitDisplay, type SearchHit } from './sources.js';
import { syncSearchIndex, type SearchApp } from './sync.js';

/**
 * Matches read per search, newest first, before ranking: the bound that keeps a word found in half
 * the index as fast as a rare one. Beyond it, a word's older matches are not ranked (docs/search.md).
 */
export const SEARCH_WINDOW = 500;
/** Results of each kind on the results page without a kind chosen ("more" leads to the rest). */
export const RESULTS_PER_KIND = 5;
/** Results per page once a kind is chosen. */
export const RESULTS_PER_PAGE = 20;
/** Suggestions under the header's box: fewer matches read, a few per kind. */
export const SUGGEST_WINDOW = 150;
export const SUGGESTIONS_PER_KIND = 3;

export interface ShownHit extends SearchHit, HitDisplay {}

export interface SearchGroup {
  kind: string;
  label: string;
  /** Results of this kind the viewer may see among the matches read. */
  count: number;
  hits: ShownHit[];
}

export interface SearchResults {
  query: SearchQuery;
  /** Every kind with at least one result, in the sources' order (before any kind filter). */
  groups: SearchGroup[];
  /** True when the window was full: counts are "at least". */
  capped: boolean;
  /** With a kind chosen: that kind's page of results, and whether another page follows. */
  kindPage: {
    kind: string;
    label: string;
    count: number;
    capped: boolean;
    hits: ShownHit[];
    page: number;
    /** The last page holding results (a page asked beyond it is empty and leads back to it). */
    lastPage: number;
    hasNext: boolean;
  } | null;
}

export interface SearchRequest {
  q: unknown;
  /** Only this kind ('post', 'person'...); unknown kinds are ignored by the caller. */
  kind?: string | null;
  spaceId?: number | null;
  page?: number;
  now?: number;
}

/** A hit and its index row (whose text is highlighted once it is shown). */
type IndexedHit = SearchHit & { id: number };

interface Ranked {
  hits: IndexedHit[];
  capped: boolean;
}

/**
 * The window's matches the viewer may see, best first. When fewer than `window` things match, they
 * are ranked with bm25. When the window is full (a word in hundreds of things), bm25's cost grows
 * with the data and its order says little: matches in a title come first, then the newest. (The
 * matches are counted first, up to `window`, reading rowids only, to know which.)
 */
async function rankedVisible(app: SearchApp, viewer: Viewer, match: string, window: number, now: number): Promise<Ranked> {
  // Fewer matches than the window holds: worth ranking them all with bm25 (cheap for so few).
  // Rows of spaces the viewer may not see never enter the window (see SpaceFilter); the sources
  // still decide, below, about everything else (deleted, hidden, drafts, deactivated people).
  const within = isAdmin(viewer) ? null : spaceIsVisible(viewer, 'e.space_id');
  const matching = await countMatches(app.db, match, window, within);
  const rows = matching === 0 ? [] : await newestMatches(app.db, match, window, matching < window ? 'bm25' : 'title', within);
  const bySource = new Map<string, MatchedRow[]>();
  for (const row of rows) addTo(bySource, row.source, row);
  const kept: MatchedRow[] = [];
  for (const [name, group] of bySource) {
    const source = app.searchSources.get(name);
    if (!source) continue;
    const visible = await source.visible(app.db, viewer, [...new Set(group.map((r) => r.key))], now);
    kept.push(...group.filter((r) => visible.has(r.key)));
  }
  kept.sort((a, b) => a.rank - b.rank || b.id - a.id);
  return {
    capped: rows.length >= window,
    hits: kept.map((r) => ({
      source: r.source,
      key: r.key,
      kind: r.kind,
      contentId: r.content_id,
      commentId: r.comment_id,
      spaceId: r.space_id,
      userId: r.user_id,
      rank: r.rank,
      id: r.id,
      titleHtml: '',
      snippetHtml: '',
    })),
  };
}

/** Links, context and highlighted text of the hits shown: one read of the index, one call per source. */
async function describe(app: SearchApp, shown: readonly IndexedHit[], terms: readonly string[], t: Translate): Promise<ShownHit[]> {
  const texts = await indexTexts(app.db, shown.map((h) => h.id));
  const hits = shown.map(({ id, ...hit }): SearchHit => {
    const text = texts.get(id) ?? { title: '', body: '' };
    return { ...hit, titleHtml: highlightHtml(highlightText(text.title, terms)), snippetHtml: highlightHtml(snippetText(text.body, terms)) };
  });
  const bySource = new Map<string, SearchHit[]>();
  for (const hit of hits) addTo(bySource, hit.source, hit);
  const displays = new Map<string, Map<number, HitDisplay>>();
  for (const [name, group] of bySource) displays.set(name, await app.searchSources.get(name)!.describe(app.db, group, t));
  return hits.flatMap((hit) => {
    const display = displays.get(hit.source)?.get(hit.key);
    if (!display) return [];
    // A post or a comment has no indexed title: the title its source gives is highlighted the same way.
    // It comes from the item, not the index: the match markers people could have typed are taken out first.
    const titleHtml = hit.titleHtml !== '' || !display.fallbackTitle ? hit.titleHtml : highlightHtml(highlightText(indexableText(display.fallbackTitle), terms));
    return [{ ...hit, ...display, titleHtml }];
  });
}

function groupByKind(app: SearchApp, hits: readonly IndexedHit[], t: Translate, perKind: number): Array<Omit<SearchGroup, 'hits'> & { hits: IndexedHit[] }> {
  const byKind = new Map<string, IndexedHit[]>();
  for (const hit of hits) addTo(byKind, hit.kind, hit);
  return app.searchSources
    .kinds()
    .filter((k) => byKind.has(k.kind))
    .map((k) => ({ kind: k.kind, label: k.label(t), count: byKind.get(k.kind)!.length, hits: byKind.get(k.kind)!.slice(0, perKind) }));
}

/**
 * The results page's search: every kind's best few, and with `kind` the page of that kind.
 *
 * @example
 * const results = await search(app, request.user, request.t, { q: 'réunion', kind: 'post', page: 1 });
 */
export async function search(app: SearchApp, viewer: Viewer, t: Translate, request: SearchRequest): Promise<SearchResults> {
  const query = parseSearchQuery(request.q);
  if (query.match === null) return { query, groups: [], capped: false, kindPage: null };
  const now = request.now ?? Date.now();
  await syncSearchIndex(app);
  const spaceId = request.spaceId ?? null;
  const overview = await rankedVisible(app, viewer, scopedMatch(query.match, { spaceId }), SEARCH_WINDOW, now);
  const grouped = groupByKind(app, overview.hits, t, RESULTS_PER_KIND);

  let kindPage: SearchResults['kindPage'] = null;
  const kind = request.kind ?? null;
  if (kind !== null) {
    const label = app.searchSources.kinds().find((k) => k.kind === kind)?.label(t) ?? kind;
    // Read again within that kind only: its window is not shared with the other kinds.
    const ofKind = await rankedVisible(app, viewer, scopedMatch(query.match, { kind, spaceId }), SEARCH_WINDOW, now);
    const page = Math.max(1, Math.min(request.page ?? 1, Math.ceil(SEARCH_WINDOW / RESULTS_PER_PAGE)));
    const start = (page - 1) * RESULTS_PER_PAGE;
    const hits = await describe(app, ofKind.hits.slice(start, start + RESULTS_PER_PAGE), query.terms, t);
    const lastPage = Math.max(1, Math.ceil(ofKind.hits.length / RESULTS_PER_PAGE));
    kindPage = { kind, label, count: ofKind.hits.length, capped: ofKind.capped, hits, page, lastPage, hasNext: ofKind.hits.length > start + RESULTS_PER_PAGE };
  }

  // Without a kind chosen, each group shows its best few; with one, the groups only give their counts.
  const shown = kind === null ? grouped.flatMap((g) => g.hits) : [];
  const described = await describe(app, shown, query.terms, t);
  const byKey = new Map(described.map((h) => [`${h.source}:${h.key}`, h]));
  const groups = grouped.map((g) => ({ ...g, hits: g.hits.flatMap((h) => byKey.get(`${h.source}:${h.key}`) ?? []) }));
  return { query, groups, capped: overview.capped, kindPage };
}

/**
 * The header box's suggestions: a few results of each kind, from a smaller window.
 *
 * @example
 * const { groups } = await suggest(app, request.user, request.t, 'evene');
 */
export async function suggest(app: SearchApp, viewer: Viewer, t: Translate, q: unknown, now = Date.now()): Promise<{ query: SearchQuery; groups: SearchGroup[] }> {
  const query = parseSearchQuery(q);
  if (query.match === null) return { query, groups: [] };
  await syncSearchIndex(app);
  const ranked = await rankedVisible(app, viewer, query.match, SUGGEST_WINDOW, now);
  const grouped = groupByKind(app, ranked.hits, t, SUGGESTIONS_PER_KIND);
  const described = await describe(app, grouped.flatMap((g) => g.hits), query.terms, t);
  const byKey = new Map(described.map((h) => [`${h.source}:${h.key}`, h]));
  return { query, groups: grouped.map((g) => ({ ...g, hits: g.hits.flatMap((h) => byKey.get(`${h.source}:${h.key}`) ?? []) })) };
}
