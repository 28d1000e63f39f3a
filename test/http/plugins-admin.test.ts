// The admin's plugins section (/admin/plugins): who reaches it, the plugins by stage with their
// status, enabling and disabling through HTTP (routes, navigation and data follow at once), refusals
// in plain words, locked plugins (HAMEAU_PLUGINS), and plugins that failed or did not load.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { cookiesFrom, html, mainText, type TestApp } from '../helpers/app.js';
import { client, createWorld, type World } from '../helpers/moderation.js';
import { createTestAppWithPlugins, enablePlugin } from '../helpers/plugins.js';
import { adminFixturePlugins, brokenPlugin, reservedIdPlugin } from '../fixtures/plugins-admin.js';
import { loadViewer } from '../../src/policy/viewer.js';
import { definePlugin, type PluginDefinition } from '../../src/plugins/contract.js';

let t: TestApp;
let w: World;
let c: ReturnType<typeof client>;
afterEach(async () => t?.close());

async function start(env: Record<string, string> = {}, plugins = adminFixturePlugins) {
  t = await createTestAppWithPlugins(plugins, env);
  w = await createWorld(t.app);
  c = client(t.app);
}

/** The main navigation the next request would show this person (slots of enabled plugins). */
async function navigationOf(userId: number) {
  const header = html(await c.get('/', userId === w.member.id ? w.member : w.admin)).querySelector('header a[href="/notes"]');
  const entries = await runtimeNavigation(userId);
  // The header shows what the runtime gives for the viewer.
  expect(header !== null).toBe(entries.includes('/notes'));
  return entries;
}

async function runtimeNavigation(userId: number) {
  const user = await t.app.db.selectFrom('users').select(['id', 'email', 'name', 'role', 'locale']).where('id', '=', userId).executeTakeFirstOrThrow();
  const viewer = await loadViewer(t.app.db, user, await t.app.organisation.get());
  return t.app.plugins.navigation(viewer).map((entry) => entry.href);
}

const card = (response: Awaited<ReturnType<typeof c.get>>, id: string) => html(response).querySelector(`#plugin-${id}`);

describe('who reaches the plugins section', () => {
  it('is admins only: visitors go to the login page, others are refused, and nothing changes', async () => {
    await start();
    const urls = ['/admin/plugins', '/admin/plugins/notes', '/admin/plugins/notes/purge', '/admin/plugins/notes/export', '/admin/plugins/stage/2'];
    const posts = ['/admin/plugins/notes/enable', '/admin/plugins/notes/disable', '/admin/plugins/notes', '/admin/plugins/notes/purge', '/admin/plugins/stage/2'];
    for (const who of ['', w.deactivated] as const) {
      for (const url of urls) expect((await c.get(url, who)).headers.location, url).toMatch(/^\/login/);
      for (const url of posts) expect((await c.post(url, who, { confirm: 'notes', title: 'x' })).headers.location, url).toMatch(/^\/login/);
    }
    for (const who of [w.member, w.editor, w.spaceAdmin]) {
      for (const url of urls) expect((await c.get(url, who)).statusCode, url).toBe(403);
      for (const url of posts) expect((await c.post(url, who, { confirm: 'notes', title: 'x', perPage: '3', order: 'oldest' })).statusCode, url).toBe(403);
    }
    expect(t.app.plugins.isEnabled('notes')).toBe(false);
    expect((await t.app.db.selectFrom('organisation').select('stage').executeTakeFirstOrThrow()).stage).toBe(1);
    expect(await t.app.db.selectFrom('audit_log').select('action').where('action', 'like', 'plugin%').execute()).toEqual([]);
  });

  it('answers 404 for a plugin that is not installed or an id that cannot be one', async () => {
    await start();
    for (const url of ['/admin/plugins/nope', '/admin/plugins/NOTES', '/admin/plugins/..%2Fadmin', '/admin/plugins/stage/4', '/admin/plugins/stage/0', '/admin/plugins/nope/purge']) {
      expect((await c.get(url, w.admin)).statusCode, url).toBe(404);
    }
    expect((await c.post('/admin/plugins/nope/enable', w.admin)).statusCode).toBe(404);
  });
});

