// compiledQuery: a query built once runs with each call's values; what the query itself holds stays;
// a builder that uses an argument for anything but a value is refused rather than run wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/connection.js';
import { compiledQuery, inJson } from '../../src/db/compiled-query.js';

describe('compiledQuery', () => {
  let dataDir: string;
  let handle: DatabaseHandle;
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-compiled-'));
    handle = openDatabase({ dataDir, synchronous: 'NORMAL' });
    // Throwaway tables through raw SQL; typed below as the builder sees them.
    await sql`create table users (id integer primary key, name text, status text)`.execute(handle.db);
    await sql`insert into users (id, name, status) values (1, 'Ann', 'active'), (2, 'Bob', 'active'), (3, 'Cid', 'deactivated')`.execute(handle.db);
  });
  afterEach(async () => {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs with the values of each call, and keeps the values the query holds', async () => {
    let built = 0;
    const activeNamed = compiledQuery((db, name: string) => {
      built++;
      return db.selectFrom('users').select(['id', 'name']).where('status', '=', 'active').where('name', '=', name);
    });
    expect(await activeNamed(handle.db, 'Ann')).toEqual([{ id: 1, name: 'Ann' }]);
    expect(await activeNamed(handle.db, 'Bob')).toEqual([{ id: 2, name: 'Bob' }]);
    // 'active' is the query's own value: Cid stays out.
    expect(await activeNamed(handle.db, 'Cid')).toEqual([]);
    expect(built).toBe(1);
  });

  it('takes a list as JSON, whatever its length', async () => {
    const byIds = compiledQuery((db, idsJson: string) => db.selectFrom('users').select('id').where('id', 'in', inJson<number>(idsJson)).orderBy('id'));
    expect(await byIds(handle.db, JSON.stringify([3, 1]))).toEqual([{ id: 1 }, { id: 3 }]);
    expect(await byIds(handle.db, JSON.stringify([2]))).toEqual([{ id: 2 }]);
    expect(await byIds(handle.db, JSON.stringify([]))).toEqual([]);
  });

  it('puts each argument where it belongs, used once or twice', async () => {
    const between = compiledQuery((db, low: number, high: number) =>
      db.selectFrom('users').select('id').where('id', '>=', low).where('id', '<=', high).where((eb) => eb(sql<number>`${high}`, '>', low)).orderBy('id'),
    );
    expect(await between(handle.db, 2, 3)).toEqual([{ id: 2 }, { id: 3 }]);
    expect(await between(handle.db, 3, 2)).toEqual([]);
  });

  it('refuses a builder that uses an argument for anything but a value', async () => {
    const broken = compiledQuery((db, name: string) => db.selectFrom('users').select('id').where('name', '=', String(name)));
    await expect(broken(handle.db, 'Ann')).rejects.toThrow(/not a value of the query/);
  });
});
