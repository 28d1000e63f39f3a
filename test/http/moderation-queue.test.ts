// The moderation queue as its users meet it: who sees which reports (never a private space's to
// someone outside it), one entry per reported thing with every reason, escaped, and the decisions
// (dismiss, hide, delete), each recorded on the reports and in the audit log.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, createTestApp, html, mainText, type TestApp } from '../helpers/app.js';
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

async function report(who: Person, contentId: number, reason: string) {
  const response = await c.post(`/content/${contentId}/report`, who, { reason });
  expect(response.statusCode).toBe(303);
}

/** The titles of the queue's entries, as the viewer sees them. */
async function queue(who: Person) {
  const response = await c.get('/admin/moderation', who);
  expect(response.statusCode).toBe(200);
  return html(response).querySelectorAll('.moderation-entry').map((entry) => entry.getAttribute('id'));
}

const reportRows = () => t.app.db.selectFrom('reports').select(['id', 'content_id', 'comment_id', 'status', 'decided_by', 'decision_note']).orderBy('id').execute();
const auditActions = async () => (await t.app.db.selectFrom('audit_log').select(['action', 'actor_id', 'details']).orderBy('id').execute()).filter((a) => a.action !== 'organisation.setup');

describe('who sees the queue', () => {
  it('sends visitors to sign in, refuses plain members, and shows each moderator their spaces only', async () => {
    await report(w.member, w.posts.team, 'Team report');
    await report(w.member, w.posts.company, 'Company report');
    await report(w.spaceAdmin, w.posts.secret, 'Secret report');

    for (const who of ['', w.deactivated] as const) {
      const response = await c.get('/admin/moderation', who);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toMatch(/^\/login/);
    }
    expect((await c.get('/admin/moderation', w.member)).statusCode).toBe(403);
    expect((await c.get('/admin/moderation', w.editor)).statusCode).toBe(403);

    expect(await queue(w.admin)).toEqual([`content-${w.posts.team}`, `content-${w.posts.company}`, `content-${w.posts.secret}`]);
    expect(await queue(w.spaceAdmin)).toEqual([`content-${w.posts.team}`, `content-${w.posts.secret}`]);
    // Another space's admin reaches the queue, which has nothing for them.
    expect(await queue(w.otherAdmin)).toEqual([]);
    expect(mainText(await c.get('/admin/moderation', w.otherAdmin))).toContain('No report is waiting for a decision.');
  });

  it('points space admins to it from the header, and admins from the administration’s navigation', async () => {
    expect(html(await c.get('/admin/moderation', w.spaceAdmin)).querySelector('.site-nav a[href="/admin/moderation"]')).not.toBe(null);
    expect(html(await c.get('/admin/moderation', w.admin)).querySelector('.subnav a[href="/admin/moderation"]')?.getAttribute('aria-current')).toBe('page');
    expect(html(await c.get('/admin/members', w.admin)).querySelector('.subnav a[href="/admin/deleted"]')).not.toBe(null);
    expect(html(await c.get('/admin/moderation', w.otherAdmin)).querySelector('.site-nav a[href="/admin/moderation"]')).not.toBe(null);
    expect(html(await c.get('/account', w.member)).querySelector('a[href="/admin/moderation"]')).toBe(null);
  });

  it('groups the reports about one thing, with every reason escaped, and leaves out deleted things', async () => {
    const payload = '<script>alert("x")</script>';
    await report(w.member, w.posts.team, payload);
    await report(w.editor, w.posts.team, 'Spam, clearly');
    const commentId = await createComment(t.app, { contentId: w.posts.team, authorId: w.author.id, body: 'A **rude** comment' });
    expect((await c.post(`/comments/${commentId}/report`, w.member, { reason: 'Rude' })).statusCode).toBe(303);

    const response = await c.get('/admin/moderation', w.spaceAdmin);
    expect(response.body).not.toContain(payload);
    expect(response.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const page = html(response);
    const entries = page.querySelectorAll('.moderation-entry');
    expect(entries.map((e) => e.getAttribute('id'))).toEqual([`content-${w.posts.team}`, `comment-${commentId}`]);
    const [post, comment] = entries;
    expect(post!.querySelectorAll('.moderation-reasons li')).toHaveLength(2);
    expect(post!.textContent).toContain('2 reports');
    expect(post!.textContent).toContain('Hello team');
    expect(post!.querySelector('h2 a')?.getAttribute('href')).toBe(`/content/${w.posts.team}`);
    expect(comment!.querySelector('h2 a')?.getAttribute('href')).toBe(`/content/${w.posts.team}#comment-${commentId}`);
    expect(comment!.textContent).toContain('A rude comment');
    expect(comment!.textContent).toContain('1 report');
    // Reporters are not named in the queue.
    expect(post!.textContent).not.toContain('Member');
    // A space admin hides here but deletes only what they wrote; an admin does both.
    expect(post!.querySelector(`form[action="/admin/moderation/content/${w.posts.team}/hide"]`)).not.toBe(null);
    expect(post!.querySelector(`form[action="/admin/moderation/content/${w.posts.team}/delete"]`)).toBe(null);
    const adminPage = html(await c.get('/admin/moderation', w.admin));
    expect(adminPage.querySelector(`form[action="/admin/moderation/content/${w.posts.team}/delete"]`)).not.toBe(null);

    // The author deletes their post: nothing left to decide.
    expect((await c.post(`/content/${w.posts.team}/delete`, w.author)).statusCode).toBe(303);
    expect(await queue(w.spaceAdmin)).toEqual([]);
  });
});

describe('decisions', () => {
  it('dismisses, with an optional note, every open report about the thing', async () => {
    await report(w.member, w.posts.team, 'One');
    await report(w.editor, w.posts.team, 'Two');
    const done = await c.post(`/admin/moderation/content/${w.posts.team}/dismiss`, w.spaceAdmin, { note: 'Nothing wrong' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/admin/moderation');
    const rows = await reportRows();
    expect(rows.map((r) => [r.status, r.decided_by, r.decision_note])).toEqual([
      ['dismissed', w.spaceAdmin.id, 'Nothing wrong'],
      ['dismissed', w.spaceAdmin.id, 'Nothing wrong'],
    ]);
    const [entry] = await auditActions();
    expect(entry).toMatchObject({ action: 'reports.dismiss', actor_id: w.spaceAdmin.id });
    expect(JSON.parse(entry!.details)).toMatchObject({ reportsClosed: rows.map((r) => r.id), note: 'Nothing wrong' });
    expect(await queue(w.spaceAdmin)).toEqual([]);
    // The content is untouched. The same person may report it again, but not within a day of the
    // dismissal (the moderators are not asked, and notified, twice a day about it by one person).
    expect(await t.app.db.selectFrom('content').select(['hidden_at', 'deleted_at']).where('id', '=', w.posts.team).executeTakeFirst()).toEqual({ hidden_at: null, deleted_at: null });
    const tooSoon = await c.post(`/content/${w.posts.team}/report`, w.member, { reason: 'Again' });
    expect(tooSoon.statusCode).toBe(409);
    expect(mainText(tooSoon)).toContain('dismissed your report less than a day ago');
    await t.app.db.updateTable('reports').set({ decided_at: Date.now() - 25 * 60 * 60 * 1000 }).execute();
    await report(w.member, w.posts.team, 'Again');
    // Dismissing what was already decided says so.
    await c.post(`/admin/moderation/content/${w.posts.team}/dismiss`, w.admin);
    const late = await c.post(`/admin/moderation/content/${w.posts.team}/dismiss`, w.admin);
    expect(late.statusCode).toBe(303);
    const next = await t.app.inject({ url: '/admin/moderation', headers: { cookie: cookiesFrom(late, w.admin.cookie) } });
    expect(mainText(next)).toContain('Someone has already decided about this.');
  });

  it('hides with a reason, closing the reports as hidden', async () => {
    await report(w.member, w.posts.team, 'Off-topic');
    const refused = await c.post(`/admin/moderation/content/${w.posts.team}/hide`, w.spaceAdmin, { reason: '   ' });
    expect(refused.statusCode).toBe(422);
    const page = html(refused);
    expect(page.querySelector(`#content-${w.posts.team} details[open] textarea[name="reason"]`)).not.toBe(null);
    expect(page.querySelector('.error-summary a')?.getAttribute('href')).toBe(`#content-${w.posts.team}-hide-reason`);
    expect(page.querySelector(`#content-${w.posts.team}-hide-reason`)).not.toBe(null);

    expect((await c.post(`/admin/moderation/content/${w.posts.team}/hide`, w.spaceAdmin, { reason: 'Off-topic here' })).statusCode).toBe(303);
    expect(await reportRows()).toMatchObject([{ status: 'hidden', decided_by: w.spaceAdmin.id, decision_note: 'Off-topic here' }]);
    expect(await t.app.db.selectFrom('content').select('hidden_reason').where('id', '=', w.posts.team).executeTakeFirst()).toEqual({ hidden_reason: 'Off-topic here' });
    expect((await auditActions()).map((a) => a.action)).toEqual(['content.hide']);
  });

  it('deletes (admins and authors only), closing the reports as deleted', async () => {
    await report(w.member, w.posts.team, 'Illegal');
    expect((await c.post(`/admin/moderation/content/${w.posts.team}/delete`, w.spaceAdmin)).statusCode).toBe(403);
    expect((await c.post(`/admin/moderation/content/${w.posts.team}/delete`, w.admin)).statusCode).toBe(303);
    expect(await reportRows()).toMatchObject([{ status: 'deleted', decided_by: w.admin.id }]);
    expect((await auditActions()).map((a) => a.action)).toEqual(['content.delete']);
    const row = await t.app.db.selectFrom('content').select(['deleted_by']).where('id', '=', w.posts.team).executeTakeFirstOrThrow();
    expect(row.deleted_by).toBe(w.admin.id);
  });

  it('decides on comments too', async () => {
    const first = await createComment(t.app, { contentId: w.posts.team, authorId: w.author.id, body: 'First' });
    const second = await createComment(t.app, { contentId: w.posts.team, authorId: w.author.id, body: 'Second' });
    const third = await createComment(t.app, { contentId: w.posts.team, authorId: w.author.id, body: 'Third' });
    for (const id of [first, second, third]) expect((await c.post(`/comments/${id}/report`, w.member, { reason: 'Bad' })).statusCode).toBe(303);
    expect((await c.post(`/admin/moderation/comments/${first}/dismiss`, w.spaceAdmin)).statusCode).toBe(303);
    expect((await c.post(`/admin/moderation/comments/${second}/hide`, w.spaceAdmin, { reason: 'Not here' })).statusCode).toBe(303);
    expect((await c.post(`/admin/moderation/comments/${third}/delete`, w.spaceAdmin)).statusCode).toBe(403);
    expect((await c.post(`/admin/moderation/comments/${third}/delete`, w.admin)).statusCode).toBe(303);
    expect((await reportRows()).map((r) => r.status)).toEqual(['dismissed', 'hidden', 'deleted']);
    const comments = await t.app.db.selectFrom('comments').select(['id', 'hidden_reason', 'deleted_by']).orderBy('id').execute();
    expect(comments).toEqual([
      { id: first, hidden_reason: null, deleted_by: null },
      { id: second, hidden_reason: 'Not here', deleted_by: null },
      { id: third, hidden_reason: null, deleted_by: w.admin.id },
    ]);
    expect((await auditActions()).map((a) => a.action)).toEqual(['reports.dismiss', 'comment.hide', 'comment.delete']);
  });

  it('answers 404 to moderators about a private space they are not in, and 403 to plain members', async () => {
    await report(w.spaceAdmin, w.posts.secret, 'Secret');
    const commentId = await createComment(t.app, { contentId: w.posts.secret, authorId: w.author.id, body: 'Hidden words' });
    const urls = ['dismiss', 'hide', 'delete'].flatMap((decision) => [
      `/admin/moderation/content/${w.posts.secret}/${decision}`,
      `/admin/moderation/comments/${commentId}/${decision}`,
      `/admin/moderation/content/987654/${decision}`,
    ]);
    for (const url of urls) {
      expect((await c.post(url, w.otherAdmin, { reason: 'x' })).statusCode, url).toBe(404);
      // Members are refused before anything is looked up: the answer says nothing about the id.
      expect((await c.post(url, w.member, { reason: 'x' })).statusCode, url).toBe(403);
      expect((await c.post(url, '', { reason: 'x' })).headers.location, url).toBe('/login');
      expect((await c.post(url, w.deactivated, { reason: 'x' })).headers.location, url).toBe('/login');
    }
    expect(await reportRows()).toMatchObject([{ status: 'open' }]);
    expect(await auditActions()).toEqual([]);
  });
});
