// Every statement that only SQLite understands (FTS5: the index's rows, MATCH, bm25, optimize)
// lives here, and nowhere else: on another database, this file is what changes.
// The index's DDL and the triggers that feed search_queue are in migrations/0007-search.ts.
import { sql, type Kysely, type RawBuilder, type Selectable, type SqlBool, type Transaction } from 'kysely';
import { inJson } from '../db/compiled-query.js';
import type { Database, SearchEntryTable } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Relative weights of the index's columns in the ranking: a word of the title counts ten times more. */
const TITLE_WEIGHT = 10;
const BODY_WEIGHT = 1;

export interface IndexRow {
  title: string;
  body: string;
  /** Filter tokens (kindToken, spaceToken), space-separated. */
  scope: string;
}

/** Writes the text of many entries in one statement (the rows are passed as one JSON array). */
export async function insertIndexRows(db: Db, rows: ReadonlyArray<IndexRow & { id: number }>): Promise<void> {
  if (rows.length === 0) return;
  const values = JSON.stringify(rows.map((r) => [r.id, r.title, r.body, r.scope]));
  await sql`insert into search_index (rowid, title, body, scope)
    select value ->> 0, value ->> 1, value ->> 2, value ->> 3 from json_each(${values})`.execute(db);
}

export async function deleteIndexRows(db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`delete from search_index where rowid in (select value from json_each(${JSON.stringify(ids)}))`.execute(db);
}

/** Empties the index (a rebuild). */
export async function clearIndex(db: Db): Promise<void> {
  await sql`delete from search_index`.execute(db);
}

/** Merges the index's segments into one: done after a rebuild, searches then read one b-tree. */
export async function optimizeIndex(db: Db): Promise<void> {
  await sql`insert into search_index (search_index) values ('optimize')`.execute(db);
}

/** An index row that matched, with its entry (what it is) and its rank. */
export type MatchedRow = Selectable<SearchEntryTable> & {
  /** bm25: lower is better. */
  rank: number;
};

/**
 * The newest `limit` rows matching `match` (an expression from parseSearchQuery/scopedMatch) and what
 * they are. Reading in rowid order stops after `limit` rows, so a word found in half the index costs
 * about as much as a rare one. `rank` (lower is better):
 * - `bm25`: bm25, a word in a title counting ten times. bm25 counts the documents of every word of
 *   the query, once per query, a cost that grows with the data (5 ms for the most common word on
 *   100,000 items): callers ask for it only when the window is not full (search.ts).
 * - `title`: -1 for a row whose title matches, 0 otherwise (highlight() of the short title column,
 *   whose cost does not grow with the data).
 * No snippet() here: over a window of 500 rows it cost more than the rest of the search, and run
 * again for the rows shown (rowid constraint plus MATCH) it re-reads the word's whole list for each
 * row. The rows shown are highlighted from their text (indexTexts).
 */
export async function newestMatches(
  db: Db,
  match: string,
  limit: number,
  rank: 'bm25' | 'title',
  within: SpaceFilter = null,
  kinds: readonly string[] | null = null,
): Promise<MatchedRow[]> {
  // A literal number, not a parameter: the limit is part of the plan of the index scan.
  const window = sql.lit(Math.max(1, Math.floor(limit)));
  const score =
    rank === 'bm25'
      ? sql`bm25(search_index, ${sql.lit(TITLE_WEIGHT)}, ${sql.lit(BODY_WEIGHT)}, 0)`
      : sql`case when instr(highlight(search_index, 0, char(57344), char(57345)), char(57344)) > 0 then -1 else 0 end`;
  // One lookup of each row's entry serves the space filter and the columns read (joining the entries
  // again outside the window read each one twice: 0.1 ms of a 240-match search, in process).
  const result = await sql<MatchedRow>`
    select e.id, e.source, e.key, e.kind, e.content_id, e.comment_id, e.space_id, e.user_id, ${score} as rank
    from search_index
    join search_entries as e on e.id = search_index.rowid
    where search_index match ${match} ${spaceWhere(within)} ${kindWhere(kinds)}
    order by search_index.rowid desc
    limit ${window}`.execute(db);
  return result.rows;
}

/**
 * Only rows of these kinds, checked on each match's entry (not through the index's scope column): used
 * with bm25, whose cost counts the documents of every phrase of the query, a kind's token included
 * (300,000 comments on 100,000 items), while the entries of a few hundred matches cost little.
 */
function kindWhere(kinds: readonly string[] | null) {
  return kinds === null ? sql`` : sql`and e.kind in ${inJson<string>(JSON.stringify(kinds))}`;
}

/**
 * Which spaces' rows the window may hold: a condition on `e.space_id` (the policy's spaceIsVisible),
 * or null for all of them (an admin). Rows of spaces the viewer may not see are left out before the
 * window is counted and filled, so that they neither take a place in it nor change whether it is full:
 * a private space's content is not even counted for someone outside it.
 */
export type SpaceFilter = RawBuilder<SqlBool> | null;

function spaceJoin(within: SpaceFilter) {
  return within === null ? sql`` : sql`join search_entries as e on e.id = search_index.rowid`;
}

function spaceWhere(within: SpaceFilter) {
  return within === null ? sql`` : sql`and (e.space_id is null or ${within})`;
}

/** How many rows match `match`, counting up to `limit` (rowids only: the cheapest read of the index). */
export async function countMatches(db: Db, match: string, limit: number, within: SpaceFilter = null): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*) as n from (
      select search_index.rowid from search_index ${spaceJoin(within)}
      where search_index match ${match} ${spaceWhere(within)}
      order by search_index.rowid desc limit ${sql.lit(Math.max(1, Math.floor(limit)))})`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * How many of the newest `limit` matches of `match` are of each kind (rowids and entries only), and
 * whether there were `limit` of them or more: below it, these counts are every match there is.
 */
export async function countMatchesByKind(db: Db, match: string, limit: number, within: SpaceFilter = null): Promise<{ byKind: Map<string, number>; total: number }> {
  const result = await sql<{ kind: string; n: number }>`
    select kind, count(*) as n from (
      select e.kind from search_index join search_entries as e on e.id = search_index.rowid
      where search_index match ${match} ${spaceWhere(within)}
      order by search_index.rowid desc limit ${sql.lit(Math.max(1, Math.floor(limit)))})
    group by kind`.execute(db);
  const byKind = new Map(result.rows.map((r) => [r.kind, Number(r.n)]));
  return { byKind, total: [...byKind.values()].reduce((a, b) => a + b, 0) };
}

/** The indexed title and body of a few rows, by rowid (a direct lookup each). */
export async function indexTexts(db: Db, ids: readonly number[]): Promise<Map<number, { title: string; body: string }>> {
  if (ids.length === 0) return new Map();
  const result = await sql<{ id: number; title: string; body: string }>`
    select rowid as id, title, body from search_index where rowid in (select value from json_each(${JSON.stringify(ids)}))`.execute(db);
  return new Map(result.rows.map((r) => [r.id, { title: r.title, body: r.body }]));
}
