// A form refused because a permission changed while it was being filled in keeps what was typed: the
// comments of the item were closed, the author left the space they were posting in, the editor lost
// their role. The form (or, when it can no longer be sent at all, the text read-only) comes back with
// why, status 403; a thing the person may no longer even see still answers 404.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html, mainText } from '../helpers/app.js';
import { createArticle, createComment, createPost } from '../helpers/content.js';
import { createCast, PARTIAL, type Cast } from '../helpers/conversation.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

const TYPED = 'Long thoughts with <script>alert(1)</script> and é ✓';
const commentCount = async () => (await c.app.db.selectFrom('comments').select('id').execute()).length;
const closeComments = (id: number) => c.app.db.updateTable('content').set({ comments_enabled: 0 }).where('id', '=', id).execute();

describe('commenting on an item whose comments were closed meanwhile', () => {
  it('shows the conversation again with why, and the comment read-only, escaped (403)', async () => {
    const item = await createArticle(c.app, { spaceId: c.open, authorId: c.ids.editor, title: 'News', body: 'Read me' });
    expect(html(await c.get(`/content/${item}`, 'member')).querySelector('form.comment-form')).not.toBe(null);
    await closeComments(item);

    const refused = await c.post(`/content/${item}/comments`, 'member', { body: TYPED });
    expect(refused.statusCode).toBe(403);
    const page = html(refused);
    expect(page.querySelector('.conversation__closed')?.textContent).toContain('Comments are closed on this item. Your comment was not sent.');
    const kept = page.querySelector('#comment-unsent');
    expect(kept?.hasAttribute('readonly')).toBe(true);
    expect(kept?.textContent).toBe(TYPED);
    expect(refused.body).not.toContain('<script>alert(1)</script>');
    expect(page.querySelector('label[for="comment-unsent"]')?.textContent).toBe('What you wrote (not sent)');
    expect(await commentCount()).toBe(0);
  });

  it('keeps a reply too, and answers htmx with the conversation alone', async () => {
    const item = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'Post' });
    const comment = await createComment(c.app, { contentId: item, authorId: c.ids.editor, body: 'First' });
    await closeComments(item);
    const refused = await c.post(`/content/${item}/comments`, 'member', { body: 'My reply', parent_id: String(comment) }, PARTIAL);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('<html');
    const section = html(refused).querySelector('section#comments')!;
    expect(section.querySelector('#comment-unsent')?.textContent).toBe('My reply');
    expect(section.querySelector('[role="alert"]')).not.toBe(null);
    expect(await commentCount()).toBe(1);
  });

  it('says why when the item was hidden meanwhile, to its author; others no longer see it (404)', async () => {
    const item = await createPost(c.app, { spaceId: c.open, authorId: c.ids.member, body: 'Mine' });
    await c.app.db.updateTable('content').set({ hidden_at: Date.now(), hidden_by: c.ids.admin, hidden_reason: 'Off-topic' }).where('id', '=', item).execute();
    const author = await c.post(`/content/${item}/comments`, 'member', { body: 'But why?' });
    expect(author.statusCode).toBe(403);
    expect(mainText(author)).toContain('This item is hidden by a moderator: it cannot be commented on.');
    expect(html(author).querySelector('#comment-unsent')?.textContent).toBe('But why?');
    expect((await c.post(`/content/${item}/comments`, 'editor', { body: 'Hm' })).statusCode).toBe(404);
  });
});

describe('posting in a space closed to the author meanwhile', () => {
  it('shows the composer again with why and the text (403) when they left an open space', async () => {
    await c.app.db.deleteFrom('space_members').where('space_id', '=', c.open).where('user_id', '=', c.ids.member).execute();
    const refused = await c.post('/posts', 'member', { space: String(c.open), body: TYPED });
    expect(refused.statusCode).toBe(403);
    const page = html(refused);
    expect(page.querySelector('.error-summary')?.textContent).toContain('Only members of this space may post in it. Join it first.');
    expect(page.querySelector('form[action="/posts"] textarea[name="body"]')?.textContent).toBe(TYPED);
    expect(refused.body).not.toContain('<script>alert(1)</script>');
    // They may still post elsewhere: the composer offers their other spaces.
    expect(page.querySelectorAll('select[name="space"] option').map((o) => o.textContent.trim())).toEqual(['Acme', 'Board room']);
    expect(await c.app.db.selectFrom('posts').select('content_id').execute()).toEqual([]);
  });

  it('answers 404 when the space is private and they left it: they may not know it any more', async () => {
    await c.app.db.deleteFrom('space_members').where('space_id', '=', c.secret).where('user_id', '=', c.ids.member).execute();
    expect((await c.post('/posts', 'member', { space: String(c.secret), body: 'Secret' })).statusCode).toBe(404);
  });

  it('shows the text read-only when there is nowhere left to post', async () => {
    await c.app.db.updateTable('organisation').set({ member_posts_in_company: 0 }).execute();
    c.app.organisation.forget();
    const refused = await c.post('/posts', 'outsider', { space: String(c.company), body: TYPED });
    expect(refused.statusCode).toBe(403);
    const page = html(refused);
    expect(page.querySelector('.error-summary')?.textContent).toContain('In the company space, only editors and administrators may post.');
    expect(page.querySelector('form[action="/posts"]')).toBe(null);
    expect(page.querySelector('#composer-unsent')?.textContent).toBe(TYPED);
    expect(page.querySelector('#composer-unsent')?.hasAttribute('readonly')).toBe(true);
  });
});

describe('publishing news after losing the editor role', () => {
  it('shows the form again with what was typed and why (403); nothing is saved', async () => {
    expect((await c.get('/news/new', 'editor')).statusCode).toBe(200);
    await c.app.db.updateTable('users').set({ role: 'member' }).where('id', '=', c.ids.editor).execute();
    const refused = await c.post('/news/new', 'editor', { spaceId: String(c.company), title: 'Big <b>news</b>', body: TYPED, category: 'HR', action: 'publish' });
    expect(refused.statusCode).toBe(403);
    const page = html(refused);
    expect(page.querySelector('.error-summary')?.textContent).toContain('You may no longer publish news: your role changed while you were writing.');
    expect(page.querySelector('input[name="title"]')?.getAttribute('value')).toBe('Big <b>news</b>');
    expect(page.querySelector('textarea[name="body"]')?.textContent).toBe(TYPED);
    expect(page.querySelector('input[name="category"]')?.getAttribute('value')).toBe('HR');
    expect(page.querySelector('select[name="spaceId"]')).toBe(null);
    expect(await c.app.db.selectFrom('news_articles').select('content_id').execute()).toEqual([]);
    // Opening the form afresh is still refused.
    expect((await c.get('/news/new', 'editor')).statusCode).toBe(403);
  });
});
