// Uploaded images: their size (as shown, EXIF orientation applied) and a preview at most 1200 pixels
// wide, re-encoded as WebP without metadata (no camera details, no GPS position), for pages and cards.
import fs from 'node:fs/promises';
import type { Sharp, SharpOptions } from 'sharp';

type SharpFactory = (input: string, options?: SharpOptions) => Sharp;

let loading: Promise<SharpFactory> | undefined;

/**
 * sharp (and libvips under it) is loaded on the first image, not at start: most processes never
 * receive one, and the library costs memory from the moment it is loaded.
 */
export function loadSharp(): Promise<SharpFactory> {
  loading ??= import('sharp').then(({ default: sharp }) => {
    // Decoded images are not kept between requests: uploads are rare, memory is not.
    sharp.cache(false);
    return sharp;
  });
  return loading;
}

/** Refused beyond this (50 megapixels, a large phone photo): a small file can decode to gigabytes. */
export const MAX_IMAGE_PIXELS = 50_000_000;
export const PREVIEW_MAX_WIDTH = 1200;

export type ImageCheck = { ok: true; width: number; height: number } | { ok: false; problem: 'unreadable' | 'tooManyPixels' };

const decodeOptions = { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' } as const;

/** Reads the image's header: its displayed width and height, or why it cannot be used. */
export async function checkImage(file: string): Promise<ImageCheck> {
  try {
    // Only the header is read here (no pixel decoded), so the pixel count can be checked and named.
    const sharp = await loadSharp();
    const metadata = await sharp(file, { ...decodeOptions, limitInputPixels: false }).metadata();
    if (!metadata.width || !metadata.height) return { ok: false, problem: 'unreadable' };
    if (metadata.width * metadata.height > MAX_IMAGE_PIXELS) return { ok: false, problem: 'tooManyPixels' };
    return { ok: true, width: metadata.autoOrient.width, height: metadata.autoOrient.height };
  } catch {
    return { ok: false, problem: 'unreadable' };
  }
}

/**
 * Writes the preview of `file` to `target` (first frame of an animation). False when the image
 * cannot be decoded after all (broken data past a valid header).
 */
export async function writePreview(file: string, target: string): Promise<boolean> {
  try {
    const sharp = await loadSharp();
    await sharp(file, { ...decodeOptions, autoOrient: true })
      .resize({ width: PREVIEW_MAX_WIDTH, withoutEnlargement: true })
      .webp({ quality: 80 })
      .toFile(target);
    return true;
  } catch {
    return false;
  }
}

/**
 * Rewrites a photo without its metadata: EXIF can hold where it was taken (GPS), when, and the
 * device. The orientation is applied to the pixels first, so the picture still shows upright.
 * JPEG, PNG and WebP only (a GIF carries no EXIF); the rewrite keeps the format at high quality.
 * Returns the new size in bytes, or null when the image cannot be decoded.
 */
export async function stripMetadata(file: string, mimeType: string): Promise<number | null> {
  const format = ({ 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' } as const)[mimeType as 'image/jpeg'];
  if (!format) return (await fs.stat(file)).size;
  try {
    const sharp = await loadSharp();
    const output = `${file}.clean`;
    const image = sharp(file, { ...decodeOptions, autoOrient: true });
    const encoded = format === 'jpeg' ? image.jpeg({ quality: 92, mozjpeg: true }) : format === 'png' ? image.png() : image.webp({ quality: 92 });
    const info = await encoded.toFile(output);
    await fs.rename(output, file);
    return info.size;
  } catch {
    return null;
  }
}
