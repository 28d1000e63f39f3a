// Deleting, hiding and reporting one content item or comment, as people meet it: who may reach each
// step and who may not (a private space's content is not even known to exist for outsiders), what
// the others see afterwards, bad reasons, and the actions menu shown on cards and pages.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContentSubject } from '../../src/content/subjects.js';
import { translator } from '../../src/i18n/index.js';
import { can } from '../../src/policy/index.js';
import { loadViewer, type Viewer } from '../../src/policy/viewer.js';
import { visibleContent } from '../../src/policy/visible-content.js';
import { createTestApp, html, mainText, type TestApp } from '../helpers/app.js';
import { createComment } from '../helpers/content.js';
import { client, createWorld, type Person, type World } from '../helpers/moderation.js';

let t: TestApp;
let w: World;
let c: ReturnType<typeof client>;
beforeEach(async () => {
  t = await createTestApp();
  w = await createWorld(t.app);
  c = client(t.app);
});
afterEach(async () => t.close());

async function viewerOf(who: Person): Promise<Viewer> {
  const user = await t.app.db.selectFrom('users').select(['id', 'email', 'name', 'role', 'locale']).where('id', '=', who.id).executeTakeFirstOrThrow();
  return loadViewer(t.app.db, user, await t.app.organisation.get());
}

const contentRow = (id: number) => t.app.db.selectFrom('content').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditActions = async () => (await t.app.db.selectFrom('audit_log').select(['action', 'actor_id', 'subject_id', 'details']).orderBy('id').execute()).filter((a) => a.action !== 'organisation.setup');

describe('who may reach the actions on an item', () => {
  const steps = (id: number | string) => [
    ['GET', `/content/${id}/delete`],
    ['POST', `/content/${id}/delete`],
    ['GET', `/content/${id}/hide`],
    ['POST', `/content/${id}/hide`],
    ['POST', `/content/${id}/unhide`],
    ['GET', `/content/${id}/report`],
    ['POST', `/content/${id}/report`],
  ] as const;
  const send = (method: 'GET' | 'POST', url: string, who: Person | '') => (method === 'GET' ? c.get(url, who) : c.post(url, who, { reason: 'Because' }));

  it('sends visitors and deactivated members to sign in, and answers 404 for what they may not see', async () => {
    for (const [method, url] of [...steps(w.posts.team), ...steps(w.posts.secret), ...steps(987654)]) {
      for (const who of ['', w.deactivated] as const) {
        const response = await send(method, url, who);
        expect(response.statusCode, `${method} ${url}`).toBe(303);
        expect(response.headers.location, `${method} ${url}`).toMatch(/^\/login/);
      }
    }
    // A private space's content does not exist for people outside it, whatever the step, and
    // neither do ids that name nothing.
    for (const who of [w.member, w.otherAdmin, w.editor]) {
      for (const [method, url] of [...steps(w.posts.secret), ...steps(987654), ...steps('abc'), ...steps('1e3')]) {
        expect((await send(method, url, who)).statusCode, `${method} ${url}`).toBe(404);
      }
    }
    // Nothing happened.
    expect(await contentRow(w.posts.secret)).toMatchObject({ deleted_at: null, hidden_at: null });
    expect(await t.app.db.selectFrom('reports').selectAll().execute()).toEqual([]);
  });

  it('lets each person do what the policy allows, and refuses the rest with 403', async () => {
    const status = async (method: 'GET' | 'POST', url: string, who: Person) => (await send(method, url, who)).statusCode;
    const team = w.posts.team;
    // A plain member reports; they neither delete nor hide someone else's post.
    expect(await status('GET', `/content/${team}/report`, w.member)).toBe(200);
    expect(await status('GET', `/content/${team}/delete`, w.member)).toBe(403);
    expect(await status('POST', `/content/${team}/delete`, w.member)).toBe(403);
    expect(await status('GET', `/content/${team}/hide`, w.member)).toBe(403);
    expect(await status('POST', `/content/${team}/hide`, w.member)).toBe(403);
    expect(await status('POST', `/content/${team}/unhide`, w.member)).toBe(403);
    // The author deletes their own post, and does not report it nor hide it.
    expect(await status('GET', `/content/${team}/delete`, w.author)).toBe(200);
    expect(await status('GET', `/content/${team}/report`, w.author)).toBe(403);
    expect(await status('GET', `/content/${team}/hide`, w.author)).toBe(403);
    // The space's admin hides in their space, but deletes only their own content; an editor is a reader here.
    expect(await status('GET', `/content/${team}/hide`, w.spaceAdmin)).toBe(200);
    expect(await status('GET', `/content/${team}/delete`, w.spaceAdmin)).toBe(403);
    expect(await status('GET', `/content/${team}/hide`, w.editor)).toBe(403);
    expect(await status('GET', `/content/${team}/report`, w.editor)).toBe(200);
    // Another space's admin moderates nothing here, nor in the company space (admins do).
    expect(await status('GET', `/content/${team}/hide`, w.otherAdmin)).toBe(403);
    expect(await status('GET', `/content/${w.posts.company}/hide`, w.spaceAdmin)).toBe(403);
    // The organisation's admins do everything, everywhere, private spaces included.
    for (const id of [team, w.posts.company, w.posts.secret]) {
      expect(await status('GET', `/content/${id}/delete`, w.admin)).toBe(200);
      expect(await status('GET', `/content/${id}/hide`, w.admin)).toBe(200);
      expect(await status('GET', `/content/${id}/report`, w.admin)).toBe(200);
    }
    expect(await status('GET', `/content/${w.posts.secret}/hide`, w.spaceAdmin)).toBe(200);
  });
});

