// The core tells plugins what happened (src/plugins/contract.ts, HookEvents): each event once, with its
// payload, after the change is committed, and never for an action that was refused. A listener that
// throws breaks neither the page nor the other listeners; a disabled plugin hears nothing.
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, html, PASSWORD } from '../helpers/app.js';
import { companySpaceId, createPost, createSpace } from '../helpers/content.js';
import { createUser, gdprWorld, spyPlugin, type Ear, type GdprWorld } from '../helpers/gdpr.js';
import { disablePlugin } from '../helpers/plugins.js';
import { articleFields, contentIdFrom } from '../helpers/news.js';

describe('events told to plugins', () => {
  let w: GdprWorld;
  let ear: Ear;
  let loudEar: Ear;
  let member: number;
  let memberCookie: string;
  let editor: number;
  let editorCookie: string;
  let outsiderCookie: string;
  let workshop: number;
  let company: number;

  beforeEach(async () => {
    ear = [];
    loudEar = [];
    // "loud" throws in every listener; it comes first, and "spy" still hears everything.
    w = await gdprWorld([spyPlugin('loud', loudEar, { listenersFail: true }), spyPlugin('spy', ear)], { pinned: true });
    member = await createUser(w.app, { email: 'bruno@example.com', name: 'Bruno Petit', locale: 'en' });
    editor = await createUser(w.app, { email: 'eve@example.com', name: 'Eve Editor', role: 'editor', locale: 'en' });
    const outsider = await createUser(w.app, { email: 'carol@example.com', name: 'Carol Outsider', locale: 'en' });
    memberCookie = await w.sessionOf(member);
    editorCookie = await w.sessionOf(editor);
    outsiderCookie = await w.sessionOf(outsider);
    company = await companySpaceId(w.app);
    workshop = await createSpace(w.app, { name: 'Workshop', visibility: 'private', members: [[member, 'member'], [editor, 'admin']] });
  });

  afterEach(async () => {
    await w.t.close();
  });

  /** What the spy heard since the last call, and forget it. */
  function heard() {
    const copy = [...ear];
    ear.length = 0;
    return copy;
  }

  function expectRedirect(response: LightMyRequestResponse) {
    expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
  }

  it('hears the first admin join at setup (a plugin pinned on from the start), once', async () => {
    const admin = await w.app.db.selectFrom('users').select('id').orderBy('id').executeTakeFirstOrThrow();
    expect(heard()).toEqual([{ name: 'user.joined', payload: { userId: admin.id }, committed: true }]);
  });

  describe('after setup', () => {
    beforeEach(() => {
      heard();
    });

    it('content.created for a post, after it is committed; nothing for a refused one', async () => {
      const published = await w.post('/posts', memberCookie, { space: String(workshop), body: 'Hello workshop' });
      expectRedirect(published);
      const post = await w.app.db.selectFrom('content').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(heard()).toEqual([{ name: 'content.created', payload: { contentId: post.id, kind: 'post', spaceId: workshop, authorId: member }, committed: true }]);

      expect((await w.post('/posts', memberCookie, { space: String(workshop), body: '   ' })).statusCode).toBe(422);
      expect((await w.post('/posts', outsiderCookie, { space: String(workshop), body: 'Let me in' })).statusCode).toBe(404);
      expect((await w.post('/posts', null, { space: String(workshop), body: 'Anonymous' })).statusCode).toBe(303);
      expect(heard()).toEqual([]);
    });

    it('content.updated when the author edits a post; nothing when someone else tries or the text is empty', async () => {
      const post = await createPost(w.app, { spaceId: workshop, authorId: member, body: 'First version' });
      expectRedirect(await w.post(`/posts/${post}/edit`, memberCookie, { body: 'Second version' }));
      expect(heard()).toEqual([{ name: 'content.updated', payload: { contentId: post, kind: 'post', spaceId: workshop, editorId: member }, committed: true }]);

      expect((await w.post(`/posts/${post}/edit`, editorCookie, { body: 'Not mine' })).statusCode).toBe(403);
      expect((await w.post(`/posts/${post}/edit`, memberCookie, { body: '' })).statusCode).toBe(422);
      expect(heard()).toEqual([]);
    });

    it('news: created when published or scheduled (not as a draft), updated when edited after that', async () => {
      const draft = contentIdFrom(await w.post('/news/new', w.admin, articleFields(company, { action: 'draft' }) as Record<string, string>));
      expect(heard()).toEqual([]);
      // The draft gets its publication: created, as far as anyone else can tell.
      expectRedirect(await w.post(`/news/${draft}/edit`, w.admin, articleFields(company, { action: 'publish' }) as Record<string, string>));
      const admin = w.adminId;
      expect(heard()).toEqual([{ name: 'content.created', payload: { contentId: draft, kind: 'news', spaceId: company, authorId: admin }, committed: true }]);
      expectRedirect(await w.post(`/news/${draft}/edit`, w.admin, articleFields(company, { title: 'Better title', action: 'save' }) as Record<string, string>));
      expect(heard()).toEqual([{ name: 'content.updated', payload: { contentId: draft, kind: 'news', spaceId: company, editorId: admin }, committed: true }]);

      const now = contentIdFrom(await w.post('/news/new', editorCookie, articleFields(workshop) as Record<string, string>));
      expect(heard()).toEqual([{ name: 'content.created', payload: { contentId: now, kind: 'news', spaceId: workshop, authorId: editor }, committed: true }]);

      // Scheduled: told when saved with its date (docs/gdpr.md, "Events"); the listener reads published_at.
      const scheduled = contentIdFrom(await w.post('/news/new', editorCookie, articleFields(workshop, { action: 'schedule', scheduledAt: '2099-01-01T09:00' }) as Record<string, string>));
      expect(heard()).toEqual([{ name: 'content.created', payload: { contentId: scheduled, kind: 'news', spaceId: workshop, authorId: editor }, committed: true }]);
      expectRedirect(await w.post(`/news/${scheduled}/edit`, editorCookie, articleFields(workshop, { action: 'schedule', scheduledAt: '2099-01-02T09:00' }) as Record<string, string>));
      expect(heard().map((h) => h.name)).toEqual(['content.updated']);

      // Refused: a member may not publish news; a title missing.
      expect((await w.post('/news/new', memberCookie, articleFields(workshop) as Record<string, string>)).statusCode).toBe(403);
      expect((await w.post('/news/new', editorCookie, articleFields(workshop, { title: '' }) as Record<string, string>)).statusCode).toBe(422);
      expect(heard()).toEqual([]);
    });

    it('content.deleted by the author or a moderator, once; nothing when refused', async () => {
      const mine = await createPost(w.app, { spaceId: workshop, authorId: member, body: 'Delete me' });
      const other = await createPost(w.app, { spaceId: company, authorId: editor, body: 'Moderated' });
      expect((await w.post(`/content/${other}/delete`, memberCookie)).statusCode).toBe(403);
      expect(heard()).toEqual([]);

      expectRedirect(await w.post(`/content/${mine}/delete`, memberCookie));
      expect(heard()).toEqual([{ name: 'content.deleted', payload: { contentId: mine, kind: 'post', spaceId: workshop, actorId: member }, committed: true }]);
      // Deleted already: not found, not told again.
      expect((await w.post(`/content/${mine}/delete`, memberCookie)).statusCode).toBe(404);
      expect(heard()).toEqual([]);

      expectRedirect(await w.post(`/admin/moderation/content/${other}/delete`, w.admin));
      expect(heard()).toEqual([{ name: 'content.deleted', payload: { contentId: other, kind: 'post', spaceId: company, actorId: w.adminId }, committed: true }]);
    });

    it('comment.created for comments and replies; nothing for an empty one or a stranger', async () => {
      const post = await createPost(w.app, { spaceId: workshop, authorId: editor, body: 'Discuss' });
      expectRedirect(await w.post(`/content/${post}/comments`, memberCookie, { body: 'First!' }));
      const first = await w.app.db.selectFrom('comments').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(heard()).toEqual([{ name: 'comment.created', payload: { commentId: first.id, contentId: post, authorId: member, parentId: null }, committed: true }]);

      expectRedirect(await w.post(`/content/${post}/comments`, editorCookie, { body: 'A reply', parent_id: String(first.id) }));
      const reply = await w.app.db.selectFrom('comments').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(heard()).toEqual([{ name: 'comment.created', payload: { commentId: reply.id, contentId: post, authorId: editor, parentId: first.id }, committed: true }]);

      expect((await w.post(`/content/${post}/comments`, memberCookie, { body: ' ' })).statusCode).toBe(422);
      expect((await w.post(`/content/${post}/comments`, outsiderCookie, { body: 'Hi' })).statusCode).toBe(404);
      expect(heard()).toEqual([]);
    });

    it('user.joined when an invitation is accepted; nothing when the form is refused', async () => {
      const invited = await w.post('/admin/invitations', w.admin, { email: 'chloe@example.com', role: 'member', locale: 'en' });
      const page = await w.get('/admin/members', cookiesFrom(invited, w.admin));
      const link = new URL(html(page).querySelector('#outcome-link')!.getAttribute('value')!).pathname;
      expect((await w.post(link, null, { name: 'Chloé', locale: 'en', password: PASSWORD, passwordConfirmation: `${PASSWORD}!` })).statusCode).toBe(422);
      expect(heard()).toEqual([]);
      expectRedirect(await w.post(link, null, { name: 'Chloé Durand', locale: 'en', password: PASSWORD, passwordConfirmation: PASSWORD }));
      const chloe = await w.app.db.selectFrom('users').select('id').where('email', '=', 'chloe@example.com').executeTakeFirstOrThrow();
      expect(heard()).toEqual([{ name: 'user.joined', payload: { userId: chloe.id }, committed: true }]);
      // The link works once.
      expect((await w.post(link, null, { name: 'Again', locale: 'en', password: PASSWORD, passwordConfirmation: PASSWORD })).statusCode).toBe(410);
      expect(heard()).toEqual([]);
    });

    it('user.deactivated when an admin deactivates a member; nothing for a member trying it', async () => {
      expect((await w.post(`/admin/members/${editor}/deactivate`, memberCookie)).statusCode).toBe(403);
      expect(heard()).toEqual([]);
      expectRedirect(await w.post(`/admin/members/${member}/deactivate`, w.admin));
      expect(heard()).toEqual([{ name: 'user.deactivated', payload: { userId: member, actorId: w.adminId }, committed: true }]);
      // Already deactivated: refused, not told again.
      expect((await w.post(`/admin/members/${member}/deactivate`, w.admin)).statusCode).toBe(403);
      expect(heard()).toEqual([]);
    });

    it('a listener that throws is logged, the page answers, and the other plugins still hear', async () => {
      expectRedirect(await w.post('/posts', memberCookie, { space: String(workshop), body: 'Still fine' }));
      expect(heard().map((h) => h.name)).toEqual(['content.created']);
      expect(loudEar).toEqual([]);
      expect(w.t.logs.some((l) => l.plugin === 'loud' && l.hook === 'content.created' && l.msg === 'a hook listener failed')).toBe(true);
    });
  });

  it('a disabled plugin hears nothing', async () => {
    heard();
    const t2 = await gdprWorld([spyPlugin('spy', ear)]);
    try {
      const bruno = await createUser(t2.app, { email: 'bruno@example.com', name: 'Bruno Petit' });
      const cookie = await t2.sessionOf(bruno);
      const space = await companySpaceId(t2.app);
      await t2.app.db.updateTable('organisation').set({ member_posts_in_company: 1 }).execute();
      t2.app.organisation.forget();
      expectRedirect(await t2.post('/posts', cookie, { space: String(space), body: 'Heard' }));
      expect(heard().map((h) => h.name)).toEqual(['content.created']);
      await disablePlugin(t2.app, 'spy');
      expectRedirect(await t2.post('/posts', cookie, { space: String(space), body: 'Not heard' }));
      expect(heard()).toEqual([]);
    } finally {
      await t2.t.close();
    }
  });
});
