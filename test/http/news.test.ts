// News articles as editors and readers meet them: who may write where, the form's rules and what it
// keeps when it refuses, drafts and scheduled articles nobody else sees, editing and its marker,
// script payloads that come back inert, and the 'news' kind that feeds and pages draw.
import { parse } from 'node-html-parser';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContentSubject } from '../../src/content/subjects.js';
import { newsKind } from '../../src/features/news/kind.js';
import { translator } from '../../src/i18n/index.js';
import { can } from '../../src/policy/index.js';
import { visibleContent } from '../../src/policy/visible-content.js';
import { createTestApp, html, mainText, setupOrganisation, type TestApp } from '../helpers/app.js';
import { createArticle } from '../helpers/content.js';
import { articleFields, contentIdFrom, get, newsWorld, post, postMultipart, viewerOf, type NewsWorld } from '../helpers/news.js';

let t: TestApp;
let w: NewsWorld;
beforeEach(async () => {
  t = await createTestApp();
  w = await newsWorld(t.app, await setupOrganisation(t.app));
});
afterEach(async () => t.close());

const articleCount = async () => (await t.app.db.selectFrom('news_articles').select('content_id').execute()).length;
const row = (id: number) =>
  t.app.db.selectFrom('content as c').innerJoin('news_articles as n', 'n.content_id', 'c.id').selectAll().where('c.id', '=', id).executeTakeFirstOrThrow();
const spaceOptions = async (cookie: string) =>
  html(await get(t.app, '/news/new', cookie))
    .querySelectorAll('select[name="spaceId"] option')
    .map((o) => Number(o.getAttribute('value')));
/** Ids of content the user may see in lists (the feed's helper), as of `now`. */
async function listedFor(userId: number, now = Date.now()): Promise<number[]> {
  return (await visibleContent(t.app.db, await viewerOf(t.app, userId), now).select('c.id').execute()).map((r) => r.id);
}

describe('who may write news', () => {
  it('sends visitors to sign in, and refuses people who are not editors', async () => {
    for (const [method, url] of [
      ['GET', '/news/new'],
      ['POST', '/news/new'],
      ['GET', '/news/drafts'],
      ['GET', '/news/1/edit'],
      ['POST', '/news/1/edit'],
    ] as const) {
      const response = method === 'GET' ? await get(t.app, url, '') : await post(t.app, url, '', articleFields(w.companyId));
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toMatch(/^\/login(\?|$)/);
    }
    for (const cookie of [w.cookies.member, w.cookies.spaceAdmin, w.cookies.outsider]) {
      expect((await get(t.app, '/news/new', cookie)).statusCode).toBe(403);
      expect((await post(t.app, '/news/new', cookie, articleFields(w.companyId))).statusCode).toBe(403);
      expect((await post(t.app, '/news/new', cookie, articleFields(w.privateId))).statusCode).toBe(403);
    }
    expect(await articleCount()).toBe(0);
  });

  it('lets editors publish where they belong and in the company space, admins anywhere', async () => {
    expect(await spaceOptions(w.cookies.editor)).toEqual([w.companyId, w.privateId]);
    expect(await spaceOptions(w.cookies.outsideEditor)).toEqual([w.companyId]);
    expect((await spaceOptions(w.cookies.admin)).sort()).toEqual([w.companyId, w.privateId, w.openId].sort());

    // A space named in the address: preselected when allowed; 404 when it may not even be seen.
    const preselected = html(await get(t.app, `/news/new?space=${w.privateId}`, w.cookies.editor));
    expect(preselected.querySelector('select[name="spaceId"] option[selected]')?.getAttribute('value')).toBe(String(w.privateId));
    expect((await get(t.app, `/news/new?space=${w.privateId}`, w.cookies.outsideEditor)).statusCode).toBe(404);
    expect((await get(t.app, `/news/new?space=${w.openId}`, w.cookies.outsideEditor)).statusCode).toBe(403);
    expect((await get(t.app, '/news/new?space=987654', w.cookies.editor)).statusCode).toBe(404);
    expect((await get(t.app, '/news/new?space=abc', w.cookies.editor)).statusCode).toBe(404);

    // Posting to a space elsewhere is refused as a form problem, and nothing is written.
    const refused = await post(t.app, '/news/new', w.cookies.outsideEditor, articleFields(w.privateId));
    expect(refused.statusCode).toBe(422);
    expect(mainText(refused)).toContain('Choose a space where you may publish.');
    expect(await articleCount()).toBe(0);

    const published = await post(t.app, '/news/new', w.cookies.editor, articleFields(w.privateId));
    expect(published.statusCode).toBe(303);
    const id = contentIdFrom(published);
    const saved = await row(id);
    expect(saved).toMatchObject({ kind: 'news', space_id: w.privateId, author_id: w.ids.editor, title: 'Quarterly results', must_read: 0, comments_enabled: 1, edited_at: null });
    expect(saved.published_at).toBeLessThanOrEqual(Date.now());
    expect(saved.body_html).toContain('<strong>well</strong>');

    const byAdmin = await post(t.app, '/news/new', w.cookies.admin, articleFields(w.openId));
    expect(byAdmin.statusCode).toBe(303);
  });

  it('treats a deactivated editor as signed out', async () => {
    expect((await post(t.app, `/admin/members/${w.ids.editor}/deactivate`, w.cookies.admin)).statusCode).toBe(303);
    const response = await get(t.app, '/news/new', w.cookies.editor);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(/^\/login(\?|$)/);
    expect((await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId))).headers.location).toMatch(/^\/login(\?|$)/);
  });

  it('leaves comments off when the box is not ticked', async () => {
    const fields = articleFields(w.companyId);
    delete fields.commentsEnabled;
    const id = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, fields));
    expect((await row(id)).comments_enabled).toBe(0);
  });
});

