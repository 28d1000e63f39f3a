// What search knows how to find: sources of searchable things, each telling the index its texts and
// the search page who may see what. The core registers four (content items of every registered kind,
// comments, spaces, people: core-sources.ts); a plugin registers its own the same way, on `app.searchSources`.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Translate } from '../i18n/index.js';
import type { Viewer } from '../policy/viewer.js';

export type SearchDb = Kysely<Database> | Transaction<Database>;

/** The text the index keeps for one thing, and what it is. */
export interface SearchDocument {
  /** What results are grouped and filtered by: 'post', 'news', 'comment', 'space', 'person', a plugin's kind. */
  kind: string;
  /** Weighs more in the ranking ("title" of an article, name of a person or a space). */
  title: string;
  body: string;
  /** The content item it is or belongs to, its comment, its space, its person: filters and links. */
  contentId?: number | null;
  commentId?: number | null;
  /** Results are filtered by space through it: set it for anything that belongs to a space. */
  spaceId?: number | null;
  userId?: number | null;
}

/** One result, as the index and the source describe it (titles and snippets are HTML, escaped). */
export interface SearchHit {
  source: string;
  key: number;
  kind: string;
  contentId: number | null;
  commentId: number | null;
  spaceId: number | null;
  userId: number | null;
  /** bm25: lower is better. */
  rank: number;
  titleHtml: string;
  snippetHtml: string;
}

/** What a result page shows of a hit besides its highlighted text. */
export interface HitDisplay {
  url: string;
  /** Shown when the index holds no title (a post, a comment): plain text, escaped by the template. */
  fallbackTitle?: string;
  /** One line of context: a space's name, "on <item>", a job title. Plain text. */
  context?: string;
}

export interface SearchKind {
  kind: string;
  label: (t: Translate) => string;
}

/**
 * A source of searchable things. Keys are the source's own ids (a content id, a comment id, ...).
 *
 * @example
 * app.searchSources.register({
 *   source: 'poll-option', kinds: () => [{ kind: 'poll-option', label: (t) => t('polls.search.option') }],
 *   load: loadOptionTexts, all: allOptionKeys, visible: visibleOptions,
 *   describe: async (db, hits) => new Map(hits.map((h) => [h.key, { url: `/polls/options/${h.key}` }])),
 * });
 * // then, after writing: await app.searchSources.queue(db, 'poll-option', [optionId]);
 */
export interface SearchSource {
  /** Stable name, stored in the index's entries and queue. */
  source: string;
  /** The kinds of results it yields, in the order results show, with their labels. */
  kinds(): SearchKind[];
  /**
   * True when its things are few and do not multiply with the content (people, spaces): their
   * entries are numbered apart, below every other entry (sync.ts), so that finding them among a
   * common word's matches does not cost more as the content grows.
   */
  few?: boolean;
  /** The current text of each key; a key absent from the map is removed from the index. */
  load(db: SearchDb, keys: readonly number[]): Promise<Map<number, SearchDocument>>;
  /** Every key that should be in the index, with a time (milliseconds) that orders them oldest first: for a rebuild. */
  all(db: SearchDb): Promise<Array<{ key: number; at: number }>>;
  /** The keys among `keys` the viewer may see now (the policy's rules, at read time). */
  visible(db: Kysely<Database>, viewer: Viewer, keys: readonly number[], now: number): Promise<Set<number>>;
  /** Links and context of the hits shown (a few per page: one query per source, never one per hit). */
  describe(db: Kysely<Database>, hits: readonly SearchHit[], t: Translate): Promise<Map<number, HitDisplay>>;
}

/**
 * The sources the running Hameau searches (`app.searchSources`).
 *
 * @example
 * app.searchSources.register(spaceSource);
 * await app.searchSources.queue(app.db, 'space', [spaceId]); // only needed where no trigger watches the table
 */
export class SearchSources {
  readonly #sources = new Map<string, SearchSource>();
  /** How results of each content kind are labelled ("Posts"); a kind without one shows its name. */
  readonly contentKindLabels = new Map<string, (t: Translate) => string>();

  /** Names a content kind in results (a plugin that adds a kind calls this next to contentKinds.register). */
  labelContentKind(kind: string, label: (t: Translate) => string): void {
    this.contentKindLabels.set(kind, label);
  }

  register(source: SearchSource): void {
    if (this.#sources.has(source.source)) throw new Error(`Search source "${source.source}" is registered twice`);
    this.#sources.set(source.source, source);
  }

  get(name: string): SearchSource | undefined {
    return this.#sources.get(name);
  }

  all(): SearchSource[] {
    return [...this.#sources.values()];
  }

  /** Every kind of result, in display order (sources in registration order). */
  kinds(): SearchKind[] {
    return this.all().flatMap((source) => source.kinds());
  }

  /**
   * Marks things as changed: the index recomputes their text before the next search. Core tables have
   * triggers that do this; a plugin calls it after writing to its own tables (inside its transaction).
   */
  async queue(db: SearchDb, source: string, keys: readonly number[]): Promise<void> {
    if (keys.length === 0) return;
    await db
      .insertInto('search_queue')
      .values(keys.map((key) => ({ source, key })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

/** Appends `value` to the list of `key` (grouping rows by source or kind). */
export function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
