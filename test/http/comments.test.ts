// Comments as people meet them: who may comment where, one level of replies, limits and bad input,
// script that must stay inert, deleted and hidden comments, editing and deleting one's own, mentions,
// files, the pages beyond the first 100 comments, and htmx's in-place answers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContentSubject } from '../../src/content/subjects.js';
import { COMMENTS_PAGE_SIZE, loadConversation } from '../../src/features/conversation/queries.js';
import { loadViewer } from '../../src/policy/viewer.js';
import { cookiesFrom, html, mainText } from '../helpers/app.js';
import { multipartPayload } from '../helpers/attachments.js';
import { createComment, createPost } from '../helpers/content.js';
import { createCast, latestComment, notificationsOf, PARTIAL, type Cast, type Who } from '../helpers/conversation.js';

let c: Cast;
let secretPost: number;
let openPost: number;
beforeEach(async () => {
  c = await createCast();
  secretPost = await createPost(c.app, { spaceId: c.secret, authorId: c.ids.member, body: 'Budget for next year' });
  openPost = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'New tools in the workshop' });
});
afterEach(async () => c.t.close());

const commentCount = async () => (await c.app.db.selectFrom('comments').select('id').execute()).length;
const commentIds = (response: Awaited<ReturnType<Cast['get']>>) => html(response).querySelectorAll('li.comment').map((li) => Number(li.getAttribute('id')!.replace('comment-', '')));
const hide = (id: number, reason = 'Off topic') =>
  c.app.db.updateTable('comments').set({ hidden_at: Date.now(), hidden_by: 1, hidden_reason: reason }).where('id', '=', id).execute();
const softDelete = (id: number) => c.app.db.updateTable('comments').set({ deleted_at: Date.now(), deleted_by: 1 }).where('id', '=', id).execute();

describe('who may comment', () => {
  it('sends visitors and deactivated people to sign in, and saves nothing', async () => {
    for (const who of [null, 'gone'] as const) {
      const response = await c.post(`/content/${secretPost}/comments`, who, { body: 'Hello' });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/login');
      expect((await c.get(`/content/${secretPost}/comments`, who)).headers.location).toBe(`/login?next=%2Fcontent%2F${secretPost}%2Fcomments`);
    }
    expect(await commentCount()).toBe(0);
  });

  it('answers 404 to someone outside a private space, and for unknown or deleted items', async () => {
    expect((await c.post(`/content/${secretPost}/comments`, 'outsider', { body: 'Hello' })).statusCode).toBe(404);
    expect((await c.post(`/content/${secretPost}/comments`, 'editor', { body: 'Hello' })).statusCode).toBe(404);
    expect((await c.get(`/content/${secretPost}/comments`, 'outsider')).statusCode).toBe(404);
    expect((await c.post('/content/987654/comments', 'member', { body: 'Hello' })).statusCode).toBe(404);
    expect((await c.post('/content/abc/comments', 'member', { body: 'Hello' })).statusCode).toBe(404);
    await c.app.db.updateTable('content').set({ deleted_at: Date.now(), deleted_by: 1 }).where('id', '=', openPost).execute();
    expect((await c.post(`/content/${openPost}/comments`, 'editor', { body: 'Hello' })).statusCode).toBe(404);
    expect(await commentCount()).toBe(0);
  });

  it('lets everyone who sees an item comment on it, and goes back to the new comment', async () => {
    const allowed: Array<[Who, number]> = [
      ['member', secretPost],
      ['spaceAdmin', secretPost],
      ['admin', secretPost],
      ['editor', openPost],
      // An open space's items are open to every employee, member of it or not.
      ['outsider', openPost],
    ];
    for (const [who, item] of allowed) {
      const response = await c.post(`/content/${item}/comments`, who, { body: `Comment from ${who}` });
      expect(response.statusCode, who).toBe(303);
      const comment = await latestComment(c.app);
      expect(response.headers.location).toBe(`/content/${item}#comment-${comment.id}`);
      expect(comment).toMatchObject({ content_id: item, author_id: c.ids[who], parent_id: null, body: `Comment from ${who}`, edited_at: null, deleted_at: null });
    }
    const response = await c.post(`/content/${openPost}/comments`, 'member', { body: 'Nice **tools**' });
    const page = await c.get(response.headers.location!, 'member', { cookie: cookiesFrom(response, c.cookies.member) });
    expect(mainText(page)).toContain('Your comment is published.');
    expect(html(page).querySelector(`#comment-${(await latestComment(c.app)).id} .comment__body strong`)?.textContent).toBe('tools');
  });

  it('refuses, with a clear message, when comments are closed, the item hidden or not yet published', async () => {
    await c.app.db.updateTable('content').set({ comments_enabled: 0 }).where('id', '=', openPost).execute();
    const closed = await c.post(`/content/${openPost}/comments`, 'editor', { body: 'Hello' });
    expect(closed.statusCode).toBe(403);
    expect(mainText(closed)).toContain('Comments are closed on this item.');
    const page = html(await c.get(`/content/${openPost}`, 'editor'));
    expect(page.querySelector('form.comment-form')).toBe(null);
    expect(page.querySelector('.conversation__closed')?.textContent).toContain('Comments are closed');

    await c.app.db.updateTable('content').set({ hidden_at: Date.now(), hidden_by: 1, hidden_reason: 'Check first' }).where('id', '=', secretPost).execute();
    for (const who of ['member', 'spaceAdmin', 'admin'] as const) {
      const hidden = await c.post(`/content/${secretPost}/comments`, who, { body: 'Hello' });
      expect(hidden.statusCode, who).toBe(403);
      expect(mainText(hidden)).toContain('hidden by a moderator');
    }

    const draft = await createPost(c.app, { spaceId: c.open, authorId: c.ids.member, body: 'Draft', publishedAt: null });
    const unpublished = await c.post(`/content/${draft}/comments`, 'member', { body: 'Hello' });
    expect(unpublished.statusCode).toBe(403);
    expect(mainText(unpublished)).toContain('not published yet');
    expect((await c.post(`/content/${draft}/comments`, 'editor', { body: 'Hello' })).statusCode).toBe(404);
    expect(await commentCount()).toBe(0);
  });
});

