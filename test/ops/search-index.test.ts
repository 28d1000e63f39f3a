// The search index outside the web app: the seed leaves it built and in step (nothing queued, one
// entry per item, comment, space and person), and the rebuild command makes it again.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../src/cli/seed.js';
import { projectRoot } from '../../src/paths.js';
import { buildOnce } from '../helpers/process.js';

describe('the search index of a seeded database', () => {
  let root: string;
  let dataDir: string;
  const open = () => new SQLite(path.join(dataDir, 'hameau.db'), { readonly: true });
  const count = (db: SQLite.Database, query: string) => db.prepare(query).pluck().get() as number;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-search-seed-'));
    dataDir = path.join(root, 'data');
    const result = await seed({ dataDir, users: 20, spaces: 3, items: 200, now: Date.parse('2026-11-30T09:00:00Z') });
    expect(result.timings['search index']).toBeGreaterThanOrEqual(0);
  });

  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('holds one entry per item, comment, space and person, and nothing is left queued', () => {
    const db = open();
    try {
      expect(count(db, 'select count(*) from search_queue')).toBe(0);
      for (const [source, table] of [['content', 'content'], ['comment', 'comments'], ['space', 'spaces'], ['person', 'users']] as const) {
        expect(count(db, `select count(*) from search_entries where source = '${source}'`), source).toBe(count(db, `select count(*) from ${table}`));
      }
      expect(count(db, 'select count(*) from search_index')).toBe(count(db, 'select count(*) from search_entries'));
      expect(db.prepare('select kind from search_kinds order by kind').pluck().all()).toEqual(['news', 'post']);
      // Entry ids follow time: the newest item has the highest id among items.
      const newest = db.prepare("select key from search_entries where source = 'content' order by id desc limit 1").pluck().get();
      expect(newest).toBe(db.prepare('select id from content order by coalesce(published_at, created_at) desc, id desc limit 1').pluck().get());
      const seededWord = db.prepare("select rowid from search_index where search_index match '{title body} : (\"merci\"*)' limit 1").all();
      expect(seededWord.length).toBe(1);
    } finally {
      db.close();
    }
  });

  it('is made again by the rebuild command, with the same entries', async () => {
    await buildOnce();
    const before = open();
    const entries = before.prepare('select source, key, kind from search_entries order by id').all();
    before.close();
    const result = spawnSync(process.execPath, [path.join(projectRoot, 'dist', 'src', 'cli', 'search-rebuild.js'), '--data-dir', dataDir], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Search index of .+ rebuilt: ${entries.length} entries in \\d+\\.\\d s\\.\\n$`));
    const after = open();
    try {
      expect(after.prepare('select source, key, kind from search_entries order by id').all()).toEqual(entries);
    } finally {
      after.close();
    }
  });
});
