// Applies migrations one at a time, each in its own transaction (SQLite has transactional DDL).
import { Migrator, type Kysely, type Migration } from 'kysely';

export type MigrationSet = Record<string, Migration>;

export interface MigrationOutcome {
  applied: string[];
}

/**
 * Runs every pending migration of one set, oldest first, and records them in `tableName`.
 * Core uses `core_migrations`; each plugin has its own table. `unordered`: a pending migration may sort
 * before one already applied (a plugin made of parts numbered apart, '0xx-…' and '1xx-…', adds to the
 * first part later); pending ones still run in name order, once each.
 */
export async function migrateToLatest(
  // `any`: a migration sees the schema as it was when written, not today's Database type.
  db: Kysely<any>,
  migrations: MigrationSet,
  tableName: string,
  options: { unordered?: boolean } = {},
): Promise<MigrationOutcome> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: tableName,
    migrationLockTableName: `${tableName}_lock`,
    allowUnorderedMigrations: options.unordered ?? false,
  });
  const applied: string[] = [];
  for (;;) {
    // migrateUp runs exactly one migration, inside one transaction (see sqlite-dialect.ts).
    const { error, results } = await migrator.migrateUp();
    const failed = results?.find((r) => r.status === 'Error');
    if (error || failed) {
      const name = failed?.migrationName ?? 'unknown';
      throw new Error(`Migration "${name}" in ${tableName} failed: ${String(error instanceof Error ? error.message : error)}`, {
        cause: error,
      });
    }
    const done = results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
    if (done.length === 0) break;
    applied.push(...done);
  }
  return { applied };
}