describe('the plugins page', () => {
  it('lists the plugins under the three stages, each saying what it is for, with the current stage marked', async () => {
    await start();
    const response = await c.get('/admin/plugins', w.admin);
    expect(response.statusCode).toBe(200);
    const page = html(response);
    const stages = page.querySelectorAll('section.plugin-stage');
    expect(stages.map((s) => s.querySelector('h2')!.textContent.replace(/\s+/g, ' ').trim())).toEqual([
      'Stage 1: Inform and listen Current stage',
      'Stage 2: Process communities',
      'Stage 3: Social performance',
    ]);
    expect(stages.every((s) => (s.querySelector('.plugin-stage__text')?.textContent.length ?? 0) > 50)).toBe(true);
    expect(stages[0]!.querySelectorAll('.plugin-card h3').map((h) => h.textContent.trim())).toEqual(['Simple polls']);
    expect(stages[1]!.querySelectorAll('.plugin-card h3').map((h) => h.textContent.trim())).toEqual(['Team notes', 'Note tags']);
    expect(stages[2]!.querySelectorAll('.plugin-card h3').map((h) => h.textContent.trim())).toEqual(['Kudos']);
    const notes = card(response, 'notes')!;
    expect(notes.textContent).toContain('Notes shared in each space.');
    expect(notes.textContent).toContain('1.2.0');
    expect(notes.textContent).toContain('Disabled');
    expect(notes.textContent).toContain('Can be switched off per space');
    expect(card(response, 'tags')!.textContent.replace(/\s+/g, ' ')).toContain('Needs Team notes (Disabled)');
    // A real button with an accessible name, in a form that works without JavaScript.
    const form = notes.querySelector('form')!;
    expect(form.getAttribute('method')).toBe('post');
    expect(form.getAttribute('action')).toBe('/admin/plugins/notes/enable');
    expect(form.querySelector('button[type="submit"]')!.textContent.trim()).toBe('Enable Team notes');
    expect(page.querySelector('.subnav a[href="/admin/plugins"]')?.getAttribute('aria-current')).toBe('page');
    expect(page.querySelector('a[href="/admin/plugins/stage/2"]')!.textContent).toContain('Move to stage 2');
    expect(page.querySelector('a[href="/admin/plugins/stage/0"]')).toBeNull();
  });

  it('speaks French to a French admin', async () => {
    await start();
    await t.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', w.admin.id).execute();
    const response = await c.get('/admin/plugins', w.admin);
    const page = html(response);
    expect(page.querySelector('h1')!.textContent).toBe('Modules');
    expect(card(response, 'notes')!.querySelector('h3')!.textContent.trim()).toBe('Notes d’équipe');
    expect(card(response, 'notes')!.querySelector('button')!.textContent.trim()).toBe('Activer Notes d’équipe');
    expect(html(response).querySelector('#stage-2-title')!.textContent.trim()).toBe('Étape 2\u202f: Communautés de processus');
  });
});

