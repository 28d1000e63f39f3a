// The seed's profiles: every seeded person gets a department, a site and a job; the manager links form
// a tree (no loop, the admin at the top); skills, phones and languages are there; the same random
// seed gives the same rows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { coreMigrations } from '../../migrations/index.js';
import { openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { insertPeople, makePeople, Random } from '../../src/cli/seed-content.js';
import { seedProfiles } from '../../src/cli/seed-people.js';
import { wouldCreateCycle } from '../../src/features/people/org.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function seededProfiles(randomSeed: number) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-seed-people-'));
  dirs.push(dataDir);
  const handle = openDatabase({ dataDir, synchronous: 'OFF' });
  try {
    await migrateToLatest(handle.db, coreMigrations, 'core_migrations');
    const now = Date.UTC(2026, 0, 15);
    const people = makePeople(new Random(randomSeed), 300, now, { admin: 'admin@example.com', member: 'member@example.com' });
    insertPeople(handle.sqlite, people, 'hash', now);
    seedProfiles(handle.sqlite, people, randomSeed);
    const rows = handle.sqlite.prepare('select id, job_title, job_title_sort, department_id, site_id, manager_id, phone, languages, bio from users order by id').all() as Array<Record<string, unknown>>;
    const skills = handle.sqlite.prepare('select user_id, skill_id from user_skills order by user_id, skill_id').all();
    return { rows, skills };
  } finally {
    await handle.close();
  }
}

describe('seedProfiles', () => {
  it('gives everyone a department, site and job, a manager tree without loops, skills, phones and languages', async () => {
    const { rows, skills } = await seededProfiles(1);
    expect(rows.every((r) => r.department_id !== null && r.site_id !== null && typeof r.job_title === 'string')).toBe(true);
    expect(rows[0]!.manager_id).toBe(null);
    expect(rows.slice(1).every((r) => r.manager_id !== null)).toBe(true);
    const links = new Map(rows.map((r) => [r.id as number, r.manager_id as number | null]));
    for (const r of rows) expect(wouldCreateCycle(new Map([...links].filter(([id]) => id !== r.id)), r.id as number, r.manager_id as number | null)).toBe(false);
    expect(new Set(skills.map((s) => (s as { user_id: number }).user_id)).size).toBe(rows.length);
    expect(rows.filter((r) => r.phone !== null).length).toBeGreaterThan(rows.length / 2);
    expect(rows.every((r) => typeof r.languages === 'string' && r.languages !== '')).toBe(true);
    // Managers have teams: not a flat list under the admin.
    expect(new Set(rows.map((r) => r.manager_id)).size).toBeGreaterThan(20);
  });

  it('gives the same rows for the same random seed, other rows for another', async () => {
    const first = await seededProfiles(7);
    expect(await seededProfiles(7)).toEqual(first);
    expect((await seededProfiles(8)).rows).not.toEqual(first.rows);
  });
});
