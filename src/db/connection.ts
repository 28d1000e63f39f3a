// Opens the SQLite file with the pragmas Hameau relies on, and wraps it in Kysely.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { SqliteSynchronous } from '../config.js';
import { attachItemCache } from '../content/item-cache.js';
import type { Database } from './schema.js';
import { HameauSqliteDialect } from './sqlite-dialect.js';

export const DATABASE_FILE = 'hameau.db';

export interface DatabaseHandle {
  db: Kysely<Database>;
  sqlite: SQLite.Database;
  /** Closes Kysely and the SQLite file; the last close also checkpoints the WAL. */
  close(): Promise<void>;
}

/** Where the database file of a data directory is. */
export function databasePath(dataDir: string): string {
  return path.join(dataDir, DATABASE_FILE);
}

/**
 * Opens (and creates on first start) the database in `dataDir`.
 *
 * @example
 * const { db, close } = openDatabase({ dataDir: './data', synchronous: 'NORMAL' });
 */
export function openDatabase(options: { dataDir: string; synchronous: SqliteSynchronous }): DatabaseHandle {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const sqlite = new SQLite(databasePath(options.dataDir));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`synchronous = ${options.synchronous}`);

  const db = new Kysely<Database>({ dialect: new HameauSqliteDialect({ database: sqlite }) });
  // Feed items read once, not on every page; this connection's own triggers keep them right.
  attachItemCache(db, sqlite);
  let closed = false;
  return {
    db,
    sqlite,
    async close() {
      if (closed) return;
      closed = true;
      // Kysely's destroy closes the better-sqlite3 handle it was given.
      await db.destroy();
    },
  };
}
