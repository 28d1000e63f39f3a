// The core pages draw the plugins' slots (src/plugins/layout.ts, core-slots.ts): main navigation
// entries (the core's "People" among them) with aria-current, space tabs (the core's "Settings" and
// "Features" among them) and the space header every tab shares (spaceHeader), composer actions beside
// "New post", profile sections, and the administration's widgets (the core's "Needs attention").
// A slot entry whose code throws is left out; the page still works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html, mainText, setupOrganisation } from '../helpers/app.js';
import { addSpaceMember, companySpaceId, createPost, createSpace } from '../helpers/content.js';
import { createTestAppWithPlugins, disablePlugin, enablePlugin } from '../helpers/plugins.js';
import { person, type Person } from '../helpers/spaces.js';
import type { TestApp } from '../helpers/app.js';
import { definePlugin } from '../../src/plugins/contract.js';
import { spaceHeader } from '../../src/plugins/layout.js';
import { findSpace } from '../../src/features/spaces/queries.js';
import { idParam } from '../../src/http/params.js';
import { loadViewer } from '../../src/policy/viewer.js';

const boom = (): never => {
  throw new Error('slot failure on purpose');
};

const slotty = definePlugin({
  id: 'slotty',
  name: { fr: 'Emplacements', en: 'Slots' },
  description: { fr: 'Essai des emplacements', en: 'Tries the slots' },
  stage: 1,
  version: '1.0.0',
  hameau: '^0.1.0',
  perSpace: true,
  routes: async (app) => {
    app.get('/', async (request, reply) => reply.render('errors/error', { title: 'Slotty home', message: 'Here' }));
    // A plugin's space tab builds the space header with the core's helper (the data as JSON here).
    app.get<{ Params: { id: string } }>('/spaces/:id', async (request) => {
      const space = await findSpace(app.db, idParam(request.params.id));
      if (!space) return { none: true };
      return spaceHeader(app, request, space, 'slotty');
    });
    app.get('/deep/page', async (request, reply) => reply.render('errors/error', { title: 'Slotty deep', message: 'Here' }));
  },
  slots: {
    navigation: [
      { label: () => 'Slotty <b>nav</b>', href: '/slotty' },
      { label: () => 'Hidden to members', href: '/slotty/admins', visible: (viewer) => viewer.role === 'admin' },
      { label: () => 'Throws in visible', href: '/slotty/visible', visible: boom },
      { label: boom, href: '/slotty/label' },
    ],
    spaceTabs: [
      { label: () => 'Slotty tab', href: (space) => `/slotty/spaces/${space.id}` },
      { label: () => 'Throws tab', href: () => '/x', visible: boom },
      { label: () => 'Throws href', href: boom },
    ],
    composerActions: [
      { label: () => 'New poll', href: (space) => (space ? `/slotty/new?space=${space.id}` : '/slotty/new') },
      { label: () => 'Throws action', href: () => '/y', visible: boom },
    ],
    profileSections: [
      { title: () => 'Slotty section', template: 'partials/field', load: async ({ personId }) => ({ name: 'slotty', label: `About person ${personId}`, values: {}, errors: {} }) },
      { title: () => 'Null section', template: 'partials/field', load: async () => null },
      { title: () => 'Throwing section', template: 'partials/field', load: async () => boom() },
      { title: () => 'Missing template', template: 'partials/does-not-exist', load: async () => ({}) },
    ],
  },
});

