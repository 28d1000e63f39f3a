// Keeps the full-text index in step with the database. Triggers (migrations/0007-search.ts) queue
// what changed in `search_queue`; `syncSearchIndex` drains the queue, asking each source for the
// current text of what it holds, and runs before every search, so results are never stale.
// `rebuildSearchIndex` makes the whole index again (the seed, operations: docs/search.md).
import type { Kysely } from 'kysely';
import type { ContentKinds } from '../content/kinds.js';
import { inJson } from '../db/compiled-query.js';
import type { Database } from '../db/schema.js';
import { clearIndex, deleteIndexRows, insertIndexRows, optimizeIndex, type IndexRow } from './fts.js';
import { indexableText, kindToken, spaceToken } from './query.js';
import { addTo, type SearchDb, type SearchDocument, type SearchSources } from './sources.js';

/** What the index needs from the application (a Fastify app has all three). */
export interface SearchApp {
  db: Kysely<Database>;
  searchSources: SearchSources;
  contentKinds: ContentKinds;
}

/** Queue rows handled per transaction: other requests wait at most for one batch. */
const SYNC_BATCH = 500;
const REBUILD_BATCH = 2000;

/** Content kinds already checked against search_kinds, per registry (once per process and kind). */
const checkedKinds = new WeakMap<SearchSources, Set<string>>();

type Entry = Omit<Database['search_entries'], 'id'> & { id: number };

/**
 * Entries of sources with few things (`few`: people, spaces) are numbered from here up, below zero;
 * every other entry from 1 up; within each range, ids follow time. FTS5 finds one kind's matches by
 * skipping along the word's list to each row of the kind: people join over time, and with ids among
 * the content's their rows were spread along the whole list, so finding the 5 people among the
 * 86,000 matches of "merci" read most of it (0.12 ms on 10,000 items, 0.39 ms on 100,000). Kept
 * together below everything, they are reached by one skip and read among themselves.
 */
const FEW_FIRST_ID = -(2 ** 52);

/** The next free id of each range (FEW_FIRST_ID). */
async function nextIds(db: SearchDb): Promise<{ few: number; other: number }> {
  const max = async (range: 'few' | 'other') =>
    (await db.selectFrom('search_entries').select((eb) => eb.fn.max('id').as('max')).where('id', range === 'few' ? '<' : '>', 0).executeTakeFirst())?.max ?? null;
  return { few: ((await max('few')) ?? FEW_FIRST_ID - 1) + 1, other: ((await max('other')) ?? 0) + 1 };
}

function entryAndRow(id: number, source: string, key: number, doc: SearchDocument): { entry: Entry; row: IndexRow & { id: number } } {
  const spaceId = doc.spaceId ?? null;
  return {
    entry: {
      id,
      source,
      key,
      kind: doc.kind,
      content_id: doc.contentId ?? null,
      comment_id: doc.commentId ?? null,
      space_id: spaceId,
      user_id: doc.userId ?? null,
    },
    row: {
      id,
      title: indexableText(doc.title),
      body: indexableText(doc.body),
      scope: [kindToken(doc.kind), ...(spaceId !== null ? [spaceToken(spaceId)] : [])].join(' '),
    },
  };
}

/**
 * A content kind registered after items of it were written (a plugin installed later) gets those
 * items queued, once: search_kinds remembers the kinds already handled.
 */
async function queueNewKinds(app: SearchApp): Promise<void> {
  const checked = checkedKinds.get(app.searchSources) ?? new Set<string>();
  checkedKinds.set(app.searchSources, checked);
  const fresh = app.contentKinds.all().map((k) => k.kind).filter((kind) => !checked.has(kind));
  if (fresh.length === 0) return;
  await app.db.transaction().execute(async (trx) => {
    const known = new Set((await trx.selectFrom('search_kinds').select('kind').where('kind', 'in', fresh).execute()).map((r) => r.kind));
    for (const kind of fresh.filter((k) => !known.has(k))) {
      await trx
        .insertInto('search_queue')
        .columns(['source', 'key'])
        .expression((eb) => eb.selectFrom('content').select([eb.val('content').as('source'), 'id as key']).where('kind', '=', kind))
        .onConflict((oc) => oc.doNothing())
        .execute();
      await trx.insertInto('search_kinds').values({ kind }).onConflict((oc) => oc.doNothing()).execute();
    }
  });
  for (const kind of fresh) checked.add(kind);
}

