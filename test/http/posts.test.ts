// Posts as people meet them: the composer, publishing to a space (who may, where), limits and bad
// input, script that must stay inert, mentions that notify only those who may see the post, files,
// and editing one's own post.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createArticle, createPost } from '../helpers/content.js';
import { multipartPayload } from '../helpers/attachments.js';
import { html, mainText } from '../helpers/app.js';
import { createCast, latestContentId, notificationsOf, SIGNED_IN, type Cast, type Who } from '../helpers/conversation.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

const postCount = async () => (await c.app.db.selectFrom('posts').select('content_id').execute()).length;
const textareaOf = (response: Awaited<ReturnType<Cast['get']>>) => html(response).querySelector('textarea[name="body"]');

describe('the post kind', () => {
  it('is registered with its card, page, title, search text and edit address', async () => {
    const kind = c.app.contentKinds.get('post')!;
    expect(kind).toBeDefined();
    expect(kind.cardTemplate).toBe('posts/card');
    expect(kind.pageTemplate).toBe('posts/page');
    expect(kind.editUrl(42)).toBe('/posts/42/edit');
    const id = await createPost(c.app, { spaceId: c.company, authorId: c.ids.member, body: '**Hello** team, ' + 'the quarterly review is on Thursday in the big room. '.repeat(4) });
    const data = (await kind.load(c.app.db, [id, 999])).get(id)!;
    const title = kind.title(data, (key) => key);
    expect(title.startsWith('Hello team, the quarterly review')).toBe(true);
    expect(title.length).toBeLessThanOrEqual(81);
    expect(title.endsWith('…')).toBe(true);
    expect(kind.searchText(data).body).toContain('Hello team');
    expect(kind.searchText(data).body).not.toContain('**');
  });
});

describe('the composer page', () => {
  it('sends visitors and deactivated people to sign in', async () => {
    for (const who of [null, 'gone'] as const) {
      const response = await c.get('/posts/new', who);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/login?next=%2Fposts%2Fnew');
    }
  });

  it('offers the spaces each person may post in', async () => {
    const options = async (who: Who) => {
      const page = html(await c.get('/posts/new', who));
      const select = page.querySelector('select[name="space"]');
      if (select) return select.querySelectorAll('option').map((o) => o.textContent.trim());
      return page.querySelectorAll('input[type="hidden"][name="space"]').map((i) => `hidden:${i.getAttribute('value')}`);
    };
    expect(await options('member')).toEqual(['Acme', 'Board room', 'Workshop']);
    expect(await options('outsider')).toEqual([`hidden:${c.company}`]);
    // Admins see every space but post only where they belong (and in the company space).
    expect(await options('admin')).toEqual([`hidden:${c.company}`]);
    const page = html(await c.get(`/posts/new?space=${c.secret}`, 'member'));
    expect(page.querySelector(`select[name="space"] option[value="${c.secret}"]`)?.hasAttribute('selected')).toBe(true);
    expect(page.querySelector('form[action="/posts"]')?.getAttribute('enctype')).toBe('multipart/form-data');
    expect(page.querySelector('textarea[name="body"]')?.hasAttribute('data-mentions')).toBe(true);
    expect(page.querySelector('input[type="file"][name="files"]')).not.toBe(null);
    expect(page.querySelector('label[for="composer-body"]')).not.toBe(null);
    expect(page.querySelector('script[src="/static/js/mentions.js"]')).not.toBe(null);
  });

  it('answers 404 for a private space the person may not see, 403 for a visible one they may not post in', async () => {
    expect((await c.get(`/posts/new?space=${c.secret}`, 'outsider')).statusCode).toBe(404);
    expect((await c.get('/posts/new?space=987654', 'member')).statusCode).toBe(404);
    expect((await c.get(`/posts/new?space=${c.open}`, 'outsider')).statusCode).toBe(403);
  });

  it('says so when there is nowhere to post', async () => {
    await c.app.db.updateTable('organisation').set({ member_posts_in_company: 0 }).execute();
    c.app.organisation.forget();
    const response = await c.get('/posts/new', 'outsider');
    expect(response.statusCode).toBe(200);
    expect(mainText(response)).toContain('You cannot post anywhere yet');
    expect(html(response).querySelector('form[action="/posts"]')).toBe(null);
  });

  it('sends a reload of a refused form back to the composer', async () => {
    const response = await c.get('/posts', 'member');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/posts/new');
  });
});

