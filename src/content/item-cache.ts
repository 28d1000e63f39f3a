// What every viewer sees alike of a content item (its row, space and author, the kind's data, the
// comment and reaction counts, attachments, topics), kept between pages so a feed page reads it once
// rather than on every request. SQLite itself says when to forget: temporary triggers on this
// connection call back into the cache on every write to a table an item is made of, whichever code
// path wrote it, and PRAGMA data_version tells when another connection (a CLI) wrote the file.
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ContentSubject } from '../policy/subjects.js';
import type { AttachmentRef, PersonRef } from './items.js';
import type { Topic } from './markdown.js';

/** The part of a ContentItem that is the same for every viewer; frozen, shared by every page that shows it. */
export interface SharedItem {
  id: number;
  kind: string;
  subject: ContentSubject;
  author: PersonRef | null;
  space: { id: number; name: string; visibility: ContentSubject['space']['visibility'] };
  createdAt: number;
  publishedAt: number | null;
  editedAt: number | null;
  pinnedUntil: number | null;
  hiddenReason: string | null;
  commentCount: number;
  /** Counts only (who reacted is the viewer's part), in the fixed order of the reaction set. */
  reactionCounts: Array<{ reaction: string; count: number }>;
  attachments: AttachmentRef[];
  topics: Topic[];
  /** The kind's data, when the kind declares the tables it is read from; otherwise read on every page. */
  data?: { value: unknown };
}

export interface ItemCacheLimits {
  /** Items kept at most. */
  items: number;
  /** Estimated bytes kept at most (strings count twice their length). */
  bytes: number;
}

/** A feed page is 28 items: this keeps many pages of many spaces within a few MB of the heap. */
export const ITEM_CACHE_LIMITS: ItemCacheLimits = { items: 1_000, bytes: 4_000_000 };

/**
 * Freezes an object and everything it holds, so an object shared by every viewer's pages cannot be
 * changed by one of them (a later card cache relies on it too: src/content/cards.ts).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** About what a value weighs on the heap: enough to bound the cache, not an exact count. */
export function estimateBytes(value: unknown): number {
  if (typeof value === 'string') return 16 + 2 * value.length;
  if (typeof value !== 'object' || value === null) return 8;
  let bytes = 32;
  for (const inner of Object.values(value)) bytes += 8 + estimateBytes(inner);
  return bytes;
}

/**
 * Shared items by content id, least recently used dropped first past a count and a size. Every
 * invalidation moves a generation counter on: a load remembers the generation it started at and stores
 * what it read only if nothing was invalidated meanwhile, so a write that lands between a load's queries
 * never leaves stale data behind.
 *
 * @example
 * const generation = cache.generation;
 * const items = await readFromTheDatabase(ids);
 * cache.store(generation, items); // a no-op if anything was invalidated in between
 */
export class ItemCache {
  readonly #items = new Map<number, { item: SharedItem; bytes: number }>();
  #bytes = 0;
  #generation = 0;

  constructor(private readonly limits: ItemCacheLimits = ITEM_CACHE_LIMITS) {}

  get(id: number): SharedItem | undefined {
    const kept = this.#items.get(id);
    if (kept === undefined) return undefined;
    // Map keeps insertion order: moved to the end, it is the most recently used.
    this.#items.delete(id);
    this.#items.set(id, kept);
    return kept.item;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Keeps these items (frozen) if nothing was invalidated since `generation` was read; says whether it did. */
  store(generation: number, items: readonly SharedItem[]): boolean {
    if (generation !== this.#generation) return false;
    for (const item of items) {
      const bytes = estimateBytes(item);
      // One item larger than the whole budget would only push everything else out.
      if (bytes > this.limits.bytes) continue;
      try {
        deepFreeze(item);
      } catch {
        // A kind's data that cannot be frozen (a Buffer: docs/plugins.md asks for plain values) is not kept.
        continue;
      }
      this.#forget(item.id);
      this.#items.set(item.id, { item, bytes });
      this.#bytes += bytes;
    }
    while (this.#items.size > this.limits.items || this.#bytes > this.limits.bytes) {
      this.#forget(this.#items.keys().next().value!);
    }
    return true;
  }

  /** Forgets these items (ids that are not numbers, a NULL column, are ignored). */
  invalidate(ids: readonly unknown[]): void {
    this.#generation++;
    for (const id of ids) if (typeof id === 'number' || typeof id === 'bigint') this.#forget(Number(id));
  }

  /** Forgets everything: a change that reaches many items (a space renamed, a kind switched off). */
  clear(): void {
    this.#generation++;
    this.#items.clear();
    this.#bytes = 0;
  }

  get size(): number {
    return this.#items.size;
  }

  /** The estimated bytes kept (for tests). */
  get bytes(): number {
    return this.#bytes;
  }

  #forget(id: number): void {
    const kept = this.#items.get(id);
    if (kept === undefined) return;
    this.#items.delete(id);
    this.#bytes -= kept.bytes;
  }
}

/** A table whose rows belong to items: a write to a row forgets the item `column` names. */
export interface ItemTable {
  table: string;
  column: string;
  /** Only updates of these columns matter (the default: any update). */
  updateOf?: readonly string[];
}

/** A table whose rows many items show (a space's name): a change forgets every item. */
interface SharedTable {
  table: string;
  /** The columns items show: updates that change none of them are ignored. Absent: any change, inserts too. */
  shown?: readonly string[];
}

/** The tables every item is read from (src/content/load-items.ts; the kinds declare their own). */
const CORE_ITEM_TABLES: readonly ItemTable[] = [
  { table: 'content', column: 'id' },
  // The comment count counts the comments neither deleted nor hidden.
  { table: 'comments', column: 'content_id', updateOf: ['content_id', 'deleted_at', 'hidden_at'] },
  { table: 'reactions', column: 'content_id' },
  { table: 'attachments', column: 'content_id' },
  { table: 'content_topics', column: 'content_id' },
];

const CORE_SHARED_TABLES: readonly SharedTable[] = [
  { table: 'spaces', shown: ['name', 'visibility'] },
  { table: 'users', shown: ['name', 'status'] },
  { table: 'topics', shown: ['slug', 'label'] },
  { table: 'content_kinds_off' },
];

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

// Temporary: they live on this connection only, are no part of the schema or of its migrations, and
// SQLite drops them with their table (watched again after any schema change, see refresh()).
function itemTriggers({ table, column, updateOf }: ItemTable): string[] {
  const name = (event: string) => quote(`hameau_item_cache_${table}_${column}_${event}`);
  const on = `main.${quote(table)}`;
  const col = quote(column);
  const columns = updateOf ? ` of ${updateOf.map(quote).join(', ')}` : '';
  return [
    `create temp trigger if not exists ${name('insert')} after insert on ${on} begin select hameau_items_changed(new.${col}); end`,
    `create temp trigger if not exists ${name('update')} after update${columns} on ${on} begin select hameau_items_changed(old.${col}, new.${col}); end`,
    `create temp trigger if not exists ${name('delete')} after delete on ${on} begin select hameau_items_changed(old.${col}); end`,
  ];
}

function sharedTriggers({ table, shown }: SharedTable): string[] {
  const name = (event: string) => quote(`hameau_item_cache_${table}_${event}`);
  const on = `main.${quote(table)}`;
  const changed = shown ? ` when ${shown.map((c) => `old.${quote(c)} is not new.${quote(c)}`).join(' or ')}` : '';
  return [
    ...(shown ? [] : [`create temp trigger if not exists ${name('insert')} after insert on ${on} begin select hameau_all_items_changed(); end`]),
    `create temp trigger if not exists ${name('update')} after update on ${on}${changed} begin select hameau_all_items_changed(); end`,
    `create temp trigger if not exists ${name('delete')} after delete on ${on} begin select hameau_all_items_changed(); end`,
  ];
}

/**
 * The item cache of one SQLite connection, kept right by the connection itself: its triggers forget
 * an item on any write to what it is made of, and `refresh()` (at the start of every load) forgets
 * everything when another connection wrote the file or the schema changed.
 */
export class ConnectionItemCache {
  readonly cache: ItemCache;
  readonly #sqlite: SQLite.Database;
  readonly #versions: SQLite.Statement<[], { data: number; schema: number }>;
  #data = -1;
  #schema = -1;
  /** The tables (with their id column) whose triggers exist; forgotten when the schema changes. */
  readonly #watched = new Set<string>();

