// GET /topics/:slug: the items under a #topic that the viewer may see, with one address per topic.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html, mainText } from '../helpers/app.js';
import { createArticle, createPost } from '../helpers/content.js';
import { PARTIAL, cardIds, createFeedWorld, moreHref, type FeedWorld } from '../helpers/feed.js';

describe('topic pages', () => {
  let w: FeedWorld;
  beforeEach(async () => {
    w = await createFeedWorld();
  });
  afterEach(async () => w.t.close());

  it('folds the address: /topics/Sécurité is /topics/securite', async () => {
    await createPost(w.app, { spaceId: w.company, authorId: w.ids.bruno, body: 'About #Sécurité' });
    const redirect = await w.get(`/topics/${encodeURIComponent('Sécurité')}`, w.cookies.bruno);
    expect(redirect.statusCode).toBe(301);
    expect(redirect.headers.location).toBe('/topics/securite');
    expect((await w.get('/topics/SECURITE', w.cookies.bruno)).headers.location).toBe('/topics/securite');
    const page = await w.get('/topics/securite', w.cookies.bruno);
    expect(page.statusCode).toBe(200);
    expect(html(page).querySelector('main h1')?.text).toBe('#Sécurité');
    expect(html(page).querySelector('title')?.text).toBe('#Sécurité · Acme');
  });

  it('answers 404 for an unknown topic or what cannot be one, and sends visitors to sign in', async () => {
    await createPost(w.app, { spaceId: w.company, authorId: w.ids.bruno, body: 'About #known' });
    expect((await w.get('/topics/unknown', w.cookies.bruno)).statusCode).toBe(404);
    for (const bad of ['-dash', '1abc', 'a'.repeat(51), 'with%20space', '%3Cscript%3E']) {
      expect((await w.get(`/topics/${bad}`, w.cookies.bruno)).statusCode, bad).toBe(404);
    }
    const anonymous = await w.get('/topics/known', null);
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login\?next=/);
  });

  it('lists and counts only what the viewer may see', async () => {
    const company = await createPost(w.app, { spaceId: w.company, authorId: w.ids.bruno, body: 'Company #budget' });
    const open = await createArticle(w.app, { spaceId: w.open, authorId: w.ids.editor, title: 'Workshop budget', body: 'The #Budget' });
    const secret = await createPost(w.app, { spaceId: w.secret, authorId: w.ids.bruno, body: 'Board #budget secret' });
    const draft = await createPost(w.app, { spaceId: w.company, authorId: w.ids.bruno, body: 'Draft #budget', publishedAt: null });
    const deleted = await createPost(w.app, { spaceId: w.company, authorId: w.ids.bruno, body: 'Deleted #budget' });
    await w.app.db.updateTable('content').set({ deleted_at: Date.now(), deleted_by: w.ids.bruno }).where('id', '=', deleted).execute();
    await w.app.db.updateTable('content').set({ published_at: Date.now() - 3000 }).where('id', '=', company).execute();
    await w.app.db.updateTable('content').set({ published_at: Date.now() - 2000 }).where('id', '=', open).execute();
    await w.app.db.updateTable('content').set({ published_at: Date.now() - 1000 }).where('id', '=', secret).execute();

    const bruno = await w.get('/topics/budget', w.cookies.bruno);
    expect(cardIds(bruno)).toEqual([secret, open, company]);
    expect(mainText(bruno)).toContain('3 items');
    const carol = await w.get('/topics/budget', w.cookies.carol);
    // Carol sees the open space's item too: a topic page lists every space the viewer may see.
    expect(cardIds(carol)).toEqual([open, company]);
    expect(mainText(carol)).toContain('2 items');
    expect(carol.body).not.toContain('Board');
    for (const id of [draft, deleted]) expect(cardIds(bruno)).not.toContain(id);
  });

  it('pages through a long topic, with htmx fragments for the next cards', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 23; i++) ids.push(await createPost(w.app, { spaceId: w.company, authorId: w.ids.admin, body: `Item ${i} #long` }));
    await w.app.db.updateTable('content').set({ published_at: Date.now() - 5000 }).execute();
    const first = await w.get('/topics/long', w.cookies.carol);
    expect(cardIds(first)).toEqual(ids.slice(-20).reverse());
    const next = moreHref(first)!;
    expect(next).toMatch(/^\/topics\/long\?after=/);
    const fragment = await w.get(next, w.cookies.carol, PARTIAL);
    expect(fragment.body).not.toMatch(/<html|<main|<h1/i);
    expect(cardIds(fragment)).toEqual(ids.slice(0, 3).reverse());
    expect(moreHref(fragment)).toBeNull();
    // Without JavaScript the link is a whole page.
    const page = await w.get(next, w.cookies.carol);
    expect(html(page).querySelector('main h1')?.text).toBe('#long');
    expect(cardIds(page)).toEqual(ids.slice(0, 3).reverse());
    // A malformed cursor is the first page.
    expect(cardIds(await w.get('/topics/long?after=%3Cx%3E', w.cookies.carol))).toEqual(ids.slice(-20).reverse());
  });
});
