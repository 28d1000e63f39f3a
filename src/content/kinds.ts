// Content kinds: what each kind of feed item (news article, post, and the kinds plugins add) tells
// the content model. Core features register theirs here the way plugins will (`contentKinds`).
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Translate } from '../i18n/index.js';

export interface ContentKind<Data = unknown> {
  /** Stored in content.kind: 'news', 'post', 'poll'... */
  kind: string;
  /**
   * The kind's own rows for many items, in one query (the feed must stay a fixed number of queries).
   * Runs for every card of every feed page: it reads what was prepared when the item was saved
   * (rendered HTML, summary) and never parses markdown.
   */
  load(db: Kysely<Database>, contentIds: readonly number[]): Promise<Map<number, Data>>;
  /**
   * Every table `load` reads, with the column holding the item's content id. Declared, the kind's data
   * is kept between pages (src/content/item-cache.ts) and forgotten on any write to these tables;
   * not declared, it is read again for every page. Kept data is shared by every viewer and frozen:
   * plain objects, arrays and values only.
   */
  dataTables?: ReadonlyArray<{ table: string; column: string }>;
  /**
   * Template of the card body in feeds: receives `it.item` (a ContentItem) with `it.item.data`. A path
   * under views/ ("posts/card"), or a plugin's own "/plugins/<id>/card" (plugins/<id>/views/card.eta).
   */
  cardTemplate: string;
  /** Template of the item's body on its permalink page, same data. */
  pageTemplate: string;
  /** A short title for page titles, notifications, moderation lists and exports; cheap (cards ask for it several times). */
  title(data: Data, t: Translate): string;
  /** The words the search index keeps for the item. */
  searchText(data: Data): { title: string; body: string };
  /** Where the author edits the item. */
  editUrl(contentId: number): string;
  /** How results and filters name the kind ("Polls"); plugins give one (the core's are in search/core-sources.ts). */
  label?: (t: Translate) => string;
}

/**
 * Every kind the running Hameau knows.
 *
 * @example
 * app.contentKinds.register(newsKind);
 * app.contentKinds.get('news')?.title(data, t);
 */
export class ContentKinds {
  readonly #kinds = new Map<string, ContentKind>();
  #isOn: (kind: string) => boolean = () => true;

  register<Data>(kind: ContentKind<Data>): void {
    if (this.#kinds.has(kind.kind)) throw new Error(`Content kind "${kind.kind}" is registered twice`);
    this.#kinds.set(kind.kind, kind as ContentKind);
  }

  get(kind: string): ContentKind | undefined {
    return this.#kinds.get(kind);
  }

  all(): ContentKind[] {
    return [...this.#kinds.values()];
  }

  /** The kinds that are on now (a disabled plugin's are not): what filters and menus offer. */
  active(): ContentKind[] {
    return this.all().filter((kind) => this.#isOn(kind.kind));
  }

  /** Tells which kinds are on (the plugin runtime, whose plugins' kinds go off with them). */
  setIsOn(isOn: (kind: string) => boolean): void {
    this.#isOn = isOn;
  }

  /**
   * The kind and the kind's data of many items of any kinds, one query per kind present. Items of a
   * kind no longer installed, or whose row is gone, are absent.
   *
   * @example
   * const loaded = await app.contentKinds.loadMany(app.db, [{ id: 4, kind: 'post' }]);
   * const title = loaded.get(4)?.kind.title(loaded.get(4)!.data, t);
   */
  async loadMany(db: Kysely<Database>, items: ReadonlyArray<{ id: number; kind: string }>): Promise<Map<number, { kind: ContentKind; data: unknown }>> {
    const byKind = new Map<string, Set<number>>();
    for (const item of items) byKind.set(item.kind, (byKind.get(item.kind) ?? new Set()).add(item.id));
    const loaded = new Map<number, { kind: ContentKind; data: unknown }>();
    for (const [name, ids] of byKind) {
      const kind = this.#kinds.get(name);
      if (!kind) continue;
      for (const [id, data] of await kind.load(db, [...ids])) loaded.set(id, { kind, data });
    }
    return loaded;
  }
}
