// Moderators' decisions as one change each: deleting a reported comment and closing its reports
// happen together or not at all; hiding and showing again say "done" only when something changed.
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, createTestApp, html, type TestApp } from '../helpers/app.js';
import { createComment } from '../helpers/content.js';
import { client, createWorld, type Person, type World } from '../helpers/moderation.js';

let t: TestApp;
let w: World;
let c: ReturnType<typeof client>;
beforeEach(async () => {
  t = await createTestApp({ LOG_LEVEL: 'silent' });
  w = await createWorld(t.app);
  c = client(t.app);
});
afterEach(async () => t.close());

/** The notice shown on the page a POST redirected to. */
async function noticeAfter(response: LightMyRequestResponse, who: Person) {
  expect(response.statusCode).toBe(303);
  const next = await t.app.inject({ url: response.headers.location as string, headers: { cookie: cookiesFrom(response, who.cookie), 'accept-language': 'en' } });
  const notice = html(next).querySelector('.notice[role="status"], .notice[role="alert"]');
  return { text: notice?.textContent.trim() ?? '', kind: notice?.getAttribute('class') ?? '' };
}

const commentRow = (id: number) => t.app.db.selectFrom('comments').select(['deleted_at', 'deleted_by']).where('id', '=', id).executeTakeFirstOrThrow();
const reportStatuses = (commentId: number) => t.app.db.selectFrom('reports').select('status').where('comment_id', '=', commentId).execute();
const audited = (action: string) => t.app.db.selectFrom('audit_log').select('subject_id').where('action', '=', action).execute();

describe('deleting a reported comment from the queue', () => {
  async function reportedComment() {
    const comment = await createComment(t.app, { contentId: w.posts.team, authorId: w.author.id, body: 'Rude words' });
    expect((await c.post(`/comments/${comment}/report`, w.member, { reason: 'Rude' })).statusCode).toBe(303);
    return comment;
  }

  it('deletes it, closes its reports and records the decision, together', async () => {
    const comment = await reportedComment();
    const done = await c.post(`/admin/moderation/comments/${comment}/delete`, w.admin);
    expect((await noticeAfter(done, w.admin)).text).toBe('The comment is deleted.');
    expect(await commentRow(comment)).toMatchObject({ deleted_by: w.admin.id });
    expect(await reportStatuses(comment)).toEqual([{ status: 'deleted' }]);
    expect(await audited('comment.delete')).toEqual([{ subject_id: String(comment) }]);
  });

  it('leaves the comment, its reports and the audit log as they were when closing the reports fails', async () => {
    const comment = await reportedComment();
    t.app.sqlite.exec(`CREATE TRIGGER reports_unavailable BEFORE UPDATE ON reports BEGIN SELECT RAISE(ABORT, 'reports unavailable'); END`);
    const failed = await c.post(`/admin/moderation/comments/${comment}/delete`, w.admin);
    expect(failed.statusCode).toBe(500);
    expect(await commentRow(comment)).toEqual({ deleted_at: null, deleted_by: null });
    expect(await reportStatuses(comment)).toEqual([{ status: 'open' }]);
    expect(await audited('comment.delete')).toEqual([]);
    // Once the reports can be closed again, the same decision goes through.
    t.app.sqlite.exec('DROP TRIGGER reports_unavailable');
    expect((await c.post(`/admin/moderation/comments/${comment}/delete`, w.admin)).statusCode).toBe(303);
    expect(await reportStatuses(comment)).toEqual([{ status: 'deleted' }]);
  });
});

describe('hiding and showing again', () => {
  /**
   * Another moderator hides the thing between this one's checks and their update (a race that
   * cannot be timed in a test): played by a trigger that drops the update, as the condition
   * "not hidden yet" of the real update would.
   */
  const hiddenMeanwhile = (table: 'content' | 'comments') =>
    t.app.sqlite.exec(`CREATE TRIGGER hidden_meanwhile BEFORE UPDATE OF hidden_at ON ${table} WHEN NEW.hidden_at IS NOT NULL BEGIN SELECT RAISE(IGNORE); END`);

  it('says an item is hidden, or visible again, only when it was not already', async () => {
    const first = await c.post(`/content/${w.posts.team}/hide`, w.spaceAdmin, { reason: 'Off-topic' });
    expect(await noticeAfter(first, w.spaceAdmin)).toEqual({ text: 'The item is hidden. Its author sees your reason.', kind: 'notice notice--success' });
    expect((await noticeAfter(await c.post(`/content/${w.posts.team}/unhide`, w.spaceAdmin), w.spaceAdmin)).text).toBe('The item is visible again.');
    // Sent twice (a double click): the second changes nothing, and says so.
    expect(await noticeAfter(await c.post(`/content/${w.posts.team}/unhide`, w.spaceAdmin), w.spaceAdmin)).toEqual({
      text: 'The item was not hidden: nothing changed.',
      kind: 'notice notice--info',
    });

    hiddenMeanwhile('content');
    const late = await c.post(`/content/${w.posts.team}/hide`, w.admin, { reason: 'Spam' });
    expect(await noticeAfter(late, w.admin)).toEqual({ text: 'The item was already hidden: nothing changed.', kind: 'notice notice--info' });
    expect(await audited('content.hide')).toHaveLength(1);
  });

  it('says a comment is hidden, or visible again, only when it was not already', async () => {
    const comment = await createComment(t.app, { contentId: w.posts.team, authorId: w.author.id, body: 'Hmm' });
    expect((await noticeAfter(await c.post(`/comments/${comment}/hide`, w.spaceAdmin, { reason: 'Rude' }), w.spaceAdmin)).text).toBe(
      'The comment is hidden. Its author sees your reason.',
    );
    expect((await noticeAfter(await c.post(`/comments/${comment}/unhide`, w.spaceAdmin), w.spaceAdmin)).text).toBe('The comment is visible again.');
    expect((await noticeAfter(await c.post(`/comments/${comment}/unhide`, w.spaceAdmin), w.spaceAdmin)).text).toBe(
      'The comment was not hidden: nothing changed.',
    );
    hiddenMeanwhile('comments');
    expect((await noticeAfter(await c.post(`/comments/${comment}/hide`, w.spaceAdmin, { reason: 'Rude' }), w.spaceAdmin)).text).toBe(
      'The comment was already hidden: nothing changed.',
    );
  });
});
