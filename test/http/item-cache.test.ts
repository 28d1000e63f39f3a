// Feed pages with the item cache (src/content/item-cache.ts), as people meet them: whatever changes
// about an item, through a form or behind the application's back, the next page shows it; and what a
// card shows of one viewer's own (their reactions, their confirmation) never reaches another's card.
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { HTMLElement } from 'node-html-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html } from '../helpers/app.js';
import { createArticle, createComment, createPost } from '../helpers/content.js';
import { createCast, keptCard, type Cast, type Who } from '../helpers/conversation.js';

let c: Cast;
let post: number;
let article: number;
beforeEach(async () => {
  c = await createCast();
  post = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'New tools #workshop' });
  article = await createArticle(c.app, { spaceId: c.company, authorId: c.ids.admin, title: 'Safety rules', body: 'Read me', mustRead: true });
});
afterEach(async () => c.t.close());

const card = (url: string, who: Who, id: number) => keptCard(c, url, who, id);
const comments = (el: HTMLElement | null) => el!.querySelector('.content-card__comments')!.text;
const reaction = (el: HTMLElement | null, key: string) => {
  const button = el!.querySelector(`button.reaction[value="${key}"]`)!;
  return { pressed: button.getAttribute('aria-pressed'), count: button.querySelector('.reaction__count')?.text.trim() ?? null };
};

describe('the home feed with kept items', () => {
  it('shows a comment added, hidden and deleted on the next page, to everyone', async () => {
    expect(comments(await card('/', 'member', post))).toContain('No comments');
    expect(comments(await card('/', 'editor', post))).toContain('No comments');
    expect((await c.post(`/content/${post}/comments`, 'member', { body: 'Count me in' })).statusCode).toBe(303);
    expect(comments(await card('/', 'member', post))).toContain('1 comment');
    expect(comments(await card('/', 'editor', post))).toContain('1 comment');

    const second = await createComment(c.app, { contentId: post, authorId: c.ids.editor, body: 'Me too' });
    expect(comments(await card('/', 'member', post))).toContain('2 comments');
    await c.app.db.updateTable('comments').set({ hidden_at: Date.now(), hidden_reason: 'spam' }).where('id', '=', second).execute();
    expect(comments(await card('/', 'member', post))).toContain('1 comment');
    await c.app.db.updateTable('comments').set({ deleted_at: Date.now() }).where('content_id', '=', post).execute();
    expect(comments(await card('/', 'editor', post))).toContain('No comments');
  });

  it('shows each viewer their own reactions, and everyone the same counts', async () => {
    await card('/', 'member', post);
    await card('/', 'editor', post);
    expect((await c.post(`/content/${post}/reactions`, 'member', { reaction: 'like' })).statusCode).toBe(303);
    expect(reaction(await card('/', 'member', post), 'like')).toEqual({ pressed: 'true', count: '1' });
    expect(reaction(await card('/', 'editor', post), 'like')).toEqual({ pressed: 'false', count: '1' });
    expect((await c.post(`/content/${post}/reactions`, 'editor', { reaction: 'like' })).statusCode).toBe(303);
    expect(reaction(await card('/', 'editor', post), 'like')).toEqual({ pressed: 'true', count: '2' });
    expect(reaction(await card('/', 'member', post), 'like')).toEqual({ pressed: 'true', count: '2' });
    expect((await c.post(`/content/${post}/reactions`, 'member', { reaction: 'like' })).statusCode).toBe(303);
    expect(reaction(await card('/', 'member', post), 'like')).toEqual({ pressed: 'false', count: '1' });
    expect(reaction(await card('/', 'editor', post), 'like')).toEqual({ pressed: 'true', count: '1' });
  });

  it('shows a must-read confirmed to the person who confirmed it only', async () => {
    const confirmed = (el: HTMLElement | null) => el!.querySelector('.must-read')!.classList.contains('must-read--confirmed');
    expect(confirmed(await card('/', 'member', article))).toBe(false);
    expect(confirmed(await card('/', 'editor', article))).toBe(false);
    expect((await c.post(`/content/${article}/confirm-read`, 'member')).statusCode).toBe(303);
    expect(confirmed(await card('/', 'member', article))).toBe(true);
    expect(confirmed(await card('/', 'editor', article))).toBe(false);
    expect(confirmed(await card('/', 'outsider', article))).toBe(false);
  });

  it('shows an edit, a file, a renamed space, a renamed or deactivated author on the next page', async () => {
    const text = async () => (await card('/', 'member', post))!.text;
    expect(await text()).toContain('New tools');

    await c.app.db.updateTable('posts').set({ body_html: '<p>Better tools</p>' }).where('content_id', '=', post).execute();
    expect(await text()).toContain('Better tools');

    await c.app.db
      .insertInto('attachments')
      .values({ uploader_id: c.ids.editor, storage_key: 'k1', original_name: 'plan.pdf', mime_type: 'application/pdf', size_bytes: 10, is_image: 0, width: null, height: null, content_id: post, comment_id: null, space_id: null, purpose: 'file', created_at: Date.now() })
      .execute();
    expect(await text()).toContain('plan.pdf');

    await c.app.db.updateTable('spaces').set({ name: 'Atelier' }).where('id', '=', c.open).execute();
    expect((await card('/', 'member', post))!.querySelector('.content-meta__space')!.text).toBe('Atelier');

    await c.app.db.updateTable('users').set({ name: 'Eve Lead' }).where('id', '=', c.ids.editor).execute();
    const author = async () => (await card('/', 'member', post))!.querySelector('.content-meta__author')!;
    expect((await author()).text).toBe('Eve Lead');
    expect((await author()).tagName).toBe('A');
    await c.app.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', c.ids.editor).execute();
    expect((await author()).tagName).toBe('SPAN');
  });

  it('shows what another connection wrote (a command-line tool) on the next page', async () => {
    expect((await card('/', 'member', post))!.text).toContain('New tools');
    const other = new SQLite(path.join(c.t.dataDir, 'hameau.db'));
    other.prepare('update posts set body_html = ? where content_id = ?').run('<p>Written elsewhere</p>', post);
    other.close();
    expect((await card('/', 'member', post))!.text).toContain('Written elsewhere');
  });
});

describe('the item’s page with a kept item', () => {
  it('shows a topic added or renamed on the next visit', async () => {
    const topics = async () => {
      await c.get(`/content/${post}`, 'member');
      return html(await c.get(`/content/${post}`, 'member'))
        .querySelectorAll('.content-topics a')
        .map((a) => a.text);
    };
    expect(await topics()).toEqual(['#workshop']);
    const topic = await c.app.db.insertInto('topics').values({ slug: 'tools', label: 'Tools', created_at: Date.now() }).returning('id').executeTakeFirstOrThrow();
    await c.app.db.insertInto('content_topics').values({ topic_id: topic.id, content_id: post }).execute();
    expect(await topics()).toEqual(['#Tools', '#workshop']);
    await c.app.db.updateTable('topics').set({ label: 'Tooling' }).where('id', '=', topic.id).execute();
    expect(await topics()).toEqual(['#Tooling', '#workshop']);
  });
});
