// Downloads: GET /files/:id/:name and GET /files/:id/preview answer only whoever may see what the file
// belongs to (404 for everyone else, as for an id that does not exist), show only real images inline,
// and never let a browser render a file as a page.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { contentDisposition } from '../../src/features/attachments/routes.js';
import { loadAttachmentRefs } from '../../src/features/attachments/queries.js';
import { ADMIN, createUser, html, login, setupOrganisation, type TestApp } from '../helpers/app.js';
import { createAttachment, createAttachmentsTestApp, sampleJpeg, samplePdf, samplePng } from '../helpers/attachments.js';
import { companySpaceId, createComment, createPost, createSpace } from '../helpers/content.js';

describe('downloading attachments', () => {
  let t: TestApp;
  let admin: string;
  let aliceId: number;
  let bobId: number;
  let bob: string;
  let carolId: number;
  let carol: string;
  let privateSpace: number;
  let privatePost: number;

  beforeEach(async () => {
    t = await createAttachmentsTestApp();
    admin = await setupOrganisation(t.app);
    aliceId = (await t.app.db.selectFrom('users').select('id').where('email', '=', ADMIN.email).executeTakeFirstOrThrow()).id;
    bobId = await createUser(t.app, { email: 'bob@example.com', name: 'Bob', locale: 'en' });
    carolId = await createUser(t.app, { email: 'carol@example.com', name: 'Carol', locale: 'en' });
    bob = await login(t.app, 'bob@example.com');
    carol = await login(t.app, 'carol@example.com');
    privateSpace = await createSpace(t.app, { name: 'Board', visibility: 'private', members: [[bobId, 'member']] });
    privatePost = await createPost(t.app, { spaceId: privateSpace, authorId: bobId, body: 'Confidential' });
  });
  afterEach(async () => t.close());

  const get = (url: string, cookie?: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers: { ...(cookie ? { cookie } : {}), ...headers } });

  it('gives a private space’s file to its members and admins only; 404 to others, sign-in to visitors', async () => {
    const pdf = samplePdf();
    const id = await createAttachment(t.app, { uploaderId: bobId, filename: 'plan.pdf', content: pdf, owner: { contentId: privatePost } });
    const url = `/files/${id}/plan.pdf`;

    const member = await get(url, bob);
    expect(member.statusCode).toBe(200);
    expect(member.rawPayload.equals(pdf)).toBe(true);
    expect((await get(url, admin)).statusCode).toBe(200);

    const outsider = await get(url, carol);
    expect(outsider.statusCode).toBe(404);
    // Exactly what an id that does not exist answers.
    const missing = await get(`/files/${id + 1000}/plan.pdf`, carol);
    expect(missing.statusCode).toBe(404);
    expect(html(outsider).querySelector('main')?.text).toBe(html(missing).querySelector('main')?.text);

    const visitor = await get(url);
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);

    // Once Carol joins, she may.
    await t.app.db.insertInto('space_members').values({ space_id: privateSpace, user_id: carolId, role: 'member', joined_at: Date.now() }).execute();
    expect((await get(url, carol)).statusCode).toBe(200);
  });

  it('refuses a deactivated member', async () => {
    const id = await createAttachment(t.app, { uploaderId: bobId, filename: 'plan.pdf', content: samplePdf(), owner: { contentId: privatePost } });
    await t.app.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', bobId).execute();
    const response = await get(`/files/${id}/plan.pdf`, bob);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(/^\/login/);
  });

  it('answers 404 for guessed, malformed and other people’s pending ids, the name being irrelevant', async () => {
    const pending = await createAttachment(t.app, { uploaderId: bobId, filename: 'draft.pdf', content: samplePdf() });
    expect((await get(`/files/${pending}/draft.pdf`, bob)).statusCode).toBe(200);
    expect((await get(`/files/${pending}/anything-else`, bob)).statusCode).toBe(200);
    expect((await get(`/files/${pending}/draft.pdf`, carol)).statusCode).toBe(404);
    expect((await get(`/files/${pending}/draft.pdf`, admin)).statusCode).toBe(404);
    for (const url of ['/files/999999/x.pdf', '/files/1e3/x.pdf', '/files/-1/x.pdf', '/files/abc/x.pdf', `/files/${pending}`, '/files/999999/preview']) {
      expect((await get(url, bob)).statusCode, url).toBe(404);
    }
  });

  it('follows the item: drafts are their author’s, deleted and hidden items nobody’s (hidden: moderators too)', async () => {
    const company = await companySpaceId(t.app);
    const draft = await createPost(t.app, { spaceId: company, authorId: bobId, body: 'Draft', publishedAt: null });
    const draftFile = await createAttachment(t.app, { uploaderId: bobId, filename: 'd.pdf', content: samplePdf(), owner: { contentId: draft } });
    expect((await get(`/files/${draftFile}/d.pdf`, bob)).statusCode).toBe(200);
    expect((await get(`/files/${draftFile}/d.pdf`, carol)).statusCode).toBe(404);

    const hidden = await createPost(t.app, { spaceId: company, authorId: bobId, body: 'Hidden' });
    const hiddenFile = await createAttachment(t.app, { uploaderId: bobId, filename: 'h.pdf', content: samplePdf(), owner: { contentId: hidden } });
    await t.app.db.updateTable('content').set({ hidden_at: Date.now(), hidden_by: aliceId, hidden_reason: 'spam' }).where('id', '=', hidden).execute();
    expect((await get(`/files/${hiddenFile}/h.pdf`, carol)).statusCode).toBe(404);
    expect((await get(`/files/${hiddenFile}/h.pdf`, bob)).statusCode).toBe(200);
    expect((await get(`/files/${hiddenFile}/h.pdf`, admin)).statusCode).toBe(200);

    await t.app.db.updateTable('content').set({ deleted_at: Date.now(), deleted_by: bobId }).where('id', '=', hidden).execute();
    expect((await get(`/files/${hiddenFile}/h.pdf`, bob)).statusCode).toBe(404);
  });

  it('follows the comment for a comment’s file, and the space for a space image', async () => {
    const company = await companySpaceId(t.app);
    const post = await createPost(t.app, { spaceId: company, authorId: carolId, body: 'Open' });
    const comment = await createComment(t.app, { contentId: post, authorId: bobId, body: 'See attached' });
    const file = await createAttachment(t.app, { uploaderId: bobId, filename: 'c.pdf', content: samplePdf(), owner: { commentId: comment, contentId: post } });
    expect((await get(`/files/${file}/c.pdf`, carol)).statusCode).toBe(200);
    await t.app.db.updateTable('comments').set({ deleted_at: Date.now(), deleted_by: bobId }).where('id', '=', comment).execute();
    expect((await get(`/files/${file}/c.pdf`, carol)).statusCode).toBe(404);

    const image = await createAttachment(t.app, {
      uploaderId: bobId,
      filename: 'board.png',
      content: await samplePng(),
      purpose: 'space-image',
      owner: { spaceId: privateSpace },
    });
    expect((await get(`/files/${image}/preview`, bob)).statusCode).toBe(200);
    expect((await get(`/files/${image}/preview`, carol)).statusCode).toBe(404);
    expect((await get(`/files/${image}/board.png`, carol)).statusCode).toBe(404);
  });

  it('shows images inline with their own type, and makes everything else a download', async () => {
    const company = await companySpaceId(t.app);
    const post = await createPost(t.app, { spaceId: company, authorId: bobId, body: 'Files' });
    const png = await createAttachment(t.app, { uploaderId: bobId, filename: 'photo.png', content: await samplePng(), owner: { contentId: post } });
    const pdf = await createAttachment(t.app, { uploaderId: bobId, filename: 'x.png', content: samplePdf(), owner: { contentId: post } });
    const text = await createAttachment(t.app, { uploaderId: bobId, filename: 'notes.txt', content: 'café\n', owner: { contentId: post } });

    const image = await get(`/files/${png}/photo.png`, carol);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['content-disposition']).toBe(`inline; filename="photo.png"; filename*=UTF-8''photo.png`);

    // A PDF named like an image is a PDF, and a download.
    const document = await get(`/files/${pdf}/x.png`, carol);
    expect(document.headers['content-type']).toBe('application/pdf');
    expect(document.headers['content-disposition']).toMatch(/^attachment;/);

    const note = await get(`/files/${text}/notes.txt`, carol);
    expect(note.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(note.headers['content-disposition']).toMatch(/^attachment;/);
    expect(note.body).toBe('café\n');

    for (const response of [image, document, note]) {
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("default-src 'none'");
      expect(response.headers['content-security-policy']).toContain('sandbox');
      expect(response.headers['cache-control']).toBe('private, max-age=300');
    }
  });

  it('never serves stored HTML or SVG as such, whatever the row says', async () => {
    // Rows an older version, a restore or a bug could have written: the download still refuses to render them.
    const company = await companySpaceId(t.app);
    const post = await createPost(t.app, { spaceId: company, authorId: bobId, body: 'Legacy' });
    const html1 = await createAttachment(t.app, { uploaderId: bobId, filename: 'page.txt', content: 'hello', owner: { contentId: post } });
    const svg = await createAttachment(t.app, { uploaderId: bobId, filename: 'drawing.txt', content: 'hello', owner: { contentId: post } });
    await t.app.db.updateTable('attachments').set({ mime_type: 'text/html', original_name: 'page.html' }).where('id', '=', html1).execute();
    await t.app.db.updateTable('attachments').set({ mime_type: 'image/svg+xml', is_image: 1, original_name: 'drawing.svg' }).where('id', '=', svg).execute();
    for (const [id, name] of [[html1, 'page.html'], [svg, 'drawing.svg']] as const) {
      const response = await get(`/files/${id}/${name}`, carol);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/octet-stream');
      expect(response.headers['content-disposition']).toMatch(/^attachment;/);
      expect(response.headers['content-security-policy']).toContain('sandbox');
    }
  });

  it('serves a PNG carrying HTML as a PNG (nosniff, sandboxed), and a preview without the HTML', async () => {
    const company = await companySpaceId(t.app);
    const post = await createPost(t.app, { spaceId: company, authorId: bobId, body: 'Polyglot' });
    const payload = '<html><script>alert(document.domain)</script></html>';
    const polyglot = Buffer.concat([await samplePng(32, 32), Buffer.from(payload)]);
    const id = await createAttachment(t.app, { uploaderId: bobId, filename: '<script>.png', content: polyglot, owner: { contentId: post } });

    const original = await get(`/files/${id}/x.png`, carol);
    expect(original.headers['content-type']).toBe('image/png');
    expect(original.headers['x-content-type-options']).toBe('nosniff');
    expect(original.headers['content-security-policy']).toContain('sandbox');
    const preview = await get(`/files/${id}/preview`, carol);
    expect(preview.headers['content-type']).toBe('image/webp');
    expect(preview.headers['content-disposition']).toMatch(/^inline; filename="<script>.webp"/);
    expect(preview.rawPayload.includes(Buffer.from('<script>'))).toBe(false);
    expect((await sharp(preview.rawPayload).metadata()).format).toBe('webp');
  });

  it('names the download safely: quotes, unicode, right-to-left and header tricks', () => {
    expect(contentDisposition('attachment', 'Compte rendu é 🎉.pdf')).toBe(
      `attachment; filename="Compte rendu _ __.pdf"; filename*=UTF-8''Compte%20rendu%20%C3%A9%20%F0%9F%8E%89.pdf`,
    );
    expect(contentDisposition('attachment', 'a"b\\c;d\'e(1)*%.txt')).toBe(
      `attachment; filename="a_b_c;d'e(1)*_.txt"; filename*=UTF-8''a%22b%5Cc%3Bd%27e%281%29%2A%25.txt`,
    );
    expect(contentDisposition('inline', 'תקציב.png')).toBe(`inline; filename="_____.png"; filename*=UTF-8''%D7%AA%D7%A7%D7%A6%D7%99%D7%91.png`);
  });

  it('sends a unicode name through the real response, and answers HEAD and If-None-Match', async () => {
    const company = await companySpaceId(t.app);
    const post = await createPost(t.app, { spaceId: company, authorId: bobId, body: 'Names' });
    const id = await createAttachment(t.app, { uploaderId: bobId, filename: 'Réunion "bilan" \r\nX-Evil: 1.pdf', content: samplePdf(), owner: { contentId: post } });
    const response = await get(`/files/${id}/r.pdf`, carol);
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="R_union _bilan_ X-Evil: 1.pdf"; filename*=UTF-8''R%C3%A9union%20%22bilan%22%20X-Evil%3A%201.pdf`,
    );
    expect(response.headers['x-evil']).toBeUndefined();

    const head = await t.app.inject({ method: 'HEAD', url: `/files/${id}/r.pdf`, headers: { cookie: carol } });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('application/pdf');
    expect(head.headers['content-length']).toBe(String(samplePdf().length));
    expect(head.body).toBe('');

    const etag = String(response.headers.etag);
    const cached = await get(`/files/${id}/r.pdf`, carol, { 'if-none-match': etag });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
    // The check comes first: a cached copy is no way around it.
    expect((await get(`/files/${id}/r.pdf`, undefined, { 'if-none-match': etag })).statusCode).toBe(303);
  });
});

describe('the list of attachments', () => {
  let t: TestApp;
  let bobId: number;
  let bob: string;

  beforeEach(async () => {
    t = await createAttachmentsTestApp();
    await setupOrganisation(t.app);
    bobId = await createUser(t.app, { email: 'bob@example.com', name: 'Bob', locale: 'en' });
    bob = await login(t.app, 'bob@example.com');
  });
  afterEach(async () => t.close());

  it('shows images as thumbnails and files as download links, names escaped, sizes in the reader’s language', async () => {
    const post = await createPost(t.app, { spaceId: await companySpaceId(t.app), authorId: bobId, body: 'Files' });
    const owner = { contentId: post };
    await createAttachment(t.app, { uploaderId: bobId, filename: 'report.pdf', content: Buffer.concat([samplePdf(), Buffer.alloc(1.5 * 1024 * 1024)]), owner });
    await createAttachment(t.app, { uploaderId: bobId, filename: '"><img src=x onerror=alert(1)>.txt', content: 'x'.repeat(2048), owner });
    await createAttachment(t.app, { uploaderId: bobId, filename: 'תקציב.pdf', content: samplePdf(), owner });
    await createAttachment(t.app, { uploaderId: bobId, filename: 'wide <b>photo.jpg', content: await sampleJpeg(2400, 1200), owner });
    await createAttachment(t.app, { uploaderId: bobId, filename: 'preview', content: 'named preview', owner });
    await createAttachment(t.app, { uploaderId: bobId, filename: 'cover.png', content: await samplePng(), owner, purpose: 'cover' });

    const response = await t.app.inject({ method: 'GET', url: `/test/attachments-list/${post}`, headers: { cookie: bob } });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<img src=x');
    expect(response.body).not.toContain('<b>photo');
    const list = html(response).querySelector('ul.attachments')!;
    expect(list.getAttribute('aria-label')).toBe('Attached files');
    const items = list.querySelectorAll('li');
    // The image first, the cover not listed.
    expect(items).toHaveLength(5);
    const img = items[0]!.querySelector('img')!;
    expect(img.getAttribute('alt')).toBe('wide <b>photo.jpg');
    expect([img.getAttribute('width'), img.getAttribute('height')]).toEqual(['1200', '600']);
    expect(img.getAttribute('src')).toMatch(/^\/files\/\d+\/preview$/);
    const texts = items.slice(1).map((li) => li.text.replace(/\s+/g, ' ').trim());
    expect(texts).toEqual([
      'report.pdf (PDF, 1.5 MB)',
      '"><img src=x onerror=alert(1)>.txt (Text, 2 KB)',
      'תקציב.pdf (PDF, 354 bytes)'.replace('354', String(samplePdf().length)),
      'preview (Text, 13 bytes)',
    ]);
    expect(items[3]!.querySelector('bdi')?.text).toBe('תקציב.pdf');

    // Every link leads to its file.
    for (const link of list.querySelectorAll('a')) {
      const href = link.getAttribute('href')!;
      const file = await t.app.inject({ method: 'GET', url: href, headers: { cookie: bob } });
      expect(file.statusCode, href).toBe(200);
      expect(file.headers['content-type'], href).not.toBe('image/webp');
    }

    await t.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', bobId).execute();
    const french = await t.app.inject({ method: 'GET', url: `/test/attachments-list/${post}`, headers: { cookie: bob } });
    const frenchTexts = html(french).querySelectorAll('ul.attachments li').map((li) => li.text.replace(/[ \t\n]+/g, ' ').trim());
    expect(frenchTexts[1]).toBe('report.pdf (PDF, 1,5\u00a0Mo)');
    expect(frenchTexts[2]).toContain('(Texte, 2\u00a0ko)');
  });

  it('loads the refs of many items and comments in one query, an item’s own apart from its comments’', async () => {
    const company = await companySpaceId(t.app);
    const first = await createPost(t.app, { spaceId: company, authorId: bobId, body: 'One' });
    const second = await createPost(t.app, { spaceId: company, authorId: bobId, body: 'Two' });
    const comment = await createComment(t.app, { contentId: first, authorId: bobId, body: 'Reply' });
    const a = await createAttachment(t.app, { uploaderId: bobId, filename: 'a.pdf', content: samplePdf(), owner: { contentId: first } });
    const b = await createAttachment(t.app, { uploaderId: bobId, filename: 'b.png', content: await samplePng(10, 20), owner: { contentId: second } });
    const c = await createAttachment(t.app, { uploaderId: bobId, filename: 'c.pdf', content: samplePdf(), owner: { commentId: comment, contentId: first } });
    await createAttachment(t.app, { uploaderId: bobId, filename: 'pending.pdf', content: samplePdf() });

    const refs = await loadAttachmentRefs(t.app.db, { contentIds: [first, second, 9999], commentIds: [comment] });
    expect(refs.byContent.get(first)?.map((r) => r.id)).toEqual([a]);
    expect(refs.byContent.get(second)).toEqual([
      { id: b, originalName: 'b.png', mimeType: 'image/png', sizeBytes: expect.any(Number), isImage: true, width: 10, height: 20, hasPreview: true, purpose: 'file' },
    ]);
    expect(refs.byComment.get(comment)?.map((r) => r.id)).toEqual([c]);
    expect(refs.byContent.has(9999)).toBe(false);
    expect(await loadAttachmentRefs(t.app.db, {})).toEqual({ byContent: new Map(), byComment: new Map() });
  });
});
