// The Kysely driver keeps prepared statements by SQL text: the same statement is reused, the least
// recently used one is dropped past the bound, a statement still being read is never shared, and a
// schema change (a migration) does not leave a kept statement stale.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatementCache } from '../../src/db/sqlite-dialect.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/connection.js';

describe('StatementCache', () => {
  let database: SQLite.Database;
  beforeEach(() => {
    database = new SQLite(':memory:');
  });
  afterEach(() => {
    if (database.open) database.close();
  });

  it('prepares a SQL text once and gives the same statement back', () => {
    const cache = new StatementCache(database, 10);
    const first = cache.prepare('select 1 as one');
    expect(cache.prepare('select 1 as one')).toBe(first);
    expect(cache.prepare('select 2 as two')).not.toBe(first);
    expect(cache.cachedCount).toBe(2);
  });

  it('drops the least recently used statement past its bound', () => {
    const cache = new StatementCache(database, 2);
    const a = cache.prepare('select 1');
    const b = cache.prepare('select 2');
    expect(cache.prepare('select 1')).toBe(a);
    cache.prepare('select 3');
    expect(cache.cachedCount).toBe(2);
    // "select 2" was the least recently used: prepared again; "select 1" was kept.
    expect(cache.prepare('select 1')).toBe(a);
    expect(cache.prepare('select 2')).not.toBe(b);
  });

  it('never gives out a statement that is still being read', () => {
    database.exec('create table t (n integer); insert into t values (1), (2), (3);');
    const cache = new StatementCache(database, 10);
    const reading = cache.prepare('select n from t order by n');
    const rows = (reading as SQLite.Statement).iterate();
    expect(rows.next().value).toEqual({ n: 1 });
    const other = cache.prepare('select n from t order by n');
    expect(other).not.toBe(reading);
    expect(other.all([])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect([...rows]).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it('closes the database', () => {
    const cache = new StatementCache(database, 10);
    cache.prepare('select 1');
    cache.close();
    expect(database.open).toBe(false);
    expect(cache.cachedCount).toBe(0);
  });
});

describe('the database handle', () => {
  let dataDir: string;
  let handle: DatabaseHandle;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-statements-'));
    handle = openDatabase({ dataDir, synchronous: 'NORMAL' });
  });
  afterEach(async () => {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs a kept statement against the schema as it is now', async () => {
    await sql`create table notes (id integer primary key, body text)`.execute(handle.db);
    await sql`insert into notes (body) values ('a')`.execute(handle.db);
    const read = () => sql<Record<string, unknown>>`select * from notes`.execute(handle.db);
    expect((await read()).rows).toEqual([{ id: 1, body: 'a' }]);
    await sql`alter table notes add column title text`.execute(handle.db);
    expect((await read()).rows).toEqual([{ id: 1, body: 'a', title: null }]);
  });
});
