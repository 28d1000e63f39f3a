// The home feed (GET /): who sees what, in which order, a page at a time; must-reads and pinned items
// on top; "new since your last visit"; filters; htmx fragments; escaping.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html, mainText } from '../helpers/app.js';
import { createArticle, createPost, createSpace } from '../helpers/content.js';
import { PARTIAL, cardIds, createFeedWorld, moreHref, setPublishedAt, type FeedWorld } from '../helpers/feed.js';
import { encodeTimeCursor } from '../../src/http/cursor.js';

const HOUR = 60 * 60 * 1000;

describe('home feed', () => {
  let w: FeedWorld;
  beforeEach(async () => {
    w = await createFeedWorld();
  });
  afterEach(async () => w.t.close());

  const streamIds = (response: Parameters<typeof cardIds>[0]) => cardIds(response, '.feed-stream article.content-card');

  it('sends visitors to sign in, and signs out a deactivated member', async () => {
    const anonymous = await w.get('/', null);
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2F');

    const deactivation = await w.app.inject({ method: 'POST', url: `/admin/members/${w.ids.dora}/deactivate`, headers: { cookie: w.cookies.admin } });
    expect(deactivation.statusCode).toBe(303);
    const deactivated = await w.get('/', w.cookies.dora);
    expect(deactivated.statusCode).toBe(303);
    expect(deactivated.headers.location).toMatch(/^\/login/);
  });

  it('shows the company space and the viewer’s spaces, newest first; never a private space to a non-member', async () => {
    const company = await createPost(w.app, { spaceId: w.company, authorId: w.ids.admin, body: 'Company news' });
    const open = await createPost(w.app, { spaceId: w.open, authorId: w.ids.bruno, body: 'Workshop talk' });
    const secret = await createPost(w.app, { spaceId: w.secret, authorId: w.ids.bruno, body: 'Board secret' });
    await setPublishedAt(w.app, company, Date.now() - 3000);
    await setPublishedAt(w.app, open, Date.now() - 2000);
    await setPublishedAt(w.app, secret, Date.now() - 1000);

    expect(streamIds(await w.get('/', w.cookies.bruno))).toEqual([secret, open, company]);
    expect(streamIds(await w.get('/', w.cookies.dora))).toEqual([secret, company]);
    // Carol is in no space: the company space only; the open space is one filter away, the private one never.
    const carol = await w.get('/', w.cookies.carol);
    expect(streamIds(carol)).toEqual([company]);
    expect(carol.body).not.toContain('Board secret');
    expect(carol.body).not.toContain('Board room');
    expect(streamIds(await w.get(`/?space=${w.open}`, w.cookies.carol))).toEqual([open]);
    expect(streamIds(await w.get(`/?space=${w.secret}`, w.cookies.carol))).toEqual([]);
    expect((await w.get(`/?space=${w.secret}`, w.cookies.carol)).body).not.toContain('Board secret');
    // Admins see every space, but their home feed is their own spaces, like everyone's.
    expect(streamIds(await w.get('/', w.cookies.admin))).toEqual([company]);
    expect(streamIds(await w.get(`/?space=${w.secret}`, w.cookies.admin))).toEqual([secret]);
  });

  it('never lists drafts, scheduled, hidden or deleted items, not even to their author', async () => {
    const live = await createPost(w.app, { spaceId: w.company, authorId: w.ids.bruno, body: 'Live post' });
    const draft = await createPost(w.app, { spaceId: w.company, authorId: w.ids.bruno, body: 'Draft post', publishedAt: null });
    const scheduled = await createPost(w.app, { spaceId: w.company, authorId: w.ids.bruno, body: 'Scheduled post', publishedAt: Date.now() + HOUR });
    const hidden = await createPost(w.app, { spaceId: w.company, authorId: w.ids.bruno, body: 'Hidden post' });
    const deleted = await createPost(w.app, { spaceId: w.company, authorId: w.ids.bruno, body: 'Deleted post' });
    await w.app.db.updateTable('content').set({ hidden_at: Date.now(), hidden_by: w.ids.admin, hidden_reason: 'Off topic' }).where('id', '=', hidden).execute();
    await w.app.db.updateTable('content').set({ deleted_at: Date.now(), deleted_by: w.ids.bruno }).where('id', '=', deleted).execute();
    for (const who of ['bruno', 'admin', 'carol'] as const) {
      const ids = streamIds(await w.get('/', w.cookies[who]));
      expect(ids, who).toEqual([live]);
      for (const id of [draft, scheduled, hidden, deleted]) expect(ids, who).not.toContain(id);
    }
  });

  it('pages by keyset through items published at the same moment, with no gap and no repeat', async () => {
    const at = Date.now() - HOUR;
    const created: number[] = [];
    for (let i = 0; i < 45; i++) {
      const id = await createPost(w.app, { spaceId: i % 2 === 0 ? w.company : w.open, authorId: w.ids.admin, body: `Same time ${i}` });
      await setPublishedAt(w.app, id, at);
      created.push(id);
    }
    const seen: number[] = [];
    let url: string | null = '/';
    let pages = 0;
    while (url) {
      const response = await w.get(url, w.cookies.bruno);
      expect(response.statusCode).toBe(200);
      seen.push(...streamIds(response));
      url = moreHref(response);
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].sort((a, b) => b - a));

    // htmx asks for the next cards alone: the fragment holds cards and the next "more" element only.
    const first = await w.get('/', w.cookies.bruno);
    const next = moreHref(first)!;
    expect(html(first).querySelector('.content-list__more')?.getAttribute('hx-get')).toBe(next);
    const fragment = await w.get(next, w.cookies.bruno, PARTIAL);
    expect(fragment.statusCode).toBe(200);
    expect(fragment.body).not.toMatch(/<!doctype|<html|<main|<h1|<form class="feed-filters"/i);
    expect(cardIds(fragment)).toEqual(seen.slice(20, 40));
    expect(html(fragment).querySelector('.content-list')).toBeNull();
    expect(moreHref(fragment)).toMatch(/^\/\?after=/);
  });

  it('treats a malformed or forged cursor as the first page, and never shows through it what the viewer may not see', async () => {
    const company = await createPost(w.app, { spaceId: w.company, authorId: w.ids.admin, body: 'Company' });
    const secret = await createPost(w.app, { spaceId: w.secret, authorId: w.ids.bruno, body: 'Board secret' });
    for (const after of ['garbage', '%00', 'MTIz', encodeURIComponent('<script>'), 'x'.repeat(500), '', 'LTEuLTE']) {
      const response = await w.get(`/?after=${after}`, w.cookies.carol);
      expect(response.statusCode, after).toBe(200);
      expect(streamIds(response), after).toEqual([company]);
    }
    // A well-formed cursor placed right after the private item lists what comes after it, for Carol only the company's.
    const row = await w.app.db.selectFrom('content').select(['published_at']).where('id', '=', secret).executeTakeFirstOrThrow();
    const forged = encodeTimeCursor({ at: row.published_at! + 1, id: secret + 1 });
    const page = await w.get(`/?after=${forged}&space=${w.secret}`, w.cookies.carol, PARTIAL);
    expect(cardIds(page)).toEqual([]);
    expect(page.body).not.toContain('Board secret');
    expect(cardIds(await w.get(`/?after=${forged}`, w.cookies.carol, PARTIAL))).toEqual([company]);
  });

  it('keeps unconfirmed must-reads on top until confirmed, with a link to the rest', async () => {
    const older = await createPost(w.app, { spaceId: w.company, authorId: w.ids.admin, body: 'Older post' });
    const mustRead = await createArticle(w.app, { spaceId: w.company, authorId: w.ids.editor, title: 'Safety rules', body: 'Read this', mustRead: true });
    const newer = await createPost(w.app, { spaceId: w.company, authorId: w.ids.admin, body: 'Newer post' });
    await setPublishedAt(w.app, older, Date.now() - 3 * HOUR);
    await setPublishedAt(w.app, mustRead, Date.now() - 2 * HOUR);
    await setPublishedAt(w.app, newer, Date.now() - HOUR);

    const before = await w.get('/', w.cookies.bruno);
    expect(cardIds(before, '.feed-top--must-read article')).toEqual([mustRead]);
    expect(streamIds(before)).toEqual([newer, older]);
    expect(html(before).querySelector(`#content-${mustRead} .content-badge--must-read`)?.text).toBe('Must read');

    await w.app.db.insertInto('read_confirmations').values({ content_id: mustRead, user_id: w.ids.bruno, confirmed_at: Date.now() }).execute();
    const after = await w.get('/', w.cookies.bruno);
    expect(html(after).querySelector('.feed-top--must-read')).toBeNull();
    expect(streamIds(after)).toEqual([newer, mustRead, older]);
    expect(html(after).querySelector(`#content-${mustRead} .content-badge--must-read`)?.text).toBe('Read and confirmed');
    // Others still have it on top.
    expect(cardIds(await w.get('/', w.cookies.dora), '.feed-top--must-read article')).toEqual([mustRead]);
    // Its author has nothing to confirm: it takes its place in their stream.
    const authorFeed = await w.get('/', w.cookies.editor);
    expect(html(authorFeed).querySelector('.feed-top--must-read')).toBeNull();
    expect(streamIds(authorFeed)).toContain(mustRead);
    expect((await w.app.inject({ method: 'POST', url: `/content/${mustRead}/confirm-read`, headers: { cookie: w.cookies.editor, origin: 'http://localhost:3000' } })).statusCode).toBe(403);

    // Beyond ten, the newest ten are on top and the rest one link away.
    const more: number[] = [];
    for (let i = 0; i < 12; i++) more.push(await createArticle(w.app, { spaceId: w.company, authorId: w.ids.editor, title: `Rule ${i}`, body: 'x', mustRead: true }));
    const crowded = await w.get('/', w.cookies.carol);
    expect(cardIds(crowded, '.feed-top--must-read article')).toHaveLength(10);
    const link = html(crowded).querySelector('.feed-top--must-read a[href="/?filter=must-read"]');
    expect(link?.text).toBe('3 more must-reads to confirm');
    const all = await w.get('/?filter=must-read', w.cookies.carol);
    expect(streamIds(all)).toEqual([...more.reverse(), mustRead]);
    expect(html(all).querySelector('.feed-top--must-read')).toBeNull();
  });

  it('shows pinned items on top until their date, then in their place', async () => {
    const pinned = await createArticle(w.app, { spaceId: w.company, authorId: w.ids.editor, title: 'Pinned news', body: 'x', pinnedUntil: Date.now() + HOUR });
    const newer = await createPost(w.app, { spaceId: w.company, authorId: w.ids.admin, body: 'Newer' });
    await setPublishedAt(w.app, pinned, Date.now() - 2 * HOUR);
    const page = await w.get('/', w.cookies.carol);
    expect(cardIds(page, '.feed-top--pinned article')).toEqual([pinned]);
    expect(streamIds(page)).toEqual([newer]);
    expect(html(page).querySelector(`#content-${pinned} .content-badge--pinned`)?.text).toBe('Pinned');

    // Pinned or must-read in a private space: on top for its members only.
    const board = await createArticle(w.app, { spaceId: w.secret, authorId: w.ids.bruno, title: 'Board pinned', body: 'x', pinnedUntil: Date.now() + HOUR, mustRead: true });
    expect(html(await w.get('/', w.cookies.carol)).querySelector(`#content-${board}`)).toBeNull();
    expect(cardIds(await w.get('/', w.cookies.dora), '.feed-top--must-read article')).toEqual([board]);
    expect(cardIds(await w.get('/', w.cookies.dora), '.feed-top--pinned article')).toEqual([pinned]);
    expect((await w.get('/?filter=must-read', w.cookies.carol)).body).not.toContain('Board pinned');

    await w.app.db.updateTable('content').set({ pinned_until: Date.now() - 1000 }).where('id', '=', pinned).execute();
    const later = await w.get('/', w.cookies.carol);
    expect(html(later).querySelector('.feed-top--pinned')).toBeNull();
    expect(streamIds(later)).toEqual([newer, pinned]);
    expect(html(later).querySelector(`#content-${pinned} .content-badge--pinned`)).toBeNull();
  });

  it('marks what was published since the previous visit, for the whole visit, never one’s own items', async () => {
    const old = await createPost(w.app, { spaceId: w.company, authorId: w.ids.admin, body: 'Old' });
    await setPublishedAt(w.app, old, Date.now() - 5 * HOUR);
    // First visit ever: nothing is marked.
    const first = await w.get('/', w.cookies.bruno);
    expect(html(first).querySelectorAll('.content-badge--new')).toHaveLength(0);
    // That visit started three hours ago; since then, someone posted, and so did Bruno.
    await w.app.db.updateTable('feed_visits').set({ current_visit_at: Date.now() - 3 * HOUR }).where('user_id', '=', w.ids.bruno).execute();
    const fresh = await createPost(w.app, { spaceId: w.company, authorId: w.ids.admin, body: 'Fresh' });
    const own = await createPost(w.app, { spaceId: w.company, authorId: w.ids.bruno, body: 'Mine' });
    await setPublishedAt(w.app, fresh, Date.now() - HOUR);
    await setPublishedAt(w.app, own, Date.now() - HOUR + 1);

    const second = await w.get('/', w.cookies.bruno);
    const badge = (id: number) => html(second).querySelector(`#content-${id} .content-badge--new`)?.text ?? null;
    expect(badge(fresh)).toBe('New');
    expect(badge(old)).toBeNull();
    expect(badge(own)).toBeNull();
    const visit = await w.app.db.selectFrom('feed_visits').selectAll().where('user_id', '=', w.ids.bruno).executeTakeFirstOrThrow();
    expect(visit.previous_visit_at).toBeLessThan(Date.now() - 3 * HOUR + 1000);
    expect(visit.current_visit_at).toBeGreaterThan(Date.now() - 60_000);

    // Within the same visit, the marks stay; fragments neither record a visit nor lose the marks.
    const third = await w.get('/', w.cookies.bruno);
    expect(html(third).querySelector(`#content-${fresh} .content-badge--new`)?.text).toBe('New');
    const fragment = await w.get('/?kind=post', w.cookies.bruno, PARTIAL);
    expect(html(fragment).querySelector(`#content-${fresh} .content-badge--new`)?.text).toBe('New');
    const after = await w.app.db.selectFrom('feed_visits').selectAll().where('user_id', '=', w.ids.bruno).executeTakeFirstOrThrow();
    expect(after).toEqual(visit);
  });

  it('filters by space, kind and topic, as a form that works without JavaScript and as an htmx fragment', async () => {
    const post = await createPost(w.app, { spaceId: w.company, authorId: w.ids.admin, body: 'About #Sécurité today' });
    const article = await createArticle(w.app, { spaceId: w.company, authorId: w.ids.editor, title: 'An article', body: 'Nothing special' });
    const workshop = await createPost(w.app, { spaceId: w.open, authorId: w.ids.bruno, body: 'Workshop #securite too' });

    const page = await w.get('/', w.cookies.bruno);
    const form = html(page).querySelector('form.feed-filters')!;
    expect(form.getAttribute('method')).toBe('get');
    expect(form.getAttribute('action')).toBe('/');
    expect(form.getAttribute('hx-get')).toBe('/');
    expect(form.getAttribute('hx-push-url')).toBe('true');
    expect(form.querySelectorAll('select[name="space"] option').map((o) => o.text.trim())).toEqual(['All my spaces', 'Acme', 'Board room', 'Workshop']);
    expect(form.querySelectorAll('select[name="kind"] option').map((o) => o.getAttribute('value'))).toEqual(expect.arrayContaining(['', 'news', 'post']));
    expect(form.querySelector('label[for="feed-filter-topic"]')).not.toBeNull();
    // Carol's choice of spaces: the company space only (a private space is never offered to outsiders).
    const carolSpaces = html(await w.get('/', w.cookies.carol)).querySelectorAll('select[name="space"] option').map((o) => o.text.trim());
    expect(carolSpaces).toEqual(['All my spaces', 'Acme']);

    expect(streamIds(await w.get(`/?space=${w.open}`, w.cookies.bruno))).toEqual([workshop]);
    expect(streamIds(await w.get('/?kind=news', w.cookies.bruno))).toEqual([article]);
    expect(streamIds(await w.get('/?kind=post', w.cookies.bruno))).toEqual([workshop, post]);
    expect(streamIds(await w.get(`/?topic=${encodeURIComponent('#Sécurité')}`, w.cookies.bruno))).toEqual([workshop, post]);
    expect(streamIds(await w.get(`/?topic=securite&space=${w.company}`, w.cookies.bruno))).toEqual([post]);
    expect(streamIds(await w.get('/?topic=nothing-here', w.cookies.bruno))).toEqual([]);
    expect(mainText(await w.get('/?topic=nothing-here', w.cookies.bruno))).toContain('Nothing matches these filters.');
    // What is not a filter value is ignored.
    for (const query of ['space=abc', 'kind=retired', 'kind=', 'space=1e3', 'space[]=1', 'space=1&space=2']) {
      expect(streamIds(await w.get(`/?${query}`, w.cookies.bruno)), query).toEqual([workshop, article, post]);
    }
    // The selected filters show in the form.
    const filtered = html(await w.get(`/?space=${w.open}&kind=post&topic=securite`, w.cookies.bruno));
    expect(filtered.querySelector(`select[name="space"] option[value="${w.open}"]`)?.hasAttribute('selected')).toBe(true);
    expect(filtered.querySelector('select[name="kind"] option[value="post"]')?.hasAttribute('selected')).toBe(true);
    expect(filtered.querySelector('input[name="topic"]')?.getAttribute('value')).toBe('securite');
    expect(filtered.querySelector('.feed-stream a[href="/"]')).not.toBeNull();

    // htmx: the feed alone, to put in #feed-body; its "more" link keeps the filters.
    for (let i = 0; i < 25; i++) await createPost(w.app, { spaceId: w.open, authorId: w.ids.bruno, body: `More ${i}` });
    const fragment = await w.get(`/?space=${w.open}&kind=post`, w.cookies.bruno, PARTIAL);
    expect(fragment.statusCode).toBe(200);
    expect(fragment.body).not.toMatch(/<!doctype|<html|<main|<h1|feed-filters/i);
    expect(html(fragment).querySelector('.feed-stream')).not.toBeNull();
    // Screen readers hear what changed: a partial tag fills the page's live region.
    const announce = html(fragment).querySelector('hx-partial');
    expect(announce?.getAttribute('hx-target')).toBe('#feed-status');
    expect(announce?.text.trim()).toBe('The feed shows 20 items.');
    const full = html(await w.get(`/?space=${w.open}&kind=post`, w.cookies.bruno));
    expect(full.querySelector('#feed-status')?.getAttribute('role')).toBe('status');
    expect(full.querySelector('hx-partial')).toBeNull();
    expect(cardIds(fragment)).toHaveLength(20);
    expect(moreHref(fragment)).toMatch(new RegExp(`^/\\?space=${w.open}&kind=post&after=`));
  });

  it('offers the post composer in the spaces one may post in, and a new article link to editors', async () => {
    const bruno = html(await w.get('/', w.cookies.bruno));
    expect(bruno.querySelector('a[href="/news/new"]')).toBeNull();
    const editor = html(await w.get('/', w.cookies.editor));
    expect(editor.querySelector('a[href="/news/new"]')?.text).toBe('New article');
    expect(html(await w.get('/', w.cookies.admin)).querySelector('a[href="/news/new"]')).not.toBeNull();
    // When members may not post in the company space and Carol has no space, she has no composer.
    await w.app.db.updateTable('organisation').set({ member_posts_in_company: 0 }).execute();
    w.app.organisation.forget();
    const carol = await w.get('/', w.cookies.carol);
    expect(carol.statusCode).toBe(200);
    expect(html(carol).querySelector('form[action="/posts"]')).toBeNull();
    expect(html(await w.get('/', w.cookies.bruno)).querySelector('form[action="/posts"]')).not.toBeNull();
  });

  it('greets the viewer and keeps the members summary for admins only', async () => {
    const admin = await w.get('/', w.cookies.admin);
    expect(html(admin).querySelector('main h1')?.text).toBe('Hello, Alice Martin');
    expect(mainText(admin)).toContain('5 active members.');
    expect(mainText(await w.get('/', w.cookies.bruno))).not.toContain('active member');
    expect(mainText(await w.get('/', w.cookies.carol))).toContain('Nothing here yet.');
  });

  it('links authors to their profile, but not a deactivated one', async () => {
    const byDora = await createPost(w.app, { spaceId: w.company, authorId: w.ids.dora, body: 'From Dora' });
    const byCarol = await createPost(w.app, { spaceId: w.company, authorId: w.ids.carol, body: 'From Carol' });
    await w.app.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', w.ids.dora).execute();
    const page = html(await w.get('/', w.cookies.bruno));
    expect(page.querySelector(`#content-${byCarol} a.content-meta__author`)?.getAttribute('href')).toBe(`/people/${w.ids.carol}`);
    expect(page.querySelector(`#content-${byDora} a.content-meta__author`)).toBeNull();
    expect(page.querySelector(`#content-${byDora} .content-meta__author`)?.text).toBe('Dora Member');
  });

  it('escapes what people typed: titles, space names, author names', async () => {
    const payload = '<script>alert(1)</script>';
    await w.app.db.updateTable('users').set({ name: `Mallory ${payload}` }).where('id', '=', w.ids.editor).execute();
    const space = await createSpace(w.app, { name: `Space ${payload}`, visibility: 'open', members: [[w.ids.editor, 'member'], [w.ids.bruno, 'member']] });
    const id = await createArticle(w.app, { spaceId: space, authorId: w.ids.editor, title: `Title ${payload}"'`, body: `Body ${payload} <img src=x onerror=alert(1)>` });
    await createPost(w.app, { spaceId: space, authorId: w.ids.editor, body: `Post ${payload}` });
    for (const url of ['/', `/?space=${space}`, `/content/${id}`]) {
      const response = await w.get(url, w.cookies.bruno);
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).not.toContain('<script>alert(1)</script>');
      expect(response.body, url).not.toMatch(/<img[^>]*onerror/i);
      expect(response.body, url).toContain('&lt;script&gt;');
    }
    const card = html(await w.get('/', w.cookies.bruno)).querySelector(`#content-${id}`)!;
    expect(card.querySelector('.content-card__title')?.text).toBe(`Title ${payload}"'`);
    expect(card.querySelector('.content-meta__author')?.text).toBe(`Mallory ${payload}`);
    expect(card.querySelector('.content-meta__space')?.text).toBe(`Space ${payload}`);
  });
});