describe('publishing a post', () => {
  it('publishes in a space the person belongs to, and goes to the post with a notice', async () => {
    const response = await c.post('/posts', 'member', { space: String(c.open), body: 'Coffee machine is fixed ☕' });
    expect(response.statusCode).toBe(303);
    const id = await latestContentId(c.app);
    expect(response.headers.location).toBe(`/content/${id}`);
    const content = await c.app.db.selectFrom('content').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(content).toMatchObject({ kind: 'post', space_id: c.open, author_id: c.ids.member, edited_at: null, deleted_at: null });
    expect(content.published_at).not.toBe(null);
    const post = await c.app.db.selectFrom('posts').selectAll().where('content_id', '=', id).executeTakeFirstOrThrow();
    expect(post.body).toBe('Coffee machine is fixed ☕');
    expect(post.body_html).toBe('<p>Coffee machine is fixed ☕</p>\n');
    const page = await c.get(response.headers.location!, 'member', { cookie: [c.cookies.member, ...response.cookies.map((k) => `${k.name}=${k.value}`)].join('; ') });
    expect(page.statusCode).toBe(200);
    expect(mainText(page)).toContain('Your post is published.');
    expect(mainText(page)).toContain('Coffee machine is fixed ☕');
  });

  it('returns to the page the composer was on, never to another site', async () => {
    const back = await c.post('/posts', 'member', { space: String(c.open), body: 'Hello', next: `/spaces/${c.open}` });
    expect(back.headers.location).toBe(`/spaces/${c.open}`);
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const response = await c.post('/posts', 'member', { space: String(c.open), body: 'Hello', next });
      expect(response.headers.location).toBe(`/content/${await latestContentId(c.app)}`);
    }
  });

  it('refuses visitors and deactivated people, and posts nothing', async () => {
    for (const who of [null, 'gone'] as const) {
      const response = await c.post('/posts', who, { space: String(c.secret), body: 'Hello' });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/login');
    }
    expect(await postCount()).toBe(0);
  });

  it('answers 404 for a private space the person is not in, 403 for an open one, and posts nothing', async () => {
    expect((await c.post('/posts', 'outsider', { space: String(c.secret), body: 'Hello' })).statusCode).toBe(404);
    expect((await c.post('/posts', 'outsider', { space: '987654', body: 'Hello' })).statusCode).toBe(404);
    const open = await c.post('/posts', 'outsider', { space: String(c.open), body: 'Hello' });
    expect(open.statusCode).toBe(403);
    expect(mainText(open)).toContain('Only members of this space may post in it.');
    // An admin sees the private space but is not one of its members.
    expect((await c.post('/posts', 'admin', { space: String(c.secret), body: 'Hello' })).statusCode).toBe(403);
    expect(await postCount()).toBe(0);
    // Its members, its admin included, may.
    for (const who of ['member', 'spaceAdmin'] as const) {
      expect((await c.post('/posts', who, { space: String(c.secret), body: `From ${who}` })).statusCode).toBe(303);
    }
    expect(await postCount()).toBe(2);
  });

  it('follows the organisation\'s rule for the company space', async () => {
    for (const who of SIGNED_IN) expect((await c.post('/posts', who, { space: String(c.company), body: `Open to ${who}` })).statusCode, who).toBe(303);
    await c.app.db.updateTable('organisation').set({ member_posts_in_company: 0 }).execute();
    c.app.organisation.forget();
    for (const who of ['member', 'spaceAdmin', 'outsider'] as const) {
      const response = await c.post('/posts', who, { space: String(c.company), body: 'Hello' });
      expect(response.statusCode, who).toBe(403);
      expect(mainText(response)).toContain('In the company space, only editors and administrators may post.');
    }
    for (const who of ['editor', 'admin'] as const) expect((await c.post('/posts', who, { space: String(c.company), body: 'News' })).statusCode, who).toBe(303);
    expect(await postCount()).toBe(SIGNED_IN.length + 2);
  });

  it('takes 10,000 characters, refuses 10,001 with a message, and keeps what was typed', async () => {
    expect((await c.post('/posts', 'member', { space: String(c.open), body: 'a'.repeat(10_000) })).statusCode).toBe(303);
    const long = 'é'.repeat(10_001);
    const response = await c.post('/posts', 'member', { space: String(c.open), body: long });
    expect(response.statusCode).toBe(422);
    expect(mainText(response)).toContain('Enter no more than 10,000 characters.');
    expect(textareaOf(response)?.textContent).toBe(long);
    expect(textareaOf(response)?.getAttribute('aria-invalid')).toBe('true');
    // The space chosen stays chosen.
    expect(html(response).querySelector(`select[name="space"] option[value="${c.open}"]`)?.hasAttribute('selected')).toBe(true);
    expect(await postCount()).toBe(1);
  });

  it('refuses an empty or whitespace-only post, and a missing space', async () => {
    for (const body of ['', '   \n\t  ', '\u00a0 ']) {
      const response = await c.post('/posts', 'member', { space: String(c.open), body });
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
      expect(mainText(response)).toContain('This field is required.');
    }
    const noSpace = await c.post('/posts', 'member', { body: 'Where does this go?' });
    expect(noSpace.statusCode).toBe(422);
    expect(textareaOf(noSpace)?.textContent).toBe('Where does this go?');
    const badSpace = await c.post('/posts', 'member', { space: 'abc', body: 'Where does this go?' });
    expect(badSpace.statusCode).toBe(422);
    expect(mainText(badSpace)).toContain('Choose one of the options.');
    expect(await postCount()).toBe(0);
  });

  it('keeps script inert, in the post and in the form shown again', async () => {
    const payloads = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[click](javascript:alert(1))',
      '[click](JaVaScRiPt:alert(1))',
      '<a href="javascript:alert(1)">x</a>',
      '![x](https://example.org/x.png" onerror="alert(1))',
      'javascript:alert(1)',
      '<iframe src="https://evil.example"></iframe>',
    ];
    const response = await c.post('/posts', 'member', { space: String(c.open), body: payloads.join('\n\n') });
    expect(response.statusCode).toBe(303);
    const page = await c.get(response.headers.location!, 'member');
    const body = html(page).querySelector('.post-body')!;
    expect(body.querySelectorAll('script, img, iframe')).toHaveLength(0);
    expect(body.querySelectorAll('[onerror]')).toHaveLength(0);
    expect(body.querySelectorAll('a').filter((a) => !/^(https?:|mailto:|\/)/.test(a.getAttribute('href') ?? ''))).toHaveLength(0);
    expect(body.textContent).toContain('<script>alert(1)</script>');
    // A card in a list shows the same safe HTML.
    const card = html(await c.get(`/people/${c.ids.member}`, 'member')).querySelector('article.content-card .post-body')!;
    expect(card.querySelectorAll('script, img, iframe, [onerror]')).toHaveLength(0);
    expect(card.textContent).toContain('<script>alert(1)</script>');
    const refused = await c.post('/posts', 'member', { space: String(c.open), body: `<script>alert(1)</script>${'x'.repeat(10_000)}` });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).not.toContain('<script>alert(1)</script>');
    expect(refused.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('keeps accents, emoji and right-to-left text as written', async () => {
    const body = 'Réunion à 14 h 🎉 — مرحبا بالجميع';
    const response = await c.post('/posts', 'member', { space: String(c.open), body });
    expect(response.statusCode).toBe(303);
    expect(mainText(await c.get(response.headers.location!, 'member'))).toContain(body);
  });

  it('notifies the people it mentions, only when they may see it, and files its topics', async () => {
    const body = `Thanks @[Sam Lead](${c.ids.spaceAdmin}) and @[Carol Outsider](${c.ids.outsider}), and @[Gaston Gone](${c.ids.gone}) #Planning`;
    const response = await c.post('/posts', 'member', { space: String(c.secret), body });
    expect(response.statusCode).toBe(303);
    const id = await latestContentId(c.app);
    expect(await notificationsOf(c.app, c.ids.spaceAdmin)).toEqual([{ type: 'mention', actor_id: c.ids.member, content_id: id, comment_id: null }]);
    // Carol is not in the private space; Gaston is deactivated.
    expect(await notificationsOf(c.app, c.ids.outsider)).toEqual([]);
    expect(await notificationsOf(c.app, c.ids.gone)).toEqual([]);
    const page = html(await c.get(`/content/${id}`, 'member'));
    expect(page.querySelector(`.post-body a.mention[href="/people/${c.ids.spaceAdmin}"]`)?.textContent).toBe('@Sam Lead');
    expect(page.querySelector('.post-body a.topic[href="/topics/planning"]')).not.toBe(null);
    const topics = await c.app.db.selectFrom('content_topics').select('content_id').execute();
    expect(topics).toEqual([{ content_id: id }]);
    // A name typed by hand, without the autocomplete, mentions its one owner.
    await c.post('/posts', 'member', { space: String(c.open), body: 'Ping @[bruno petit] and @[Eve Editor]' });
    expect((await notificationsOf(c.app, c.ids.editor)).map((n) => n.type)).toEqual(['mention']);
    // Nobody is notified of their own mention.
    expect(await notificationsOf(c.app, c.ids.member)).toEqual([]);
  });

  it('attaches files, and keeps them when the form is refused', async () => {
    const file = { field: 'files', filename: 'agenda.txt', content: 'Agenda: 1. coffee', contentType: 'text/plain' };
    const refused = multipartPayload({ space: String(c.open), body: '   ' }, [file]);
    const first = await c.app.inject({ method: 'POST', url: '/posts', headers: { ...refused.headers, cookie: c.cookies.member }, payload: refused.payload });
    expect(first.statusCode).toBe(422);
    const kept = html(first).querySelector('input[type="checkbox"][name="attachmentIds"]');
    expect(kept?.hasAttribute('checked')).toBe(true);
    const attachmentId = kept!.getAttribute('value')!;
    expect(mainText(first)).toContain('agenda.txt');

    const again = multipartPayload({ space: String(c.open), body: 'Agenda attached', attachmentIds: attachmentId });
    const second = await c.app.inject({ method: 'POST', url: '/posts', headers: { ...again.headers, cookie: c.cookies.member }, payload: again.payload });
    expect(second.statusCode).toBe(303);
    const id = await latestContentId(c.app);
    const row = await c.app.db.selectFrom('attachments').select(['content_id', 'comment_id', 'original_name']).where('id', '=', Number(attachmentId)).executeTakeFirstOrThrow();
    expect(row).toEqual({ content_id: id, comment_id: null, original_name: 'agenda.txt' });
    expect(mainText(await c.get(`/content/${id}`, 'member'))).toContain('agenda.txt');
    // Someone else's pending file cannot be claimed.
    const stolen = multipartPayload({ space: String(c.open), body: 'Mine now', attachmentIds: attachmentId });
    expect((await c.app.inject({ method: 'POST', url: '/posts', headers: { ...stolen.headers, cookie: c.cookies.editor }, payload: stolen.payload })).statusCode).toBe(303);
    expect((await c.app.db.selectFrom('attachments').select('content_id').where('id', '=', Number(attachmentId)).executeTakeFirstOrThrow()).content_id).toBe(id);
  });
});