describe('the article form refuses bad input and keeps what was typed', () => {
  it('asks for a title and a text, whitespace counting as nothing', async () => {
    for (const [title, body] of [
      ['', ''],
      ['   ', ' \n\t '],
    ] as const) {
      const response = await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { title, body, category: 'Kept category' }));
      expect(response.statusCode).toBe(422);
      const page = html(response);
      expect(page.querySelector('#title-error')?.textContent).toContain('This field is required.');
      expect(page.querySelector('#body-error')?.textContent).toContain('This field is required.');
      expect(page.querySelector('#category')?.getAttribute('value')).toBe('Kept category');
    }
    expect(await articleCount()).toBe(0);
  });

  it('limits the title to 200 characters, the category to 60 and the text to 50,000', async () => {
    const long = await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { title: 'x'.repeat(201), body: 'Body typed here' }));
    expect(long.statusCode).toBe(422);
    expect(html(long).querySelector('#title-error')?.textContent).toContain('Enter no more than 200 characters.');
    expect(html(long).querySelector('#body')?.textContent).toBe('Body typed here');
    expect(html(long).querySelector('#title')?.getAttribute('value')).toBe('x'.repeat(201));

    const category = await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { category: 'c'.repeat(61) }));
    expect(html(category).querySelector('#category-error')?.textContent).toContain('Enter no more than 60 characters.');
    const body = await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { body: 'b'.repeat(50_001) }));
    expect(html(body).querySelector('#body-error')?.textContent).toContain('Enter no more than 50,000 characters.');
    expect(await articleCount()).toBe(0);

    expect((await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { title: 'x'.repeat(200), category: 'c'.repeat(60) }))).statusCode).toBe(303);
  });

  it('keeps titles in any script as written', async () => {
    const title = 'Été 2026 🎉 — שלום עולם';
    const id = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { title, category: 'Sécurité' })));
    expect(await row(id)).toMatchObject({ title, category: 'Sécurité' });
  });

  it('wants schedule and pin dates that are real and still to come, in the organisation’s time zone', async () => {
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ action: 'schedule' }, 'scheduledAt', 'Enter the date and time of publication.'],
      [{ action: 'schedule', scheduledAt: '2020-01-01T09:00' }, 'scheduledAt', 'This time has already passed.'],
      [{ action: 'schedule', scheduledAt: '2030-02-30T09:00' }, 'scheduledAt', 'Enter a date and a time'],
      [{ action: 'schedule', scheduledAt: 'tomorrow' }, 'scheduledAt', 'Enter a date and a time'],
      [{ pinnedUntil: '2020-01-01' }, 'pinnedUntil', 'This date is already over.'],
      [{ pinnedUntil: '31/12/2030' }, 'pinnedUntil', 'Enter a date'],
      [{ action: 'later' }, 'action', 'Choose one of the options.'],
    ];
    for (const [fields, field, message] of cases) {
      const response = await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, fields));
      expect(response.statusCode, JSON.stringify(fields)).toBe(422);
      expect(html(response).querySelector(`#${field}-error`)?.textContent, JSON.stringify(fields)).toContain(message);
    }
    expect(await articleCount()).toBe(0);

    // Europe/Paris (the test organisation's zone): 09:00 in July is 07:00 UTC; a pin lasts to the end of its day.
    const id = contentIdFrom(
      await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { action: 'schedule', scheduledAt: '2030-07-01T09:00', pinnedUntil: '2030-01-15' })),
    );
    expect(await row(id)).toMatchObject({ published_at: Date.UTC(2030, 6, 1, 7, 0), pinned_until: Date.UTC(2030, 0, 15, 23, 0) });
  });
});

