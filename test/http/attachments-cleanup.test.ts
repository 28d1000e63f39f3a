// The periodic cleanup of DATA_DIR/uploads: pending files nobody claimed within a day, files whose row
// is gone (purged content), temporary files left by a crash; nothing that still belongs to something.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PENDING_TTL_MS, cleanUpUploads } from '../../src/features/attachments/cleanup.js';
import { removeStoredFiles, storedPath } from '../../src/features/attachments/storage.js';
import { uploadsTmpDir } from '../../src/http/multipart.js';
import { createUser, setupOrganisation, type TestApp } from '../helpers/app.js';
import { createAttachment, createAttachmentsTestApp, samplePdf, samplePng } from '../helpers/attachments.js';
import { companySpaceId, createPost } from '../helpers/content.js';

const HOUR = 60 * 60 * 1000;

describe('cleaning up uploads', () => {
  let t: TestApp;
  let bobId: number;

  beforeEach(async () => {
    t = await createAttachmentsTestApp();
    await setupOrganisation(t.app);
    bobId = await createUser(t.app, { email: 'bob@example.com' });
  });
  afterEach(async () => t.close());

  const keyOf = async (id: number) => (await t.app.db.selectFrom('attachments').select('storage_key').where('id', '=', id).executeTakeFirstOrThrow()).storage_key;
  const filesOf = (key: string) => [storedPath(t.dataDir, key), storedPath(t.dataDir, key, 'preview')].filter((f) => fs.existsSync(f));
  const ids = async () => (await t.app.db.selectFrom('attachments').select('id').orderBy('id').execute()).map((r) => r.id);

  it('removes pending files older than a day, with their files, and keeps the rest', async () => {
    const post = await createPost(t.app, { spaceId: await companySpaceId(t.app), authorId: bobId, body: 'Kept' });
    const stale = await createAttachment(t.app, { uploaderId: bobId, filename: 'stale.png', content: await samplePng() });
    const fresh = await createAttachment(t.app, { uploaderId: bobId, filename: 'fresh.pdf', content: samplePdf() });
    const attached = await createAttachment(t.app, { uploaderId: bobId, filename: 'old.pdf', content: samplePdf(), owner: { contentId: post } });
    const staleKey = await keyOf(stale);
    const old = Date.now() - PENDING_TTL_MS - HOUR;
    // created_at is never updated by Hameau (its type says so): the test ages the rows by force.
    await t.app.db.updateTable('attachments').set({ created_at: old } as never).where('id', 'in', [stale, attached]).execute();
    expect(filesOf(staleKey)).toHaveLength(2);

    const result = await cleanUpUploads(t.app.db, t.dataDir);
    expect(result.pendingRemoved).toBe(1);
    expect(await ids()).toEqual([fresh, attached]);
    expect(filesOf(staleKey)).toEqual([]);
    expect(filesOf(await keyOf(attached))).toHaveLength(1);
    expect(filesOf(await keyOf(fresh))).toHaveLength(1);
  });

  it('removes files whose row is gone once they are an hour old, and never files that have a row', async () => {
    const post = await createPost(t.app, { spaceId: await companySpaceId(t.app), authorId: bobId, body: 'Purged' });
    const orphan = await createAttachment(t.app, { uploaderId: bobId, filename: 'photo.png', content: await samplePng(), owner: { contentId: post } });
    const kept = await createAttachment(t.app, { uploaderId: bobId, filename: 'kept.png', content: await samplePng() });
    const orphanKey = await keyOf(orphan);
    // Purging content cascades its attachment rows away; the files stay behind.
    await t.app.db.deleteFrom('content').where('id', '=', post).execute();
    const stranger = path.join(t.dataDir, 'uploads', 'README.txt');
    fs.writeFileSync(stranger, 'not ours');

    expect((await cleanUpUploads(t.app.db, t.dataDir)).orphansRemoved).toBe(0);
    expect(filesOf(orphanKey)).toHaveLength(2);

    const later = Date.now() + 2 * HOUR;
    expect((await cleanUpUploads(t.app.db, t.dataDir, later)).orphansRemoved).toBe(2);
    expect(filesOf(orphanKey)).toEqual([]);
    expect(filesOf(await keyOf(kept))).toHaveLength(2);
    expect(fs.existsSync(stranger)).toBe(true);
  });

  it('removes temporary files a crash left behind, after a day', async () => {
    const dir = uploadsTmpDir(t.dataDir);
    fs.mkdirSync(dir, { recursive: true });
    const old = path.join(dir, 'a'.repeat(32));
    const recent = path.join(dir, 'b'.repeat(32));
    fs.writeFileSync(old, 'x');
    fs.writeFileSync(recent, 'y');
    const twoDaysAgo = new Date(Date.now() - 2 * PENDING_TTL_MS);
    fs.utimesSync(old, twoDaysAgo, twoDaysAgo);
    expect((await cleanUpUploads(t.app.db, t.dataDir)).tempRemoved).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(['b'.repeat(32)]);
  });

  it('removes the files of purged rows at once when told their keys', async () => {
    const id = await createAttachment(t.app, { uploaderId: bobId, filename: 'p.png', content: await samplePng() });
    const key = await keyOf(id);
    await t.app.db.deleteFrom('attachments').where('id', '=', id).execute();
    await removeStoredFiles(t.dataDir, [key, '../../etc/passwd', key]);
    expect(filesOf(key)).toEqual([]);
  });
});