describe('editing a post', () => {
  let postId: number;
  beforeEach(async () => {
    postId = await createPost(c.app, { spaceId: c.secret, authorId: c.ids.member, body: 'First version' });
  });

  it('lets only the author edit; 404 for those who may not see it', async () => {
    for (const who of [null, 'gone'] as const) {
      expect((await c.get(`/posts/${postId}/edit`, who)).headers.location).toBe(`/login?next=%2Fposts%2F${postId}%2Fedit`);
      expect((await c.post(`/posts/${postId}/edit`, who, { body: 'Hacked' })).headers.location).toBe('/login');
    }
    expect((await c.get(`/posts/${postId}/edit`, 'outsider')).statusCode).toBe(404);
    expect((await c.post(`/posts/${postId}/edit`, 'outsider', { body: 'Hacked' })).statusCode).toBe(404);
    for (const who of ['spaceAdmin', 'admin'] as const) {
      expect((await c.get(`/posts/${postId}/edit`, who)).statusCode, who).toBe(403);
      expect((await c.post(`/posts/${postId}/edit`, who, { body: 'Hacked' })).statusCode, who).toBe(403);
    }
    expect((await c.get('/posts/987654/edit', 'member')).statusCode).toBe(404);
    expect((await c.get('/posts/abc/edit', 'member')).statusCode).toBe(404);
    const article = await createArticle(c.app, { spaceId: c.company, authorId: c.ids.member, title: 'An article', body: 'Text' });
    expect((await c.get(`/posts/${article}/edit`, 'member')).statusCode).toBe(404);
    const page = await c.get(`/posts/${postId}/edit`, 'member');
    expect(page.statusCode).toBe(200);
    expect(textareaOf(page)?.textContent).toBe('First version');
    expect((await c.app.db.selectFrom('posts').select('body').where('content_id', '=', postId).executeTakeFirstOrThrow()).body).toBe('First version');
  });

  it('saves the new text, marks the post edited and notifies people newly mentioned', async () => {
    const saved = await c.post(`/posts/${postId}/edit`, 'member', { body: `Second version, @[Sam Lead](${c.ids.spaceAdmin}) #budget` });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/content/${postId}`);
    const row = await c.app.db.selectFrom('content').select(['edited_at']).where('id', '=', postId).executeTakeFirstOrThrow();
    expect(row.edited_at).not.toBe(null);
    const page = await c.get(`/content/${postId}`, 'member');
    expect(mainText(page)).toContain('Second version');
    expect(html(page).querySelector('.post-body a.mention')?.textContent).toBe('@Sam Lead');
    expect((await notificationsOf(c.app, c.ids.spaceAdmin)).map((n) => n.content_id)).toEqual([postId]);
    // Saving again does not notify again.
    await c.post(`/posts/${postId}/edit`, 'member', { body: `Third version, @[Sam Lead](${c.ids.spaceAdmin})` });
    expect(await notificationsOf(c.app, c.ids.spaceAdmin)).toHaveLength(1);
  });

  it('leaves the edited marker alone when nothing changed', async () => {
    expect((await c.post(`/posts/${postId}/edit`, 'member', { body: 'First version' })).statusCode).toBe(303);
    expect((await c.app.db.selectFrom('content').select('edited_at').where('id', '=', postId).executeTakeFirstOrThrow()).edited_at).toBe(null);
  });

  it('refuses too long or blank text and keeps what was typed', async () => {
    const long = 'b'.repeat(10_001);
    const tooLong = await c.post(`/posts/${postId}/edit`, 'member', { body: long });
    expect(tooLong.statusCode).toBe(422);
    expect(mainText(tooLong)).toContain('Enter no more than 10,000 characters.');
    expect(textareaOf(tooLong)?.textContent).toBe(long);
    expect((await c.post(`/posts/${postId}/edit`, 'member', { body: '  ' })).statusCode).toBe(422);
    expect((await c.app.db.selectFrom('posts').select('body').where('content_id', '=', postId).executeTakeFirstOrThrow()).body).toBe('First version');
  });

  it('removes the files ticked and adds new ones', async () => {
    const upload = multipartPayload({ space: String(c.open), body: 'With two files' }, [
      { field: 'files', filename: 'one.txt', content: 'one', contentType: 'text/plain' },
      { field: 'files', filename: 'two.txt', content: 'two', contentType: 'text/plain' },
    ]);
    expect((await c.app.inject({ method: 'POST', url: '/posts', headers: { ...upload.headers, cookie: c.cookies.member }, payload: upload.payload })).statusCode).toBe(303);
    const id = await latestContentId(c.app);
    const files = await c.app.db.selectFrom('attachments').select(['id', 'original_name']).where('content_id', '=', id).orderBy('id').execute();
    expect(files.map((f) => f.original_name)).toEqual(['one.txt', 'two.txt']);
    const form = html(await c.get(`/posts/${id}/edit`, 'member'));
    expect(form.querySelectorAll('input[name="removeAttachmentIds"]').map((i) => i.getAttribute('value'))).toEqual(files.map((f) => String(f.id)));

    const edit = multipartPayload({ body: 'With two files', removeAttachmentIds: String(files[0]!.id) }, [{ field: 'files', filename: 'three.txt', content: 'three', contentType: 'text/plain' }]);
    const saved = await c.app.inject({ method: 'POST', url: `/posts/${id}/edit`, headers: { ...edit.headers, cookie: c.cookies.member }, payload: edit.payload });
    expect(saved.statusCode).toBe(303);
    const after = await c.app.db.selectFrom('attachments').select('original_name').where('content_id', '=', id).orderBy('id').execute();
    expect(after.map((f) => f.original_name)).toEqual(['two.txt', 'three.txt']);
    expect((await c.app.db.selectFrom('content').select('edited_at').where('id', '=', id).executeTakeFirstOrThrow()).edited_at).not.toBe(null);
  });
});
