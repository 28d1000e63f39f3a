// Queries that every page runs (the session, the feed's items), built and compiled by Kysely once
// rather than on every call: building and compiling cost more than SQLite running them (a tenth of a
// home feed's time; docs/performance.md). The SQL text stays the same, so its prepared statement is
// reused too (sqlite-dialect.ts).
import { createQueryId, sql, type Compilable, type Kysely, type RawBuilder, type RootOperationNode } from 'kysely';
import type { Database } from './schema.js';

/** Stands for the argument at `index` while the query is built, once. */
class Placeholder {
  constructor(readonly index: number) {}
}

interface Compiled {
  sql: string;
  query: RootOperationNode;
  /** Each parameter of the SQL: an argument of the call, or a value the query itself holds. */
  slots: ReadonlyArray<{ arg: number } | { value: unknown }>;
}

/**
 * Turns a query builder into a function that runs the same query with new values, built once per
 * database. `build` receives stand-ins for its arguments: it may only place them in the query as
 * values (`where('id', '=', id)`, `sql\`${id}\``), never look at them (no `if`, no `.length`, no
 * `in` list: pass a list as JSON and use `inJson`). It must depend on nothing but its arguments: a
 * value taken from outside (a viewer, `Date.now()`) would be frozen into the query at its first
 * call and used for every later one. Kysely plugins transform the query once, when it
 * is first compiled (their transformResult runs on every call).
 *
 * @example
 * const findSession = compiledQuery((db, id: string) => db.selectFrom('sessions').selectAll().where('id', '=', id));
 * const [session] = await findSession(app.db, id);
 */
export function compiledQuery<Args extends unknown[], Row>(
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
): (db: Kysely<Database>, ...args: Args) => Promise<Row[]> {
  const byDatabase = new WeakMap<Kysely<Database>, Compiled>();
  const compile = (db: Kysely<Database>, arity: number): Compiled => {
    const placeholders = Array.from({ length: arity }, (_, index) => new Placeholder(index));
    const compiled = build(db, ...(placeholders as Args)).compile();
    const slots = compiled.parameters.map((value) => (value instanceof Placeholder ? { arg: value.index } : { value }));
    const used = new Set(slots.flatMap((slot) => ('arg' in slot ? [slot.arg] : [])));
    if (used.size !== arity) throw new Error(`compiledQuery: an argument is not a value of the query (${compiled.sql})`);
    return { sql: compiled.sql, query: compiled.query, slots };
  };
  return async (db, ...args) => {
    let compiled = byDatabase.get(db);
    if (compiled === undefined) {
      compiled = compile(db, args.length);
      byDatabase.set(db, compiled);
    }
    const parameters = compiled.slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value));
    const result = await db.executeQuery<Row>({ sql: compiled.sql, query: compiled.query, parameters, queryId: createQueryId() });
    return result.rows;
  };
}

/**
 * A list of values for `in`, given as one JSON parameter (`JSON.stringify(ids)`): the SQL is the same
 * whatever the length of the list.
 *
 * @example
 * db.selectFrom('posts').selectAll().where('content_id', 'in', inJson<number>(idsJson))
 */
export function inJson<T>(json: string): RawBuilder<T> {
  return sql<T>`(select value from json_each(${json}))`;
}