describe('deleting', () => {
  it('asks first, then deletes softly: the item vanishes for everyone, author included', async () => {
    const confirm = await c.get(`/content/${w.posts.team}/delete`, w.author);
    expect(confirm.statusCode).toBe(200);
    const page = html(confirm);
    expect(page.querySelector('h1')?.textContent).toBe('Delete this item?');
    expect(page.querySelector('main form')?.getAttribute('method')).toBe('post');
    expect(page.querySelector('main form')?.getAttribute('action')).toBe(`/content/${w.posts.team}/delete`);
    expect(mainText(confirm)).toContain('Hello team');
    expect(mainText(confirm)).toContain('within 30 days');

    const done = await c.post(`/content/${w.posts.team}/delete`, w.author);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/');
    const row = await contentRow(w.posts.team);
    expect(row.deleted_at).not.toBe(null);
    expect(row.deleted_by).toBe(w.author.id);
    // Deleting one's own content is not a moderation act.
    expect(await auditActions()).toEqual([]);

    for (const who of [w.author, w.member, w.spaceAdmin, w.admin]) {
      const viewer = await viewerOf(who);
      const subject = (await loadContentSubject(t.app.db, w.posts.team))!;
      expect(can(viewer, 'content.view', subject)).toBe(false);
      const listed = await visibleContent(t.app.db, viewer).select('c.id').execute();
      expect(listed.map((r) => r.id)).not.toContain(w.posts.team);
      expect((await c.get(`/content/${w.posts.team}/report`, who)).statusCode).toBe(404);
      expect((await c.get(`/content/${w.posts.team}`, who)).statusCode).toBe(404);
    }
    // Deleting again: nothing left to delete.
    expect((await c.post(`/content/${w.posts.team}/delete`, w.author)).statusCode).toBe(404);
  });

  it('records in the audit log an admin deleting someone else’s item', async () => {
    expect((await c.post(`/content/${w.posts.secret}/delete`, w.admin)).statusCode).toBe(303);
    const [entry] = await auditActions();
    expect(entry).toMatchObject({ action: 'content.delete', actor_id: w.admin.id, subject_id: String(w.posts.secret) });
    expect(JSON.parse(entry!.details)).toMatchObject({ kind: 'post', spaceId: w.spaces.secret, authorId: w.author.id });
  });

  it('works for htmx: a partial request is told where to go instead of following a redirect', async () => {
    const response = await c.post(`/content/${w.posts.team}/delete`, w.author, {}, { 'hx-request': 'true', 'hx-request-type': 'partial' });
    expect(response.statusCode).toBe(204);
    expect(response.headers['hx-redirect']).toBe('/');
  });
});

