// What one person may upload: an hourly byte budget (the uploadBytesPerUser rate limit, ten full forms
// an hour) and a cap on the bytes of their pending files (uploaded with forms never sent). A file past
// either is refused by name on the form (422, what was typed kept) and is not stored.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pendingBytesCap } from '../../src/features/attachments/service.js';
import { MAX_FILES } from '../../src/http/multipart.js';
import { limitMax, RATE_LIMITS } from '../../src/http/rate-limits.js';
import { html } from '../helpers/app.js';
import { multipartPayload, samplePdf, tempUploads, type FilePart } from '../helpers/attachments.js';
import { createCast, type Cast, type Who } from '../helpers/conversation.js';

const MB = 1024 * 1024;

let c: Cast;
beforeEach(async () => {
  c = await createCast({ UPLOAD_MAX_MB: '1' });
});
afterEach(async () => c.t.close());

/** A text file of `bytes` bytes (text is typed by its bytes: valid UTF-8). */
const textFile = (filename: string, bytes: number): FilePart => ({ field: 'files', filename, content: 'a'.repeat(bytes), contentType: 'text/plain' });

function post(who: Who, fields: Record<string, string>, files: FilePart[]) {
  const body = multipartPayload(fields, files);
  return c.app.inject({ method: 'POST', url: '/posts', headers: { ...body.headers, cookie: c.cookies[who], 'accept-language': 'en' }, payload: body.payload });
}

const attachmentRows = () => c.app.db.selectFrom('attachments').select(['id', 'original_name', 'size_bytes', 'storage_key']).orderBy('id').execute();
/** Every stored file (originals and previews) under DATA_DIR/uploads, the temporary folder aside. */
function storedFiles(): string[] {
  const root = path.join(c.t.dataDir, 'uploads');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true })
    .map(String)
    .filter((p) => !p.startsWith('tmp') && fs.statSync(path.join(root, p)).isFile());
}

describe('the hourly upload budget', () => {
  it('is ten full forms an hour, and follows UPLOAD_MAX_MB', () => {
    expect(limitMax(RATE_LIMITS.uploadBytesPerUser, { uploadMaxBytes: MB })).toBe(10 * MB);
    expect(limitMax(RATE_LIMITS.uploadBytesPerUser, { uploadMaxBytes: 20 * MB })).toBe(200 * MB);
    expect(RATE_LIMITS.uploadBytesPerUser.windowMs).toBe(60 * 60 * 1000);
  });

  it('refuses a file past the budget by name, keeps the text and the files already added, and stores nothing of it', async () => {
    // A refused form (no text) keeps its files pending: they count, ten of them nearly fill the budget.
    const ten = Array.from({ length: MAX_FILES }, (_, i) => textFile(`part-${i}.txt`, 1_000_000));
    const first = await post('member', { space: String(c.open), body: '' }, ten);
    expect(first.statusCode).toBe(422);
    expect(await attachmentRows()).toHaveLength(MAX_FILES);
    const filesBefore = storedFiles();

    const refused = await post('member', { space: String(c.open), body: 'My <b>text</b> stays' }, [textFile('one-too-many.txt', 600_000)]);
    expect(refused.statusCode).toBe(422);
    const page = html(refused);
    expect(page.querySelector('textarea[name="body"]')?.textContent).toBe('My <b>text</b> stays');
    const error = page.querySelector('#composer-files-error')?.textContent ?? '';
    expect(error).toContain('“one-too-many.txt” was not added: you have uploaded a lot of files in the last hour.');
    expect(error).toMatch(/Wait (\d+ minutes|1 minute)/);
    expect((await attachmentRows()).map((r) => r.original_name)).not.toContain('one-too-many.txt');
    expect(storedFiles()).toEqual(filesBefore);
    expect(tempUploads(c.t.dataDir)).toEqual([]);
    // The budget is the uploader's own: someone else still uploads.
    const other = await post('editor', { space: String(c.open), body: 'Hello' }, [textFile('other.txt', 600_000)]);
    expect(other.statusCode).toBe(303);
  });

  it('says it in French to a French reader', async () => {
    await c.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', c.ids.member).execute();
    const ten = Array.from({ length: MAX_FILES }, (_, i) => textFile(`part-${i}.txt`, 1_000_000));
    await post('member', { space: String(c.open), body: '' }, ten);
    const body = multipartPayload({ space: String(c.open), body: 'Bonjour' }, [textFile('encore.txt', 600_000)]);
    const refused = await c.app.inject({ method: 'POST', url: '/posts', headers: { ...body.headers, cookie: c.cookies.member }, payload: body.payload });
    expect(refused.statusCode).toBe(422);
    expect(html(refused).querySelector('#composer-files-error')?.textContent).toContain('«\u00a0encore.txt\u00a0» n’a pas été ajouté');
  });

  it('counts only what is stored: a file refused for its type gives its bytes back', async () => {
    for (let i = 0; i < 12; i += 1) {
      const refused = await post('member', { space: String(c.open), body: 'Try' }, [{ field: 'files', filename: `page-${i}.html`, content: '<p>' + 'x'.repeat(1_000_000) }]);
      expect(refused.statusCode).toBe(422);
      expect(html(refused).querySelector('#composer-files-error')?.textContent).toContain('is not a type of file Hameau accepts');
    }
    // Twelve megabytes refused for their type did not spend the ten-megabyte budget.
    const accepted = await post('member', { space: String(c.open), body: 'With a file' }, [{ field: 'files', filename: 'minutes.pdf', content: samplePdf() }]);
    expect(accepted.statusCode).toBe(303);
  });
});