describe('what a comment may say', () => {
  it('takes 5,000 characters, refuses 5,001 with a message, and keeps what was typed', async () => {
    expect((await c.post(`/content/${openPost}/comments`, 'member', { body: 'x'.repeat(5000) })).statusCode).toBe(303);
    const long = '😀'.repeat(2500) + 'y';
    const response = await c.post(`/content/${openPost}/comments`, 'member', { body: long });
    expect(response.statusCode).toBe(422);
    expect(mainText(response)).toContain('Enter no more than 5,000 characters.');
    const textarea = html(response).querySelector('form.comment-form textarea[name="body"]');
    expect(textarea?.textContent).toBe(long);
    expect(textarea?.getAttribute('aria-invalid')).toBe('true');
    expect(await commentCount()).toBe(1);
  });

  it('refuses empty and whitespace-only comments', async () => {
    for (const body of ['', '  \n\t ']) {
      const response = await c.post(`/content/${openPost}/comments`, 'member', { body });
      expect(response.statusCode).toBe(422);
      expect(mainText(response)).toContain('This field is required.');
    }
    expect((await c.post(`/content/${openPost}/comments`, 'member', {})).statusCode).toBe(422);
    expect(await commentCount()).toBe(0);
  });

  it('keeps script inert, shown and shown again', async () => {
    const payloads = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[x](javascript:alert(1))', '<a href="javascript:alert(1)">x</a>', '<svg onload=alert(1)>'];
    expect((await c.post(`/content/${openPost}/comments`, 'member', { body: payloads.join('\n\n') })).statusCode).toBe(303);
    const page = html(await c.get(`/content/${openPost}`, 'member'));
    const body = page.querySelector('.comment__body')!;
    expect(body.querySelectorAll('script, img, svg, [onerror], [onload]')).toHaveLength(0);
    expect(body.querySelectorAll('a').filter((a) => !/^(https?:|mailto:|\/)/.test(a.getAttribute('href') ?? ''))).toHaveLength(0);
    expect(body.textContent).toContain('<script>alert(1)</script>');
    const refused = await c.post(`/content/${openPost}/comments`, 'member', { body: '<script>alert(2)</script>' + 'z'.repeat(5000) });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).not.toContain('<script>alert(2)</script>');
  });

  it('notifies the people it mentions, only when they may see the item', async () => {
    const body = `@[Sam Lead](${c.ids.spaceAdmin}) @[Carol Outsider](${c.ids.outsider}) @[Eve Editor](${c.ids.editor}) what do you think?`;
    expect((await c.post(`/content/${secretPost}/comments`, 'member', { body })).statusCode).toBe(303);
    const comment = await latestComment(c.app);
    expect(await notificationsOf(c.app, c.ids.spaceAdmin)).toEqual([{ type: 'mention', actor_id: c.ids.member, content_id: secretPost, comment_id: comment.id }]);
    expect(await notificationsOf(c.app, c.ids.outsider)).toEqual([]);
    expect(await notificationsOf(c.app, c.ids.editor)).toEqual([]);
    const mentions = await c.app.db.selectFrom('mentions').select(['user_id', 'comment_id']).orderBy('user_id').execute();
    expect(mentions).toEqual([c.ids.editor, c.ids.spaceAdmin, c.ids.outsider].sort((a, b) => a - b).map((id) => ({ user_id: id, comment_id: comment.id })));
  });

  it('carries files', async () => {
    const { payload, headers } = multipartPayload({ body: 'Minutes attached' }, [{ field: 'files', filename: 'minutes.txt', content: 'We met.', contentType: 'text/plain' }]);
    const response = await c.app.inject({ method: 'POST', url: `/content/${openPost}/comments`, headers: { ...headers, cookie: c.cookies.member }, payload });
    expect(response.statusCode).toBe(303);
    const comment = await latestComment(c.app);
    expect(await c.app.db.selectFrom('attachments').select(['content_id', 'comment_id', 'original_name']).execute()).toEqual([
      { content_id: openPost, comment_id: comment.id, original_name: 'minutes.txt' },
    ]);
    const page = html(await c.get(`/content/${openPost}`, 'member'));
    expect(page.querySelector(`#comment-${comment.id} a[href^="/files/"]`)?.textContent).toBe('minutes.txt');
    // Files of a comment are not the item's own.
    expect(page.querySelectorAll('a[href^="/files/"]').filter((a) => !a.closest('#comments'))).toHaveLength(0);
  });
});

