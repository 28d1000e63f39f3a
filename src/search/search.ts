// A search, from the words typed to the results a viewer may see: the index is brought up to date,
// each kind's newest matches are read (a bounded window per kind, ranked), each source keeps what the
// viewer may see, and results are grouped by kind with their links and highlighted text.
import type { Translate } from '../i18n/index.js';
import { spaceIsVisible } from '../policy/visible-content.js';
import { isAdmin, type Viewer } from '../policy/viewer.js';
import { countMatches, countMatchesByKind, indexTexts, newestMatches, type MatchedRow, type SpaceFilter } from './fts.js';
import { highlightHtml, highlightText, indexableText, parseSearchQuery, scopedMatch, snippetText, type SearchQuery } from './query.js';
import { addTo, type HitDisplay, type SearchHit } from './sources.js';
import { syncSearchIndex, type SearchApp } from './sync.js';

/**
 * Matches of each kind read on the results page without a kind chosen, newest first, before ranking:
 * every kind reads its own, so that a kind indexed long ago (people) is not crowded out by the newer
 * matches of another (comments), and a word found in thousands of things costs a few windows of this
 * size. Beyond it, a kind's count reads "at least" (docs/search.md).
 */
export const KIND_WINDOW = 50;
/**
 * Matches first counted by kind (rowids and kinds only): below it, the counts are every match there
 * is, kinds without any are not read, and kinds with fewer than their window are ranked with bm25.
 * Also the window of a kind chosen (its pages of RESULTS_PER_PAGE).
 */
export const SEARCH_WINDOW = 500;
/** Results of each kind on the results page without a kind chosen ("more" leads to the rest). */
export const RESULTS_PER_KIND = 5;
/** Results per page once a kind is chosen. */
export const RESULTS_PER_PAGE = 20;
/** Suggestions under the header's box: a smaller window per kind, three shown of each. */
export const SUGGEST_KIND_WINDOW = 20;
export const SUGGESTIONS_PER_KIND = 3;

export interface ShownHit extends SearchHit, HitDisplay {}

export interface SearchGroup {
  kind: string;
  label: string;
  /** Results of this kind the viewer may see among the matches of it read. */
  count: number;
  /** True when this kind's window was full: its count is "at least", its older matches not ranked. */
  capped: boolean;
  hits: ShownHit[];
}