describe('hiding', () => {
  it('hides an item with a reason: only its author (with the reason) and the moderators still see it', async () => {
    const form = await c.get(`/content/${w.posts.team}/hide`, w.spaceAdmin);
    expect(html(form).querySelector('textarea[name="reason"]')?.getAttribute('maxlength')).toBe('500');

    const done = await c.post(`/content/${w.posts.team}/hide`, w.spaceAdmin, { reason: '  Off-topic, see the rules  ' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/content/${w.posts.team}`);
    expect(await contentRow(w.posts.team)).toMatchObject({ hidden_by: w.spaceAdmin.id, hidden_reason: 'Off-topic, see the rules' });
    const [entry] = await auditActions();
    expect(entry).toMatchObject({ action: 'content.hide', actor_id: w.spaceAdmin.id, subject_id: String(w.posts.team) });
    expect(JSON.parse(entry!.details)).toMatchObject({ reason: 'Off-topic, see the rules' });

    const subject = (await loadContentSubject(t.app.db, w.posts.team))!;
    expect(can(await viewerOf(w.author), 'content.view', subject)).toBe(true);
    expect(can(await viewerOf(w.spaceAdmin), 'content.view', subject)).toBe(true);
    expect(can(await viewerOf(w.admin), 'content.view', subject)).toBe(true);
    expect(can(await viewerOf(w.member), 'content.view', subject)).toBe(false);
    expect(can(await viewerOf(w.otherAdmin), 'content.view', subject)).toBe(false);
    // Lists never show a hidden item, not even to its author.
    for (const who of [w.author, w.member, w.admin]) {
      expect((await visibleContent(t.app.db, await viewerOf(who)).select('c.id').execute()).map((r) => r.id)).not.toContain(w.posts.team);
    }
    // For the others it does not exist any more: every step answers 404.
    expect((await c.get(`/content/${w.posts.team}/report`, w.member)).statusCode).toBe(404);
    expect((await c.post(`/content/${w.posts.team}/unhide`, w.member)).statusCode).toBe(404);
    // Its author sees it but may not show it again; hiding twice is not a thing.
    expect((await c.post(`/content/${w.posts.team}/unhide`, w.author)).statusCode).toBe(403);
    expect((await c.get(`/content/${w.posts.team}/hide`, w.spaceAdmin)).statusCode).toBe(403);

    expect((await c.post(`/content/${w.posts.team}/unhide`, w.spaceAdmin)).statusCode).toBe(303);
    expect(await contentRow(w.posts.team)).toMatchObject({ hidden_at: null, hidden_by: null, hidden_reason: null });
    expect((await auditActions()).map((a) => a.action)).toEqual(['content.hide', 'content.unhide']);
    expect(can(await viewerOf(w.member), 'content.view', (await loadContentSubject(t.app.db, w.posts.team))!)).toBe(true);
  });

  it('on the permalink: gone for others, shown to the author with the reason and to moderators', async () => {
    expect((await c.post(`/content/${w.posts.team}/hide`, w.spaceAdmin, { reason: 'Not <em>here</em>' })).statusCode).toBe(303);
    for (const who of [w.member, w.otherAdmin, w.editor]) expect((await c.get(`/content/${w.posts.team}`, who)).statusCode).toBe(404);
    const own = await c.get(`/content/${w.posts.team}`, w.author);
    expect(own.statusCode).toBe(200);
    expect(html(own).querySelector('.moderation-notice')?.textContent.replace(/\s+/g, ' ').trim()).toBe('Hidden by a moderator: Not <em>here</em>');
    const moderator = await c.get(`/content/${w.posts.team}`, w.spaceAdmin);
    expect(moderator.statusCode).toBe(200);
    expect(html(moderator).querySelector(`form[action="/content/${w.posts.team}/unhide"]`)).not.toBe(null);
  });

  it.each([
    ['missing', undefined, 'This field is required.'],
    ['empty', '', 'This field is required.'],
    ['only spaces', '   \n\t ', 'This field is required.'],
    ['too long', 'x'.repeat(501), 'Enter no more than 500 characters.'],
  ])('refuses a reason that is %s, and keeps what was typed', async (_case, reason, message) => {
    const response = await c.post(`/content/${w.posts.team}/hide`, w.spaceAdmin, reason === undefined ? {} : { reason });
    expect(response.statusCode).toBe(422);
    expect(mainText(response)).toContain(message);
    if (reason && reason.trim()) expect(html(response).querySelector('textarea[name="reason"]')?.textContent).toBe(reason);
    expect(await contentRow(w.posts.team)).toMatchObject({ hidden_at: null });
  });

  it('takes a reason of exactly 500 characters, in any script, and shows a script payload as text', async () => {
    const payload = '<script>alert(1)</script>';
    const refused = await c.post(`/content/${w.posts.team}/hide`, w.spaceAdmin, { reason: payload + 'x'.repeat(500) });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).not.toContain(payload);
    expect(refused.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');

    const reason = 'مخالف للقواعد — hors sujet 🙈 ' + 'é'.repeat(500 - 'مخالف للقواعد — hors sujet 🙈 '.length);
    expect(reason.length).toBe(500);
    expect((await c.post(`/content/${w.posts.team}/hide`, w.spaceAdmin, { reason })).statusCode).toBe(303);
    expect((await contentRow(w.posts.team)).hidden_reason).toBe(reason);
  });

  it('hides and shows again a comment; hidden, it is gone for other readers', async () => {
    const commentId = await createComment(t.app, { contentId: w.posts.team, authorId: w.member.id, body: 'Rude words' });
    expect((await c.get(`/comments/${commentId}/hide`, w.member)).statusCode).toBe(403);
    expect((await c.get(`/comments/${commentId}/hide`, w.otherAdmin)).statusCode).toBe(403);
    expect((await c.post(`/comments/${commentId}/hide`, w.spaceAdmin, { reason: '' })).statusCode).toBe(422);
    const done = await c.post(`/comments/${commentId}/hide`, w.spaceAdmin, { reason: 'Be kind' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/content/${w.posts.team}#comment-${commentId}`);
    const row = await t.app.db.selectFrom('comments').selectAll().where('id', '=', commentId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ hidden_by: w.spaceAdmin.id, hidden_reason: 'Be kind' });
    // Another reader of the post no longer finds the comment; its author still does.
    expect((await c.get(`/comments/${commentId}/report`, w.author)).statusCode).toBe(404);
    expect((await c.post(`/comments/${commentId}/unhide`, w.member)).statusCode).toBe(403);
    expect((await c.post(`/comments/${commentId}/unhide`, w.spaceAdmin)).statusCode).toBe(303);
    expect((await auditActions()).map((a) => a.action)).toEqual(['comment.hide', 'comment.unhide']);
  });
});

