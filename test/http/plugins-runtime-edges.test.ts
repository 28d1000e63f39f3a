// The runtime's edges: a plugin's content kinds drawn from templates named as the contract documents
// them; search's kind filter; stage packs and pins keep dependencies whole; a new version that drops
// its per-space switch; enabling after a purge runs the migrations again, and one that fails there
// marks the plugin failed.
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContentKind } from '../../src/content/kinds.js';
import { definePlugin } from '../../src/plugins/contract.js';
import { insertContent } from '../../src/content/store.js';
import { createTestApp, createUser, html, login, setupOrganisation, type TestApp } from '../helpers/app.js';
import { companySpaceId, createSpace } from '../helpers/content.js';
import { createTestAppWithPlugins, enablePlugin } from '../helpers/plugins.js';
import { insertMemo } from '../fixtures/plugins/documented-paths/memo/index.js';

const DOCUMENTED = fileURLToPath(new URL('../fixtures/plugins/documented-paths', import.meta.url));
const OK_SET = fileURLToPath(new URL('../fixtures/plugins/ok-set', import.meta.url));

const plugin = (id: string, stage: 1 | 2 | 3, extra: Partial<Parameters<typeof definePlugin>[0]> = {}) =>
  definePlugin({ id, name: { fr: id, en: id }, description: { fr: id, en: id }, stage, version: '1.0.0', hameau: '>=0.1.0', messages: { fr: {}, en: {} }, ...extra });

let t: TestApp;
afterEach(async () => t.close());

async function member(app: TestApp['app']): Promise<{ id: number; cookie: string }> {
  await setupOrganisation(app, { locale: 'en' });
  const id = await createUser(app, { email: 'bruno@example.com', name: 'Bruno Petit', locale: 'en' });
  return { id, cookie: await login(app, 'bruno@example.com') };
}

describe('a plugin’s content kind', () => {
  it('draws its cards and pages from templates named "/plugins/<id>/<name>", as the contract says', async () => {
    t = await createTestApp({}, { pluginDirs: { code: DOCUMENTED, assets: DOCUMENTED } });
    const bruno = await member(t.app);
    await t.app.plugins.enable('memo', 1);
    const spaceId = await companySpaceId(t.app);
    const id = await t.app.db.transaction().execute(async (trx) => {
      const contentId = await insertContent(trx, { kind: 'memo', spaceId, authorId: bruno.id, publishedAt: Date.now() - 1000 });
      await insertMemo(trx, contentId, 'Memo about the canteen');
      return contentId;
    });
    const home = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: bruno.cookie } });
    expect(home.statusCode).toBe(200);
    expect(html(home).querySelector(`#content-${id} .memo-card`)?.textContent).toBe('Memo about the canteen');
    const page = await t.app.inject({ method: 'GET', url: `/content/${id}`, headers: { cookie: bruno.cookie } });
    expect(page.statusCode).toBe(200);
    expect(html(page).querySelector('.memo-page')?.textContent).toBe('Memo about the canteen');
  });

  it('is offered as a search filter only while its plugin is enabled', async () => {
    t = await createTestApp({}, { pluginDirs: { code: OK_SET, assets: OK_SET } });
    const bruno = await member(t.app);
    const kinds = async () =>
      html(await t.app.inject({ method: 'GET', url: '/search?q=anything', headers: { cookie: bruno.cookie } }))
        .querySelectorAll('#search-page-kind option')
        .map((option) => option.getAttribute('value'));
    expect(await kinds()).toContain('post');
    expect(await kinds()).not.toContain('note');
    await t.app.plugins.enable('notes', 1);
    expect(await kinds()).toContain('note');
    await t.app.plugins.disable('notes', 1);
    expect(await kinds()).not.toContain('note');
  });
});