/** Anything in `markup` that could run or call out: scripts, on* attributes, javascript:/data: links, outside images. */
function inertProblems(markup: string): string[] {
  const problems: string[] = [];
  for (const element of parse(markup).querySelectorAll('*')) {
    const tag = element.tagName?.toLowerCase();
    // Hameau's own scripts come from /static/; anything else (inline above all) is an injection.
    if (tag === 'script' && !/^\/static\/[\w/.-]+\.js$/.test(element.getAttribute('src') ?? '')) problems.push(`script ${element.textContent}`);
    if (tag === 'iframe' || tag === 'object' || tag === 'embed') problems.push(tag);
    if (tag === 'img' && !/^\/files\/\d+\/preview$/.test(element.getAttribute('src') ?? '')) problems.push(`img ${element.getAttribute('src')}`);
    for (const [name, value] of Object.entries(element.attributes)) {
      if (/^on/i.test(name)) problems.push(`${tag} ${name}`);
      if (/^(href|src|action|formaction)$/i.test(name) && /^\s*(javascript|data|vbscript):/i.test(value)) problems.push(`${tag} ${name}=${value}`);
    }
  }
  return problems;
}

describe('script in every text field comes back inert', () => {
  const payload = '<script>alert(1)</script>';
  const body = [
    '<script>alert("raw")</script>',
    '[click](javascript:alert(1))',
    '<img src=x onerror=alert(1)>',
    '![img](javascript:alert(2))',
    '[data](data:text/html;base64,PHNjcmlwdD4=)',
    '<a href="javascript:alert(3)">a</a>',
  ].join('\n\n');

  it('in what is stored and in every page that shows it', async () => {
    const id = contentIdFrom(
      await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { title: payload, category: '<img src=x onerror=alert(1)>', body })),
    );
    const saved = await row(id);
    expect(saved.title).toBe(payload);
    expect(inertProblems(saved.body_html)).toEqual([]);
    expect(saved.body_html).toContain('&lt;script&gt;');

    // The permalink, the edit form and the drafts list escape it; the feed card (via the kind) too.
    const pages = [await get(t.app, `/content/${id}`, w.cookies.member), await get(t.app, `/news/${id}/edit`, w.cookies.editor)];
    for (const page of pages) {
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain(payload);
      expect(inertProblems(html(page).querySelector('main')!.outerHTML)).toEqual([]);
    }
    expect(mainText(pages[0]!)).toContain(payload);

    const draft = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { title: payload, action: 'draft' })));
    const drafts = await get(t.app, '/news/drafts', w.cookies.editor);
    expect(drafts.body).not.toContain(payload);
    expect(html(drafts).querySelector(`a[href="/content/${draft}"]`)?.textContent).toBe(payload);

    // A refused form shows what was typed, escaped.
    const refused = await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { title: payload, category: payload, body: '' }));
    expect(refused.statusCode).toBe(422);
    expect(refused.body).not.toContain(payload);
    expect(html(refused).querySelector('#title')?.getAttribute('value')).toBe(payload);
  });
});