describe('one level of replies', () => {
  it('attaches a reply to a reply to the top-level comment', async () => {
    const top = await createComment(c.app, { contentId: openPost, authorId: c.ids.editor, body: 'Top' });
    expect((await c.post(`/content/${openPost}/comments`, 'member', { body: 'Reply', parent_id: String(top) })).statusCode).toBe(303);
    const reply = await latestComment(c.app);
    expect(reply.parent_id).toBe(top);
    const answer = await c.post(`/content/${openPost}/comments`, 'outsider', { body: 'Reply to the reply', parent_id: String(reply.id) });
    expect(answer.statusCode).toBe(303);
    const nested = await latestComment(c.app);
    expect(nested.parent_id).toBe(top);
    expect(answer.headers.location).toBe(`/content/${openPost}#comment-${nested.id}`);
    const page = html(await c.get(`/content/${openPost}`, 'member'));
    expect(page.querySelectorAll(`#comment-${top} > ol.comments--replies > li.comment`).map((li) => li.getAttribute('id'))).toEqual([`comment-${reply.id}`, `comment-${nested.id}`]);
    expect(page.querySelectorAll('.comments--replies .comments--replies')).toHaveLength(0);
  });

  it('refuses to answer a comment of another item, a deleted or hidden one, and keeps the reply typed', async () => {
    const elsewhere = await createComment(c.app, { contentId: secretPost, authorId: c.ids.member, body: 'Private' });
    const gone = await createComment(c.app, { contentId: openPost, authorId: c.ids.editor, body: 'Gone' });
    const hidden = await createComment(c.app, { contentId: openPost, authorId: c.ids.editor, body: 'Hidden' });
    const fine = await createComment(c.app, { contentId: openPost, authorId: c.ids.editor, body: 'Fine' });
    await softDelete(gone);
    await hide(hidden);
    for (const parent of [elsewhere, gone, hidden, 987654]) {
      const response = await c.post(`/content/${openPost}/comments`, 'outsider', { body: 'My answer', parent_id: String(parent) });
      expect(response.statusCode, String(parent)).toBe(422);
      expect(mainText(response)).toContain('The comment you are replying to is no longer available.');
    }
    expect(await commentCount()).toBe(4);
    // A reply refused for its length comes back in its own form, opened, with the text kept.
    const long = 'w'.repeat(5001);
    const refused = await c.post(`/content/${openPost}/comments`, 'outsider', { body: long, parent_id: String(fine) });
    expect(refused.statusCode).toBe(422);
    const details = html(refused).querySelector(`#comment-${fine} details.comment__reply`);
    expect(details?.hasAttribute('open')).toBe(true);
    expect(details?.querySelector('textarea')?.textContent).toBe(long);
    expect(html(refused).querySelector('form.comment-form textarea')?.textContent).toBe('');
  });
});