describe('stage packs and dependencies', () => {

  it('never leaves an enabled plugin without a plugin it depends on when moving down a stage', async () => {
    // A stage-2 plugin that needs a stage-3 one (e.g. a survey module needing a forms engine).
    t = await createTestAppWithPlugins([plugin('engine', 3), plugin('survey', 2, { dependsOn: ['engine'], recommended: true })]);
    await setupOrganisation(t.app, { locale: 'en' });
    await t.app.plugins.enable('engine', 1);
    await t.app.plugins.enable('survey', 1);
    await t.app.plugins.moveToStage(3, 1);
    // Back to stage 2: the stage-3 engine goes off, and the survey that needs it with it (the preview says so).
    const plan = await t.app.plugins.stagePlan(2);
    expect(plan.disable.map((p) => p.id).sort()).toEqual(['engine', 'survey']);
    await t.app.plugins.moveToStage(2, 1);
    const enabled = (id: string) => t.app.plugins.isEnabled(id);
    expect([enabled('engine'), enabled('survey')]).toEqual([false, false]);
  });

  it('turns nothing off when moving up, a plugin of a higher stage enabled by hand included', async () => {
    t = await createTestAppWithPlugins([plugin('later', 3), plugin('now', 2, { recommended: true })]);
    await setupOrganisation(t.app, { locale: 'en' });
    await t.app.plugins.enable('later', 1);
    const plan = await t.app.plugins.stagePlan(2);
    expect(plan).toMatchObject({ from: 1, to: 2, disable: [] });
    expect(plan.enable.map((p) => p.id)).toEqual(['now']);
    await t.app.plugins.moveToStage(2, 1);
    expect([t.app.plugins.isEnabled('later'), t.app.plugins.isEnabled('now')]).toEqual([true, true]);
    // Moving to the stage it is at, with nothing to change, writes nothing.
    const entries = async () => (await t.app.db.selectFrom('audit_log').select('id').where('action', '=', 'plugins.stage').execute()).length;
    const before = await entries();
    await t.app.plugins.moveToStage(2, 1);
    expect(await entries()).toBe(before);
  });
});

describe('stage packs after a purge', () => {
  it('migrates the plugins it enables dependencies first, whatever their order of installation', async () => {
    // Installed in this order: the recommended plugin first, the one it needs after.
    const child = plugin('aa-child', 2, {
      dependsOn: ['zz-base'],
      recommended: true,
      tables: ['aa_child_items'],
      migrations: {
        '0001': {
          async up(db) {
            await sql`select count(*) from zz_base_items`.execute(db);
            await db.schema.createTable('aa_child_items').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
          },
        },
      },
    });
    const base = plugin('zz-base', 1, {
      tables: ['zz_base_items'],
      migrations: {
        '0001': {
          async up(db) {
            await db.schema.createTable('zz_base_items').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
          },
        },
      },
    });
    t = await createTestAppWithPlugins([child, base]);
    await setupOrganisation(t.app, { locale: 'en' });
    expect(t.app.plugins.get('aa-child')!.status).toBe('disabled');
    expect(await t.app.plugins.purge('aa-child', 1)).toEqual({ ok: true, changed: true });
    expect(await t.app.plugins.purge('zz-base', 1)).toEqual({ ok: true, changed: true });
    const plan = await t.app.plugins.moveToStage(2, 1);
    expect(plan.enable.map((p) => p.id).sort()).toEqual(['aa-child', 'zz-base']);
    expect(t.app.plugins.get('aa-child')).toMatchObject({ status: 'enabled', error: null });
    expect(t.app.plugins.get('zz-base')!.status).toBe('enabled');
  });
});

describe('a plugin’s new version', () => {
  const board = definePlugin({
    id: 'board',
    name: { fr: 'Tableau', en: 'Board' },
    description: { fr: 'Un tableau.', en: 'A board.' },
    stage: 1,
    version: '1.0.0',
    hameau: '>=0.1.0',
    perSpace: true,
    messages: { fr: {}, en: {} },
  });

  it('no longer keeps a space switched off once the plugin offers no switch (nobody could switch it back on)', async () => {
    const first = await createTestAppWithPlugins([board]);
    await setupOrganisation(first.app, { locale: 'en' });
    const space = await createSpace(first.app, { name: 'Shop floor' });
    await enablePlugin(first.app, 'board');
    await first.app.plugins.setSpaceSwitch('board', space, false, 1);
    expect(first.app.plugins.enabledIn('board', space)).toBe(false);
    await first.app.close();

    t = await createTestAppWithPlugins([{ ...board, version: '2.0.0', perSpace: false }], {}, { dataDir: first.dataDir });
    expect(t.app.plugins.get('board')!.spaceSwitch).toBe(false);
    expect(await t.app.plugins.setSpaceSwitch('board', space, true, 1)).toEqual({ ok: false, problem: 'noSpaceSwitch' });
    expect(t.app.plugins.enabledIn('board', space)).toBe(true);
  });
});

