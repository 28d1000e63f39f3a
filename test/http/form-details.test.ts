// Small things forms must get right: a title field carries dir="auto" like the text areas (a title
// in Arabic or Hebrew reads right to left), text of only zero-width characters is empty, and saving
// a comment unchanged does not mark it edited.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, html } from '../helpers/app.js';
import { createComment, createPost } from '../helpers/content.js';
import { createCast, type Cast } from '../helpers/conversation.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

const INVISIBLE = '\u200B\u200C\u200D\u2060\uFEFF';

describe('the field partial', () => {
  it('gives its extra attributes to text inputs too: the news title reads in its own direction', async () => {
    const page = html(await c.get('/news/new', 'editor'));
    expect(page.querySelector('input[name="title"]')?.getAttribute('dir')).toBe('auto');
    expect(page.querySelector('textarea[name="body"]')?.getAttribute('dir')).toBe('auto');
  });
});

describe('text of only zero-width characters', () => {
  it('is refused as empty for a post, a comment and a news title, keeping what was typed', async () => {
    const post = await c.post('/posts', 'member', { space: String(c.open), body: ` ${INVISIBLE} ` });
    expect(post.statusCode).toBe(422);
    expect(html(post).querySelector('#composer-body-error')?.textContent).toContain('This field is required.');

    const item = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'Item' });
    const comment = await c.post(`/content/${item}/comments`, 'member', { body: INVISIBLE });
    expect(comment.statusCode).toBe(422);
    expect(html(comment).querySelector('#comment-new-body-error')?.textContent).toContain('This field is required.');

    const article = await c.post('/news/new', 'editor', { spaceId: String(c.company), title: INVISIBLE, body: 'Body', action: 'publish' });
    expect(article.statusCode).toBe(422);
    expect(html(article).querySelector('#title-error')?.textContent).toContain('This field is required.');
    expect(html(article).querySelector('textarea[name="body"]')?.textContent).toBe('Body');

    expect(await c.app.db.selectFrom('comments').select('id').execute()).toEqual([]);
    expect(await c.app.db.selectFrom('posts').select('content_id').execute()).toHaveLength(1);
  });

  it('is fine around real text', async () => {
    const item = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'Item' });
    expect((await c.post(`/content/${item}/comments`, 'member', { body: `\u200BOK\u200D` })).statusCode).toBe(303);
  });
});

describe('editing a comment', () => {
  const edited = async (id: number) => (await c.app.db.selectFrom('comments').select('edited_at').where('id', '=', id).executeTakeFirstOrThrow()).edited_at;

  it('marks it edited only when its text changed, and says when nothing did', async () => {
    const item = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'Item' });
    const comment = await createComment(c.app, { contentId: item, authorId: c.ids.member, body: 'As it was' });
    const same = await c.post(`/comments/${comment}/edit`, 'member', { body: '  As it was ' });
    expect(same.statusCode).toBe(303);
    expect(await edited(comment)).toBe(null);
    const next = await c.app.inject({ url: same.headers.location!.split('#')[0]!, headers: { cookie: cookiesFrom(same, c.cookies.member) } });
    expect(html(next).querySelector('.notice--info')?.textContent.trim()).toBe('Nothing changed: the comment stays as it was.');
    expect(html(await c.get(`/content/${item}`, 'member')).querySelector(`#comment-${comment} .comment__edited`)).toBe(null);

    const changed = await c.post(`/comments/${comment}/edit`, 'member', { body: 'As it is now' });
    expect(changed.statusCode).toBe(303);
    expect(await edited(comment)).not.toBe(null);
    expect(html(await c.get(`/content/${item}`, 'member')).querySelector(`#comment-${comment} .comment__edited`)?.textContent).toBe('(edited)');
  });
});
