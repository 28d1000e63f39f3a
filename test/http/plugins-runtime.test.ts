// The plugin runtime with real plugin folders (test/fixtures/plugins/ok-set): enabling and disabling
// takes effect on the next request, with no restart; a disabled plugin's routes answer 404, its items
// vanish from every list and its permalink, its slots, hooks and jobs stop; its data comes back when it
// is enabled again. Migrations run dependencies first, each plugin with its own migration table.
import { fileURLToPath } from 'node:url';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notify } from '../../src/notifications/notify.js';
import type { Viewer } from '../../src/policy/viewer.js';
import { cookiesFrom, createTestApp, createUser, html, login, mainText, setupOrganisation, type TestApp } from '../helpers/app.js';
import { companySpaceId, createComment, createPost, createSpace } from '../helpers/content.js';
import { hrefs } from '../helpers/search.js';

const OK_SET = fileURLToPath(new URL('../fixtures/plugins/ok-set', import.meta.url));
const MINUTE = 60_000;

interface World {
  t: TestApp;
  admin: number;
  bruno: number;
  carol: number;
  company: number;
  /** Open: Bruno is a member; Carol is not (but sees it). */
  workshop: number;
  /** Open: Bruno is its admin. */
  garden: number;
  cookies: { admin: string; bruno: string; carol: string };
  get(url: string, cookie: string | null): Promise<LightMyRequestResponse>;
  post(url: string, cookie: string, payload: Record<string, string>): Promise<LightMyRequestResponse>;
}

async function createWorld(t: TestApp): Promise<World> {
  const app = t.app;
  const adminCookie = await setupOrganisation(app, { locale: 'en' });
  const bruno = await createUser(app, { email: 'bruno@example.com', name: 'Bruno Petit', locale: 'en' });
  const carol = await createUser(app, { email: 'carol@example.com', name: 'Carol Outsider', locale: 'en' });
  const workshop = await createSpace(app, { name: 'Workshop', visibility: 'open', members: [[bruno, 'member']] });
  const garden = await createSpace(app, { name: 'Garden', visibility: 'open', members: [[bruno, 'admin']] });
  return {
    t,
    admin: 1,
    bruno,
    carol,
    company: await companySpaceId(app),
    workshop,
    garden,
    cookies: { admin: adminCookie, bruno: await login(app, 'bruno@example.com'), carol: await login(app, 'carol@example.com') },
    get: (url, cookie) => app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} }),
    post: (url, cookie, payload) => app.inject({ method: 'POST', url, payload, headers: { cookie } }),
  };
}

const okSet = (env: Record<string, string> = {}, dataDir?: string) =>
  createTestApp(env, { pluginDirs: { code: OK_SET, assets: OK_SET }, ...(dataDir ? { dataDir } : {}) });

