// Forms that carry files: readForm streams them to DATA_DIR/uploads/tmp, receiveAttachments types
// them by their bytes and stores them under random names, a refused form keeps what was typed and
// the files already added, and nothing is left behind in the temporary folder.
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { storedPath } from '../../src/features/attachments/storage.js';
import { ADMIN, createUser, html, login, setupOrganisation, type TestApp } from '../helpers/app.js';
import {
  createAttachment,
  createAttachmentsTestApp,
  emptyFileInput,
  multipartPayload,
  sampleJpeg,
  sampleOdt,
  samplePdf,
  samplePng,
  sampleZip,
  tempUploads,
  type FieldParts,
  type FilePart,
} from '../helpers/attachments.js';

const FORM = '/test/attachments-form';

describe('a form with files', () => {
  let t: TestApp;
  let bobId: number;
  let bob: string;

  beforeEach(async () => {
    t = await createAttachmentsTestApp({ UPLOAD_MAX_MB: '1' });
    await setupOrganisation(t.app);
    bobId = await createUser(t.app, { email: 'bob@example.com', name: 'Bob', locale: 'en' });
    bob = await login(t.app, 'bob@example.com');
  });
  afterEach(async () => t.close());

  const send = (cookie: string, fields: FieldParts, files: FilePart[] = [], headers: Record<string, string> = {}) => {
    const body = multipartPayload(fields, files);
    return t.app.inject({ method: 'POST', url: FORM, headers: { ...body.headers, cookie, ...headers }, payload: body.payload });
  };
  const rows = () => t.app.db.selectFrom('attachments').selectAll().orderBy('id').execute();
  const errorOf = (response: { body: string }, field: string) => html(response as never).querySelector(`#${field}-error`)?.text ?? '';

  it('stores each file under a random name, typed by its bytes, and gives them to the new item', async () => {
    const png = await samplePng(64, 48);
    const response = await send(bob, { title: 'Minutes' }, [
      { field: 'files', filename: 'photo.png', content: png, contentType: 'image/png' },
      { field: 'files', filename: 'minutes.pdf', content: samplePdf() },
      { field: 'files', filename: 'notes.txt', content: 'Première ligne\nSecond line 🙂\n' },
      { field: 'files', filename: 'figures.csv', content: 'a;b\n1;2\n' },
      { field: 'files', filename: 'report.odt', content: sampleOdt() },
      { field: 'files', filename: 'archive.zip', content: sampleZip() },
    ]);
    expect(response.statusCode).toBe(303);
    const contentId = Number(response.headers.location!.split('/').pop());
    const stored = await rows();
    expect(stored.map((r) => [r.original_name, r.mime_type, r.is_image, r.content_id, r.uploader_id, r.purpose])).toEqual([
      ['photo.png', 'image/png', 1, contentId, bobId, 'file'],
      ['minutes.pdf', 'application/pdf', 0, contentId, bobId, 'file'],
      ['notes.txt', 'text/plain', 0, contentId, bobId, 'file'],
      ['figures.csv', 'text/csv', 0, contentId, bobId, 'file'],
      ['report.odt', 'application/vnd.oasis.opendocument.text', 0, contentId, bobId, 'file'],
      ['archive.zip', 'application/zip', 0, contentId, bobId, 'file'],
    ]);
    const photo = stored[0]!;
    expect(photo.storage_key).toMatch(/^[0-9a-f]{32}$/);
    expect([photo.width, photo.height, photo.has_preview, photo.size_bytes]).toEqual([64, 48, 1, png.length]);
    const file = storedPath(t.dataDir, photo.storage_key);
    expect(file).toBe(path.join(t.dataDir, 'uploads', photo.storage_key.slice(0, 2), photo.storage_key));
    expect(fs.readFileSync(file).equals(png)).toBe(true);
    expect(fs.existsSync(`${file}.preview`)).toBe(true);
    // The user's names are never paths.
    const everyPath = fs.readdirSync(path.join(t.dataDir, 'uploads'), { recursive: true }).map(String);
    expect(everyPath.some((p) => /photo|minutes|notes/.test(p))).toBe(false);
    expect(tempUploads(t.dataDir)).toEqual([]);
  });

  it('writes a preview at most 1200 pixels wide, turned as the camera said, without metadata', async () => {
    const response = await send(bob, { title: 'Portrait' }, [
      { field: 'files', filename: 'wide.png', content: await samplePng(2400, 600) },
      { field: 'files', filename: 'portrait.jpg', content: await sampleJpeg(200, 100, 6) },
    ]);
    expect(response.statusCode).toBe(303);
    const [wide, portrait] = await rows();
    const wideMeta = await sharp(storedPath(t.dataDir, wide!.storage_key, 'preview')).metadata();
    expect([wideMeta.format, wideMeta.width, wideMeta.height]).toEqual(['webp', 1200, 300]);
    expect([portrait!.width, portrait!.height]).toEqual([100, 200]);
    const portraitMeta = await sharp(storedPath(t.dataDir, portrait!.storage_key, 'preview')).metadata();
    expect([portraitMeta.width, portraitMeta.height, portraitMeta.orientation, portraitMeta.exif]).toEqual([100, 200, undefined, undefined]);
  });

  it('stores photos without their metadata (no GPS position), upright, in their own format', async () => {
    const located = await sharp({ create: { width: 200, height: 100, channels: 3, background: { r: 10, g: 90, b: 30 } } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExifMerge({ IFD0: { Make: 'PhoneMaker' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
      .toBuffer();
    expect([(await sharp(located).metadata()).orientation, located.includes('PhoneMaker')]).toEqual([6, true]);
    const response = await send(bob, { title: 'Holiday' }, [{ field: 'files', filename: 'holiday.jpg', content: located }]);
    expect(response.statusCode).toBe(303);
    const [photo] = await rows();
    const stored = storedPath(t.dataDir, photo!.storage_key);
    const meta = await sharp(stored).metadata();
    expect([meta.format, meta.exif, meta.orientation, meta.width, meta.height]).toEqual(['jpeg', undefined, undefined, 100, 200]);
    expect(fs.readFileSync(stored).includes('PhoneMaker')).toBe(false);
    expect(photo!.size_bytes).toBe(fs.statSync(stored).size);
  });

  it('refuses a file over UPLOAD_MAX_MB by name, keeps the title and the other files, and leaves nothing behind', async () => {
    const big = Buffer.alloc(1.5 * 1024 * 1024, 'a');
    const response = await send(bob, { title: 'Budget <b>2027</b> é' }, [
      { field: 'files', filename: 'budget.pdf', content: samplePdf() },
      { field: 'files', filename: 'huge.txt', content: big },
    ]);
    expect(response.statusCode).toBe(422);
    expect(errorOf(response, 'files')).toContain('“huge.txt” is larger than 1 MB');
    const page = html(response);
    expect(page.querySelector('#title')?.getAttribute('value')).toBe('Budget <b>2027</b> é');
    // The good file is stored pending and offered again, ticked.
    const kept = page.querySelectorAll('input[name="attachmentIds"]');
    expect(kept.map((i) => [i.getAttribute('value'), i.hasAttribute('checked')])).toHaveLength(1);
    expect(page.querySelector('.attachment-picker__list')?.text).toContain('budget.pdf');
    const stored = await rows();
    expect(stored.map((r) => [r.original_name, r.content_id])).toEqual([['budget.pdf', null]]);
    expect(kept[0]!.getAttribute('value')).toBe(String(stored[0]!.id));
    expect(tempUploads(t.dataDir)).toEqual([]);

    // Sent again with the ticked file and a fixed title: the kept file goes with the item.
    const again = await send(bob, [
      ['title', 'Budget 2027'],
      ['attachmentIds', String(stored[0]!.id)],
    ]);
    expect(again.statusCode).toBe(303);
    expect((await rows()).map((r) => r.content_id)).toEqual([Number(again.headers.location!.split('/').pop())]);
  });

  it('answers a form too large to read with a page in the user’s language, not a raw 413', async () => {
    await t.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', bobId).execute();
    const response = await send(bob, { title: 'Trop' }, [{ field: 'files', filename: 'big.bin', content: Buffer.alloc(13 * 1024 * 1024) }]);
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toContain('text/html');
    expect(html(response).querySelector('main')?.text).toContain('L’envoi est trop volumineux');
    expect(await rows()).toEqual([]);
    expect(tempUploads(t.dataDir)).toEqual([]);
  });

  it('answers more than 10 files with the same clear page, and keeps none of them', async () => {
    const files = Array.from({ length: 11 }, (_, i) => ({ field: 'files', filename: `n${i}.txt`, content: `note ${i}` }));
    const response = await send(bob, { title: 'Many' }, files);
    expect(response.statusCode).toBe(413);
    expect(html(response).querySelector('main')?.text).toContain('too many files, or files too large');
    expect(await rows()).toEqual([]);
    expect(tempUploads(t.dataDir)).toEqual([]);
  });

  it('types files by their content, not their name: a PDF called x.png is a PDF', async () => {
    const response = await send(bob, { title: 'Typed' }, [{ field: 'files', filename: 'x.png', content: samplePdf(), contentType: 'image/png' }]);
    expect(response.statusCode).toBe(303);
    const [row] = await rows();
    expect([row!.mime_type, row!.is_image, row!.has_preview]).toEqual(['application/pdf', 0, 0]);
  });

  it.each([
    ['page.html', '<!DOCTYPE html><html><body><script>alert(1)</script></body></html>'],
    ['drawing.svg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'],
    ['doc.xml', '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'],
    ['innocent.png', '  \n<script>alert(document.cookie)</script>'],
    ['program.exe', Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00])],
    ['latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])],
    ['nul.txt', Buffer.from('abc\0def')],
  ])('refuses %s, naming it, and stores nothing', async (filename, content) => {
    const response = await send(bob, { title: 'Refused' }, [{ field: 'files', filename, content, contentType: 'text/plain' }]);
    expect(response.statusCode).toBe(422);
    expect(errorOf(response, 'files')).toContain(`“${filename}” is not a type of file Hameau accepts`);
    expect(await rows()).toEqual([]);
    expect(tempUploads(t.dataDir)).toEqual([]);
  });

  it('refuses an image that is not one, and an image with too many pixels', async () => {
    // A real PNG's header, then its image data cut off.
    const png = await samplePng(300, 200);
    const fake = Buffer.concat([png.subarray(0, 40), Buffer.from('not really image data')]);
    const broken = await send(bob, { title: 'Broken' }, [{ field: 'files', filename: 'broken.png', content: fake }]);
    expect(broken.statusCode).toBe(422);
    expect(errorOf(broken, 'files')).toContain('“broken.png” could not be read as an image');

    // A PNG header claiming 20000 × 20000 pixels: a few bytes that would decode to 1.6 GB.
    const bomb = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer();
    bomb.writeUInt32BE(20000, 16);
    bomb.writeUInt32BE(20000, 20);
    bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29);
    const response = await send(bob, { title: 'Bomb' }, [{ field: 'files', filename: 'bomb.png', content: bomb }]);
    expect(response.statusCode).toBe(422);
    expect(errorOf(response, 'files')).toContain('“bomb.png” has too many pixels (more than 50 megapixels)');
    expect(await rows()).toEqual([]);
  });

  it('ignores a file input left empty, and refuses an empty file by name', async () => {
    const untouched = await send(bob, { title: 'No files' }, [emptyFileInput('files'), emptyFileInput('cover')]);
    expect(untouched.statusCode).toBe(303);
    expect(await rows()).toEqual([]);

    const empty = await send(bob, { title: 'Empty' }, [{ field: 'files', filename: 'empty.pdf', content: '' }]);
    expect(empty.statusCode).toBe(422);
    expect(errorOf(empty, 'files')).toContain('“empty.pdf” is empty');
  });

  it('shows file names with script payloads escaped, and keeps unicode names without their bidi tricks', async () => {
    const response = await send(bob, { title: '' }, [
      { field: 'files', filename: '<img src=x onerror=alert(1)>.pdf', content: samplePdf() },
      { field: 'files', filename: '../../etc/Compte rendu é 🎉 \u202Efdp.exe', content: samplePdf() },
      { field: 'files', filename: 'תקציב.pdf', content: samplePdf() },
      { field: 'files', filename: 'C:\\Users\\bob\\<svg onload=alert(1)>.txt', content: 'hello' },
    ]);
    expect(response.statusCode).toBe(422);
    expect(errorOf(response, 'title')).not.toBe('');
    expect(response.body).not.toContain('<img src=x');
    expect(response.body).not.toContain('<svg onload');
    expect((await rows()).map((r) => r.original_name)).toEqual([
      '<img src=x onerror=alert(1)>.pdf',
      'Compte rendu é 🎉 fdp.exe',
      'תקציב.pdf',
      '<svg onload=alert(1)>.txt',
    ]);
    const names = html(response).querySelectorAll('.attachment-picker__list bdi').map((b) => b.text);
    expect(names).toContain('<img src=x onerror=alert(1)>.pdf');
    expect(names).toContain('תקציב.pdf');
  });

  it('takes text fields as urlencoded forms give them: unicode kept, a repeated field refused', async () => {
    const repeated = await send(bob, [
      ['title', 'one'],
      ['title', 'two'],
    ]);
    expect(repeated.statusCode).toBe(422);
    expect(errorOf(repeated, 'title')).toContain('sent more than once');

    const unicode = await send(bob, { title: 'Réunion 🎉 של צוות' });
    expect(unicode.statusCode).toBe(303);
    const post = await t.app.db.selectFrom('posts').select('body').executeTakeFirstOrThrow();
    expect(post.body).toBe('Réunion 🎉 של צוות');
  });

  it('still reads a urlencoded form', async () => {
    const response = await t.app.inject({ method: 'POST', url: FORM, headers: { cookie: bob }, payload: { title: 'Plain form' } });
    expect(response.statusCode).toBe(303);
  });

  it('lets a form claim only its uploader’s own pending files, and drops unticked ones', async () => {
    const aliceId = (await t.app.db.selectFrom('users').select('id').where('email', '=', ADMIN.email).executeTakeFirstOrThrow()).id;
    const alicePending = await createAttachment(t.app, { uploaderId: aliceId, filename: 'alice.pdf', content: samplePdf() });
    const bobPending = await createAttachment(t.app, { uploaderId: bobId, filename: 'bob.pdf', content: samplePdf() });
    const bobUnticked = await createAttachment(t.app, { uploaderId: bobId, filename: 'dropped.pdf', content: samplePdf() });
    const bobAttached = await createAttachment(t.app, { uploaderId: bobId, filename: 'elsewhere.pdf', content: samplePdf() });
    const first = await send(bob, [
      ['title', 'First'],
      ['attachmentIds', String(bobAttached)],
    ]);
    const firstId = Number(first.headers.location!.split('/').pop());

    const response = await send(bob, [
      ['title', 'Claims'],
      ['attachmentIds', String(alicePending)],
      ['attachmentIds', String(bobPending)],
      ['attachmentIds', String(bobAttached)],
      ['attachmentIds', '99999'],
      ['attachmentIds', '1e3'],
      ['attachmentIds', '-1'],
    ]);
    expect(response.statusCode).toBe(303);
    const contentId = Number(response.headers.location!.split('/').pop());
    const byId = new Map((await rows()).map((r) => [r.id, r.content_id]));
    expect(byId.get(bobPending)).toBe(contentId);
    expect(byId.get(alicePending)).toBeNull();
    expect(byId.get(bobUnticked)).toBeNull();
    expect(byId.get(bobAttached)).toBe(firstId);

    // Nor can a refused form show someone else's pending file in its picker.
    const refused = await send(bob, [
      ['title', ''],
      ['attachmentIds', String(alicePending)],
    ]);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).not.toContain('alice.pdf');
  });

  it('takes only an image as a cover, and the newest one', async () => {
    const notImage = await send(bob, { title: 'Cover' }, [{ field: 'cover', filename: 'cover.pdf', content: samplePdf() }]);
    expect(notImage.statusCode).toBe(422);
    expect(errorOf(notImage, 'cover')).toContain('“cover.pdf” is not an image Hameau accepts');
    const page = html(notImage);
    expect(page.querySelector('#cover')?.hasAttribute('multiple')).toBe(false);
    expect(page.querySelector('#files')?.hasAttribute('multiple')).toBe(true);
    expect(page.querySelector('#cover')?.getAttribute('accept')).toBe('image/jpeg,image/png,image/gif,image/webp');
    expect(page.querySelector('#cover-hint')?.text).toContain('up to 1 MB');
    expect(page.querySelector('#files-hint')?.text).toContain('Up to 10 files, 1 MB each');

    const first = await send(bob, { title: '' }, [{ field: 'cover', filename: 'first.png', content: await samplePng() }]);
    const firstId = html(first).querySelector('input[name="coverIds"]')!.getAttribute('value')!;
    const response = await send(bob, [['title', 'Cover'], ['coverIds', firstId]], [{ field: 'cover', filename: 'second.jpg', content: await sampleJpeg() }]);
    expect(response.statusCode).toBe(303);
    const attached = (await rows()).filter((r) => r.content_id !== null);
    expect(attached.map((r) => [r.original_name, r.purpose])).toEqual([['second.jpg', 'cover']]);
  });

  it('stores nothing for a visitor or a cross-site post, and reads nothing of their body', async () => {
    const body = multipartPayload({ title: 'x' }, [{ field: 'files', filename: 'a.pdf', content: samplePdf() }]);
    const anonymous = await t.app.inject({ method: 'POST', url: FORM, headers: body.headers, payload: body.payload });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login');

    const crossSite = await t.app.inject({
      method: 'POST',
      url: FORM,
      headers: { ...body.headers, cookie: bob, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      payload: body.payload,
    });
    expect(crossSite.statusCode).toBe(403);
    expect(await rows()).toEqual([]);
    expect(tempUploads(t.dataDir)).toEqual([]);
  });

  it('answers a broken multipart body with a page, not a crash, and leaves nothing behind', async () => {
    const body = multipartPayload({ title: 'x' }, [{ field: 'files', filename: 'a.pdf', content: samplePdf() }]);
    const cut = body.payload.subarray(0, body.payload.length - 40);
    const broken = await t.app.inject({ method: 'POST', url: FORM, headers: { ...body.headers, cookie: bob }, payload: cut });
    expect(broken.statusCode).toBeGreaterThanOrEqual(400);
    expect(broken.statusCode).toBeLessThan(500);
    expect(broken.headers['content-type']).toContain('text/html');

    const prototype = await send(bob, [['constructor', 'x'], ['title', 'x']]);
    expect(prototype.statusCode).toBeGreaterThanOrEqual(400);
    expect(prototype.statusCode).toBeLessThan(500);
    expect(await rows()).toEqual([]);
    expect(tempUploads(t.dataDir)).toEqual([]);
  });

  it('stores nothing for a deactivated member', async () => {
    await t.app.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', bobId).execute();
    const response = await send(bob, { title: 'x' }, [{ field: 'files', filename: 'a.pdf', content: samplePdf() }]);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login');
    expect(await rows()).toEqual([]);
  });
});
