// A pending file claimed by another request between a form's checks and its transaction (the same
// form sent from two tabs, a double click without JavaScript): attachAll checks in its own statement,
// inside the transaction, that each file is still its uploader's and still pending; when one is not,
// nothing of the form is saved and it comes back (409) with a message and what was typed. The other
// request is played by a trigger that claims the file inside the transaction, just before the files
// are given (a real race cannot be timed in a test). Tried on every form that gives files.
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachAll, attachTo, AttachmentsTaken } from '../../src/features/attachments/service.js';
import { html } from '../helpers/app.js';
import { createAttachment, samplePdf, samplePng } from '../helpers/attachments.js';
import { createComment, createPost } from '../helpers/content.js';
import { createCast, type Cast, type Who } from '../helpers/conversation.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

const TAKEN = 'A file of this form was attached elsewhere in the meantime';

const pendingFile = (who: Who, filename = 'plan.pdf') => createAttachment(c.app, { uploaderId: c.ids[who], filename, content: samplePdf() });
const ownerOf = (id: number) => c.app.db.selectFrom('attachments').select(['content_id', 'comment_id', 'space_id']).where('id', '=', id).executeTakeFirstOrThrow();

/**
 * Makes the next write to `table` (`event`: INSERT or UPDATE) claim `file` for the open space first,
 * as a request running at the same time would; the trigger is dropped by the test's end.
 */
function claimedMeanwhile(table: string, event: 'INSERT' | 'UPDATE', file: number) {
  c.app.sqlite.exec(`CREATE TRIGGER claim_meanwhile AFTER ${event} ON ${table} BEGIN UPDATE attachments SET space_id = ${c.open} WHERE id = ${file}; END`);
}

function expectRefusedWithText(response: LightMyRequestResponse, typed: string) {
  const page = html(response);
  expect(page.querySelector('.error-summary')?.textContent).toContain(TAKEN);
  expect(page.querySelector('textarea[name="body"]')?.textContent ?? page.querySelector('input[name="name"]')?.getAttribute('value')).toBe(typed);
}

describe('attachTo and attachAll', () => {
  it('give only the uploader’s pending files, say how many, and attachAll is all or nothing', async () => {
    const item = await createPost(c.app, { spaceId: c.open, authorId: c.ids.member, body: 'Item' });
    const mine = await pendingFile('member');
    const theirs = await pendingFile('editor');
    const given = await pendingFile('member', 'given.pdf');
    await attachTo(c.app.db, [given], { spaceId: c.open }, c.ids.member);

    expect(await attachTo(c.app.db, [mine, theirs, given], { contentId: item }, c.ids.member)).toBe(1);
    expect(await ownerOf(mine)).toEqual({ content_id: item, comment_id: null, space_id: null });
    expect(await ownerOf(theirs)).toEqual({ content_id: null, comment_id: null, space_id: null });
    expect(await ownerOf(given)).toEqual({ content_id: null, comment_id: null, space_id: c.open });

    const another = await pendingFile('member', 'another.pdf');
    await expect(
      c.app.db.transaction().execute(async (trx) => {
        await attachAll(trx, [another, mine], { contentId: item }, c.ids.member);
      }),
    ).rejects.toBeInstanceOf(AttachmentsTaken);
    // Rolled back: the file that was still pending stays so.
    expect(await ownerOf(another)).toEqual({ content_id: null, comment_id: null, space_id: null });
  });
});

