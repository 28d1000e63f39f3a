// GET /content/:id: the permalink page of any content item. Whoever may not see an item gets the same
// 404 as for an id that does not exist.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html, mainText } from '../helpers/app.js';
import { createArticle, createComment, createPost } from '../helpers/content.js';
import { createFeedWorld, type FeedWorld } from '../helpers/feed.js';

describe('permalink page', () => {
  let w: FeedWorld;
  beforeEach(async () => {
    w = await createFeedWorld();
  });
  afterEach(async () => w.t.close());

  const status = async (id: number | string, who: keyof FeedWorld['cookies']) => (await w.get(`/content/${id}`, w.cookies[who])).statusCode;

  it('shows a published item to whoever may see its space, with its title, meta, body and comments', async () => {
    const id = await createArticle(w.app, { spaceId: w.company, authorId: w.ids.editor, title: 'Quarterly results', body: 'We did **well**. #Finance' });
    await createComment(w.app, { contentId: id, authorId: w.ids.bruno, body: 'Great news' });
    const response = await w.get(`/content/${id}`, w.cookies.carol);
    expect(response.statusCode).toBe(200);
    const page = html(response);
    expect(page.querySelector('title')?.text).toBe('Quarterly results · Acme');
    expect(page.querySelector('main h1')?.text).toBe('Quarterly results');
    expect(page.querySelector('.content-meta a[href="/people/' + w.ids.editor + '"]')?.text).toBe('Eve Editor');
    expect(page.querySelector(`.content-meta a[href="/spaces/${w.company}"]`)?.text).toBe('Acme');
    expect(page.querySelector('.content-meta time')?.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(page.querySelector('.content-topics a[href="/topics/finance"]')?.text).toBe('#Finance');
    expect(mainText(response)).toContain('Great news');
    const anonymous = await w.get(`/content/${id}`, null);
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent(`/content/${id}`)}`);
  });

  it('answers 404 to a non-member for a private space’s item, and for ids that are not ids', async () => {
    const id = await createPost(w.app, { spaceId: w.secret, authorId: w.ids.bruno, body: 'Board secret' });
    expect(await status(id, 'bruno')).toBe(200);
    expect(await status(id, 'dora')).toBe(200);
    expect(await status(id, 'admin')).toBe(200);
    const outsider = await w.get(`/content/${id}`, w.cookies.carol);
    expect(outsider.statusCode).toBe(404);
    expect(outsider.body).not.toContain('Board secret');
    expect(outsider.body).not.toContain('Board room');
    expect(await status(id, 'editor')).toBe(404);
    // The same answer as for what does not exist.
    const missing = await w.get('/content/999999', w.cookies.carol);
    expect(missing.statusCode).toBe(404);
    expect(mainText(missing)).toBe(mainText(outsider));
    for (const bad of ['abc', '-1', '1e3', '12345678901234567890', '0x10']) expect(await status(bad, 'carol'), bad).toBe(404);
  });

  it('shows a draft or a scheduled item to its author only, marked as such', async () => {
    const draft = await createPost(w.app, { spaceId: w.company, authorId: w.ids.bruno, body: 'Work in progress', publishedAt: null });
    const scheduled = await createArticle(w.app, { spaceId: w.company, authorId: w.ids.editor, title: 'Coming soon', body: 'x', publishedAt: Date.now() + 86_400_000 });
    const own = await w.get(`/content/${draft}`, w.cookies.bruno);
    expect(own.statusCode).toBe(200);
    expect(html(own).querySelector('.content-badge--draft')?.text).toBe('Draft');
    expect(await status(draft, 'admin')).toBe(404);
    expect(await status(draft, 'carol')).toBe(404);
    const soon = await w.get(`/content/${scheduled}`, w.cookies.editor);
    expect(soon.statusCode).toBe(200);
    expect(html(soon).querySelector('.content-badge--scheduled')?.text).toMatch(/^Scheduled for /);
    expect(await status(scheduled, 'bruno')).toBe(404);
  });

  it('shows a hidden item to its author and moderators with the reason, to nobody else; a deleted one to nobody', async () => {
    const hidden = await createPost(w.app, { spaceId: w.secret, authorId: w.ids.dora, body: 'Hidden words' });
    await w.app.db.updateTable('content').set({ hidden_at: Date.now(), hidden_by: w.ids.bruno, hidden_reason: 'Off <b>topic</b>' }).where('id', '=', hidden).execute();
    for (const who of ['dora', 'bruno', 'admin'] as const) {
      const response = await w.get(`/content/${hidden}`, w.cookies[who]);
      expect(response.statusCode, who).toBe(200);
      expect(html(response).querySelector('.content-badge--hidden')?.text, who).toBe('Hidden');
      expect(mainText(response), who).toContain('Off <b>topic</b>');
      expect(response.body, who).not.toContain('Off <b>topic</b>');
    }
    expect(await status(hidden, 'carol')).toBe(404);

    const another = await createPost(w.app, { spaceId: w.company, authorId: w.ids.dora, body: 'Hidden in company' });
    await w.app.db.updateTable('content').set({ hidden_at: Date.now(), hidden_by: w.ids.admin, hidden_reason: 'Spam' }).where('id', '=', another).execute();
    // Bruno moderates the private space, not the company space.
    expect(await status(another, 'bruno')).toBe(404);
    expect(await status(another, 'dora')).toBe(200);

    const deleted = await createPost(w.app, { spaceId: w.company, authorId: w.ids.dora, body: 'Gone' });
    await w.app.db.updateTable('content').set({ deleted_at: Date.now(), deleted_by: w.ids.dora }).where('id', '=', deleted).execute();
    for (const who of ['dora', 'admin', 'carol'] as const) expect(await status(deleted, who), who).toBe(404);
  });

  it('answers 404 for an item of a kind that is no longer installed', async () => {
    const row = await w.app.db
      .insertInto('content')
      .values({ kind: 'retired', space_id: w.company, author_id: w.ids.bruno, created_at: Date.now(), updated_at: Date.now(), published_at: Date.now() - 1000, edited_at: null, pinned_until: null, deleted_at: null, deleted_by: null, hidden_at: null, hidden_by: null, hidden_reason: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await status(row.id, 'bruno')).toBe(404);
    expect(await status(row.id, 'admin')).toBe(404);
    // Nor can anything be done to it: comments, reactions, reports answer the same.
    const origin = 'http://localhost:3000';
    for (const [url, payload] of [
      [`/content/${row.id}/comments`, { body: 'Hello' }],
      [`/content/${row.id}/reactions`, { reaction: 'like' }],
      [`/content/${row.id}/report`, { reason: 'Spam' }],
    ] as const) {
      const response = await w.app.inject({ method: 'POST', url, payload, headers: { cookie: w.cookies.bruno, origin } });
      expect(response.statusCode, url).toBe(404);
    }
    expect(await w.app.db.selectFrom('comments').select('id').where('content_id', '=', row.id).execute()).toEqual([]);
  });

  it('escapes the title in the page and its <title>, and shows the edited marker', async () => {
    const id = await createArticle(w.app, { spaceId: w.company, authorId: w.ids.editor, title: '<script>alert("x")</script> & co', body: 'x' });
    await w.app.db.updateTable('content').set({ edited_at: Date.now() }).where('id', '=', id).execute();
    const response = await w.get(`/content/${id}`, w.cookies.bruno);
    expect(response.body).not.toContain('<script>alert("x")</script>');
    const page = html(response);
    expect(page.querySelector('main h1')?.text).toBe('<script>alert("x")</script> & co');
    expect(page.querySelector('title')?.text).toBe('<script>alert("x")</script> & co · Acme');
    expect(page.querySelector('.content-badge--edited')?.text).toBe('Edited');
  });
});