async function tableNames(t: TestApp): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`.execute(t.app.db);
  return rows.rows.map((r) => r.name);
}

async function hookCalls(t: TestApp): Promise<Array<{ hook: string; payload: Record<string, unknown> }>> {
  const rows = await sql<{ hook: string; payload: string }>`select hook, payload from notes_hook_calls order by id`.execute(t.app.db);
  return rows.rows.map((r) => ({ hook: r.hook, payload: JSON.parse(r.payload) as Record<string, unknown> }));
}

/** Adds a note as Bruno through the plugin's own route; returns its content id. */
async function addNote(w: World, spaceId: number, title: string, cookie = w.cookies.bruno): Promise<number> {
  const response = await w.post(`/notes/spaces/${spaceId}`, cookie, { title, body: `Body of ${title}` });
  expect(response.statusCode, response.body).toBe(303);
  return Number(/^\/content\/(\d+)$/.exec(String(response.headers.location))![1]);
}

/** A post through the composer, as Bruno. */
const writePost = (w: World, spaceId: number, body: string) => w.post('/posts', w.cookies.bruno, { space: String(spaceId), body });

const viewerOf = (id: number, role: Viewer['role'] = 'member') => ({ id, role, name: 'x', spaceRoles: new Map(), memberSpaces: [] }) as unknown as Viewer;
const cardIds = (response: LightMyRequestResponse) => html(response).querySelectorAll('article.content-card').map((card) => card.getAttribute('id'));
const auditDetails = (row: { details: string }) => JSON.parse(row.details) as Record<string, unknown>;

let t: TestApp;
let w: World;

describe('plugins from a folder, with no restart', () => {
  beforeEach(async () => {
    t = await okSet();
    w = await createWorld(t);
  });
  afterEach(async () => t.close());

  it('loads every plugin of the folder, disabled at first, each migrated with its own migration table, dependencies first', async () => {
    const list = t.app.plugins.list();
    expect(list.map((p) => [p.id, p.status, p.error])).toEqual(
      expect.arrayContaining([
        ['annex', 'disabled', null],
        ['grumpy', 'disabled', null],
        ['notes', 'disabled', null],
        ['notes-extra', 'disabled', null],
      ]),
    );
    expect(list).toHaveLength(4);
    expect(list.every((p) => p.origin === 'repository' && !p.locked && p.enabledAt === null)).toBe(true);
    const tables = await tableNames(t);
    expect(tables).toEqual(expect.arrayContaining(['notes_items', 'notes_hook_calls', 'notes_job_runs', 'notes_extra_tags', 'annex_links']));
    // Each plugin its own migration table, holding its own migrations only.
    const applied = async (table: string) => (await sql<{ name: string }>`select name from ${sql.table(table)} order by name`.execute(t.app.db)).rows.map((r) => r.name);
    expect(await applied('plugin_notes_migrations')).toEqual(['0001-notes', '0002-job-runs']);
    expect(await applied('plugin_notes_extra_migrations')).toEqual(['0001-tags']);
    // annex's folder comes before notes', and its migration reads notes' table: it ran after notes'.
    expect(await applied('plugin_annex_migrations')).toEqual(['0001-links']);
    // notes-extra's table references notes' table for real (a foreign key, checked).
    await expect(sql`insert into notes_extra_tags (note_id, tag) values (999, 'x')`.execute(t.app.db)).rejects.toThrow(/FOREIGN KEY/);
  });

  it('answers 404 on a disabled plugin’s routes, 200 once enabled, 404 again once disabled', async () => {
    const before = await w.get('/notes', w.cookies.bruno);
    expect(before.statusCode).toBe(404);
    expect(before.body).not.toContain('notes home');
    expect((await w.get('/notes', null)).statusCode).toBe(404);

    expect(await t.app.plugins.enable('notes', w.admin)).toEqual({ ok: true, changed: true });
    const on = await w.get('/notes', w.cookies.bruno);
    expect(on.statusCode).toBe(200);
    expect(on.body).toBe('notes home: Hello');
    // Enabled, the plugin's routes still ask who you are (its own authorize call).
    expect((await w.get('/notes', null)).statusCode).toBe(303);
    expect(t.app.plugins.get('notes')).toMatchObject({ status: 'enabled', enabledBy: w.admin });
    expect(t.app.plugins.get('notes')!.enabledAt).toEqual(expect.any(Number));

    expect(await t.app.plugins.disable('notes', w.admin)).toEqual({ ok: true, changed: true });
    expect((await w.get('/notes', w.cookies.bruno)).statusCode).toBe(404);
    expect((await w.post(`/notes/spaces/${w.workshop}`, w.cookies.bruno, { title: 'Sneaky' })).statusCode).toBe(404);
    expect((await sql<{ n: number }>`select count(*) as n from notes_items`.execute(t.app.db)).rows[0]!.n).toBe(0);

    // Enabling twice changes nothing (and writes no second audit entry).
    await t.app.plugins.enable('notes', w.admin);
    expect(await t.app.plugins.enable('notes', w.admin)).toEqual({ ok: true, changed: false });
    expect(await t.app.plugins.disable('annex', w.admin)).toEqual({ ok: true, changed: false });
    const audit = await t.app.db.selectFrom('audit_log').select(['action', 'subject_id', 'actor_id', 'details']).where('subject_type', '=', 'plugin').orderBy('id').execute();
    expect(audit.map((a) => [a.action, a.subject_id, a.actor_id])).toEqual([
      ['plugin.enable', 'notes', w.admin],
      ['plugin.disable', 'notes', w.admin],
      ['plugin.enable', 'notes', w.admin],
    ]);
    expect(auditDetails(audit[1]!)).toMatchObject({ enabled: { before: true, after: false } });
  });

  it('hides a disabled plugin’s items from the feeds, the permalink, search and notifications, and brings them back', async () => {
    await t.app.plugins.enable('notes', w.admin);
    const note = await addNote(w, w.workshop, 'Quarterly zebra plan');
    const post = await createPost(t.app, { spaceId: w.workshop, authorId: w.bruno, body: 'A zebra post stays' });
    await notify(t.app.db, [{ userId: w.bruno, type: 'mention', actorId: w.admin, contentId: note, createdAt: Date.now() - 1000 }]);
    // A comment on it, found by search with its item.
    const comment = await createComment(t.app, { contentId: note, authorId: w.carol, body: 'The zebra crossing comment' });

    const seen = async () => {
      const bell = html(await w.get('/account', w.cookies.bruno)).querySelector('.notification-bell')?.getAttribute('class') ?? '';
      const home = await w.get('/', w.cookies.bruno);
      const space = await w.get(`/spaces/${w.workshop}`, w.cookies.carol);
      const permalink = await w.get(`/content/${note}`, w.cookies.carol);
      const search = await w.get('/search?q=zebra', w.cookies.carol);
      const notifications = await w.get('/notifications', w.cookies.bruno);
      const own = await w.get(`/notes/${note}`, w.cookies.bruno);
      for (const [name, response] of Object.entries({ home, space, search, notifications })) expect(response.statusCode, `${name}: ${response.body.slice(0, 300)}`).toBe(200);
      return {
        home: cardIds(home).includes(`content-${note}`) && mainText(home).includes('Quarterly zebra plan'),
        space: cardIds(space).includes(`content-${note}`),
        permalink: permalink.statusCode === 200 && mainText(permalink).includes('Quarterly zebra plan'),
        permalinkStatus: permalink.statusCode,
        search: hrefs(search).includes(`/content/${note}`),
        searchComment: hrefs(search).includes(`/content/${note}#comment-${comment}`),
        // The only notification is the one about the note (unread: a button that opens it).
        notification: html(notifications).querySelectorAll('li.notification').some((li) => li.textContent.includes('Quarterly zebra plan')),
        bellUnread: bell.includes('notification-bell--unread'),
        own: own.statusCode,
        // The core's own items are never affected.
        post: cardIds(home).includes(`content-${post}`) && hrefs(search).includes(`/content/${post}`),
      };
    };

    const shown = { home: true, space: true, permalink: true, permalinkStatus: 200, search: true, searchComment: true, notification: true, bellUnread: true, own: 200, post: true };
    expect(await seen()).toEqual(shown);

    await t.app.plugins.disable('notes', w.admin);
    expect(await seen()).toEqual({ home: false, space: false, permalink: false, permalinkStatus: 404, search: false, searchComment: false, notification: false, bellUnread: false, own: 404, post: true });
    // The admin does not see it either.
    expect((await w.get(`/content/${note}`, w.cookies.admin)).statusCode).toBe(404);
    // Its data stays.
    expect((await sql<{ title: string }>`select title from notes_items`.execute(t.app.db)).rows).toEqual([{ title: 'Quarterly zebra plan' }]);

    await t.app.plugins.enable('notes', w.admin);
    expect(await seen()).toEqual(shown);
  });

  it('offers its navigation entry, space tab and composer actions only while enabled', async () => {
    const viewer = viewerOf(w.bruno);
    const space = { id: w.workshop, visibility: 'open' as const };
    expect(t.app.plugins.navigation(viewer).map((e) => e.href)).not.toContain('/notes');
    expect(t.app.plugins.spaceTabs(viewer, space)).toEqual([]);
    expect(t.app.plugins.composerActions(viewer, space)).toEqual([]);
    expect(t.app.plugins.composerActions(viewer, null)).toEqual([]);

    await t.app.plugins.enable('notes', w.admin);
    expect(t.app.plugins.navigation(viewer).map((e) => e.href)).toContain('/notes');
    expect(t.app.plugins.spaceTabs(viewer, space).map((e) => e.href(space))).toEqual([`/notes/spaces/${w.workshop}`]);
    expect(t.app.plugins.composerActions(viewer, space).map((e) => e.href(space))).toEqual([`/notes/spaces/${w.workshop}`]);
    expect(t.app.plugins.composerActions(viewer, null).map((e) => e.href(null))).toEqual(['/notes']);

    await t.app.plugins.disable('notes', w.admin);
    expect(t.app.plugins.navigation(viewer).map((e) => e.href)).not.toContain('/notes');
    expect(t.app.plugins.spaceTabs(viewer, space)).toEqual([]);
    expect(t.app.plugins.composerActions(viewer, null)).toEqual([]);
  });

  it('shows its navigation entry, space tab and composer action in the pages only while enabled (and the tab only where it is on)', async () => {
    const links = async (url: string, selector: string) =>
      html(await w.get(url, w.cookies.bruno))
        .querySelectorAll(`${selector} a`)
        .map((a) => `${a.textContent.trim()} ${a.getAttribute('href')}`);
    const shown = async () => ({
      nav: (await links('/', '.site-nav')).filter((link) => link.includes('/notes')),
      tabs: (await links(`/spaces/${w.workshop}`, 'nav.subnav')).filter((link) => link.includes('/notes')),
      gardenTabs: (await links(`/spaces/${w.garden}`, 'nav.subnav')).filter((link) => link.includes('/notes')),
      composer: (await links('/', '.composer__actions')).filter((link) => link.includes('/notes')),
    });
    const none = { nav: [], tabs: [], gardenTabs: [], composer: [] };
    expect(await shown()).toEqual(none);

    await t.app.plugins.enable('notes', w.admin);
    await t.app.plugins.setSpaceSwitch('notes', w.garden, false, w.bruno);
    expect(await shown()).toEqual({
      nav: ['Notes nav /notes'],
      tabs: [`Notes tab /notes/spaces/${w.workshop}`],
      gardenTabs: [],
      composer: ['New note /notes'],
    });
    await t.app.plugins.disable('notes', w.admin);
    expect(await shown()).toEqual(none);
    // The 404 page of its routes still has the rest of the navigation.
    const gone = await w.get('/notes', w.cookies.bruno);
    expect(gone.statusCode).toBe(404);
    expect(html(gone).querySelector('.site-nav a[href="/people"]')).not.toBeNull();
  });

  it('shows the notice a plugin’s route leaves for the page it redirects to', async () => {
    await t.app.plugins.enable('notes', w.admin);
    const added = await w.post(`/notes/spaces/${w.workshop}`, w.cookies.bruno, { title: 'Flash <b>note</b>' });
    expect(added.statusCode).toBe(303);
    const next = await w.get(String(added.headers.location), cookiesFrom(added, w.cookies.bruno));
    expect(next.statusCode).toBe(200);
    const notice = html(next).querySelectorAll('[role="status"]').map((element) => element.textContent.trim());
    expect(notice).toContain('The note “Flash <b>note</b>” is added.');
    // A part's own notice (plugins.<id>.<part>.flash.*) too.
    const kept = await w.post(`/notes/spaces/${w.workshop}`, w.cookies.bruno, { title: 'Later', part: 'drafts' });
    const after = await w.get(String(kept.headers.location), cookiesFrom(kept, w.cookies.bruno));
    expect(html(after).querySelectorAll('[role="status"]').map((element) => element.textContent.trim())).toContain('The draft “Later” is kept.');
  });

  it('tells its hooks nothing while disabled, and everything once enabled', async () => {
    expect((await writePost(w, w.workshop, 'A post nobody hooks')).statusCode).toBe(303);
    expect(await hookCalls(t)).toEqual([]);

    await t.app.plugins.enable('notes', w.admin);
    expect((await writePost(w, w.workshop, 'A post the notes hear about')).statusCode).toBe(303);
    const calls = await hookCalls(t);
    expect(calls.map((c) => c.hook)).toEqual(['content.created']);
    expect(calls[0]!.payload).toMatchObject({ kind: 'post', spaceId: w.workshop, authorId: w.bruno, contentId: expect.any(Number) });

    // A comment on it, through the page's form.
    const postId = calls[0]!.payload.contentId as number;
    expect((await w.post(`/content/${postId}/comments`, w.cookies.carol, { body: 'Heard it' })).statusCode).toBe(303);
    const comment = await hookCalls(t);
    expect(comment.map((c) => c.hook)).toEqual(['content.created', 'comment.created']);
    expect(comment[1]!.payload).toEqual({ commentId: expect.any(Number), contentId: postId, authorId: w.carol, parentId: null });

    await t.app.plugins.disable('notes', w.admin);
    expect((await writePost(w, w.workshop, 'Unheard again')).statusCode).toBe(303);
    expect((await w.post(`/content/${postId}/comments`, w.cookies.carol, { body: 'Unheard comment' })).statusCode).toBe(303);
    expect(await hookCalls(t)).toHaveLength(2);
  });

  it('logs a hook that throws; the request and the other plugins’ hooks carry on', async () => {
    await t.app.plugins.enable('grumpy', w.admin);
    await t.app.plugins.enable('notes', w.admin);
    const response = await writePost(w, w.workshop, 'Grumpy will complain');
    expect(response.statusCode).toBe(303);
    const post = await t.app.db.selectFrom('posts').select('content_id').where('body', '=', 'Grumpy will complain').executeTakeFirstOrThrow();
    expect(response.headers.location).toBe(`/content/${post.content_id}`);
    expect((await w.get(`/content/${post.content_id}`, w.cookies.bruno)).statusCode).toBe(200);
    // grumpy's listener runs before notes' (folder order) and throws: notes still hears.
    expect((await hookCalls(t)).map((c) => c.hook)).toEqual(['content.created']);
    const logged = t.logs.find((line) => line.msg === 'a hook listener failed');
    expect(logged).toMatchObject({ plugin: 'grumpy', hook: 'content.created' });
    expect(JSON.stringify(logged)).toContain('grumpy content.created failed');
  });

  it('leaves out, and logs, a slot entry whose visibility check throws; the others stay', async () => {
    await t.app.plugins.enable('grumpy', w.admin);
    const entries = t.app.plugins.navigation(viewerOf(w.bruno)).map((e) => e.href);
    expect(entries).toContain('/grumpy');
    expect(entries).not.toContain('/grumpy/broken');
    expect(t.logs.some((line) => line.msg === 'a plugin slot failed: left out of the page')).toBe(true);
  });

  it('skips its recurring job while disabled, runs it once enabled', async () => {
    const runs = async () => Number((await sql<{ n: number }>`select count(*) as n from notes_job_runs`.execute(t.app.db)).rows[0]!.n);
    const job = await t.app.db.selectFrom('jobs').select(['state', 'run_at']).where('type', '=', 'notes.tick').executeTakeFirstOrThrow();
    expect(job.state).toBe('pending');
    let now = job.run_at;
    expect(await t.app.jobs.runDue(now)).toMatchObject({ failed: 0 });
    expect(await runs()).toBe(0);
    // Still planned: skipping is not failing.
    const after = await t.app.db.selectFrom('jobs').select(['state', 'run_at', 'last_error']).where('type', '=', 'notes.tick').executeTakeFirstOrThrow();
    expect(after).toEqual({ state: 'pending', run_at: now + MINUTE, last_error: null });

    await t.app.plugins.enable('notes', w.admin);
    now += MINUTE;
    await t.app.jobs.runDue(now);
    expect(await runs()).toBe(1);
    expect((await sql<{ at: number }>`select at from notes_job_runs`.execute(t.app.db)).rows).toEqual([{ at: now }]);

    await t.app.plugins.disable('notes', w.admin);
    now += MINUTE;
    await t.app.jobs.runDue(now);
    expect(await runs()).toBe(1);
  });

  it('refuses to enable a plugin whose dependency is disabled, naming it, and to disable a dependency still needed', async () => {
    expect(await t.app.plugins.enable('notes-extra', w.admin)).toEqual({ ok: false, problem: 'dependencyDisabled', names: ['notes'] });
    expect((await w.get('/notes-extra', w.cookies.bruno)).statusCode).toBe(404);
    expect(t.app.plugins.get('notes-extra')!.status).toBe('disabled');

    await t.app.plugins.enable('notes', w.admin);
    expect(await t.app.plugins.enable('notes-extra', w.admin)).toEqual({ ok: true, changed: true });
    expect((await w.get('/notes-extra', w.cookies.bruno)).body).toBe('notes-extra here');
    await t.app.plugins.enable('annex', w.admin);

    const refused = await t.app.plugins.disable('notes', w.admin);
    expect(refused).toMatchObject({ ok: false, problem: 'requiredBy' });
    expect(refused.ok ? [] : [...(refused.names ?? [])].sort()).toEqual(['annex', 'notes-extra']);
    expect(t.app.plugins.isEnabled('notes')).toBe(true);
    expect((await w.get('/notes', w.cookies.bruno)).statusCode).toBe(200);

    await t.app.plugins.disable('notes-extra', w.admin);
    await t.app.plugins.disable('annex', w.admin);
    expect(await t.app.plugins.disable('notes', w.admin)).toEqual({ ok: true, changed: true });
    expect(await t.app.plugins.enable('nobody', w.admin)).toEqual({ ok: false, problem: 'unknown' });
    expect(await t.app.plugins.disable('nobody', w.admin)).toEqual({ ok: false, problem: 'unknown' });
  });

  it('tells hooks dependencies first, whatever the folder order', async () => {
    await t.app.plugins.enable('notes', w.admin);
    await t.app.plugins.enable('annex', w.admin);
    expect(t.app.plugins.enabledDefinitions().map((d) => d.id)).toEqual(['notes', 'annex']);
    await addNote(w, w.workshop, 'Ordered');
    expect((await hookCalls(t)).map((c) => c.hook)).toEqual(['content.created', 'annex:content.created']);
  });

  it('switches a per-space plugin off in one space only: its items, tab and routes there', async () => {
    await t.app.plugins.enable('notes', w.admin);
    const inWorkshop = await addNote(w, w.workshop, 'Workshop walrus note');
    const inGarden = await addNote(w, w.garden, 'Garden walrus note');
    expect(t.app.plugins.get('notes')!.spaceSwitch).toBe(true);

    expect(await t.app.plugins.setSpaceSwitch('notes', w.garden, false, w.bruno)).toEqual({ ok: true, changed: true });
    expect(t.app.plugins.enabledIn('notes', w.garden)).toBe(false);
    expect(t.app.plugins.enabledIn('notes', w.workshop)).toBe(true);
    expect(t.app.plugins.isEnabled('notes')).toBe(true);

    // requireSpace: the plugin's pages about that space answer 404; elsewhere they work.
    expect((await w.get(`/notes/spaces/${w.garden}`, w.cookies.bruno)).statusCode).toBe(404);
    expect((await w.post(`/notes/spaces/${w.garden}`, w.cookies.bruno, { title: 'No' })).statusCode).toBe(404);
    expect((await w.get(`/notes/${inGarden}`, w.cookies.bruno)).statusCode).toBe(404);
    expect(JSON.parse((await w.get(`/notes/spaces/${w.workshop}`, w.cookies.bruno)).body)).toEqual({ space: w.workshop, notes: ['Workshop walrus note'] });
    expect((await w.get(`/notes/${inWorkshop}`, w.cookies.bruno)).statusCode).toBe(200);

    // Its items: hidden in that space only.
    const home = await w.get('/', w.cookies.bruno);
    expect(cardIds(home)).toContain(`content-${inWorkshop}`);
    expect(cardIds(home)).not.toContain(`content-${inGarden}`);
    expect(cardIds(await w.get(`/spaces/${w.garden}`, w.cookies.bruno))).not.toContain(`content-${inGarden}`);
    expect((await w.get(`/content/${inGarden}`, w.cookies.bruno)).statusCode).toBe(404);
    expect((await w.get(`/content/${inWorkshop}`, w.cookies.bruno)).statusCode).toBe(200);
    expect(hrefs(await w.get('/search?q=walrus', w.cookies.bruno))).toEqual([`/content/${inWorkshop}`]);

    // Its tab: gone from that space only.
    const viewer = viewerOf(w.bruno);
    expect(t.app.plugins.spaceTabs(viewer, { id: w.garden, visibility: 'open' })).toEqual([]);
    expect(t.app.plugins.spaceTabs(viewer, { id: w.workshop, visibility: 'open' })).toHaveLength(1);

    // Audited; switched back on, everything returns.
    const audit = await t.app.db.selectFrom('audit_log').select(['action', 'actor_id', 'subject_id']).where('action', '=', 'plugin.space').execute();
    expect(audit).toEqual([{ action: 'plugin.space', actor_id: w.bruno, subject_id: 'notes' }]);
    expect(await t.app.plugins.setSpaceSwitch('notes', w.garden, false, w.bruno)).toEqual({ ok: true, changed: false });
    expect(await t.app.plugins.setSpaceSwitch('notes', w.garden, true, w.bruno)).toEqual({ ok: true, changed: true });
    expect((await w.get(`/content/${inGarden}`, w.cookies.bruno)).statusCode).toBe(200);
    expect(cardIds(await w.get('/', w.cookies.bruno))).toContain(`content-${inGarden}`);

    // A plugin that did not declare perSpace has no switch.
    expect(await t.app.plugins.setSpaceSwitch('grumpy', w.garden, false, w.bruno)).toEqual({ ok: false, problem: 'noSpaceSwitch' });
  });

  it('gives its routes the saved settings, defaults filled in, and audits what changed', async () => {
    await t.app.plugins.enable('notes', w.admin);
    expect(JSON.parse((await w.get('/notes/settings', w.cookies.bruno)).body)).toEqual({ greeting: 'Hello', perPage: 5, loud: false });
    expect(await t.app.plugins.saveSettings('notes', w.admin, { greeting: 'Bonjour <b>', perPage: 7, loud: true })).toEqual({ ok: true, changed: true });
    expect(JSON.parse((await w.get('/notes/settings', w.cookies.bruno)).body)).toEqual({ greeting: 'Bonjour <b>', perPage: 7, loud: true });
    expect((await w.get('/notes', w.cookies.bruno)).body).toBe('notes home: Bonjour <b>');
    expect(await t.app.plugins.saveSettings('notes', w.admin, { greeting: 'Bonjour <b>', perPage: 7, loud: true })).toEqual({ ok: true, changed: false });
    const audit = await t.app.db.selectFrom('audit_log').select('details').where('action', '=', 'plugin.settings').execute();
    expect(audit).toHaveLength(1);
    expect(auditDetails(audit[0]!)).toEqual({
      greeting: { before: 'Hello', after: 'Bonjour <b>' },
      perPage: { before: 5, after: 7 },
      loud: { before: false, after: true },
    });
  });

  it('exports a person’s part; after a purge, a person can still be erased', async () => {
    await t.app.plugins.enable('notes', w.admin);
    await addNote(w, w.workshop, 'Mine');
    expect(await t.app.plugins.exportUser(w.bruno)).toMatchObject({ notes: { hooks: ['content.created'] } });
    // Purge is refused while enabled; its export holds the plugin's rows and content items.
    expect(await t.app.plugins.purge('notes', w.admin)).toEqual({ ok: false, problem: 'enabled' });
    await t.app.plugins.disable('notes', w.admin);
    const exported = (await t.app.plugins.exportData('notes')) as { tables: Record<string, Array<Record<string, unknown>>>; content: Array<{ kind: string }> };
    expect(exported.tables.notes_items).toEqual([{ content_id: expect.any(Number), title: 'Mine', body: 'Body of Mine' }]);
    expect(exported.content.map((c) => c.kind)).toEqual(['note']);
    expect(await t.app.plugins.purge('notes', w.admin)).toEqual({ ok: true, changed: true });
    expect(await tableNames(t)).not.toContain('notes_items');
    expect(await t.app.db.selectFrom('content').select('id').where('kind', '=', 'note').execute()).toEqual([]);
    // The purged plugin has nothing left to erase: its erasure part must not stop everyone's erasure.
    await expect(t.app.db.transaction().execute((trx) => t.app.plugins.eraseUser(trx, w.carol, Date.now()))).resolves.toBeUndefined();
    expect((await t.app.plugins.exportUser(w.bruno)).notes).toBeUndefined();
  });

  it('refuses to purge a plugin while another plugin’s data depends on it', async () => {
    await t.app.plugins.enable('notes', w.admin);
    await t.app.plugins.enable('notes-extra', w.admin);
    const note = await addNote(w, w.workshop, 'Tagged');
    await sql`insert into notes_extra_tags (note_id, tag) values (${note}, 'urgent')`.execute(t.app.db);
    await t.app.plugins.disable('notes-extra', w.admin);
    await t.app.plugins.disable('notes', w.admin);
    const result = await t.app.plugins.purge('notes', w.admin).catch((error: unknown) => ({ thrown: String(error) }));
    expect(result).toEqual({ ok: false, problem: 'requiredBy', names: ['notes-extra'] });
    expect((await sql<{ title: string }>`select title from notes_items`.execute(t.app.db)).rows).toEqual([{ title: 'Tagged' }]);
  });
});

