// Profile photos: the uploaded file's type is read from its bytes (JPEG, PNG, WebP or GIF; never SVG
// or HTML), then it is cropped to a square, resized to PHOTO_SIZE and re-encoded as WebP without any
// metadata (no GPS position, no camera). Stored as DATA_DIR/photos/<32 random hex>.webp: the upload's
// name is never part of a path. The original is not kept.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromFile } from 'file-type';
import { loadSharp, MAX_IMAGE_PIXELS } from '../attachments/images.js';

export const PHOTO_SIZE = 256;
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);
const PHOTO_KEY = /^[0-9a-f]{32}$/;


export function photosDir(dataDir: string): string {
  return path.join(dataDir, 'photos');
}

export function isPhotoKey(value: string): boolean {
  return PHOTO_KEY.test(value);
}

export function photoPath(dataDir: string, key: string): string {
  if (!isPhotoKey(key)) throw new Error('not a photo key');
  return path.join(photosDir(dataDir), `${key}.webp`);
}

export type StorePhotoResult = { ok: true; key: string } | { ok: false; problem: 'type' | 'unreadable' | 'tooManyPixels' };

/** Checks and resizes the uploaded file at `file`; the stored photo's key, or why it was refused. */
export async function storePhoto(dataDir: string, file: string): Promise<StorePhotoResult> {
  const detected = await fileTypeFromFile(file);
  if (!detected || !PHOTO_TYPES.has(detected.mime)) return { ok: false, problem: 'type' };
  const sharp = await loadSharp();
  try {
    const metadata = await sharp(file, { limitInputPixels: false }).metadata();
    if (!metadata.width || !metadata.height) return { ok: false, problem: 'unreadable' };
    if (metadata.width * metadata.height > MAX_IMAGE_PIXELS) return { ok: false, problem: 'tooManyPixels' };
  } catch {
    return { ok: false, problem: 'unreadable' };
  }
  const key = randomBytes(16).toString('hex');
  await fs.mkdir(photosDir(dataDir), { recursive: true });
  const target = photoPath(dataDir, key);
  try {
    // sharp writes no metadata unless asked (withMetadata): EXIF, XMP and ICC are all dropped.
    await sharp(file, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error', autoOrient: true })
      .resize(PHOTO_SIZE, PHOTO_SIZE, { fit: 'cover', position: 'attention' })
      .webp({ quality: 82 })
      .toFile(target);
  } catch {
    await removePhoto(dataDir, key);
    return { ok: false, problem: 'unreadable' };
  }
  return { ok: true, key };
}

/** Deletes a stored photo; one already gone is fine. */
export async function removePhoto(dataDir: string, key: string | null): Promise<void> {
  if (!key || !isPhotoKey(key)) return;
  try {
    await fs.unlink(photoPath(dataDir, key));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