describe('enabling after a purge', () => {
  let failing = false;
  const crates = definePlugin({
    id: 'crates',
    name: { fr: 'Caisses', en: 'Crates' },
    description: { fr: 'Des caisses.', en: 'Crates.' },
    stage: 1,
    version: '1.0.0',
    hameau: '>=0.1.0',
    tables: ['crates_items'],
    migrations: {
      '0001-crates': {
        async up(db) {
          await db.schema.createTable('crates_items').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
          if (failing) throw new Error('crates cannot migrate today');
        },
      },
    },
    routes: async (app) => {
      app.get('/', async () => 'crates here');
    },
    messages: { fr: {}, en: {} },
  });
  const tables = async () => (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name like 'crates%'`.execute(t.app.db)).rows.map((r) => r.name);

  it('migrates again (empty tables); a migration that fails then marks the plugin failed, with nothing half made', async () => {
    t = await createTestAppWithPlugins([crates]);
    const bruno = await member(t.app);
    const get = () => t.app.inject({ method: 'GET', url: '/crates', headers: { cookie: bruno.cookie } });
    await enablePlugin(t.app, 'crates');
    await sql`insert into crates_items (id) values (1)`.execute(t.app.db);
    expect(await t.app.plugins.purge('crates', 1)).toEqual({ ok: false, problem: 'enabled' });
    await t.app.plugins.disable('crates', 1);
    expect(await t.app.plugins.purge('crates', 1)).toEqual({ ok: true, changed: true });
    expect(await tables()).toEqual([]);
    expect(t.app.plugins.get('crates')!.purgedAt).toEqual(expect.any(Number));

    // Enabled again: its tables are back, empty.
    await enablePlugin(t.app, 'crates');
    expect(await tables()).toEqual(['crates_items']);
    expect((await sql<{ n: number }>`select count(*) as n from crates_items`.execute(t.app.db)).rows[0]!.n).toBe(0);
    expect((await get()).statusCode).toBe(200);

    // Purged again, and this time its migration fails: failed, off, no half table.
    await t.app.plugins.disable('crates', 1);
    await t.app.plugins.purge('crates', 1);
    failing = true;
    try {
      const result = await t.app.plugins.enable('crates', 1);
      expect(result).toMatchObject({ ok: false, problem: 'failed', error: expect.stringContaining('crates cannot migrate today') });
    } finally {
      failing = false;
    }
    expect(t.app.plugins.get('crates')).toMatchObject({ status: 'failed', error: expect.stringContaining('crates cannot migrate today') });
    expect(await tables()).toEqual([]);
    expect((await get()).statusCode).toBe(404);
  });
});

describe('purging a plugin whose table references its content items without ON DELETE CASCADE', () => {
  const kind: ContentKind = {
    kind: 'crumb',
    load: async () => new Map(),
    cardTemplate: 'posts/card',
    pageTemplate: 'posts/page',
    title: () => 'crumb',
    searchText: () => ({ title: '', body: '' }),
    editUrl: () => '/',
  };
  const crumbs = plugin('crumbs', 1, {
    tables: ['crumbs_items'],
    contentKinds: [kind],
    migrations: {
      '0001': {
        async up(db) {
          // A plain reference, as a plugin author may well write it.
          await db.schema.createTable('crumbs_items').addColumn('content_id', 'integer', (c) => c.primaryKey().references('content.id')).execute();
        },
      },
    },
  });

  it('removes its rows and its content items all the same', async () => {
    t = await createTestAppWithPlugins([crumbs]);
    const bruno = await member(t.app);
    await enablePlugin(t.app, 'crumbs');
    const spaceId = await companySpaceId(t.app);
    await t.app.db.transaction().execute(async (trx) => {
      const id = await insertContent(trx, { kind: 'crumb', spaceId, authorId: bruno.id, publishedAt: Date.now() - 1000 });
      await sql`insert into crumbs_items (content_id) values (${id})`.execute(trx);
    });
    await t.app.plugins.disable('crumbs', 1);
    const result = await t.app.plugins.purge('crumbs', 1).catch((error: unknown) => ({ thrown: String(error) }));
    expect(result).toEqual({ ok: true, changed: true });
    expect(await t.app.db.selectFrom('content').select('id').where('kind', '=', 'crumb').execute()).toEqual([]);
  });
});