describe('drafts and scheduled articles', () => {
  it('leave the drafts page of an author who left their private space, name of the space included', async () => {
    const draft = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.privateId, { title: 'Merger plans', action: 'draft' })));
    expect(mainText(await get(t.app, '/news/drafts', w.cookies.editor))).toContain('Merger plans');
    await t.app.db.deleteFrom('space_members').where('space_id', '=', w.privateId).where('user_id', '=', w.ids.editor).execute();
    await t.app.db.updateTable('spaces').set({ name: 'Renamed secret project' }).where('id', '=', w.privateId).execute();
    const list = await get(t.app, '/news/drafts', w.cookies.editor);
    expect(mainText(list)).not.toContain('Merger plans');
    expect(mainText(list)).not.toContain('Renamed secret project');
    expect((await get(t.app, `/content/${draft}`, w.cookies.editor)).statusCode).toBe(404);
  });

  it('are the author’s alone until published, and listed on their drafts page', async () => {
    const draft = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { title: 'Draft one', action: 'draft' })));
    const scheduled = contentIdFrom(
      await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { title: 'Later one', action: 'schedule', scheduledAt: '2030-07-01T09:00' })),
    );
    expect((await row(draft)).published_at).toBe(null);

    const list = await get(t.app, '/news/drafts', w.cookies.editor);
    expect(list.statusCode).toBe(200);
    expect(mainText(list)).toContain('Draft one');
    expect(mainText(list)).toContain('Later one');
    expect(mainText(list)).toContain('Scheduled for July 1, 2030 at 9:00 AM');
    expect(html(list).querySelector(`a[href="/news/${draft}/edit"]`)).not.toBe(null);
    expect(mainText(await get(t.app, '/news/drafts', w.cookies.admin))).not.toContain('Draft one');
    expect(mainText(await get(t.app, '/news/drafts', w.cookies.member))).toContain('You have no draft');

    // Nobody else sees them: not in lists (the feed's helper), not on their page, not to edit.
    for (const userId of [w.ids.admin, w.ids.member, w.ids.outsider]) {
      const listed = await listedFor(userId);
      expect(listed).not.toContain(draft);
      expect(listed).not.toContain(scheduled);
    }
    for (const cookie of [w.cookies.admin, w.cookies.member]) {
      expect((await get(t.app, `/content/${draft}`, cookie)).statusCode).toBe(404);
      expect((await get(t.app, `/content/${scheduled}`, cookie)).statusCode).toBe(404);
      expect((await get(t.app, `/news/${draft}/edit`, cookie)).statusCode).toBe(404);
    }
    expect((await get(t.app, `/content/${draft}`, w.cookies.editor)).statusCode).toBe(200);

    // Once its time comes, the scheduled one is simply there.
    expect(await listedFor(w.ids.member, Date.UTC(2030, 6, 1, 7, 0))).toContain(scheduled);
    expect(await listedFor(w.ids.member, Date.UTC(2030, 6, 1, 7, 0))).not.toContain(draft);
  });

  it('publishes a draft from the edit form', async () => {
    const id = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { action: 'draft' })));
    const form = html(await get(t.app, `/news/${id}/edit`, w.cookies.editor));
    expect(form.querySelector('#action-draft')?.hasAttribute('checked')).toBe(true);
    const published = await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { action: 'publish' }));
    expect(published.headers.location).toBe(`/content/${id}`);
    const saved = await row(id);
    expect(saved.published_at).not.toBe(null);
    expect(saved.edited_at).toBe(null);
    expect(await listedFor(w.ids.member)).toContain(id);
  });

  it('lets a former editor keep a draft but not publish it', async () => {
    const id = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { action: 'draft' })));
    expect((await post(t.app, `/admin/members/${w.ids.editor}/role`, w.cookies.admin, { role: 'member' })).statusCode).toBe(303);
    const refused = await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { action: 'publish' }));
    expect(refused.statusCode).toBe(422);
    expect(html(refused).querySelector('#action-error')?.textContent).toContain('You may no longer publish in this space.');
    expect((await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { action: 'draft', title: 'Still mine' }))).statusCode).toBe(303);
    expect(await row(id)).toMatchObject({ title: 'Still mine', published_at: null });
  });
});

