// Deleted content: the admins' list of what was deleted in the last 30 days, restoring it, and the
// purge that removes for good what was deleted longer ago.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { storedPath } from '../../src/features/attachments/storage.js';
import { purgeExpiredContent } from '../../src/features/moderation/purge.js';
import { RESTORE_WINDOW_MS } from '../../src/policy/content-rules.js';
import { createTestApp, html, mainText, type TestApp } from '../helpers/app.js';
import { createArticle, createComment } from '../helpers/content.js';
import { client, createWorld, type World } from '../helpers/moderation.js';

let t: TestApp;
let w: World;
let c: ReturnType<typeof client>;
beforeEach(async () => {
  t = await createTestApp();
  w = await createWorld(t.app);
  c = client(t.app);
});
afterEach(async () => t.close());

const DAY = 24 * 60 * 60 * 1000;
const setDeletedAt = (id: number, at: number) => t.app.db.updateTable('content').set({ deleted_at: at }).where('id', '=', id).execute();
const contentIds = async () => (await t.app.db.selectFrom('content').select('id').orderBy('id').execute()).map((r) => r.id);

describe('the list of deleted content', () => {
  it('is for admins only', async () => {
    for (const who of ['', w.deactivated] as const) {
      expect((await c.get('/admin/deleted', who)).headers.location).toMatch(/^\/login/);
      expect((await c.post(`/admin/deleted/${w.posts.team}/restore`, who)).headers.location).toBe('/login');
    }
    await c.post(`/content/${w.posts.team}/delete`, w.author);
    for (const who of [w.member, w.author, w.spaceAdmin, w.editor]) {
      expect((await c.get('/admin/deleted', who)).statusCode).toBe(403);
      // The same answer whether the id names deleted content or nothing.
      expect((await c.post(`/admin/deleted/${w.posts.team}/restore`, who)).statusCode).toBe(403);
      expect((await c.post('/admin/deleted/987654/restore', who)).statusCode).toBe(403);
    }
    expect((await t.app.db.selectFrom('content').select('deleted_at').where('id', '=', w.posts.team).executeTakeFirstOrThrow()).deleted_at).not.toBe(null);
  });

  it('lists what was deleted in the last 30 days, newest first, with who wrote and who deleted it', async () => {
    const article = await createArticle(t.app, { spaceId: w.spaces.company, authorId: w.admin.id, title: 'Café <b>menu</b>', body: 'Soup' });
    await c.post(`/content/${w.posts.team}/delete`, w.author);
    await c.post(`/content/${article}/delete`, w.admin);
    await c.post(`/content/${w.posts.secret}/delete`, w.admin);
    await setDeletedAt(w.posts.secret, Date.now() - RESTORE_WINDOW_MS - 1000);

    const response = await c.get('/admin/deleted', w.admin);
    expect(response.statusCode).toBe(200);
    const rows = html(response).querySelectorAll('tbody tr');
    expect(rows).toHaveLength(2);
    const cells = rows.map((row) => row.querySelectorAll('td').map((td) => td.textContent.replace(/\s+/g, ' ').trim()));
    expect(cells[1]![1]).toBe('Team');
    expect(cells[1]![2]).toBe('Author');
    expect(cells[1]![3]).toBe('Author');
    expect(cells[0]![3]).toBe('Alice Martin');
    expect(response.body).not.toContain('<b>menu</b>');
    expect(rows[1]!.querySelector(`form[action="/admin/deleted/${w.posts.team}/restore"]`)).not.toBe(null);
    expect(mainText(response)).not.toContain('A secret plan');
  });

  it('says when nothing was deleted', async () => {
    expect(mainText(await c.get('/admin/deleted', w.admin))).toContain('No content was deleted in the last 30 days.');
  });
});

describe('restoring', () => {
  it('brings an item back where it was, within 30 days, with an audit entry', async () => {
    await c.post(`/content/${w.posts.team}/delete`, w.author);
    await setDeletedAt(w.posts.team, Date.now() - RESTORE_WINDOW_MS + DAY);
    const done = await c.post(`/admin/deleted/${w.posts.team}/restore`, w.admin);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/admin/deleted');
    expect(await t.app.db.selectFrom('content').select(['deleted_at', 'deleted_by']).where('id', '=', w.posts.team).executeTakeFirst()).toEqual({ deleted_at: null, deleted_by: null });
    const audit = await t.app.db.selectFrom('audit_log').select(['action', 'actor_id', 'subject_id']).where('action', '=', 'content.restore').execute();
    expect(audit).toEqual([{ action: 'content.restore', actor_id: w.admin.id, subject_id: String(w.posts.team) }]);
    // Readers find it again; restoring twice finds nothing to restore.
    expect((await c.get(`/content/${w.posts.team}/report`, w.member)).statusCode).toBe(200);
    expect((await c.post(`/admin/deleted/${w.posts.team}/restore`, w.admin)).statusCode).toBe(404);
  });

  it('cannot bring back what was deleted more than 30 days ago, nor what was never deleted', async () => {
    await c.post(`/content/${w.posts.team}/delete`, w.author);
    await setDeletedAt(w.posts.team, Date.now() - RESTORE_WINDOW_MS - 1000);
    expect((await c.post(`/admin/deleted/${w.posts.team}/restore`, w.admin)).statusCode).toBe(404);
    expect((await c.post(`/admin/deleted/${w.posts.company}/restore`, w.admin)).statusCode).toBe(404);
    expect((await c.post('/admin/deleted/987654/restore', w.admin)).statusCode).toBe(404);
    expect((await c.post('/admin/deleted/abc/restore', w.admin)).statusCode).toBe(404);
  });
});