describe('restart', () => {
  it('keeps the state, settings and space switches across a restart; the data is back as it was', async () => {
    const first = await okSet();
    const w1 = await createWorld(first);
    await first.app.plugins.enable('notes', w1.admin);
    await first.app.plugins.enable('notes-extra', w1.admin);
    await first.app.plugins.saveSettings('notes', w1.admin, { greeting: 'Salut', perPage: 3, loud: true });
    await first.app.plugins.setSpaceSwitch('notes', w1.garden, false, w1.admin);
    const note = await addNote(w1, w1.workshop, 'Survives restart');
    const enabledAt = first.app.plugins.get('notes')!.enabledAt;
    // Closed without removing the data directory.
    await first.app.close();

    const second = await okSet({}, first.dataDir);
    try {
      const plugins = second.app.plugins;
      expect(plugins.get('notes')).toMatchObject({ status: 'enabled', enabledAt, enabledBy: w1.admin, settings: { greeting: 'Salut', perPage: 3, loud: true } });
      expect(plugins.get('notes-extra')!.status).toBe('enabled');
      expect(plugins.get('annex')!.status).toBe('disabled');
      expect(plugins.enabledIn('notes', w1.garden)).toBe(false);
      expect(plugins.enabledIn('notes', w1.workshop)).toBe(true);
      const bruno = await login(second.app, 'bruno@example.com');
      const permalink = await second.app.inject({ method: 'GET', url: `/content/${note}`, headers: { cookie: bruno } });
      expect(permalink.statusCode).toBe(200);
      expect(mainText(permalink)).toContain('Survives restart');
      expect((await second.app.inject({ method: 'GET', url: '/notes', headers: { cookie: bruno } })).body).toBe('notes home: Salut');
      // Nothing migrated twice.
      expect((await sql<{ n: number }>`select count(*) as n from plugin_notes_migrations`.execute(second.app.db)).rows[0]!.n).toBe(2);
      // Still dependencies first after a restart.
      expect(plugins.enabledDefinitions().map((d) => d.id)).toEqual(['notes', 'notes-extra']);
    } finally {
      await second.close();
    }
  });
});

