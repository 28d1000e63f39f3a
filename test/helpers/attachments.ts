// Helpers for tests of forms that carry files: a multipart body for app.inject(), sample files of each
// kind (made here, byte by byte or with sharp: no fixture files), and attachments written straight
// to the database and disk, for tests about what happens once they exist.
import { Type } from '@sinclair/typebox';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { AttachmentPurpose } from '../../src/db/schema.js';
import { loadAttachmentRefs } from '../../src/features/attachments/queries.js';
import { attachTo, receiveAttachments, storeUploads, uploadContext, type AttachmentOwner } from '../../src/features/attachments/service.js';
import { Field, parseForm } from '../../src/http/form.js';
import { readForm, uploadsTmpDir, type UploadedFile } from '../../src/http/multipart.js';
import { authorize } from '../../src/policy/index.js';
import type { TestApp } from './app.js';
import { companySpaceId, createPost } from './content.js';

export interface FilePart {
  /** The form field ("files", "cover"...). */
  field: string;
  filename: string;
  content: Buffer | string;
  /** What the browser claims; Hameau never believes it. Default application/octet-stream. */
  contentType?: string;
}

/** Text fields: an object (an array value repeats the field) or [name, value] pairs in order. */
export type FieldParts = Record<string, string | string[]> | Array<[string, string]>;

/**
 * A multipart/form-data body as a browser sends it, for app.inject().
 *
 * @example
 * const { payload, headers } = multipartPayload({ body: 'Hello' }, [{ field: 'files', filename: 'a.png', content: await samplePng() }]);
 * await app.inject({ method: 'POST', url: '/posts', headers: { ...headers, cookie }, payload });
 */