describe('the purge', () => {
  it('removes for good, with all that hangs on it, what was deleted over 30 days ago, and nothing else', async () => {
    const now = Date.now();
    const commentId = await createComment(t.app, { contentId: w.posts.team, authorId: w.member.id, body: 'Nice' });
    await t.app.db.insertInto('reactions').values({ content_id: w.posts.team, user_id: w.member.id, reaction: 'like', created_at: now }).execute();
    await t.app.db
      .insertInto('reports')
      .values({ content_id: w.posts.team, comment_id: commentId, reporter_id: w.author.id, reason: 'x', created_at: now, decided_by: null, decided_at: null, decision_note: null })
      .execute();
    for (const [storageKey, owner] of [['file-of-post', { content_id: w.posts.team }], ['file-of-comment', { comment_id: commentId }], ['file-of-other', { content_id: w.posts.company }]] as const) {
      await t.app.db
        .insertInto('attachments')
        .values({ uploader_id: w.author.id, storage_key: storageKey, original_name: 'a.txt', mime_type: 'text/plain', size_bytes: 1, is_image: 0, width: null, height: null, created_at: now, ...owner })
        .execute();
    }
    await c.post(`/content/${w.posts.team}/delete`, w.author);
    await c.post(`/content/${w.posts.secret}/delete`, w.author);
    await setDeletedAt(w.posts.team, now - RESTORE_WINDOW_MS - 1);
    // Deleted 29 days ago: still restorable, kept.
    await setDeletedAt(w.posts.secret, now - RESTORE_WINDOW_MS + DAY);

    const removed: string[] = [];
    const result = await purgeExpiredContent(t.app.db, { now, removeFiles: async (keys) => void removed.push(...keys) });
    expect(result.contentPurged).toBe(1);
    expect(removed.sort()).toEqual(['file-of-comment', 'file-of-post']);
    expect(await contentIds()).toEqual([w.posts.company, w.posts.secret].sort((a, b) => a - b));
    expect(await t.app.db.selectFrom('posts').select('content_id').where('content_id', '=', w.posts.team).execute()).toEqual([]);
    expect(await t.app.db.selectFrom('comments').select('id').execute()).toEqual([]);
    expect(await t.app.db.selectFrom('reactions').select('user_id').execute()).toEqual([]);
    expect(await t.app.db.selectFrom('reports').select('id').execute()).toEqual([]);
    expect((await t.app.db.selectFrom('attachments').select('storage_key').execute()).map((a) => a.storage_key)).toEqual(['file-of-other']);

    // Nothing left to purge: a second run does nothing.
    expect((await purgeExpiredContent(t.app.db, { now })).contentPurged).toBe(0);
  });

  it('runs when Hameau starts, and removes the stored files of the purged attachments', async () => {
    const key = 'ab'.repeat(16);
    const keptKey = 'cd'.repeat(16);
    for (const [storageKey, contentId] of [[key, w.posts.team], [keptKey, w.posts.company]] as const) {
      await t.app.db
        .insertInto('attachments')
        .values({ uploader_id: w.author.id, storage_key: storageKey, original_name: 'a.png', mime_type: 'image/png', size_bytes: 1, is_image: 1, width: 1, height: 1, created_at: Date.now(), content_id: contentId })
        .execute();
      for (const variant of ['original', 'preview'] as const) {
        const file = storedPath(t.dataDir, storageKey, variant);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, 'x');
      }
    }
    await c.post(`/content/${w.posts.team}/delete`, w.author);
    await setDeletedAt(w.posts.team, Date.now() - RESTORE_WINDOW_MS - 1000);

    // A restart: the purge runs once the new process is ready, in the background (the start does not wait for it).
    const restarted = await buildApp(loadConfig({ DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' }));
    try {
      await restarted.ready();
      await vi.waitFor(async () => {
        expect(await restarted.db.selectFrom('content').select('id').where('id', '=', w.posts.team).execute()).toEqual([]);
        expect(fs.existsSync(storedPath(t.dataDir, key))).toBe(false);
      });
    } finally {
      await restarted.close();
    }
    expect(fs.existsSync(storedPath(t.dataDir, key))).toBe(false);
    expect(fs.existsSync(storedPath(t.dataDir, key, 'preview'))).toBe(false);
    expect(fs.existsSync(storedPath(t.dataDir, keptKey))).toBe(true);
    expect(fs.existsSync(storedPath(t.dataDir, keptKey, 'preview'))).toBe(true);
  });

  it('works through a long backlog batch after batch', async () => {
    const { createPost } = await import('../helpers/content.js');
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(await createPost(t.app, { spaceId: w.spaces.team, authorId: w.author.id, body: `Post ${i}` }));
    await t.app.db.updateTable('content').set({ deleted_at: 1000, deleted_by: w.author.id }).where('id', 'in', ids).execute();
    expect((await purgeExpiredContent(t.app.db, { batchSize: 3 })).contentPurged).toBe(7);
    expect(await t.app.db.selectFrom('content').select('id').where('id', 'in', ids).execute()).toEqual([]);
  });
});
