// What the plugins pages read besides the runtime's memory: who enabled a plugin, and how much a
// purge would delete.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** The names of these people, by id (deleted ones are absent). */
export async function peopleNames(db: Kysely<Database>, ids: ReadonlyArray<number | null>): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

/**
 * The rows in each of a plugin's tables that exist now (a table not yet made, or already dropped,
 * is left out). Table names come from the plugin's definition, never from a request. A private table
 * (`privateTables`) is listed without its count: a count moving between two loads of the page would
 * tell what a colleague answered (how many options they ticked, which questions they skipped).
 */
export async function tableRowCounts(
  db: Kysely<Database>,
  tables: readonly string[],
  privateTables: readonly string[] = [],
): Promise<Array<{ table: string; rows: number | null }>> {
  const counts: Array<{ table: string; rows: number | null }> = [];
  for (const table of tables) {
    const exists = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = ${table}`.execute(db);
    if (exists.rows.length === 0) continue;
    if (privateTables.includes(table)) {
      counts.push({ table, rows: null });
      continue;
    }
    const result = await sql<{ count: number }>`select count(*) as count from ${sql.table(table)}`.execute(db);
    counts.push({ table, rows: Number(result.rows[0]?.count ?? 0) });
  }
  return counts;
}

/** How many content items (deleted ones included) are of these kinds. */
export async function contentCount(db: Kysely<Database>, kinds: readonly string[]): Promise<number> {
  if (kinds.length === 0) return 0;
  const row = await db
    .selectFrom('content')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('kind', 'in', kinds)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