  constructor(sqlite: SQLite.Database) {
    this.cache = new ItemCache();
    this.#sqlite = sqlite;
    sqlite.function('hameau_items_changed', { deterministic: false, varargs: true }, (...ids: unknown[]) => {
      this.cache.invalidate(ids);
      return null;
    });
    sqlite.function('hameau_all_items_changed', { deterministic: false }, () => {
      this.cache.clear();
      return null;
    });
    this.#versions = sqlite.prepare<[], { data: number; schema: number }>('select (select data_version from pragma_data_version) as data, (select schema_version from pragma_schema_version) as schema');
  }

  /**
   * Forgets everything if another connection wrote the file, or the schema changed (a migration, a
   * plugin's tables) since the last call, and makes sure the core's triggers exist. False when they
   * cannot (the tables are not there yet): nothing may be kept then.
   */
  refresh(): boolean {
    let versions: { data: number; schema: number };
    try {
      versions = this.#versions.get()!;
    } catch {
      // The connection is busy (a statement still being stepped through): keep nothing, use nothing.
      return false;
    }
    const { data, schema } = versions;
    if (data !== this.#data || schema !== this.#schema) {
      this.cache.clear();
      if (schema !== this.#schema) this.#watched.clear();
      this.#data = data;
      this.#schema = schema;
    }
    return CORE_ITEM_TABLES.every((table) => this.watch(table)) && CORE_SHARED_TABLES.every((table) => this.#watchShared(table));
  }

  /** Creates the triggers of a table items are read from (a kind's table); false if it cannot (no such table). */
  watch(table: ItemTable): boolean {
    const key = `${table.table}\u0001${table.column}`;
    if (this.#watched.has(key)) return true;
    if (!this.#create(itemTriggers(table))) return false;
    this.#watched.add(key);
    return true;
  }

  #watchShared(table: SharedTable): boolean {
    if (this.#watched.has(table.table)) return true;
    if (!this.#create(sharedTriggers(table))) return false;
    this.#watched.add(table.table);
    return true;
  }

  #create(statements: readonly string[]): boolean {
    // Inside another request's transaction, a rollback would take the triggers away unseen: next time.
    if (this.#sqlite.inTransaction) return false;
    try {
      // "if not exists": a statement that failed halfway is simply run again next time.
      for (const statement of statements) this.#sqlite.exec(statement);
      return true;
    } catch {
      return false;
    }
  }
}

// The cache of each database handle opened by openDatabase (src/db/connection.ts). A Kysely instance
// made from it another way (withPlugin, a transaction) has none: its loads read everything, as before.
const caches = new WeakMap<Kysely<Database>, ConnectionItemCache>();

/** Gives the handle `db` on `sqlite` its item cache (openDatabase does, for every connection it opens). */
export function attachItemCache(db: Kysely<Database>, sqlite: SQLite.Database): void {
  caches.set(db, new ConnectionItemCache(sqlite));
}

/** The item cache of this database handle, if it has one. */
export function itemCacheOf(db: Kysely<Database>): ConnectionItemCache | undefined {
  return caches.get(db);
}