describe('editing an article', () => {
  it('is for its author only; others get 403, or 404 when they may not see it', async () => {
    const id = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.privateId)));
    expect((await get(t.app, `/news/${id}/edit`, w.cookies.editor)).statusCode).toBe(200);
    for (const cookie of [w.cookies.admin, w.cookies.member, w.cookies.spaceAdmin]) {
      expect((await get(t.app, `/news/${id}/edit`, cookie)).statusCode).toBe(403);
      expect((await post(t.app, `/news/${id}/edit`, cookie, articleFields(w.privateId, { title: 'Taken over' }))).statusCode).toBe(403);
    }
    for (const cookie of [w.cookies.outsider, w.cookies.outsideEditor]) {
      expect((await get(t.app, `/news/${id}/edit`, cookie)).statusCode).toBe(404);
      expect((await post(t.app, `/news/${id}/edit`, cookie, articleFields(w.privateId, { title: 'Taken over' }))).statusCode).toBe(404);
    }
    expect((await get(t.app, '/news/987654/edit', w.cookies.editor)).statusCode).toBe(404);
    expect((await get(t.app, '/news/abc/edit', w.cookies.editor)).statusCode).toBe(404);
    // A post is not an article.
    const { createPost } = await import('../helpers/content.js');
    const postId = await createPost(t.app, { spaceId: w.companyId, authorId: w.ids.editor, body: 'A post' });
    expect((await get(t.app, `/news/${postId}/edit`, w.cookies.editor)).statusCode).toBe(404);
    expect((await row(id)).title).toBe('Quarterly results');
  });

  it('marks a published article edited when its text changes, and renders it again', async () => {
    const id = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { body: 'First #alpha' })));
    const form = html(await get(t.app, `/news/${id}/edit`, w.cookies.editor));
    expect(form.querySelector('#title')?.getAttribute('value')).toBe('Quarterly results');
    expect(form.querySelector('#body')?.textContent).toBe('First #alpha');
    expect(form.querySelector('input[name="action"][type="radio"]')).toBe(null);

    // Saving without a change to the text leaves no marker.
    await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { body: 'First #alpha', action: 'save' }));
    expect((await row(id)).edited_at).toBe(null);

    const publishedAt = (await row(id)).published_at;
    const saved = await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { body: 'Second #beta, hello @[Mia Member]', action: 'draft' }));
    expect(saved.headers.location).toBe(`/content/${id}`);
    const after = await row(id);
    expect(after.edited_at).not.toBe(null);
    // Published stays published, at its first date, whatever the button said.
    expect(after.published_at).toBe(publishedAt);
    expect(after.body_html).toContain('href="/topics/beta"');
    expect(after.body_html).toContain(`href="/people/${w.ids.member}"`);
    const topics = await t.app.db.selectFrom('content_topics as ct').innerJoin('topics as tp', 'tp.id', 'ct.topic_id').select('tp.slug').where('ct.content_id', '=', id).execute();
    expect(topics.map((r) => r.slug)).toEqual(['beta']);
    const mentions = await t.app.db.selectFrom('notifications').select(['user_id', 'type']).where('content_id', '=', id).execute();
    expect(mentions).toEqual([{ user_id: w.ids.member, type: 'mention' }]);

    const page = await get(t.app, `/content/${id}`, w.cookies.member);
    expect(page.statusCode).toBe(200);
    expect(mainText(page)).toContain('Edited');
  });

  it('keeps a pin that has run out when the author only changes the text', async () => {
    const id = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { pinnedUntil: '2030-01-15' })));
    // Time passes: the pin is over.
    const over = Date.UTC(2020, 0, 15, 23, 0);
    await t.app.db.updateTable('content').set({ pinned_until: over }).where('id', '=', id).execute();
    const form = html(await get(t.app, `/news/${id}/edit`, w.cookies.editor));
    expect(form.querySelector('#pinnedUntil')?.getAttribute('value')).toBe('2020-01-15');
    const saved = await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { pinnedUntil: '2020-01-15', body: 'New text', action: 'save' }));
    expect(saved.statusCode).toBe(303);
    expect((await row(id)).pinned_until).toBe(over);
    // Another date in the past is still refused.
    const refused = await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { pinnedUntil: '2020-01-16', action: 'save' }));
    expect(refused.statusCode).toBe(422);
  });
});