describe('enabling and disabling through the page', () => {
  it('takes effect on the next request: routes, navigation, and the data is back after re-enabling', async () => {
    await start();
    expect((await c.get('/notes', w.member)).statusCode).toBe(404);
    expect(await navigationOf(w.member.id)).not.toContain('/notes');

    const enabled = await c.post('/admin/plugins/notes/enable', w.admin);
    expect(enabled.statusCode).toBe(303);
    expect(enabled.headers.location).toBe('/admin/plugins#plugin-notes');
    expect((await c.get('/notes', w.member)).statusCode).toBe(200);
    expect(await navigationOf(w.member.id)).toContain('/notes');
    const page = await t.app.inject({ url: '/admin/plugins', headers: { cookie: cookiesFrom(enabled, w.admin.cookie), 'accept-language': 'en' } });
    expect(mainText(page)).toContain('“Team notes” is enabled: staff can use it now.');
    const notes = card(page, 'notes')!;
    expect(notes.textContent).toContain('Enabled');
    expect(notes.textContent).toMatch(/By Alice Martin on \w+ \d{1,2}, 20\d\d at \d{1,2}:\d\d/);
    expect(notes.querySelector('button')!.textContent.trim()).toBe('Disable Team notes');

    await sql`insert into notes_items (text) values ('first'), ('second')`.execute(t.app.db);
    expect((await c.get('/notes', w.member)).body).toContain('Notes: 2');

    const disabled = await c.post('/admin/plugins/notes/disable', w.admin);
    expect(disabled.statusCode).toBe(303);
    expect((await c.get('/notes', w.member)).statusCode).toBe(404);
    expect(await navigationOf(w.member.id)).not.toContain('/notes');

    expect((await c.post('/admin/plugins/notes/enable', w.admin)).statusCode).toBe(303);
    expect((await c.get('/notes', w.member)).body).toContain('Notes: 2');

    const audit = await t.app.db.selectFrom('audit_log').select(['action', 'actor_id', 'subject_id', 'details']).where('action', 'like', 'plugin.%').orderBy('id').execute();
    expect(audit.map((a) => [a.action, a.actor_id, a.subject_id])).toEqual([
      ['plugin.enable', w.admin.id, 'notes'],
      ['plugin.disable', w.admin.id, 'notes'],
      ['plugin.enable', w.admin.id, 'notes'],
    ]);
    expect(JSON.parse(audit[1]!.details)).toMatchObject({ enabled: { before: true, after: false } });
  });

  it('dates the enabling in the organisation’s time zone', async () => {
    await start();
    await t.app.db.updateTable('organisation').set({ time_zone: 'Pacific/Kiritimati' }).execute();
    t.app.organisation.forget();
    await c.post('/admin/plugins/notes/enable', w.admin);
    const at = t.app.plugins.get('notes')!.enabledAt!;
    const inZone = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Pacific/Kiritimati' }).format(at);
    const inParis = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(at);
    expect(inZone).not.toBe(inParis);
    const text = card(await c.get('/admin/plugins', w.admin), 'notes')!.textContent.replace(/\s+/g, ' ');
    expect(text).toContain(`By Alice Martin on ${inZone.replace(/\s+/g, ' ')}`);
  });

  it('comes back to the plugin page when the toggle is there', async () => {
    await start();
    const response = await c.post('/admin/plugins/notes/enable', w.admin, { from: 'plugin' });
    expect(response.headers.location).toBe('/admin/plugins/notes');
  });

  it('refuses to enable a plugin whose dependency is disabled, naming the dependency', async () => {
    await start();
    const response = await c.post('/admin/plugins/tags/enable', w.admin);
    expect(response.statusCode).toBe(409);
    expect(html(response).querySelector('[role="alert"]')!.textContent).toContain('“Note tags” cannot be enabled yet: it needs Team notes. Enable Team notes first.');
    expect(t.app.plugins.isEnabled('tags')).toBe(false);
  });

  it('names every missing dependency, and every plugin that still needs one', async () => {
    const combo = { ...adminFixturePlugins[3]!, id: 'combo', name: { fr: 'Combiné', en: 'Combo' }, dependsOn: ['notes', 'kudos'] };
    const more = { ...adminFixturePlugins[3]!, id: 'more', name: { fr: 'Plus', en: 'More' }, dependsOn: ['notes'] };
    await start({}, [...adminFixturePlugins, combo, more]);
    const response = await c.post('/admin/plugins/combo/enable', w.admin);
    expect(response.statusCode).toBe(409);
    expect(html(response).querySelector('[role="alert"]')!.textContent).toContain('“Combo” cannot be enabled yet: it needs Team notes and Kudos. Enable them first.');
    await enablePlugin(t.app, 'notes');
    await enablePlugin(t.app, 'tags');
    await enablePlugin(t.app, 'more');
    const refused = await c.post('/admin/plugins/notes/disable', w.admin);
    expect(html(refused).querySelector('[role="alert"]')!.textContent).toContain('“Team notes” cannot be disabled while Note tags and More use it. Disable them first.');
  });

  it('refuses to disable a plugin an enabled plugin needs, naming it', async () => {
    await start();
    await enablePlugin(t.app, 'notes');
    await enablePlugin(t.app, 'tags');
    const response = await c.post('/admin/plugins/notes/disable', w.admin);
    expect(response.statusCode).toBe(409);
    expect(html(response).querySelector('[role="alert"]')!.textContent).toContain('“Team notes” cannot be disabled while Note tags uses it. Disable Note tags first.');
    expect(t.app.plugins.isEnabled('notes')).toBe(true);
    // In French too, from the plugin's own page.
    await t.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', w.admin.id).execute();
    const french = await c.post('/admin/plugins/notes/disable', w.admin, { from: 'plugin' });
    expect(french.statusCode).toBe(409);
    expect(html(french).querySelector('h1')!.textContent).toBe('Notes d’équipe');
    expect(html(french).querySelector('[role="alert"]')!.textContent).toContain('«\u00a0Notes d’équipe\u00a0» ne peut pas être désactivé tant que Étiquettes de notes l’utilise. Désactivez d’abord Étiquettes de notes.');
  });

  it('says when there was nothing to change', async () => {
    await start();
    const response = await c.post('/admin/plugins/notes/disable', w.admin);
    expect(response.statusCode).toBe(303);
    const page = await t.app.inject({ url: '/admin/plugins', headers: { cookie: cookiesFrom(response, w.admin.cookie) } });
    expect(mainText(page)).toContain('“Team notes” was already disabled.');
    expect(await t.app.db.selectFrom('audit_log').select('action').where('action', 'like', 'plugin.%').execute()).toEqual([]);
  });
});