describe('core pages draw the slots', () => {
  let t: TestApp;
  let admin: Person;
  let member: Person;
  let editor: Person;
  /** Administers Garden (a space admin, not an organisation admin). */
  let keeper: Person;
  let space: number;
  const get = (url: string, who: Person) => t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
  const navLinks = (body: Awaited<ReturnType<typeof get>>) => html(body).querySelectorAll('.site-nav a').map((a) => ({ text: a.text.trim(), href: a.getAttribute('href'), current: a.getAttribute('aria-current') ?? null }));

  beforeAll(async () => {
    t = await createTestAppWithPlugins([slotty]);
    const adminCookie = await setupOrganisation(t.app);
    const adminId = (await t.app.db.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirstOrThrow()).id;
    admin = { id: adminId, cookie: adminCookie };
    member = await person(t.app, 'member@example.com', { name: 'Mia Member' });
    editor = await person(t.app, 'editor@example.com', { name: 'Eddie Editor', role: 'editor' });
    keeper = await person(t.app, 'keeper@example.com', { name: 'Kim Keeper' });
    space = await createSpace(t.app, { name: 'Garden', members: [[member.id, 'member'], [keeper.id, 'admin']] });
    await addSpaceMember(t.app, space, editor.id);
    await enablePlugin(t.app, 'slotty', admin.id);
  });
  afterAll(async () => t.close());

  it('the core fills the navigation: "People" is a slot entry, current on people pages', async () => {
    const people = navLinks(await get('/people', member));
    expect(people.find((l) => l.href === '/people')).toEqual({ text: 'People', href: '/people', current: 'page' });
    expect(navLinks(await get(`/people/${member.id}`, member)).find((l) => l.href === '/people')?.current).toBe('page');
    expect(navLinks(await get('/', member)).find((l) => l.href === '/people')?.current).toBe(null);
  });

  it('plugin entries come after the core’s, escaped, current below their prefix; a throwing entry is left out', async () => {
    const home = await get('/', member);
    expect(home.statusCode).toBe(200);
    const links = navLinks(home);
    const hrefs = links.map((l) => l.href);
    expect(hrefs.indexOf('/slotty')).toBeGreaterThan(hrefs.indexOf('/people'));
    expect(links.find((l) => l.href === '/slotty')).toEqual({ text: 'Slotty <b>nav</b>', href: '/slotty', current: null });
    expect(home.body).not.toContain('Slotty <b>nav</b>');
    expect(hrefs).not.toContain('/slotty/visible');
    expect(hrefs).not.toContain('/slotty/label');
    expect(hrefs).not.toContain('/slotty/admins');
    expect(navLinks(await get('/', admin)).map((l) => l.href)).toContain('/slotty/admins');

    expect(navLinks(await get('/slotty', member)).find((l) => l.href === '/slotty')?.current).toBe('page');
    expect(navLinks(await get('/slotty/deep/page', member)).find((l) => l.href === '/slotty')?.current).toBe('page');
    // A disabled plugin's 404 page still has the core's navigation, without the plugin's entry.
    await disablePlugin(t.app, 'slotty');
    const gone = await get('/slotty', member);
    expect(gone.statusCode).toBe(404);
    expect(navLinks(gone).map((l) => l.href)).toContain('/people');
    expect(navLinks(gone).map((l) => l.href)).not.toContain('/slotty');
    await enablePlugin(t.app, 'slotty', admin.id);
  });

  it('space tabs after "Members", on every tab of the space; a throwing tab is left out', async () => {
    for (const url of [`/spaces/${space}`, `/spaces/${space}/members`]) {
      const page = await get(url, member);
      expect(page.statusCode).toBe(200);
      const tabs = html(page).querySelectorAll('.subnav a').map((a) => a.text.trim());
      expect(tabs.indexOf('Slotty tab'), url).toBe(tabs.indexOf('Members') + 1);
      expect(tabs).not.toContain('Throws tab');
      expect(tabs).not.toContain('Throws href');
    }
    expect(html(await get(`/spaces/${space}/edit`, admin)).querySelectorAll('.subnav a').map((a) => a.text.trim())).toContain('Slotty tab');
    await t.app.plugins.setSpaceSwitch('slotty', space, false, admin.id);
    expect(html(await get(`/spaces/${space}`, member)).querySelectorAll('.subnav a').map((a) => a.text.trim())).not.toContain('Slotty tab');
    await t.app.plugins.setSpaceSwitch('slotty', space, true, admin.id);
  });

  it('the core’s "Settings" and "Features" tabs are slot entries, for who manages the space; "Features" only while a per-space plugin is enabled', async () => {
    const tabsOf = async (url: string, who: Person) => html(await get(url, who)).querySelectorAll('.subnav a').map((a) => [a.text.trim(), a.getAttribute('href')]);
    const managing = [
      ['Posts and news', `/spaces/${space}`],
      ['Members', `/spaces/${space}/members`],
      ['Settings', `/spaces/${space}/edit`],
      ['Features', `/spaces/${space}/features`],
      ['Slotty tab', `/slotty/spaces/${space}`],
    ];
    for (const who of [keeper, admin]) {
      for (const url of [`/spaces/${space}`, `/spaces/${space}/members`, `/spaces/${space}/edit`, `/spaces/${space}/features`]) {
        expect(await tabsOf(url, who), url).toEqual(managing);
      }
    }
    // Members and editors do not manage the space: neither tab.
    for (const who of [member, editor]) {
      expect(await tabsOf(`/spaces/${space}`, who)).toEqual([managing[0], managing[1], managing[4]]);
    }
    // Through the contract: the runtime's spaceTabs hold the core's entries, first.
    const user = await t.app.db.selectFrom('users').select(['id', 'email', 'name', 'role', 'locale']).where('id', '=', keeper.id).executeTakeFirstOrThrow();
    const viewer = await loadViewer(t.app.db, user, await t.app.organisation.get());
    const garden = { id: space, visibility: 'open' as const };
    expect(t.app.plugins.spaceTabs(viewer, garden).slice(0, 2).map((tab) => tab.href(garden))).toEqual([`/spaces/${space}/edit`, `/spaces/${space}/features`]);
    // Each is current on its own page.
    const current = async (url: string) => html(await get(url, keeper)).querySelector('.subnav a[aria-current="page"]')?.getAttribute('href');
    expect(await current(`/spaces/${space}/edit`)).toBe(`/spaces/${space}/edit`);
    expect(await current(`/spaces/${space}/features`)).toBe(`/spaces/${space}/features`);
    expect(await current(`/spaces/${space}`)).toBe(`/spaces/${space}`);

    // No enabled plugin may be switched off per space: nothing to show under "Features".
    await disablePlugin(t.app, 'slotty');
    expect(await tabsOf(`/spaces/${space}`, keeper)).toEqual([managing[0], managing[1], managing[2]]);
    expect(await tabsOf(`/spaces/${space}/edit`, admin)).toEqual([managing[0], managing[1], managing[2]]);
    await enablePlugin(t.app, 'slotty', admin.id);
  });

  it('spaceHeader gives a plugin’s tab the header of the space’s own tabs: count, role, pending, tabs', async () => {
    const json = async (who: Person) => JSON.parse((await get(`/slotty/spaces/${space}`, who)).body) as Record<string, unknown>;
    const shown = html(await get(`/spaces/${space}`, member)).querySelector('.space-header__meta a')!.text.trim();
    const header = await json(member);
    expect(header).toMatchObject({ space: { id: space, name: 'Garden', visibility: 'open' }, role: 'member', pending: null, tab: 'slotty' });
    // The member count the space's own page shows (Mia, Kim and Eddie).
    expect(header.memberCount).toBe(3);
    expect(shown).toBe('3 members');
    expect(header.pluginTabs).toEqual([{ label: 'Slotty tab', href: `/slotty/spaces/${space}` }]);
    expect((await json(keeper)).role).toBe('admin');
    expect(((await json(keeper)).pluginTabs as Array<{ label: string }>).map((tab) => tab.label)).toEqual(['Settings', 'Features', 'Slotty tab']);
    // Someone invited to the space: their invitation is pending, they are not a member yet.
    const guest = await person(t.app, 'guest@example.com', { name: 'Gus Guest' });
    const invited = await t.app.inject({ method: 'POST', url: `/spaces/${space}/invitations`, payload: { person: 'guest@example.com' }, headers: { cookie: keeper.cookie } });
    expect(invited.statusCode).toBe(303);
    expect(await json(guest)).toMatchObject({ role: null, pending: 'invitation', memberCount: 3 });
  });

  it('composer actions beside "New post", in a space and at home; the core’s "New article" is one, for editors', async () => {
    const actions = (page: Awaited<ReturnType<typeof get>>) => html(page).querySelectorAll('.composer .composer__action').map((a) => [a.text.trim(), a.getAttribute('href')]);
    expect(actions(await get(`/spaces/${space}`, member))).toEqual([['New poll', `/slotty/new?space=${space}`]]);
    expect(actions(await get('/', member))).toEqual([['New poll', '/slotty/new']]);
    expect(actions(await get('/', editor))).toEqual([
      ['New article', '/news/new'],
      ['New poll', '/slotty/new'],
    ]);
    await disablePlugin(t.app, 'slotty');
    expect(actions(await get('/', editor))).toEqual([['New article', '/news/new']]);
    expect(actions(await get('/', member))).toEqual([]);
    await enablePlugin(t.app, 'slotty', admin.id);
  });

  it('profile sections: rendered with a heading; null, throwing and broken ones are left out', async () => {
    const page = await get(`/people/${member.id}`, editor);
    expect(page.statusCode).toBe(200);
    const sections = html(page).querySelectorAll('.person-profile__section');
    expect(sections.map((s) => s.querySelector('h2')?.text)).toEqual(['Slotty section']);
    expect(sections[0]!.querySelector('label')?.text).toBe(`About person ${member.id}`);
    const heading = sections[0]!.querySelector('h2')!;
    expect(sections[0]!.getAttribute('aria-labelledby')).toBe(heading.getAttribute('id'));
    await disablePlugin(t.app, 'slotty');
    expect(html(await get(`/people/${member.id}`, editor)).querySelectorAll('.person-profile__section')).toHaveLength(0);
    await enablePlugin(t.app, 'slotty', admin.id);
  });
});