describe('deleted and hidden comments', () => {
  it('keeps a deleted comment as a placeholder only while it has replies', async () => {
    const withReplies = await createComment(c.app, { contentId: openPost, authorId: c.ids.member, body: 'Secret sauce' });
    await createComment(c.app, { contentId: openPost, authorId: c.ids.editor, body: 'Answer', parentId: withReplies });
    const alone = await createComment(c.app, { contentId: openPost, authorId: c.ids.member, body: 'Alone' });
    await softDelete(withReplies);
    await softDelete(alone);
    const page = await c.get(`/content/${openPost}`, 'editor');
    expect(html(page).querySelector(`#comment-${withReplies} .comment__placeholder`)?.textContent).toBe('Comment deleted.');
    expect(page.body).not.toContain('Secret sauce');
    expect(html(page).querySelector(`#comment-${alone}`)).toBe(null);
    expect(page.body).not.toContain('Alone');
    expect(mainText(page)).toContain('Answer');
  });

  it('shows a hidden comment to its author and the moderators with the reason, a placeholder to others', async () => {
    const comment = await createComment(c.app, { contentId: secretPost, authorId: c.ids.member, body: 'Heated words' });
    await hide(comment, 'Be <b>kind</b>');
    for (const who of ['member', 'spaceAdmin', 'admin'] as const) {
      const page = html(await c.get(`/content/${secretPost}`, who));
      expect(page.querySelector(`#comment-${comment} .comment__body`)?.textContent, who).toContain('Heated words');
      expect(page.querySelector(`#comment-${comment} .comment__hidden`)?.textContent, who).toContain('Be <b>kind</b>');
    }
    const other = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'Open post' });
    const openComment = await createComment(c.app, { contentId: other, authorId: c.ids.member, body: 'Rude words' });
    await hide(openComment, 'Rude');
    const outsider = await c.get(`/content/${other}`, 'outsider');
    expect(html(outsider).querySelector(`#comment-${openComment} .comment__placeholder`)?.textContent).toBe('Comment hidden by a moderator.');
    expect(outsider.body).not.toContain('Rude');
    // Nor can it be answered, reported or edited by others.
    expect(html(outsider).querySelector(`#comment-${openComment} details.comment__reply`)).toBe(null);
    expect((await c.get(`/comments/${openComment}/edit`, 'outsider')).statusCode).toBe(404);
  });
});

