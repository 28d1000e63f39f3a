// Migrations run one at a time, each in its own transaction: a migration that fails halfway
// leaves nothing behind, and the next start can apply it once it is fixed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/connection.js';
import { migrateToLatest, type MigrationSet } from '../../src/db/migrate.js';

// `any`: these migrations create throwaway tables that the Database type does not know.
type AnyDb = Kysely<any>;

const tableNames = async (handle: DatabaseHandle) =>
  (await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`.execute(handle.db)).rows.map((r) => r.name);

describe('migrateToLatest', () => {
  let dataDir: string;
  let handle: DatabaseHandle;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-migrate-'));
    handle = openDatabase({ dataDir, synchronous: 'NORMAL' });
  });
  afterEach(async () => {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const first = { up: async (db: AnyDb) => void (await db.schema.createTable('first').addColumn('id', 'integer').execute()) };

  it('rolls back a migration that fails halfway, keeps the ones before it, and applies it once fixed', async () => {
    const broken: MigrationSet = {
      '0001-first': first,
      '0002-half': {
        up: async (db: AnyDb) => {
          await db.schema.createTable('half').addColumn('id', 'integer').execute();
          throw new Error('disk full, say');
        },
      },
    };
    await expect(migrateToLatest(handle.db, broken, 'test_migrations')).rejects.toThrow(/0002-half.*disk full/);
    const tables = await tableNames(handle);
    expect(tables).toContain('first');
    expect(tables).not.toContain('half');

    const fixed: MigrationSet = {
      ...broken,
      '0002-half': { up: async (db: AnyDb) => void (await db.schema.createTable('half').addColumn('id', 'integer').execute()) },
    };
    const { applied } = await migrateToLatest(handle.db, fixed, 'test_migrations');
    expect(applied).toEqual(['0002-half']);
    expect(await tableNames(handle)).toContain('half');
  });

  it('applies nothing twice', async () => {
    expect((await migrateToLatest(handle.db, { '0001-first': first }, 'test_migrations')).applied).toEqual(['0001-first']);
    expect((await migrateToLatest(handle.db, { '0001-first': first }, 'test_migrations')).applied).toEqual([]);
  });
});