describe('the core’s admin widget "Needs attention"', () => {
  let t: TestApp;
  let adminCookie: string;
  const admin = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: adminCookie } });
  const items = async () => {
    const widget = html(await admin('/admin')).querySelector('.admin-widget')!;
    return widget.querySelectorAll('li').map((li) => [li.text.trim(), li.querySelector('a')?.getAttribute('href') ?? null]);
  };

  beforeAll(async () => {
    t = await createTestAppWithPlugins([]);
    adminCookie = await setupOrganisation(t.app);
  });
  afterAll(async () => t.close());

  it('is a core entry of the adminWidgets slot: says when nothing needs attention', async () => {
    const page = await admin('/admin');
    expect(page.statusCode).toBe(200);
    // The core's widget comes first, under its heading.
    const widget = html(page).querySelector('.admin-widget')!;
    expect(widget.querySelector('h3')!.text).toBe('Needs attention');
    expect(widget.text).toContain('Nothing needs your attention right now.');
    expect(await items()).toEqual([]);
  });

  it('lists the moderation queue, join requests per space, open invitations and failed emails, each with its link', async () => {
    const ana = await person(t.app, 'ana@example.com', { name: 'Ana' });
    const ben = await person(t.app, 'ben@example.com', { name: 'Ben' });
    // Two reports of one post are one entry of the queue; a report of a deleted post is none.
    const company = await companySpaceId(t.app);
    const post = await createPost(t.app, { spaceId: company, authorId: ana.id, body: 'Buy my bike' });
    const gone = await createPost(t.app, { spaceId: company, authorId: ana.id, body: 'Old news' });
    const cleo = await person(t.app, 'cleo@example.com', { name: 'Cleo' });
    for (const [who, id] of [[ben, post], [cleo, post], [ben, gone]] as const) {
      const reported = await t.app.inject({ method: 'POST', url: `/content/${id}/report`, payload: { reason: 'Spam' }, headers: { cookie: who.cookie } });
      expect(reported.statusCode).toBe(303);
    }
    await t.app.db.updateTable('content').set({ deleted_at: Date.now() }).where('id', '=', gone).execute();
    // Requests to join a private space (a name with markup, shown escaped); a deactivated person's does not count.
    const secret = await createSpace(t.app, { name: 'Board <b>room</b>', visibility: 'private' });
    const now = Date.now();
    await t.app.db
      .insertInto('space_requests')
      .values([ana, ben, cleo].map((who, index) => ({ space_id: secret, user_id: who.id, kind: 'request' as const, created_by: who.id, created_at: now + index })))
      .execute();
    await t.app.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', cleo.id).execute();
    // Two invitations to the organisation, not accepted yet.
    for (const email of ['dan@example.com', 'eve@example.com']) {
      const invited = await t.app.inject({ method: 'POST', url: '/admin/invitations', payload: { email, role: 'member', locale: 'en' }, headers: { cookie: adminCookie } });
      expect(invited.statusCode).toBe(303);
    }
    // A notification email that failed; a failed job of another kind is not the outbox's.
    await t.app.db
      .insertInto('jobs')
      .values([
        { type: 'email.notification', payload: '{"notificationId":1}', key: null, state: 'failed', run_at: now, max_attempts: 5, last_error: 'smtp down', locked_until: null, created_at: now, updated_at: now },
        { type: 'search.reindex', payload: '{}', key: null, state: 'failed', run_at: now, max_attempts: 5, last_error: 'x', locked_until: null, created_at: now, updated_at: now },
      ])
      .execute();

    expect(await items()).toEqual([
      ['1 report to review', '/admin/moderation'],
      ['2 requests to join Board <b>room</b>', `/spaces/${secret}/members`],
      ['2 invitations not yet accepted', '/admin/members'],
      ['1 email could not be sent', '/admin/notifications#outbox'],
    ]);
    const page = await admin('/admin');
    expect(page.body).not.toContain('Board <b>room</b>');
    expect(mainText(page)).not.toContain('Nothing needs your attention');
    // The links lead to pages the admin can open.
    for (const href of ['/admin/moderation', `/spaces/${secret}/members`, '/admin/members', '/admin/notifications']) {
      expect((await admin(href)).statusCode, href).toBe(200);
    }

    // Beyond five spaces with requests, the others are summed up.
    for (let n = 1; n <= 6; n++) {
      const other = await createSpace(t.app, { name: `Club ${n}`, visibility: 'private' });
      await t.app.db.insertInto('space_requests').values({ space_id: other, user_id: ana.id, kind: 'request', created_by: ana.id, created_at: now + 10 + n }).execute();
    }
    const listed = await items();
    expect(listed.filter(([, href]) => href?.startsWith('/spaces/'))).toHaveLength(5);
    expect(listed).toContainEqual(['and requests in 2 other spaces', null]);
  });

  it('speaks the admin’s language', async () => {
    const adminId = (await t.app.db.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirstOrThrow()).id;
    await t.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', adminId).execute();
    const page = await admin('/admin');
    expect(html(page).querySelector('.admin-widget h3')!.text).toBe('À traiter');
    expect(mainText(page)).toContain('1 signalement à examiner');
    expect(mainText(page)).toContain('2 invitations pas encore acceptées');
    expect(mainText(page)).toContain('1 e-mail n’a pas pu être envoyé');
    await t.app.db.updateTable('users').set({ locale: 'en' }).where('id', '=', adminId).execute();
  });
});