describe('reporting', () => {
  it('files a report, tells the moderators of the space, and refuses a second one from the same person', async () => {
    const form = await c.get(`/content/${w.posts.team}/report`, w.member);
    expect(html(form).querySelector('textarea[name="reason"]')?.getAttribute('maxlength')).toBe('1000');
    const done = await c.post(`/content/${w.posts.team}/report`, w.member, { reason: 'Spam' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/content/${w.posts.team}`);
    expect(await t.app.db.selectFrom('reports').select(['content_id', 'comment_id', 'reporter_id', 'reason', 'status']).execute()).toEqual([
      { content_id: w.posts.team, comment_id: null, reporter_id: w.member.id, reason: 'Spam', status: 'open' },
    ]);
    // The admins and the space's admins; not the reporter, not the author, not another space's admin.
    const notified = await t.app.db.selectFrom('notifications').select(['user_id', 'type', 'actor_id', 'content_id', 'space_id']).where('type', '=', 'content-reported').orderBy('user_id').execute();
    expect(notified).toEqual(
      [w.admin.id, w.spaceAdmin.id].sort((a, b) => a - b).map((userId) => ({ user_id: userId, type: 'content-reported', actor_id: null, content_id: w.posts.team, space_id: w.spaces.team })),
    );

    const again = await c.post(`/content/${w.posts.team}/report`, w.member, { reason: 'Spam again' });
    expect(again.statusCode).toBe(409);
    expect(mainText(again)).toContain('You have already reported this.');
    expect(html(await c.get(`/content/${w.posts.team}/report`, w.member)).querySelector('main form')).toBe(null);
    expect(await t.app.db.selectFrom('reports').select('id').execute()).toHaveLength(1);
    // Someone else may report it too.
    expect((await c.post(`/content/${w.posts.team}/report`, w.editor, { reason: 'Spam' })).statusCode).toBe(303);
  });

  it('tells only the organisation’s admins about the company space', async () => {
    expect((await c.post(`/content/${w.posts.company}/report`, w.member, { reason: 'Wrong' })).statusCode).toBe(303);
    const notified = await t.app.db.selectFrom('notifications').select('user_id').where('type', '=', 'content-reported').execute();
    expect(notified.map((n) => n.user_id)).toEqual([w.admin.id]);
  });

  it.each([
    ['missing', undefined, 'This field is required.'],
    ['only spaces', '    ', 'This field is required.'],
    ['too long', 'y'.repeat(1001), 'Enter no more than 1000 characters.'],
  ])('refuses a reason that is %s', async (_case, reason, message) => {
    const response = await c.post(`/content/${w.posts.team}/report`, w.member, reason === undefined ? {} : { reason });
    expect(response.statusCode).toBe(422);
    expect(mainText(response).replace(/,/g, '')).toContain(message);
    expect(await t.app.db.selectFrom('reports').select('id').execute()).toEqual([]);
  });

  it('reports a comment once; outsiders of a private space cannot even find it', async () => {
    const commentId = await createComment(t.app, { contentId: w.posts.team, authorId: w.author.id, body: 'A comment' });
    const secretComment = await createComment(t.app, { contentId: w.posts.secret, authorId: w.author.id, body: 'Secret comment' });
    expect((await c.get(`/comments/${commentId}/report`, w.author)).statusCode).toBe(403);
    expect((await c.post(`/comments/${commentId}/report`, w.member, { reason: 'Mean' })).statusCode).toBe(303);
    expect((await c.post(`/comments/${commentId}/report`, w.member, { reason: 'Mean' })).statusCode).toBe(409);
    expect(await t.app.db.selectFrom('reports').select(['content_id', 'comment_id']).execute()).toEqual([{ content_id: w.posts.team, comment_id: commentId }]);
    for (const url of [`/comments/${secretComment}/report`, `/comments/${secretComment}/hide`, `/comments/987654/report`]) {
      expect((await c.get(url, w.member)).statusCode, url).toBe(404);
      expect((await c.post(url, w.member, { reason: 'x' })).statusCode, url).toBe(404);
    }
    expect((await c.post(`/comments/${secretComment}/unhide`, w.member)).statusCode).toBe(404);
    expect((await c.get(`/comments/${secretComment}/report`, '')).headers.location).toMatch(/^\/login/);
  });
});

describe('the actions menu', () => {
  async function menu(who: Person, contentId: number, extra: { hiddenReason?: string } = {}) {
    const viewer = await viewerOf(who);
    const subject = (await loadContentSubject(t.app.db, contentId))!;
    const kind = t.app.contentKinds.get('post') ?? {
      kind: 'post',
      title: () => 'A post',
      editUrl: (id: number) => `/posts/${id}/edit`,
    };
    const rendered = (await t.app.view('content/actions', {
      t: translator('en'),
      can: (...args: unknown[]) => (can as unknown as (...a: unknown[]) => boolean)(viewer, ...args),
      item: { id: contentId, subject, kind, data: { body: 'x', bodyHtml: '<p>x</p>', summary: 'x', excerpt: 'x' }, hiddenReason: extra.hiddenReason ?? null },
    })) as string;
    const { parse } = await import('node-html-parser');
    return parse(rendered);
  }
  const labels = (root: Awaited<ReturnType<typeof menu>>) => root.querySelectorAll('.item-actions__list li').map((li) => li.textContent.trim());

  it('lists each action only for whoever may do it', async () => {
    expect(labels(await menu(w.author, w.posts.team))).toEqual(['Edit', 'Delete…']);
    expect(labels(await menu(w.member, w.posts.team))).toEqual(['Report…']);
    expect(labels(await menu(w.spaceAdmin, w.posts.team))).toEqual(['Hide…', 'Report…']);
    expect(labels(await menu(w.admin, w.posts.team))).toEqual(['Delete…', 'Hide…', 'Report…']);
    const authorMenu = await menu(w.author, w.posts.team);
    expect(authorMenu.querySelector('a[href$="/edit"]')?.getAttribute('href')).toMatch(new RegExp(`/${w.posts.team}/edit$`));
    expect(authorMenu.querySelector('a[href$="/delete"]')?.getAttribute('href')).toBe(`/content/${w.posts.team}/delete`);
    // A keyboard-operable disclosure, with a label that names the item for screen readers.
    expect(authorMenu.querySelector('details > summary')?.textContent).toContain('Actions');
  });

  it('tells the author a hidden item is hidden, and why, escaped; moderators may show it again', async () => {
    await c.post(`/content/${w.posts.team}/hide`, w.spaceAdmin, { reason: '<img src=x onerror=alert(1)>' });
    const reason = (await contentRow(w.posts.team)).hidden_reason!;
    const author = await menu(w.author, w.posts.team, { hiddenReason: reason });
    expect(author.querySelector('.moderation-notice')?.textContent.replace(/\s+/g, ' ').trim()).toBe('Hidden by a moderator: <img src=x onerror=alert(1)>');
    expect(author.querySelector('.moderation-notice img')).toBe(null);
    expect(labels(author)).toEqual(['Edit', 'Delete…']);
    const moderator = await menu(w.spaceAdmin, w.posts.team, { hiddenReason: reason });
    expect(moderator.querySelector(`form[action="/content/${w.posts.team}/unhide"]`)).not.toBe(null);
    expect(labels(moderator)).toEqual(['Show again']);
  });

  it('shows nothing to someone who may do nothing', async () => {
    expect((await menu(w.editor, w.posts.secret)).querySelector('details')).toBe(null);
  });
});