/** Recomputes the entries of one batch of queued things, inside the caller's transaction. */
async function indexBatch(trx: SearchDb, app: SearchApp, queued: ReadonlyArray<{ source: string; key: number }>): Promise<void> {
  const bySource = new Map<string, number[]>();
  for (const q of queued) addTo(bySource, q.source, q.key);
  const next = await nextIds(trx);
  const entries: Entry[] = [];
  const rows: Array<IndexRow & { id: number }> = [];
  const removed: number[] = [];
  for (const [name, keys] of bySource) {
    const source = app.searchSources.get(name);
    // A source no longer registered: its entries go (nothing could show them).
    const documents = source ? await source.load(trx, keys) : new Map<number, SearchDocument>();
    const existing = await trx
      .selectFrom('search_entries')
      .select(['id', 'key'])
      .where('source', '=', name)
      .where('key', 'in', inJson<number>(JSON.stringify(keys)))
      .execute();
    const idOf = new Map(existing.map((e) => [e.key, e.id]));
    removed.push(...existing.map((e) => e.id));
    for (const key of keys) {
      const doc = documents.get(key);
      if (!doc) continue;
      // An entry keeps its id when its text changes: its place among "the newest" is its creation's.
      const { entry, row } = entryAndRow(idOf.get(key) ?? (source?.few ? next.few++ : next.other++), name, key, doc);
      entries.push(entry);
      rows.push(row);
    }
  }
  await deleteIndexRows(trx, removed);
  if (removed.length > 0) await trx.deleteFrom('search_entries').where('id', 'in', inJson<number>(JSON.stringify(removed))).execute();
  await insertEntries(trx, entries);
  await insertIndexRows(trx, rows);
}

async function insertEntries(db: SearchDb, entries: readonly Entry[]): Promise<void> {
  // 8 values a row: well under SQLite's limit of bound parameters per statement.
  for (let i = 0; i < entries.length; i += 1000) await db.insertInto('search_entries').values(entries.slice(i, i + 1000)).execute();
}

/**
 * Batches one call handles at most (10,000 queued things): what a search waits for after a bulk
 * change. Everyday writes queue a few rows; an upgrade that queued a whole database catches up over
 * several searches, or at once with the rebuild command (docs/search.md).
 */
export const MAX_SYNC_BATCHES = 20;

/**
 * Brings the index up to date: drains search_queue, a batch per transaction. Cheap when nothing
 * changed (one indexed read). Returns how many queued things were handled.
 *
 * @example
 * await syncSearchIndex(app); // before reading the index
 */
export async function syncSearchIndex(app: SearchApp, maxBatches = MAX_SYNC_BATCHES): Promise<number> {
  await queueNewKinds(app);
  let handled = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const pending = await app.db.selectFrom('search_queue').select('key').limit(1).executeTakeFirst();
    if (!pending) return handled;
    handled += await app.db.transaction().execute(async (trx) => {
      // Read again inside the transaction: what is handled is exactly what is dequeued.
      const queued = await trx.selectFrom('search_queue').select(['source', 'key']).limit(SYNC_BATCH).execute();
      await indexBatch(trx, app, queued);
      for (const [source, keys] of groupKeys(queued)) {
        await trx.deleteFrom('search_queue').where('source', '=', source).where('key', 'in', inJson<number>(JSON.stringify(keys))).execute();
      }
      return queued.length;
    });
  }
  return handled;
}

function groupKeys(queued: ReadonlyArray<{ source: string; key: number }>): Map<string, number[]> {
  const grouped = new Map<string, number[]>();
  for (const q of queued) addTo(grouped, q.source, q.key);
  return grouped;
}

/**
 * Makes the whole index again from every source, oldest things first (entry ids follow time within
 * each range of FEW_FIRST_ID, which search relies on to read the newest matches), in one
 * transaction. Returns the number of entries.
 *
 * @example
 * await rebuildSearchIndex(app); // after a bulk import, or `node dist/src/cli/search-rebuild.js`
 */
export async function rebuildSearchIndex(app: SearchApp): Promise<number> {
  const sources = app.searchSources.all();
  return app.db.transaction().execute(async (trx) => {
    const everything: Array<{ source: string; key: number; at: number }> = [];
    for (const source of sources) for (const { key, at } of await source.all(trx)) everything.push({ source: source.source, key, at });
    everything.sort((a, b) => a.at - b.at || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) || a.key - b.key);

    await trx.deleteFrom('search_queue').execute();
    await trx.deleteFrom('search_entries').execute();
    await clearIndex(trx);
    const next = { few: FEW_FIRST_ID, other: 1 };
    let count = 0;
    for (let i = 0; i < everything.length; i += REBUILD_BATCH) {
      const batch = everything.slice(i, i + REBUILD_BATCH);
      const documents = new Map<string, Map<number, SearchDocument>>();
      for (const [name, keys] of groupKeys(batch)) documents.set(name, await app.searchSources.get(name)!.load(trx, keys));
      const entries: Entry[] = [];
      const rows: Array<IndexRow & { id: number }> = [];
      for (const { source, key } of batch) {
        const doc = documents.get(source)?.get(key);
        if (!doc) continue;
        const { entry, row } = entryAndRow(app.searchSources.get(source)!.few ? next.few++ : next.other++, source, key, doc);
        count++;
        entries.push(entry);
        rows.push(row);
      }
      await insertEntries(trx, entries);
      await insertIndexRows(trx, rows);
    }
    const kinds = app.contentKinds.all().map((k) => ({ kind: k.kind }));
    if (kinds.length > 0) await trx.insertInto('search_kinds').values(kinds).onConflict((oc) => oc.doNothing()).execute();
    await optimizeIndex(trx);
    return count;
  });
}
