// The organisation's logo: the uploaded file's type is read from its bytes (JPEG, PNG, WebP or GIF;
// never SVG or HTML), then it is resized to fit LOGO_BOX and re-encoded as WebP without metadata
// (transparency kept). Stored as DATA_DIR/brand/<32 random hex>.webp; the upload's name is never
// part of a path, and the original is not kept.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromFile } from 'file-type';
import { checkImage, loadSharp, MAX_IMAGE_PIXELS } from '../attachments/images.js';

/** Twice the header's logo height (40 CSS pixels), for sharp screens; wide logos keep their shape. */
export const LOGO_BOX = { width: 480, height: 80 } as const;
const LOGO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);
const LOGO_FILE = /^[0-9a-f]{32}\.webp$/;

export function brandDir(dataDir: string): string {
  return path.join(dataDir, 'brand');
}

export function isLogoFile(value: string): boolean {
  return LOGO_FILE.test(value);
}

export function logoPath(dataDir: string, file: string): string {
  if (!isLogoFile(file)) throw new Error('not a logo file name');
  return path.join(brandDir(dataDir), file);
}

export type StoreLogoResult = { ok: true; file: string } | { ok: false; problem: 'type' | 'unreadable' | 'tooManyPixels' };

/**
 * Checks and resizes the uploaded file at `upload`; the stored file's name, or why it was refused.
 *
 * @example
 * const stored = await storeLogo(app.config.dataDir, upload.tempPath);
 * if (stored.ok) await saveOrganisation(..., { logoFile: stored.file });
 */
export async function storeLogo(dataDir: string, upload: string): Promise<StoreLogoResult> {
  const detected = await fileTypeFromFile(upload);
  if (!detected || !LOGO_TYPES.has(detected.mime)) return { ok: false, problem: 'type' };
  const check = await checkImage(upload);
  if (!check.ok) return check;
  const file = `${randomBytes(16).toString('hex')}.webp`;
  await fs.mkdir(brandDir(dataDir), { recursive: true });
  const target = logoPath(dataDir, file);
  try {
    const sharp = await loadSharp();
    // sharp writes no metadata unless asked (withMetadata): EXIF, XMP and ICC are all dropped.
    await sharp(upload, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error', autoOrient: true })
      .resize(LOGO_BOX.width, LOGO_BOX.height, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 90, alphaQuality: 100 })
      .toFile(target);
  } catch {
    await removeLogo(dataDir, file);
    return { ok: false, problem: 'unreadable' };
  }
  return { ok: true, file };
}

/** Deletes a stored logo; one already gone is fine. */
export async function removeLogo(dataDir: string, file: string | null): Promise<void> {
  if (!file || !isLogoFile(file)) return;
  try {
    await fs.unlink(logoPath(dataDir, file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