describe('editing a comment', () => {
  let comment: number;
  beforeEach(async () => {
    comment = await createComment(c.app, { contentId: secretPost, authorId: c.ids.member, body: 'Frist' });
  });

  it('lets only its author edit; 404 to those who may not see it', async () => {
    for (const who of [null, 'gone'] as const) {
      expect((await c.get(`/comments/${comment}/edit`, who)).headers.location).toBe(`/login?next=%2Fcomments%2F${comment}%2Fedit`);
      expect((await c.post(`/comments/${comment}/edit`, who, { body: 'x' })).headers.location).toBe('/login');
    }
    for (const who of ['outsider', 'editor'] as const) {
      expect((await c.get(`/comments/${comment}/edit`, who)).statusCode, who).toBe(404);
      expect((await c.post(`/comments/${comment}/edit`, who, { body: 'x' })).statusCode, who).toBe(404);
    }
    for (const who of ['spaceAdmin', 'admin'] as const) {
      expect((await c.get(`/comments/${comment}/edit`, who)).statusCode, who).toBe(403);
      expect((await c.post(`/comments/${comment}/edit`, who, { body: 'x' })).statusCode, who).toBe(403);
    }
    expect((await c.get('/comments/987654/edit', 'member')).statusCode).toBe(404);
    const form = await c.get(`/comments/${comment}/edit`, 'member');
    expect(form.statusCode).toBe(200);
    expect(html(form).querySelector('textarea[name="body"]')?.textContent).toBe('Frist');
    expect((await latestComment(c.app)).body).toBe('Frist');
  });

  it('saves the new text with the edited marker, and goes back to it', async () => {
    const response = await c.post(`/comments/${comment}/edit`, 'member', { body: `First, @[Sam Lead](${c.ids.spaceAdmin})` });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/content/${secretPost}#comment-${comment}`);
    const row = await latestComment(c.app);
    expect(row.body).toBe(`First, @[Sam Lead](${c.ids.spaceAdmin})`);
    expect(row.edited_at).not.toBe(null);
    expect((await notificationsOf(c.app, c.ids.spaceAdmin)).map((n) => n.comment_id)).toEqual([comment]);
    const page = html(await c.get(`/content/${secretPost}`, 'member'));
    expect(page.querySelector(`#comment-${comment} .comment__edited`)?.textContent).toBe('(edited)');
  });

  it('refuses too long or blank text and keeps what was typed', async () => {
    const long = 'q'.repeat(5001);
    const response = await c.post(`/comments/${comment}/edit`, 'member', { body: long });
    expect(response.statusCode).toBe(422);
    expect(mainText(response)).toContain('Enter no more than 5,000 characters.');
    expect(html(response).querySelector('textarea[name="body"]')?.textContent).toBe(long);
    expect((await c.post(`/comments/${comment}/edit`, 'member', { body: ' ' })).statusCode).toBe(422);
    expect((await latestComment(c.app)).body).toBe('Frist');
  });

  it('is not possible once deleted', async () => {
    await softDelete(comment);
    expect((await c.get(`/comments/${comment}/edit`, 'member')).statusCode).toBe(404);
  });
});

describe('deleting a comment', () => {
  it('lets its author and admins delete it (softly), nobody else', async () => {
    const mine = await createComment(c.app, { contentId: secretPost, authorId: c.ids.member, body: 'Mine' });
    for (const who of [null, 'gone'] as const) expect((await c.post(`/comments/${mine}/delete`, who)).headers.location).toBe('/login');
    expect((await c.post(`/comments/${mine}/delete`, 'outsider')).statusCode).toBe(404);
    expect((await c.post(`/comments/${mine}/delete`, 'spaceAdmin')).statusCode).toBe(403);
    expect((await c.post('/comments/987654/delete', 'member')).statusCode).toBe(404);
    expect((await latestComment(c.app)).deleted_at).toBe(null);

    const response = await c.post(`/comments/${mine}/delete`, 'member');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/content/${secretPost}#comment-${mine}`);
    const row = await latestComment(c.app);
    expect(row.deleted_at).not.toBe(null);
    expect(row.deleted_by).toBe(c.ids.member);
    expect(row.body).toBe('Mine');
    expect((await c.post(`/comments/${mine}/delete`, 'member')).statusCode).toBe(404);
    expect(await c.app.db.selectFrom('audit_log').select('action').where('action', '=', 'comment.delete').execute()).toEqual([]);

    const theirs = await createComment(c.app, { contentId: secretPost, authorId: c.ids.spaceAdmin, body: 'Theirs' });
    expect((await c.post(`/comments/${theirs}/delete`, 'admin')).statusCode).toBe(303);
    const audit = await c.app.db.selectFrom('audit_log').select(['actor_id', 'subject_id']).where('action', '=', 'comment.delete').execute();
    expect(audit).toEqual([{ actor_id: 1, subject_id: String(theirs) }]);
    const page = await c.get(`/content/${secretPost}`, 'member');
    expect(commentIds(page)).toEqual([]);
  });
});