describe('pinned by the configuration (HAMEAU_PLUGINS)', () => {
  it('shows every plugin as locked and refuses to change them', async () => {
    await start({ HAMEAU_PLUGINS: 'notes' });
    expect(t.app.plugins.isEnabled('notes')).toBe(true);
    const response = await c.get('/admin/plugins', w.admin);
    expect(mainText(response)).toContain('set by the server’s configuration (HAMEAU_PLUGINS)');
    for (const id of ['notes', 'kudos']) {
      expect(card(response, id)!.textContent).toContain('Locked by the configuration');
      expect(card(response, id)!.querySelector('form')).toBeNull();
    }
    expect(card(response, 'notes')!.textContent).toContain('By the server’s configuration on');

    const disable = await c.post('/admin/plugins/notes/disable', w.admin);
    expect(disable.statusCode).toBe(409);
    expect(html(disable).querySelector('[role="alert"]')!.textContent).toContain('“Team notes” cannot be changed here');
    const enable = await c.post('/admin/plugins/kudos/enable', w.admin);
    expect(enable.statusCode).toBe(409);
    expect(t.app.plugins.isEnabled('notes')).toBe(true);
    expect(t.app.plugins.isEnabled('kudos')).toBe(false);
  });
});

describe('plugins that failed or did not load', () => {
  it('shows a plugin whose migration threw as failed, with its error, and refuses to enable it', async () => {
    await start({}, [...adminFixturePlugins, brokenPlugin, reservedIdPlugin]);
    // Hameau runs without them.
    expect((await c.get('/', w.member)).statusCode).toBe(200);
    const response = await c.get('/admin/plugins', w.admin);
    const broken = card(response, 'broken')!;
    expect(broken.textContent).toContain('Failed');
    expect(broken.textContent).toContain('boom: the table cannot be made');
    expect(broken.querySelector('form')).toBeNull();
    const refused = await c.post('/admin/plugins/broken/enable', w.admin);
    expect(refused.statusCode).toBe(409);
    expect(html(refused).querySelector('[role="alert"]')!.textContent).toMatch(/“Broken” failed and cannot be enabled: .*boom: the table cannot be made/);

    // Found but not loaded: listed under "Problems" with its id and the reason.
    const problems = html(response).querySelector('section.plugin-problems')!;
    expect(problems.querySelector('h2')!.textContent).toBe('Problems');
    expect(problems.querySelector('#plugin-spaces')!.textContent).toContain('the id "spaces" is taken by a page of Hameau itself');
    // Its own page says the same; there is nothing to purge or set.
    const own = await c.get('/admin/plugins/spaces', w.admin);
    expect(own.statusCode).toBe(200);
    expect(mainText(own)).toContain('the id "spaces" is taken by a page of Hameau itself');
    expect(html(own).querySelector('main form')).toBeNull();
    expect((await c.get('/admin/plugins/spaces/purge', w.admin)).statusCode).toBe(404);
    expect((await c.post('/admin/plugins/spaces/enable', w.admin)).statusCode).toBe(409);
  });

  it('offers "Disable" for a failed plugin stored as enabled, then lets its data be purged (never before)', async () => {
    // "flaky" is enabled and holds data; after a restart its routes throw: failed, still stored as enabled.
    const flaky = (routes: PluginDefinition['routes']) =>
      definePlugin({
        id: 'flaky',
        name: { fr: 'Instable', en: 'Flaky' },
        description: { fr: 'Ses routes échouent.', en: 'Its routes fail.' },
        stage: 2,
        version: '1.0.0',
        hameau: '>=0.0.0',
        migrations: {
          '0001-rows': {
            async up(db: Kysely<any>) {
              await db.schema.createTable('flaky_rows').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
              await sql`insert into flaky_rows (id) values (1)`.execute(db);
            },
          },
        },
        tables: ['flaky_rows'],
        ...(routes ? { routes } : {}),
      });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-test-'));
    const first = await createTestAppWithPlugins([flaky(undefined)], {}, { dataDir });
    w = await createWorld(first.app);
    expect((await client(first.app).post('/admin/plugins/flaky/enable', w.admin)).statusCode).toBe(303);
    await first.app.close();
    t = await createTestAppWithPlugins(
      [
        flaky(async () => {
          throw new Error('routes broke on purpose');
        }),
      ],
      {},
      { dataDir },
    );
    c = client(t.app);
    const info = t.app.plugins.get('flaky')!;
    expect([info.status, info.stateEnabled]).toEqual(['failed', true]);

    // The card and the plugin's page offer "Disable"; no purge while it is stored as enabled.
    const cardOf = async () => card(await c.get('/admin/plugins', w.admin), 'flaky')!;
    expect((await cardOf()).textContent).toContain('routes broke on purpose');
    const toggle = (await cardOf()).querySelector('form')!;
    expect(toggle.getAttribute('action')).toBe('/admin/plugins/flaky/disable');
    expect(toggle.querySelector('button')!.textContent.trim()).toBe('Disable Flaky');
    const own = await c.get('/admin/plugins/flaky', w.admin);
    expect(html(own).querySelector('main form[action="/admin/plugins/flaky/disable"]')).not.toBeNull();
    expect(html(own).querySelector('a[href="/admin/plugins/flaky/purge"]')).toBeNull();
    const purgePage = await c.get('/admin/plugins/flaky/purge', w.admin);
    expect(mainText(purgePage)).toContain('Disable it first');
    expect(html(purgePage).querySelector('form[action="/admin/plugins/flaky/purge"]')).toBeNull();
    const early = await c.post('/admin/plugins/flaky/purge', w.admin, { confirm: 'flaky' });
    expect(early.statusCode).toBe(409);
    expect(html(early).querySelector('[role="alert"]')!.textContent).toContain('disable it before purging its data');
    expect((await sql`select id from flaky_rows`.execute(t.app.db)).rows).toHaveLength(1);

    // Disabled through the page: audited, stored, and now its data may be purged (the toggle is gone).
    const disabled = await c.post('/admin/plugins/flaky/disable', w.admin);
    expect(disabled.statusCode).toBe(303);
    const after = await t.app.inject({ url: disabled.headers.location as string, headers: { cookie: cookiesFrom(disabled, w.admin.cookie), 'accept-language': 'en' } });
    expect(mainText(after)).toContain('“Flaky” is disabled. Its data is kept.');
    expect((await t.app.db.selectFrom('plugin_state').select('enabled').where('id', '=', 'flaky').executeTakeFirstOrThrow()).enabled).toBe(0);
    const audit = await t.app.db.selectFrom('audit_log').select(['actor_id', 'details']).where('action', '=', 'plugin.disable').where('subject_id', '=', 'flaky').execute();
    expect(audit.map((a) => [a.actor_id, JSON.parse(a.details)])).toEqual([[w.admin.id, { enabled: { before: true, after: false } }]]);
    expect(t.app.plugins.get('flaky')!.status).toBe('failed');
    expect((await cardOf()).querySelector('form')).toBeNull();
    expect(html(await c.get('/admin/plugins/flaky', w.admin)).querySelector('a[href="/admin/plugins/flaky/purge"]')).not.toBeNull();
    const purged = await c.post('/admin/plugins/flaky/purge', w.admin, { confirm: 'flaky' });
    expect(purged.statusCode).toBe(303);
    expect((await sql<{ name: string }>`select name from sqlite_master where name = 'flaky_rows'`.execute(t.app.db)).rows).toEqual([]);
  });

  it('shows an external plugin made for another version of Hameau as incompatible, with the reason', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-test-'));
    fs.mkdirSync(path.join(dataDir, 'plugins', 'oldie'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'plugins', 'oldie', 'package.json'), JSON.stringify({ name: 'oldie', engines: { hameau: '<0.0.1' } }));
    t = await createTestAppWithPlugins(adminFixturePlugins, {}, { dataDir });
    w = await createWorld(t.app);
    c = client(t.app);
    const response = await c.get('/admin/plugins', w.admin);
    const oldie = html(response).querySelector('section.plugin-problems #plugin-oldie')!;
    expect(oldie.textContent).toContain('Incompatible');
    expect(oldie.textContent).toMatch(/made for Hameau <0\.0\.1; this is Hameau \d/);
    const refused = await c.post('/admin/plugins/oldie/enable', w.admin);
    expect(refused.statusCode).toBe(409);
    expect(html(refused).querySelector('[role="alert"]')!.textContent).toContain('“oldie” does not work with this version of Hameau');
  });

  it('escapes what a plugin says about itself', async () => {
    const evil = { ...adminFixturePlugins[3]!, id: 'evil', name: { fr: '<script>alert(1)</script>', en: '<script>alert(1)</script>' } };
    await start({}, [evil]);
    const response = await c.get('/admin/plugins', w.admin);
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(card(response, 'evil')!.querySelector('h3')!.textContent.trim()).toBe('<script>alert(1)</script>');
  });
});