describe('pinned plugins (HAMEAU_PLUGINS)', () => {
  it('enables exactly the pinned plugins at start, even against the stored state, and locks every plugin', async () => {
    // First run, unpinned: an admin enables then disables notes, and enables grumpy.
    const first = await okSet();
    const w1 = await createWorld(first);
    await first.app.plugins.enable('notes', w1.admin);
    await first.app.plugins.disable('notes', w1.admin);
    await first.app.plugins.enable('grumpy', w1.admin);
    await first.app.close();

    const pinned = await okSet({ HAMEAU_PLUGINS: 'notes,ghost' }, first.dataDir);
    try {
      const plugins = pinned.app.plugins;
      expect(plugins.list().map((p) => [p.id, p.status, p.locked])).toEqual(
        expect.arrayContaining([
          ['notes', 'enabled', true],
          ['grumpy', 'disabled', true],
          ['annex', 'disabled', true],
          ['notes-extra', 'disabled', true],
        ]),
      );
      for (const id of ['notes', 'grumpy', 'annex']) {
        expect(await plugins.enable(id, w1.admin), id).toEqual({ ok: false, problem: 'locked' });
        expect(await plugins.disable(id, w1.admin), id).toEqual({ ok: false, problem: 'locked' });
      }
      expect(plugins.isEnabled('notes')).toBe(true);
      expect(plugins.isEnabled('grumpy')).toBe(false);
      const bruno = await login(pinned.app, 'bruno@example.com');
      expect((await pinned.app.inject({ method: 'GET', url: '/notes', headers: { cookie: bruno } })).statusCode).toBe(200);
      // The unknown id is reported, as a warning.
      expect(pinned.logs.some((line) => line.level === 40 && line.plugin === 'ghost')).toBe(true);
      // The changes the configuration made are audited as such.
      const audit = await pinned.app.db.selectFrom('audit_log').select(['action', 'subject_id', 'actor_id', 'details']).where('subject_type', '=', 'plugin').orderBy('id', 'desc').limit(2).execute();
      expect(audit.map((a) => [a.action, a.subject_id, a.actor_id]).sort()).toEqual([
        ['plugin.disable', 'grumpy', null],
        ['plugin.enable', 'notes', null],
      ]);
      for (const row of audit) expect(auditDetails(row)).toMatchObject({ by: 'HAMEAU_PLUGINS' });
    } finally {
      await pinned.close();
    }
  });

  it('does not enable a pinned plugin whose dependency is not pinned, and says so', async () => {
    const pinned = await okSet({ HAMEAU_PLUGINS: 'notes-extra' });
    try {
      await createWorld(pinned);
      const plugins = pinned.app.plugins;
      expect(plugins.isEnabled('notes')).toBe(false);
      // Enabled alone, notes-extra would run without the plugin it needs.
      expect(plugins.isEnabled('notes-extra')).toBe(false);
      expect(pinned.logs.some((line) => line.level === 40 && line.plugin === 'notes-extra')).toBe(true);
    } finally {
      await pinned.close();
    }
  });

  it('HAMEAU_PLUGINS=none disables and locks them all', async () => {
    const pinned = await okSet({ HAMEAU_PLUGINS: 'none' });
    try {
      const w1 = await createWorld(pinned);
      expect(pinned.app.plugins.list().every((p) => p.status === 'disabled' && p.locked)).toBe(true);
      expect(await pinned.app.plugins.enable('notes', w1.admin)).toEqual({ ok: false, problem: 'locked' });
    } finally {
      await pinned.close();
    }
  });
});
