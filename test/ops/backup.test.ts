// `npm run backup`: a consistent, self-contained copy of the database, taken while Hameau runs and writes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backupDatabase, backupUploads, folderBackupPath, uploadsBackupPath } from '../../src/cli/backup.js';
import { projectRoot } from '../../src/paths.js';
import { buildOnce } from '../helpers/process.js';
import { ADMIN, createTestApp, setupOrganisation, type TestApp } from '../helpers/app.js';

function readCopy(file: string) {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      journalMode: db.pragma('journal_mode', { simple: true }),
      users: db.prepare('SELECT email, role FROM users').all() as { email: string; role: string }[],
      organisation: db.prepare('SELECT name FROM organisation').get() as { name: string } | undefined,
      pairs: db
        .prepare("SELECT action, count(*) AS n FROM audit_log WHERE action IN ('test.first', 'test.second') GROUP BY action ORDER BY action")
        .all() as { action: string; n: number }[],
    };
  } finally {
    db.close();
  }
}

describe('backupDatabase', () => {
  let t: TestApp;
  let out: string;
  beforeEach(async () => {
    t = await createTestApp({ LOG_LEVEL: 'silent' });
    await setupOrganisation(t.app, { organisationName: 'Acme Backup' });
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-backup-'));
  });
  afterEach(async () => {
    await t.close();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('copies a consistent database while the app keeps writing', async () => {
    // Every write is two rows in one transaction: a consistent copy has as many of each.
    const insert = t.app.sqlite.prepare("INSERT INTO audit_log (action, subject_type, details, created_at) VALUES (?, 'test', ?, ?)");
    const writePair = t.app.sqlite.transaction((i: number, details: string) => {
      insert.run('test.first', details, i);
      insert.run('test.second', details, i);
    });
    // Several megabytes, so that copying takes more than one turn of the event loop.
    const padding = 'x'.repeat(1000);
    t.app.sqlite.transaction(() => {
      for (let i = 0; i < 3000; i++) writePair(i, padding);
    })();

    let writes = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        writePair(3000 + writes++, '{}');
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const target = path.join(out, 'hameau-copy.db');
    try {
      expect(await backupDatabase(t.dataDir, target)).toBe(target);
    } finally {
      writing = false;
      await writer;
    }
    // The app really was writing during the copy.
    expect(writes).toBeGreaterThan(0);

    expect(fs.readdirSync(out)).toEqual(['hameau-copy.db']);
    const copy = readCopy(target);
    expect(copy.integrity).toBe('ok');
    expect(copy.journalMode).toBe('delete');
    expect(copy.organisation?.name).toBe('Acme Backup');
    expect(copy.users).toEqual([{ email: ADMIN.email, role: 'admin' }]);
    const [first, second] = copy.pairs;
    expect(first!.n).toBe(second!.n);
    expect(first!.n).toBeGreaterThanOrEqual(3000);
    expect(first!.n).toBeLessThanOrEqual(3000 + writes);
    // Opening the copy left no -wal or -shm file beside it either.
    expect(fs.readdirSync(out)).toEqual(['hameau-copy.db']);
  });

  it('names the copy after the time, in the data directory, when no destination is given', async () => {
    const target = await backupDatabase(t.dataDir);
    expect(path.dirname(target)).toBe(path.join(t.dataDir, 'backups'));
    expect(path.basename(target)).toMatch(/^hameau-\d{8}-\d{6}\.db$/);
    expect(readCopy(target).integrity).toBe('ok');
  });

  it('refuses to overwrite an existing file', async () => {
    const target = path.join(out, 'precious.db');
    fs.writeFileSync(target, 'last week’s backup');
    await expect(backupDatabase(t.dataDir, target)).rejects.toThrow(/already exists/);
    expect(fs.readFileSync(target, 'utf8')).toBe('last week’s backup');
  });

  it('copies the uploaded files beside the database copy, without uploads in progress', async () => {
    fs.mkdirSync(path.join(t.dataDir, 'uploads', 'ab'), { recursive: true });
    fs.mkdirSync(path.join(t.dataDir, 'uploads', 'tmp'), { recursive: true });
    fs.writeFileSync(path.join(t.dataDir, 'uploads', 'ab', 'abcdef'), 'a file');
    fs.writeFileSync(path.join(t.dataDir, 'uploads', 'tmp', 'half-sent'), 'partial');
    const target = await backupDatabase(t.dataDir, path.join(out, 'with-files.db'));
    const uploads = uploadsBackupPath(target);
    expect(uploads).toBe(path.join(out, 'with-files-uploads'));
    expect(backupUploads(t.dataDir, uploads)).toBe(1);
    expect(fs.readFileSync(path.join(uploads, 'ab', 'abcdef'), 'utf8')).toBe('a file');
    expect(fs.existsSync(path.join(uploads, 'tmp'))).toBe(false);
    expect(() => backupUploads(t.dataDir, uploads)).toThrow(/already exists/);
  });

  it('says so when DATA_DIR holds no database', async () => {
    await expect(backupDatabase(out, path.join(out, 'copy.db'))).rejects.toThrow(/No database at .*DATA_DIR/);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

describe('npm run backup (the built command)', () => {
  let t: TestApp;
  let out: string;
  beforeAll(async () => {
    await buildOnce();
    t = await createTestApp({ LOG_LEVEL: 'silent' });
    await setupOrganisation(t.app, { organisationName: 'Acme Command' });
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-backup-cli-'));
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [path.join(projectRoot, 'dist', 'src', 'cli', 'backup.js'), ...args], {
      cwd: out,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', DATA_DIR: t.dataDir, ...env },
    });

  it('copies the profile photos beside the database copy too', () => {
    fs.mkdirSync(path.join(t.dataDir, 'photos'), { recursive: true });
    fs.writeFileSync(path.join(t.dataDir, 'photos', 'a1b2c3.webp'), 'a photo');
    const target = path.join(out, 'with-photos.db');
    const result = run([target]);
    expect(result.status).toBe(0);
    const photos = folderBackupPath(target, 'photos');
    expect(photos).toBe(path.join(out, 'with-photos-photos'));
    expect(result.stdout).toContain(`1 file of photos/ copied to ${photos}\n`);
    expect(fs.readFileSync(path.join(photos, 'a1b2c3.webp'), 'utf8')).toBe('a photo');
    fs.rmSync(path.join(t.dataDir, 'photos'), { recursive: true });
  });

  it('copies the database of a running Hameau and says where', () => {
    const target = path.join(out, 'nightly.db');
    const result = run([target]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`Database copied to ${target}\nNo files in uploads/ to copy.\nNo files in photos/ to copy.\nNo files in brand/ to copy.\n`);
    const copy = readCopy(target);
    expect(copy.integrity).toBe('ok');
    expect(copy.organisation?.name).toBe('Acme Command');
  });

  it('exits with 1 and a one-line reason when it cannot back up', () => {
    const target = path.join(out, 'taken.db');
    fs.writeFileSync(target, '');
    const exists = run([target]);
    expect(exists.status).toBe(1);
    expect(exists.stdout).toBe('');
    expect(exists.stderr).toBe(`Backup failed: ${target} already exists; choose another name.\n`);

    const badConfig = run([path.join(out, 'other.db')], { LOG_LEVEL: 'loud' });
    expect(badConfig.status).toBe(1);
    expect(badConfig.stderr).toContain('LOG_LEVEL must be one of');
    expect(badConfig.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(out, 'other.db'))).toBe(false);
  });
});