describe('many comments', () => {
  it('shows the first 100 top-level comments, then a page at a time, in a fixed number of queries', async () => {
    const total = COMMENTS_PAGE_SIZE + 5;
    const ids: number[] = [];
    for (let i = 0; i < total; i += 1) ids.push(await createComment(c.app, { contentId: openPost, authorId: c.ids.member, body: `Comment ${i}` }));
    await createComment(c.app, { contentId: openPost, authorId: c.ids.editor, body: 'A reply', parentId: ids[0]! });
    const first = await c.get(`/content/${openPost}`, 'editor');
    expect(commentIds(first).filter((id) => ids.includes(id))).toEqual(ids.slice(0, COMMENTS_PAGE_SIZE));
    const more = html(first).querySelector('#comments a[rel="next"]')?.getAttribute('href');
    expect(more).toBe(`/content/${openPost}/comments?after=${ids[COMMENTS_PAGE_SIZE - 1]}`);
    const second = await c.get(more!, 'editor');
    expect(second.statusCode).toBe(200);
    expect(commentIds(second)).toEqual(ids.slice(COMMENTS_PAGE_SIZE));
    expect(html(second).querySelector('#comments a[rel="next"]')).toBe(null);
    expect(mainText(second)).toContain('Back to the first comments');

    // A comment landing beyond the first page is shown on its page.
    const response = await c.post(`/content/${openPost}/comments`, 'editor', { body: 'The newest' });
    const newest = await latestComment(c.app);
    expect(response.headers.location).toBe(`/content/${openPost}/comments?after=${newest.id - 1}#comment-${newest.id}`);
    expect(commentIds(await c.get(response.headers.location!.split('#')[0]!, 'editor'))).toEqual([newest.id]);

    // The queries do not grow with the number of comments.
    const queries: string[] = [];
    const viewer = await loadViewer(c.app.db, { id: c.ids.editor, email: 'eve@example.com', name: 'Eve Editor', role: 'editor', locale: 'en' }, await c.app.organisation.get());
    const subject = (await loadContentSubject(c.app.db, openPost))!;
    const counting = c.app.db.withPlugin({
      transformQuery: (args) => {
        queries.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const conversation = await loadConversation({ ...c.app, db: counting } as typeof c.app, viewer, subject);
    expect(conversation.comments).toHaveLength(COMMENTS_PAGE_SIZE);
    expect(conversation.comments[0]!.replies).toHaveLength(1);
    expect(queries).toHaveLength(4);
  });
});

describe('with htmx', () => {
  it('answers a comment with the conversation alone, the new comment focused', async () => {
    const response = await c.post(`/content/${openPost}/comments`, 'member', { body: 'Quick one' }, PARTIAL);
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<html');
    const section = html(response).querySelector('section#comments')!;
    const comment = await latestComment(c.app);
    expect(section.querySelector(`#comment-${comment.id}`)?.getAttribute('data-autofocus')).toBe('');
    expect(section.querySelector('[role="status"]')?.textContent).toBe('Your comment is published.');
    // No notice left waiting for the next page.
    expect(response.cookies.find((k) => k.name === 'hameau_flash')).toBeUndefined();

    const refused = await c.post(`/content/${openPost}/comments`, 'member', { body: ' ' }, PARTIAL);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).not.toContain('<html');
    expect(html(refused).querySelector('section#comments .error-summary')).not.toBe(null);
  });

  it('shows the comment form, with the file picker, only to those who may comment', async () => {
    const page = html(await c.get(`/content/${openPost}`, 'outsider'));
    const form = page.querySelector('form.comment-form')!;
    expect(form.getAttribute('action')).toBe(`/content/${openPost}/comments`);
    expect(form.getAttribute('hx-post')).toBe(`/content/${openPost}/comments`);
    expect(form.getAttribute('enctype')).toBe('multipart/form-data');
    expect(form.querySelector('input[type="file"][name="files"]')).not.toBe(null);
    expect(form.querySelector('textarea[data-mentions]')).not.toBe(null);
  });
});