export function multipartPayload(fields: FieldParts = {}, files: readonly FilePart[] = []): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----HameauTestBoundary${randomBytes(8).toString('hex')}`;
  const pairs: Array<[string, string]> = Array.isArray(fields)
    ? fields
    : Object.entries(fields).flatMap(([name, value]) => (Array.isArray(value) ? value.map((v): [string, string] => [name, v]) : [[name, value]]));
  const chunks: Buffer[] = [];
  const quote = (value: string) => value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  for (const [name, value] of pairs) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.filename)}"\r\n` +
          `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** What a browser sends for a file input left empty. */
export function emptyFileInput(field: string): FilePart {
  return { field, filename: '', content: '' };
}

/** A PNG of one colour. */
export async function samplePng(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer();
}

/** A JPEG whose EXIF says how to turn it (6: a quarter turn clockwise, as phones write portraits). */
export async function sampleJpeg(width = 64, height = 48, orientation?: number): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } }).jpeg();
  return (orientation ? image.withMetadata({ orientation }) : image).toBuffer();
}

/** A small valid PDF. */
export function samplePdf(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
      'trailer << /Root 1 0 R >>\n%%EOF\n',
  );
}

/** A ZIP archive of stored (uncompressed) entries, the first one first: enough for type detection. */
export function sampleZip(entries: Array<[name: string, content: string]> = [['readme.txt', 'hello']]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const nameBytes = Buffer.from(name);
    const data = Buffer.from(content);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(10, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(10, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((sum, b) => sum + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** An OpenDocument text: a ZIP whose first entry, "mimetype", names the type. */
export function sampleOdt(): Buffer {
  return sampleZip([
    ['mimetype', 'application/vnd.oasis.opendocument.text'],
    ['content.xml', '<?xml version="1.0"?><office:document-content/>'],
  ]);
}

/**
 * An attachment stored as a form would store it (typed, previewed), then given to `owner` unless
 * it is left pending. Returns its id.
 *
 * @example
 * const id = await createAttachment(app, { uploaderId: aliceId, filename: 'plan.pdf', content: samplePdf(), owner: { contentId } });
 */
export async function createAttachment(
  app: FastifyInstance,
  options: { uploaderId: number; filename: string; content: Buffer | string; owner?: AttachmentOwner; purpose?: AttachmentPurpose },
): Promise<number> {
  const dir = uploadsTmpDir(app.config.dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const tempPath = path.join(dir, randomBytes(16).toString('hex'));
  fs.writeFileSync(tempPath, options.content);
  const file: UploadedFile = { field: 'files', filename: options.filename, tempPath, sizeBytes: fs.statSync(tempPath).size, truncated: false };
  const stored = await storeUploads(uploadContext(app, options.uploaderId), [file], { purpose: options.purpose ?? 'file' });
  if (!stored.ok) throw new Error(`createAttachment: ${stored.message} ${JSON.stringify(stored.params)}`);
  const id = stored.ids[0]!;
  if (options.owner) await attachTo(app.db, [id], options.owner, options.uploaderId);
  return id;
}

/**
 * A test app with a small form that takes a title, files and a cover image, the way every feature's
 * form uses readForm and receiveAttachments (POST /test/attachments-form), and a page listing an
 * item's attachments through views/attachments/list.eta (GET /test/attachments-list/:id).
 * A refused form answers 422 with the title field and both pickers.
 */
export async function createAttachmentsTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-test-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error', ...env });
  const app = await buildApp(config);
  const DemoForm = Type.Object({ title: Field.text({ max: 200 }) });

  app.post('/test/attachments-form', async (request, reply) => {
    authorize(request.user, 'app.use');
    const form = await readForm(request);
    const parsed = parseForm(DemoForm, form.fields, request.t);
    const context = uploadContext(app, request.user.id);
    const files = await receiveAttachments(context, form, { field: 'files', purpose: 'file', t: request.t });
    const cover = await receiveAttachments(context, form, { field: 'cover', idsName: 'coverIds', purpose: 'cover', imagesOnly: true, t: request.t });
    if (!parsed.ok || files.error || cover.error) {
      const errors: Record<string, string> = { ...(parsed.ok ? {} : parsed.errors) };
      if (files.error) errors.files = files.error;
      if (cover.error) errors.cover = cover.error;
      const locals = { ...request.viewLocals(), errors };
      const filesPicker = await reply.viewAsync('attachments/picker', { ...locals, picker: { name: 'files', imagesOnly: false, pending: files.pending } });
      const coverPicker = await reply.viewAsync('attachments/picker', {
        ...locals,
        picker: { name: 'cover', idsName: 'coverIds', imagesOnly: true, pending: cover.pending },
      });
      const title = escapeHtml(parsed.values.title ?? '');
      const titleError = errors.title ? `<p id="title-error">${escapeHtml(errors.title)}</p>` : '';
      return reply
        .code(422)
        .type('text/html; charset=utf-8')
        .send(`<!doctype html><main><form method="post" enctype="multipart/form-data">${titleError}<input id="title" name="title" value="${title}">${filesPicker}${coverPicker}</form></main>`);
    }
    const contentId = await createPost(app, { spaceId: await companySpaceId(app), authorId: request.user.id, body: parsed.value.title });
    const uploaderId = request.user.id;
    await app.db.transaction().execute(async (trx) => {
      await attachTo(trx, files.ids, { contentId }, uploaderId);
      await attachTo(trx, cover.ids, { contentId }, uploaderId);
    });
    return reply.redirect(`/test/attachments-list/${contentId}`, 303);
  });

  app.get<{ Params: { id: string } }>('/test/attachments-list/:id', async (request, reply) => {
    authorize(request.user, 'app.use');
    const { byContent } = await loadAttachmentRefs(app.db, { contentIds: [Number(request.params.id)] });
    return reply.render('attachments/list', { title: 'Attachments', attachments: byContent.get(Number(request.params.id)) ?? [] });
  });

  await app.ready();
  return {
    app,
    dataDir,
    config,
    logs: [],
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The files under DATA_DIR/uploads/tmp: empty once every request has ended. */
export function tempUploads(dataDir: string): string[] {
  const dir = uploadsTmpDir(dataDir);
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}
