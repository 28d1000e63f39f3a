// Kysely's SQLite dialect, telling the truth about transactions: SQLite runs CREATE/ALTER/DROP
// inside transactions, but Kysely's SqliteAdapter says it cannot, so its Migrator would run each
// migration bare, and a migration failing halfway would leave half a schema behind.
import { SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely';

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** SqliteDialect whose migrations run each in a transaction (rolled back as a whole on failure). */
export class HameauSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