describe('the pending cap', () => {
  it('is twice what one form may carry', () => {
    expect(pendingBytesCap(MB)).toBe(2 * MAX_FILES * MB);
  });

  it('refuses a file that would pass the uploader’s pending bytes, keeps the text, and stores nothing of it', async () => {
    // Files left pending by forms never sent (written straight to the table: the hourly budget would
    // stop a real person long before).
    const now = Date.now();
    for (let i = 0; i < 2; i += 1) {
      await c.app.db
        .insertInto('attachments')
        .values({
          uploader_id: c.ids.member,
          storage_key: `${'0'.repeat(31)}${i}`,
          original_name: `old-${i}.pdf`,
          mime_type: 'application/pdf',
          size_bytes: pendingBytesCap(MB) / 2 - 100_000,
          is_image: 0,
          width: null,
          height: null,
          has_preview: 0,
          content_id: null,
          comment_id: null,
          space_id: null,
          purpose: 'file',
          created_at: now,
        })
        .execute();
    }
    const refused = await post('member', { space: String(c.open), body: 'Still here' }, [textFile('big.txt', 300_000)]);
    expect(refused.statusCode).toBe(422);
    const page = html(refused);
    expect(page.querySelector('textarea[name="body"]')?.textContent).toBe('Still here');
    expect(page.querySelector('#composer-files-error')?.textContent).toContain(
      '“big.txt” was not added: the files you added to forms not sent yet already reach 20 MB.',
    );
    expect((await attachmentRows()).map((r) => r.original_name)).toEqual(['old-0.pdf', 'old-1.pdf']);
    expect(storedFiles()).toEqual([]);
    expect(tempUploads(c.t.dataDir)).toEqual([]);

    // A smaller file still fits; files given to a post no longer count as pending.
    expect((await post('member', { space: String(c.open), body: 'Small one' }, [textFile('small.txt', 100_000)])).statusCode).toBe(303);
    await c.app.db.updateTable('attachments').set({ space_id: c.open }).where('original_name', 'like', 'old-%').execute();
    expect((await post('member', { space: String(c.open), body: 'Now it fits' }, [textFile('big.txt', 300_000)])).statusCode).toBe(303);
  });
});