export interface SearchResults {
  query: SearchQuery;
  /** Every kind with at least one result, in the sources' order (before any kind filter). */
  groups: SearchGroup[];
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
 * Rows of spaces the viewer may not see never enter a window (SpaceFilter in fts.ts); the sources
 * still decide, in visibleHits, about everything else (deleted, hidden, drafts, deactivated people).
 */
function spaceFilter(viewer: Viewer): SpaceFilter {
  return isAdmin(viewer) ? null : spaceIsVisible(viewer, 'e.space_id');
}

/** The rows the viewer may see, best first (one visible() per source, whatever the kinds), as hits. */
async function visibleHits(app: SearchApp, viewer: Viewer, rows: readonly MatchedRow[], now: number): Promise<IndexedHit[]> {
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
  return kept.map((r) => ({
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
  }));
}

/**
 * One kind's window (a kind chosen): its newest `window` matches the viewer may see, best first.
 * Fewer than the window: ranked with bm25; a full window: matches in a title first, then the newest.
 */
async function rankedVisible(app: SearchApp, viewer: Viewer, match: string, window: number, now: number): Promise<Ranked> {
  const within = spaceFilter(viewer);
  const matching = await countMatches(app.db, match, window, within);
  const rows = matching === 0 ? [] : await newestMatches(app.db, match, window, matching < window ? 'bm25' : 'title', within);
  return { capped: rows.length >= window, hits: await visibleHits(app, viewer, rows, now) };
}

/**
 * Each kind's own window of matches the viewer may see, best first: what the results page shows
 * without a kind chosen, and the suggestions. The newest `census` matches are first counted by kind
 * (rowids and kinds only). When there are fewer (a rare word), those counts are all the matches:
 * a kind without any is not read, and the kinds with fewer than `window` are read in one statement
 * and ranked with bm25. Otherwise, and for a kind with `window` matches or more, the kind reads its
 * own newest `window` through the index's scope column (FTS5 stops after them), matches in a title
 * first, then the newest: bm25 would count every document of the common word and of the kind's token
 * (7 ms for comments on 100,000 items), whatever the window.
 */
async function kindWindows(
  app: SearchApp,
  viewer: Viewer,
  match: string,
  scope: { kinds: readonly string[]; spaceId: number | null; window: number; census: number },
  now: number,
): Promise<Map<string, Ranked>> {
  const within = spaceFilter(viewer);
  const spaced = scopedMatch(match, { spaceId: scope.spaceId });
  const counted = await countMatchesByKind(app.db, spaced, scope.census, within);
  const complete = counted.total < scope.census;
  const rows: MatchedRow[] = [];
  const capped = new Set<string>();
  const fewKinds: string[] = [];
  for (const kind of scope.kinds) {
    const seen = counted.byKind.get(kind) ?? 0;
    if (complete && seen < scope.window) {
      if (seen > 0) fewKinds.push(kind);
      continue;
    }
    // All the matches were counted (fewer than the census): the kind's are among them, found through
    // their entries; otherwise through the index's scope column, which stops after the window.
    const own = complete
      ? await newestMatches(app.db, spaced, scope.window, 'title', within, [kind])
      : await newestMatches(app.db, scopedMatch(match, { kind, spaceId: scope.spaceId }), scope.window, 'title', within);
    if (own.length >= scope.window) capped.add(kind);
    rows.push(...own);
  }
  if (fewKinds.length > 0) rows.push(...(await newestMatches(app.db, spaced, scope.census, 'bm25', within, fewKinds)));
  const byKind = new Map<string, IndexedHit[]>();
  for (const hit of await visibleHits(app, viewer, rows, now)) addTo(byKind, hit.kind, hit);
  return new Map(scope.kinds.map((kind) => [kind, { hits: byKind.get(kind) ?? [], capped: capped.has(kind) }]));
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

/** The kinds with a result the viewer may see, in the sources' order, each with its best few. */
function groupByKind(app: SearchApp, windows: ReadonlyMap<string, Ranked>, t: Translate, perKind: number): Array<Omit<SearchGroup, 'hits'> & { hits: IndexedHit[] }> {
  return app.searchSources
    .kinds()
    .flatMap((k) => {
      const window = windows.get(k.kind);
      if (!window || window.hits.length === 0) return [];
      return [{ kind: k.kind, label: k.label(t), count: window.hits.length, capped: window.capped, hits: window.hits.slice(0, perKind) }];
    });
}

/** The groups with their hits described (links, context, highlighted text). */
async function describeGroups(app: SearchApp, grouped: ReturnType<typeof groupByKind>, terms: readonly string[], t: Translate, withHits: boolean): Promise<SearchGroup[]> {
  const described = withHits ? await describe(app, grouped.flatMap((g) => g.hits), terms, t) : [];
  const byKey = new Map(described.map((h) => [`${h.source}:${h.key}`, h]));
  return grouped.map((g) => ({ ...g, hits: g.hits.flatMap((h) => byKey.get(`${h.source}:${h.key}`) ?? []) }));
}

/**
 * The results page's search: every kind's best few, and with `kind` the page of that kind.
 *
 * @example
 * const results = await search(app, request.user, request.t, { q: 'réunion', kind: 'post', page: 1 });
 */
export async function search(app: SearchApp, viewer: Viewer, t: Translate, request: SearchRequest): Promise<SearchResults> {
  const query = parseSearchQuery(request.q);
  if (query.match === null) return { query, groups: [], kindPage: null };
  const now = request.now ?? Date.now();
  await syncSearchIndex(app);
  const spaceId = request.spaceId ?? null;
  const kind = request.kind ?? null;
  const others = app.searchSources.kinds().map((k) => k.kind).filter((k) => k !== kind);
  const windows = await kindWindows(app, viewer, query.match, { kinds: others, spaceId, window: KIND_WINDOW, census: SEARCH_WINDOW }, now);

  let kindPage: SearchResults['kindPage'] = null;
  if (kind !== null) {
    const label = app.searchSources.kinds().find((k) => k.kind === kind)?.label(t) ?? kind;
    // The kind chosen reads its own larger window, which also gives its count among the others'.
    const ofKind = await rankedVisible(app, viewer, scopedMatch(query.match, { kind, spaceId }), SEARCH_WINDOW, now);
    windows.set(kind, ofKind);
    const page = Math.max(1, Math.min(request.page ?? 1, Math.ceil(SEARCH_WINDOW / RESULTS_PER_PAGE)));
    const start = (page - 1) * RESULTS_PER_PAGE;
    const hits = await describe(app, ofKind.hits.slice(start, start + RESULTS_PER_PAGE), query.terms, t);
    const lastPage = Math.max(1, Math.ceil(ofKind.hits.length / RESULTS_PER_PAGE));
    kindPage = { kind, label, count: ofKind.hits.length, capped: ofKind.capped, hits, page, lastPage, hasNext: ofKind.hits.length > start + RESULTS_PER_PAGE };
  }

  // Without a kind chosen, each group shows its best few; with one, the groups only give their counts.
  const groups = await describeGroups(app, groupByKind(app, windows, t, RESULTS_PER_KIND), query.terms, t, kind === null);
  return { query, groups, kindPage };
}

/**
 * The header box's suggestions: a few results of each kind, each kind from its own small window.
 *
 * @example
 * const { groups } = await suggest(app, request.user, request.t, 'evene');
 */
export async function suggest(app: SearchApp, viewer: Viewer, t: Translate, q: unknown, now = Date.now()): Promise<{ query: SearchQuery; groups: SearchGroup[] }> {
  const query = parseSearchQuery(q);
  if (query.match === null) return { query, groups: [] };
  await syncSearchIndex(app);
  const kinds = app.searchSources.kinds().map((k) => k.kind);
  const windows = await kindWindows(app, viewer, query.match, { kinds, spaceId: null, window: SUGGEST_KIND_WINDOW, census: SEARCH_WINDOW }, now);
  return { query, groups: await describeGroups(app, groupByKind(app, windows, t, SUGGESTIONS_PER_KIND), query.terms, t, true) };
}
