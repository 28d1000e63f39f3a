// Kysely's SQLite dialect, with two changes:
// - it tells the truth about transactions: SQLite runs CREATE/ALTER/DROP inside transactions, but
//   Kysely's SqliteAdapter says it cannot, so its Migrator would run each migration bare, and a
//   migration failing halfway would leave half a schema behind;
// - it keeps prepared statements: Kysely's driver prepares every query it runs, and preparing (SQLite
//   parsing and planning the SQL) cost about as much as running the feed's queries.
import type SQLite from 'better-sqlite3';
import { SqliteAdapter, SqliteDialect, type DialectAdapter, type SqliteDatabase, type SqliteStatement } from 'kysely';

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** How many prepared statements are kept; the least recently used one is dropped past it. */
export const STATEMENT_CACHE_SIZE = 500;

/**
 * The better-sqlite3 database as Kysely's driver sees it, with `prepare` answered from a cache keyed
 * by the SQL text (least recently used dropped first). SQLite re-prepares a kept statement by itself
 * when the schema changes under it (a migration), so a kept statement never runs stale SQL.
 */
export class StatementCache implements SqliteDatabase {
  readonly #statements = new Map<string, SQLite.Statement>();

  constructor(
    private readonly database: SQLite.Database,
    private readonly size = STATEMENT_CACHE_SIZE,
  ) {}

  prepare(sql: string): SqliteStatement {
    const statements = this.#statements;
    const kept = statements.get(sql);
    // A statement still being iterated (a streamed query) cannot run again until it is done.
    if (kept !== undefined && !kept.busy) {
      // Map keeps insertion order: moved to the end, it is the most recently used.
      statements.delete(sql);
      statements.set(sql, kept);
      return kept;
    }
    const statement = this.database.prepare(sql);
    if (kept === undefined) {
      statements.set(sql, statement);
      if (statements.size > this.size) statements.delete(statements.keys().next().value!);
    }
    return statement;
  }

  /** How many statements are kept (for tests). */
  get cachedCount(): number {
    return this.#statements.size;
  }

  close(): void {
    this.#statements.clear();
    this.database.close();
  }
}

/**
 * SqliteDialect whose migrations run each in a transaction (rolled back as a whole on failure), and
 * whose statements are prepared once.
 */
export class HameauSqliteDialect extends SqliteDialect {
  constructor(config: { database: SQLite.Database; statementCacheSize?: number }) {
    super({ database: new StatementCache(config.database, config.statementCacheSize) });
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
