// What a file is, from its bytes (never from its name or the browser's claim), and whether Hameau
// accepts it: images (no SVG), PDF, office documents, ZIP, plain text and CSV.
import { fileTypeFromFile } from 'file-type';
import { createReadStream } from 'node:fs';

export interface DetectedType {
  mimeType: string;
  isImage: boolean;
}

/** Images shown inline (and previewed); every other type is only ever a download. */
export const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** What file-type may answer that Hameau keeps, and the type it is stored as. */
const ACCEPTED = new Map<string, string>([
  ['image/jpeg', 'image/jpeg'],
  ['image/png', 'image/png'],
  // An animated PNG is a PNG to every browser.
  ['image/apng', 'image/png'],
  ['image/gif', 'image/gif'],
  ['image/webp', 'image/webp'],
  ['application/pdf', 'application/pdf'],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  ['application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.text'],
  ['application/vnd.oasis.opendocument.spreadsheet', 'application/vnd.oasis.opendocument.spreadsheet'],
  ['application/vnd.oasis.opendocument.presentation', 'application/vnd.oasis.opendocument.presentation'],
  ['application/zip', 'application/zip'],
]);

/** Every type a stored attachment may have: downloads send any other as application/octet-stream. */
export const STORED_TYPES: ReadonlySet<string> = new Set([...ACCEPTED.values(), 'text/plain', 'text/csv']);

/**
 * The type of the file at `file`, or null when Hameau does not accept it. Text has no signature:
 * it is accepted as text/plain (text/csv for a .csv name) only when it is valid UTF-8 without NUL
 * bytes and does not start like markup (HTML, XML, SVG), which a browser could be talked into running.
 *
 * @example
 * const type = await detectType(upload.tempPath, 'report.pdf'); // { mimeType: 'application/pdf', isImage: false }
 */
export async function detectType(file: string, name: string): Promise<DetectedType | null> {
  const detected = await fileTypeFromFile(file);
  if (detected) {
    const mimeType = ACCEPTED.get(detected.mime);
    return mimeType ? { mimeType, isImage: IMAGE_TYPES.has(mimeType) } : null;
  }
  if (!(await isPlainText(file))) return null;
  return { mimeType: /\.csv$/i.test(name) ? 'text/csv' : 'text/plain', isImage: false };
}

/** The starts of markup that browsers sniff as HTML or XML (WHATWG MIME Sniffing, "rules for identifying"), plus SVG. */
const MARKUP_START = /^<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--|\?xml|svg)(?:[\s>/]|$)/i;

async function isPlainText(file: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = '';
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
      if (chunk.includes(0)) return false;
      const text = decoder.decode(chunk, { stream: true });
      if (start.length < 1024) start += text.slice(0, 1024);
    }
    decoder.decode();
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  }
  return !MARKUP_START.test(start.replace(/^\ufeff/, '').trimStart());
}
