// Plugins that fail in every way (test/fixtures/plugins/broken): Hameau starts and runs without them,
// reports each as failed with its error, answers 404 on their routes, and the working plugin beside
// them works. A migration that fails leaves nothing half done.
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, html, login, setupOrganisation, type TestApp } from '../helpers/app.js';
import { companySpaceId, createPost } from '../helpers/content.js';

const BROKEN = fileURLToPath(new URL('../fixtures/plugins/broken', import.meta.url));

let t: TestApp;
let admin: string;
let member: string;
let memberId: number;

beforeAll(async () => {
  t = await createTestApp({}, { pluginDirs: { code: BROKEN, assets: BROKEN } });
  admin = await setupOrganisation(t.app, { locale: 'en' });
  memberId = await createUser(t.app, { email: 'bruno@example.com', name: 'Bruno Petit', locale: 'en' });
  member = await login(t.app, 'bruno@example.com');
});
afterAll(async () => t.close());

const get = (url: string, cookie = member) => t.app.inject({ method: 'GET', url, headers: { cookie } });
const info = (id: string) => t.app.plugins.get(id);

describe('broken plugins', () => {
  it('starts, and reports each broken plugin as failed with its error', () => {
    const statuses = Object.fromEntries(t.app.plugins.list().map((p) => [p.id, p.status]));
    expect(statuses).toEqual({
      admin: 'failed',
      'bad-definition': 'failed',
      fine: 'disabled',
      'import-throws': 'failed',
      'migration-throws': 'failed',
      'needs-broken': 'failed',
      'needs-missing': 'failed',
      people: 'failed',
      'routes-throw': 'failed',
      'steals-posts': 'failed',
    });
    expect(info('import-throws')).toMatchObject({ definition: null, error: expect.stringContaining('import-throws exploded at import') });
    expect(info('migration-throws')!.error).toMatch(/Migration "0002-half" in plugin_migration_throws_migrations failed: migration-throws failed halfway/);
    expect(info('bad-definition')).toMatchObject({ definition: null, error: 'id "not-the-folder" differs from its folder "bad-definition"' });
    expect(info('needs-missing')!.error).toBe('needs the plugin "not-here", which is not installed or did not load');
    expect(info('needs-broken')!.error).toBe('needs the plugin "migration-throws", which failed');
    expect(info('routes-throw')!.error).toBe('routes-throw failed while registering');
    expect(info('steals-posts')!.error).toMatch(/post/);
    expect(info('people')!.error).toBe('the id "people" is taken by a page of Hameau itself');
    expect(info('admin')!.error).toBe('the id "admin" is taken by a page of Hameau itself');
    expect(info('fine')!.error).toBeNull();
    // Each failure is in the log, naming the plugin.
    for (const id of ['migration-throws', 'needs-broken', 'needs-missing', 'routes-throw', 'steals-posts']) {
      expect(t.logs.some((line) => line.msg === 'plugin failed: it stays off' && line.plugin === id), id).toBe(true);
    }
  });

  it('cannot enable a failed plugin; the fine one enables and works', async () => {
    for (const id of ['import-throws', 'migration-throws', 'bad-definition', 'needs-missing', 'needs-broken', 'routes-throw', 'people']) {
      const result = await t.app.plugins.enable(id, 1);
      expect(result, id).toMatchObject({ ok: false, problem: 'failed', error: info(id)!.error });
      expect(t.app.plugins.isEnabled(id), id).toBe(false);
    }
    expect(await t.app.plugins.enable('fine', 1)).toEqual({ ok: true, changed: true });
    const fine = await get('/fine');
    expect(fine.statusCode).toBe(200);
    expect(fine.body).toBe('fine here');
  });

  it('answers 404 on the routes of failed plugins, even a route registered before its plugin failed', async () => {
    for (const url of ['/migration-throws', '/needs-missing', '/needs-broken', '/routes-throw', '/bad-definition', '/not-the-folder', '/import-throws']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).not.toContain('answers');
    }
    // The core's pages keep their addresses: the impostors' routes were never mounted.
    expect((await get('/people/impostor')).body).not.toContain('impostor answers');
    expect((await get('/admin/impostor', admin)).body).not.toContain('impostor answers');
    expect((await get('/people')).statusCode).toBe(200);
    expect((await get('/admin', admin)).statusCode).toBe(200);
  });

  it('leaves no half table from a migration that failed, and keeps the migrations before it', async () => {
    const tables = (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(t.app.db)).rows.map((r) => r.name);
    expect(tables).not.toContain('mt_half');
    expect(tables).toContain('mt_first');
    const applied = (await sql<{ name: string }>`select name from plugin_migration_throws_migrations`.execute(t.app.db)).rows.map((r) => r.name);
    expect(applied).toEqual(['0001-first']);
    // The fine plugin's migration ran.
    expect(tables).toContain('fine_things');
  });

  it('does not let a failed plugin that declared a core kind hide the core’s items', async () => {
    const post = await createPost(t.app, { spaceId: await companySpaceId(t.app), authorId: memberId, body: 'Posts stay visible' });
    // The state the runtime keeps is rewritten on every change: make one.
    await t.app.plugins.disable('fine', 1);
    expect((await get(`/content/${post}`)).statusCode).toBe(200);
    const home = html(await get('/'));
    expect(home.querySelectorAll('article.content-card').map((card) => card.getAttribute('id'))).toContain(`content-${post}`);
  });
});
