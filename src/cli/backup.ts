// `npm run backup [destination]`: a consistent copy of the database, taken with SQLite's online
// backup while Hameau keeps running, then the uploaded files (DATA_DIR/uploads) and the profile photos
// (DATA_DIR/photos) beside it.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { ConfigError, loadConfig } from '../config.js';
import { databasePath } from '../db/connection.js';

function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\..+$/, '').replace('T', '-');
}

/**
 * Copies the database in `dataDir` with SQLite's online backup, while Hameau may be writing, into
 * one self-contained file, and checks the copy. Returns the path of the copy.
 *
 * @example
 * await backupDatabase('/data', '/data/backups/before-upgrade.db');
 */
export async function backupDatabase(dataDir: string, destination?: string): Promise<string> {
  const source = databasePath(dataDir);
  if (!fs.existsSync(source)) throw new Error(`No database at ${source}: is DATA_DIR right?`);
  const target = path.resolve(destination ?? path.join(dataDir, 'backups', `hameau-${timestamp(new Date())}.db`));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (fs.existsSync(target)) throw new Error(`${target} already exists; choose another name.`);
  const db = new SQLite(source, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  try {
    // Copy every remaining page in one step. In small steps, each write the running server makes
    // between two steps restarts the copy, and a busy server would keep it from ever finishing.
    await db.backup(target, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  // A backup is one self-contained file: switch the copy out of WAL mode so no -wal/-shm files come with it.
  const check = new SQLite(target);
  try {
    check.pragma('journal_mode = DELETE');
    const result = check.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(`The copy at ${target} failed its integrity check: ${String(result)}`);
  } finally {
    check.close();
  }
  return target;
}

/** The folders of DATA_DIR that hold files the database names: attachments, and profile photos. */
export const FILE_FOLDERS = ['uploads', 'photos', 'brand'] as const;
export type FileFolder = (typeof FILE_FOLDERS)[number];

/** Where a folder of the database copy `target` goes: "hameau-….db" -> "hameau-…-uploads/", "hameau-…-photos/". */
export function folderBackupPath(target: string, folder: FileFolder): string {
  return target.replace(/\.db$/, '') + '-' + folder;
}

/** Where the uploads of the database copy `target` go: "hameau-….db" -> "hameau-…-uploads/". */
export function uploadsBackupPath(target: string): string {
  return folderBackupPath(target, 'uploads');
}

/**
 * Copies DATA_DIR/uploads (not its tmp/ folder of uploads in progress) into `destination`.
 * Run after the database copy: files are written before the rows that name them, and never
 * changed afterwards, so every file the copied database refers to is already there.
 * Returns the number of files copied.
 */
export function backupUploads(dataDir: string, destination: string): number {
  return backupFolder(dataDir, 'uploads', destination);
}

/** Copies DATA_DIR/<folder> (without a tmp/ folder of files in progress) into `destination`; the number of files copied. */
export function backupFolder(dataDir: string, folder: FileFolder, destination: string): number {
  const source = path.join(dataDir, folder);
  if (!fs.existsSync(source)) return 0;
  if (fs.existsSync(destination)) throw new Error(`${destination} already exists; choose another name.`);
  let files = 0;
  fs.cpSync(source, destination, {
    recursive: true,
    filter: (from) => {
      if (path.relative(source, from).split(path.sep)[0] === 'tmp') return false;
      if (fs.statSync(from).isFile()) files++;
      return true;
    },
  });
  return files;
}

async function main() {
  try {
    const config = loadConfig();
    const target = await backupDatabase(config.dataDir, process.argv[2]);
    process.stdout.write(`Database copied to ${target}\n`);
    for (const folder of FILE_FOLDERS) {
      const destination = folderBackupPath(target, folder);
      const files = backupFolder(config.dataDir, folder, destination);
      process.stdout.write(files > 0 ? `${files} ${files === 1 ? 'file' : 'files'} of ${folder}/ copied to ${destination}\n` : `No files in ${folder}/ to copy.\n`);
    }
  } catch (error) {
    const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`Backup failed: ${message}\n`);
    process.exit(1);
  }
}

// Run only when called as a command, not when a test imports backupDatabase.
if (process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href) {
  await main();
}
