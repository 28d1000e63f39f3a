// Periodic cleanup of DATA_DIR/uploads: pending attachments nobody claimed within a day, files whose
// row is gone (purged content cascades its attachment rows away; detached files), and temporary
// files left by a crash. Run from src/app.ts on an unref'd interval, like the session cleanup.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { uploadsTmpDir } from '../../http/multipart.js';
import { deletePendingBefore, existingStorageKeys } from './queries.js';
import { isStorageKey, removeFile, removeStoredFiles, uploadsDir } from './storage.js';

export const UPLOAD_CLEANUP_INTERVAL_MS = 60 * 60 * 1000;
/** A file chosen in a form that was never sent again is kept this long. */
export const PENDING_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * A file without a row is removed only once this old: storeUploads moves the file into place just
 * before inserting its row, and that moment must never look like an orphan.
 */
const ORPHAN_GRACE_MS = 60 * 60 * 1000;
const BATCH = 500;

export interface CleanupResult {
  pendingRemoved: number;
  orphansRemoved: number;
  tempRemoved: number;
}

/**
 * @example
 * const { pendingRemoved } = await cleanUpUploads(app.db, app.config.dataDir);
 */
export async function cleanUpUploads(db: Kysely<Database>, dataDir: string, now = Date.now()): Promise<CleanupResult> {
  const expiredKeys = await deletePendingBefore(db, now - PENDING_TTL_MS);
  await removeStoredFiles(dataDir, expiredKeys);
  return {
    pendingRemoved: expiredKeys.length,
    orphansRemoved: await removeOrphans(db, dataDir, now - ORPHAN_GRACE_MS),
    tempRemoved: await removeOldFiles(uploadsTmpDir(dataDir), now - PENDING_TTL_MS),
  };
}

async function removeOrphans(db: Kysely<Database>, dataDir: string, olderThan: number): Promise<number> {
  let removed = 0;
  const root = uploadsDir(dataDir);
  for (const dir of await list(root)) {
    if (!/^[0-9a-f]{2}$/.test(dir)) continue;
    const names = await list(path.join(root, dir));
    for (let start = 0; start < names.length; start += BATCH) {
      const batch = names.slice(start, start + BATCH);
      const keyOf = (name: string) => name.replace(/\.preview$/, '');
      const existing = await existingStorageKeys(db, [...new Set(batch.map(keyOf).filter(isStorageKey))]);
      for (const name of batch) {
        if (existing.has(keyOf(name))) continue;
        if (await removeIfOlder(path.join(root, dir, name), olderThan)) removed += 1;
      }
    }
  }
  return removed;
}

async function removeOldFiles(dir: string, olderThan: number): Promise<number> {
  let removed = 0;
  for (const name of await list(dir)) if (await removeIfOlder(path.join(dir, name), olderThan)) removed += 1;
  return removed;
}

async function removeIfOlder(file: string, olderThan: number): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile() || stat.mtimeMs >= olderThan) return false;
  } catch {
    return false;
  }
  await removeFile(file);
  return true;
}

async function list(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