describe('a file claimed by another request meanwhile', () => {
  const pending = async (file: number) => expect(await ownerOf(file)).toEqual({ content_id: null, comment_id: null, space_id: null });

  it('refuses the post, keeping the text; nothing is saved', async () => {
    const file = await pendingFile('member');
    claimedMeanwhile('posts', 'INSERT', file);
    const refused = await c.post('/posts', 'member', { space: String(c.open), body: 'Minutes attached', attachmentIds: String(file) });
    expect(refused.statusCode).toBe(409);
    expectRefusedWithText(refused, 'Minutes attached');
    expect(await c.app.db.selectFrom('posts').select('content_id').execute()).toHaveLength(0);
    await pending(file);
  });

  it('refuses the comment', async () => {
    const item = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'Item' });
    const file = await pendingFile('member');
    claimedMeanwhile('comments', 'INSERT', file);
    const refused = await c.post(`/content/${item}/comments`, 'member', { body: 'See the plan', attachmentIds: String(file) });
    expect(refused.statusCode).toBe(409);
    expectRefusedWithText(refused, 'See the plan');
    expect(await c.app.db.selectFrom('comments').select('id').execute()).toHaveLength(0);
  });

  it('refuses the edit of a post, and of a comment, changing nothing', async () => {
    const postId = await createPost(c.app, { spaceId: c.open, authorId: c.ids.member, body: 'Before' });
    const forPost = await pendingFile('member');
    claimedMeanwhile('posts', 'UPDATE', forPost);
    const refusedPost = await c.post(`/posts/${postId}/edit`, 'member', { body: 'After', attachmentIds: String(forPost) });
    expect(refusedPost.statusCode).toBe(409);
    expectRefusedWithText(refusedPost, 'After');
    expect(await c.app.db.selectFrom('posts').select('body').where('content_id', '=', postId).executeTakeFirst()).toEqual({ body: 'Before' });
    c.app.sqlite.exec('DROP TRIGGER claim_meanwhile');

    const comment = await createComment(c.app, { contentId: postId, authorId: c.ids.member, body: 'Before' });
    const forComment = await pendingFile('member');
    claimedMeanwhile('comments', 'UPDATE', forComment);
    const refusedComment = await c.post(`/comments/${comment}/edit`, 'member', { body: 'After', attachmentIds: String(forComment) });
    expect(refusedComment.statusCode).toBe(409);
    expectRefusedWithText(refusedComment, 'After');
    expect(await c.app.db.selectFrom('comments').select(['body', 'edited_at']).where('id', '=', comment).executeTakeFirst()).toEqual({ body: 'Before', edited_at: null });
  });

  it('refuses the news article, and its edit', async () => {
    const file = await pendingFile('editor');
    claimedMeanwhile('news_articles', 'INSERT', file);
    const refused = await c.post('/news/new', 'editor', { spaceId: String(c.company), title: 'Plans', body: 'The plans', action: 'publish', attachmentIds: String(file) });
    expect(refused.statusCode).toBe(409);
    const page = html(refused);
    expect(page.querySelector('.error-summary')?.textContent).toContain(TAKEN);
    expect(page.querySelector('textarea[name="body"]')?.textContent).toBe('The plans');
    expect(page.querySelector('input[name="title"]')?.getAttribute('value')).toBe('Plans');
    expect(await c.app.db.selectFrom('news_articles').select('content_id').execute()).toHaveLength(0);
    c.app.sqlite.exec('DROP TRIGGER claim_meanwhile');

    const created = await c.post('/news/new', 'editor', { spaceId: String(c.company), title: 'Plans', body: 'The plans', action: 'publish' });
    const articleId = Number(created.headers.location!.split('/').pop());
    claimedMeanwhile('news_articles', 'UPDATE', file);
    const edit = await c.post(`/news/${articleId}/edit`, 'editor', { title: 'Plans v2', body: 'New plans', action: 'save', attachmentIds: String(file) });
    expect(edit.statusCode).toBe(409);
    expect(html(edit).querySelector('textarea[name="body"]')?.textContent).toBe('New plans');
    expect(await c.app.db.selectFrom('news_articles').select('title').where('content_id', '=', articleId).executeTakeFirst()).toEqual({ title: 'Plans' });
  });

  it('refuses the new space, and the edit of a space', async () => {
    const image = await createAttachment(c.app, { uploaderId: c.ids.member, filename: 'logo.png', content: await samplePng(), purpose: 'space-image' });
    claimedMeanwhile('spaces', 'INSERT', image);
    const refused = await c.post('/spaces/new', 'member', { name: 'Choir', visibility: 'open', imageIds: String(image) });
    expect(refused.statusCode).toBe(409);
    expect(html(refused).querySelector('.error-summary')?.textContent).toContain(TAKEN);
    expect(html(refused).querySelector('input[name="name"]')?.getAttribute('value')).toBe('Choir');
    expect(await c.app.db.selectFrom('spaces').select('id').where('name', '=', 'Choir').execute()).toEqual([]);
    c.app.sqlite.exec('DROP TRIGGER claim_meanwhile');

    claimedMeanwhile('spaces', 'UPDATE', image);
    const edit = await c.post(`/spaces/${c.secret}/edit`, 'spaceAdmin', { name: 'Board room 2', visibility: 'private', imageIds: String(image) });
    // The image is the member's, not the space admin's: it was never theirs to give.
    expect(edit.statusCode).toBe(303);
    const mine = await createAttachment(c.app, { uploaderId: c.ids.spaceAdmin, filename: 'logo.png', content: await samplePng(), purpose: 'space-image' });
    c.app.sqlite.exec('DROP TRIGGER claim_meanwhile');
    claimedMeanwhile('spaces', 'UPDATE', mine);
    const refusedEdit = await c.post(`/spaces/${c.secret}/edit`, 'spaceAdmin', { name: 'Board room 3', visibility: 'private', imageIds: String(mine) });
    expect(refusedEdit.statusCode).toBe(409);
    expect(html(refusedEdit).querySelector('input[name="name"]')?.getAttribute('value')).toBe('Board room 3');
    expect(await c.app.db.selectFrom('spaces').select('name').where('id', '=', c.secret).executeTakeFirst()).toEqual({ name: 'Board room 2' });
  });
});
