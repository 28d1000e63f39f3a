// Where attachments live on disk: DATA_DIR/uploads/<2 hex>/<random key> (and <key>.preview for images),
// uploads still being received in DATA_DIR/uploads/tmp. The user's file name is never part of a path.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A stored file's random name: 32 hex characters, nothing a user chose. */
const STORAGE_KEY = /^[0-9a-f]{32}$/;

export function uploadsDir(dataDir: string): string {
  return path.join(dataDir, 'uploads');
}

export function newStorageKey(): string {
  return randomBytes(16).toString('hex');
}

export function isStorageKey(value: string): boolean {
  return STORAGE_KEY.test(value);
}

/** The stored file of `key` (its preview with `variant: 'preview'`). Throws on anything that is not a key. */
export function storedPath(dataDir: string, key: string, variant: 'original' | 'preview' = 'original'): string {
  if (!isStorageKey(key)) throw new Error('not a storage key');
  const file = variant === 'preview' ? `${key}.preview` : key;
  return path.join(uploadsDir(dataDir), key.slice(0, 2), file);
}

/**
 * Removes the stored files (original and preview) of attachments whose rows are gone. Missing files
 * are fine: the periodic sweep may have been there first.
 *
 * @example
 * await purgeExpiredContent(app.db, { removeFiles: (keys) => removeStoredFiles(app.config.dataDir, keys) });
 */
export async function removeStoredFiles(dataDir: string, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    if (!isStorageKey(key)) continue;
    await Promise.all([removeFile(storedPath(dataDir, key)), removeFile(storedPath(dataDir, key, 'preview'))]);
  }
}

/** Deletes a file; a file already gone is not an error. */
export async function removeFile(file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * The name shown for a file: the last part of what the browser sent (never a path), without control
 * or bidirectional-override characters (which can disguise "exe.png" as "gnp.exe"), at most 200
 * characters with its extension kept. Display only: files are stored under random keys.
 */
export function displayName(raw: string): string {
  let name = raw.normalize('NFC');
  name = name.split(/[\\/]/).pop() ?? '';
  // C0 and C1 controls, and the invisible bidi controls (LRM, RLM, ALM, embeddings, overrides, isolates).
  name = name.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
  name = name.trim();
  const chars = [...name];
  if (chars.length > MAX_NAME_LENGTH) {
    const extension = /\.[\p{L}\p{N}]{1,10}$/u.exec(name)?.[0] ?? '';
    const extensionLength = [...extension].length;
    name = chars.slice(0, MAX_NAME_LENGTH - extensionLength).join('').trimEnd() + extension;
  }
  return /^\.*$/.test(name) ? 'file' : name;
}

export const MAX_NAME_LENGTH = 200;