describe('the news kind', () => {
  it('loads many articles in one go, with the newest cover, and gives titles, search text and edit links', async () => {
    const a = await createArticle(t.app, { spaceId: w.companyId, authorId: w.ids.editor, title: 'A', body: '**Bold** [link](https://example.org) text', category: 'HR' });
    const b = await createArticle(t.app, { spaceId: w.companyId, authorId: w.ids.editor, title: 'B', body: 'x '.repeat(400) });
    const now = Date.now();
    const attachment = (purpose: 'cover' | 'file', contentId: number, storage: string) =>
      t.app.db
        .insertInto('attachments')
        .values({ uploader_id: w.ids.editor, storage_key: storage.padEnd(32, '0'), original_name: 'c.png', mime_type: 'image/png', size_bytes: 10, is_image: 1, width: 10, height: 10, has_preview: 1, content_id: contentId, comment_id: null, space_id: null, purpose, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
    await attachment('cover', a, 'a1');
    const newest = await attachment('cover', a, 'a2');
    await attachment('file', b, 'b1');

    // The registered kind is this one.
    expect(t.app.contentKinds.get('news')).toBe(newsKind);
    const articles = await newsKind.load(t.app.db, [a, b, 987654]);
    expect([...articles.keys()].sort()).toEqual([a, b].sort());
    const first = articles.get(a)!;
    const second = articles.get(b)!;
    expect(first).toMatchObject({ title: 'A', category: 'HR', coverId: newest.id, excerpt: 'Bold link text' });
    expect(second.coverId).toBe(null);
    expect(second.excerpt.length).toBeLessThanOrEqual(281);
    expect(second.excerpt.endsWith('…')).toBe(true);
    expect(newsKind.title(first, translator('en'))).toBe('A');
    expect(newsKind.searchText(first)).toEqual({ title: 'A', body: 'HR Bold link text' });
    expect(newsKind.editUrl(a)).toBe(`/news/${a}/edit`);
  });

  it('draws its card in feeds and its page', async () => {
    const id = await createArticle(t.app, { spaceId: w.companyId, authorId: w.ids.editor, title: 'Card title', body: '## Heading\n\nSome *text*.', category: 'Safety' });
    const page = html(await get(t.app, `/content/${id}`, w.cookies.member));
    expect(page.querySelector('h1')?.textContent).toBe('Card title');
    expect(page.querySelector('.news-article__body h2')?.textContent).toBe('Heading');
    expect(page.querySelector('.news-category')?.textContent).toContain('Safety');

    const feed = await get(t.app, '/', w.cookies.member);
    expect(feed.statusCode).toBe(200);
    const card = html(feed).querySelector(`#content-${id}`);
    expect(card?.querySelector('.news-card__excerpt')?.textContent).toBe('Heading Some text.');
  });
});

describe('cover image and files', () => {
  const png = () => sharp({ create: { width: 40, height: 20, channels: 3, background: '#3366cc' } }).png().toBuffer();

  it('attaches a cover image and files, and keeps an upload when the form is refused', async () => {
    const refused = await postMultipart(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { title: '' }), [
      { field: 'cover', filename: 'cover.png', type: 'image/png', content: await png() },
      { field: 'files', filename: 'notes.txt', type: 'text/plain', content: Buffer.from('Some notes') },
    ]);
    expect(refused.statusCode).toBe(422);
    const page = html(refused);
    const coverIds = page.querySelectorAll('input[name="coverIds"]').map((i) => i.getAttribute('value')!);
    const fileIds = page.querySelectorAll('input[name="attachmentIds"]').map((i) => i.getAttribute('value')!);
    expect(coverIds).toHaveLength(1);
    expect(fileIds).toHaveLength(1);

    const saved = await postMultipart(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { coverIds, attachmentIds: fileIds }), []);
    const id = contentIdFrom(saved);
    const attached = await t.app.db.selectFrom('attachments').select(['id', 'purpose', 'content_id']).where('content_id', '=', id).orderBy('id').execute();
    expect(attached.map((a) => a.purpose)).toEqual(['cover', 'file']);
    const article = (await newsKind.load(t.app.db, [id])).get(id)!;
    expect(article.coverId).toBe(Number(coverIds[0]));

    // The cover shows on the page; a non-image as cover is refused by name, with the rest kept.
    expect(html(await get(t.app, `/content/${id}`, w.cookies.member)).querySelector(`.news-article__cover img[src="/files/${coverIds[0]}/preview"]`)).not.toBe(null);
    const notImage = await postMultipart(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId, { title: 'Kept title' }), [
      { field: 'cover', filename: 'evil.html', type: 'image/png', content: Buffer.from('<html><script>alert(1)</script></html>') },
    ]);
    expect(notImage.statusCode).toBe(422);
    expect(html(notImage).querySelector('#cover-error')?.textContent).toContain('evil.html');
    expect(html(notImage).querySelector('#title')?.getAttribute('value')).toBe('Kept title');
  });

  it('replaces or removes the cover and unticked files when editing', async () => {
    const first = await postMultipart(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId), [
      { field: 'cover', filename: 'one.png', type: 'image/png', content: await png() },
      { field: 'files', filename: 'a.txt', type: 'text/plain', content: Buffer.from('A') },
      { field: 'files', filename: 'b.txt', type: 'text/plain', content: Buffer.from('B') },
    ]);
    const id = contentIdFrom(first);
    const before = await t.app.db.selectFrom('attachments').select(['id', 'purpose', 'original_name']).where('content_id', '=', id).orderBy('id').execute();
    const [cover, a, b] = before;
    const form = html(await get(t.app, `/news/${id}/edit`, w.cookies.editor));
    expect(form.querySelectorAll('input[name="keepFileIds"][checked]').map((i) => Number(i.getAttribute('value')))).toEqual([a!.id, b!.id]);

    // A new cover replaces the old one; b is unticked.
    await postMultipart(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { action: 'save', keepFileIds: [String(a!.id)] }), [
      { field: 'cover', filename: 'two.png', type: 'image/png', content: await png() },
    ]);
    const after = await t.app.db.selectFrom('attachments').select(['id', 'purpose', 'original_name']).where('content_id', '=', id).orderBy('id').execute();
    expect(after.map((r) => r.original_name)).toEqual(['a.txt', 'two.png']);
    expect(after.some((r) => r.id === cover!.id)).toBe(false);

    // "Remove the cover" with nothing new leaves none; another person's id to keep is ignored.
    await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { action: 'save', removeCover: '1', keepFileIds: [String(a!.id), '999'] }));
    const last = await t.app.db.selectFrom('attachments').select('original_name').where('content_id', '=', id).execute();
    expect(last.map((r) => r.original_name)).toEqual(['a.txt']);
  });
});

describe('the article’s policy subject', () => {
  it('is what the policy decides on for a private space', async () => {
    const id = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.privateId)));
    const subject = (await loadContentSubject(t.app.db, id))!;
    expect(can(await viewerOf(t.app, w.ids.outsider), 'content.view', subject)).toBe(false);
    expect((await get(t.app, `/content/${id}`, w.cookies.outsider)).statusCode).toBe(404);
    expect((await get(t.app, `/content/${id}`, w.cookies.spaceAdmin)).statusCode).toBe(200);
  });
});
