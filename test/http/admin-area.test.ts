// The administration's home (/admin): only admins reach it and the pages it leads to; it lists each
// section with a sentence, in the order of the sub-navigation; the plugins' dashboard widgets follow.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, html, mainText, type TestApp } from '../helpers/app.js';
import { adminClient, ORGANISATION_FORM } from '../helpers/admin.js';
import { createWorld, type World } from '../helpers/moderation.js';
import { createTestAppWithPlugins } from '../helpers/plugins.js';
import { adminFixturePlugins } from '../fixtures/plugins-admin.js';

let t: TestApp;
let w: World;
let c: ReturnType<typeof adminClient>;
beforeEach(async () => {
  t = await createTestApp();
  w = await createWorld(t.app);
  c = adminClient(t.app);
});
afterEach(async () => t.close());

const PAGES = ['/admin', '/admin/organisation', '/admin/audit'];

describe('who may reach the administration', () => {
  it('sends visitors and deactivated people to sign in, and answers 403 to everyone but admins', async () => {
    for (const url of PAGES) {
      for (const who of ['', w.deactivated] as const) {
        const response = await c.get(url, who);
        expect(response.statusCode, url).toBe(303);
        expect(response.headers.location, url).toMatch(/^\/login/);
      }
      for (const who of [w.member, w.editor, w.spaceAdmin]) {
        const response = await c.get(url, who);
        expect(response.statusCode, url).toBe(403);
        expect(response.body).not.toContain('admin-sections');
      }
      expect((await c.get(url, w.admin)).statusCode, url).toBe(200);
    }
  });

  it('refuses the organisation form to anyone but admins, and changes nothing', async () => {
    const before = await t.app.db.selectFrom('organisation').select(['name', 'brand_colour']).executeTakeFirstOrThrow();
    for (const who of ['', w.deactivated] as const) {
      const response = await c.postOrganisation(who, { ...ORGANISATION_FORM, name: 'Taken over' });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toMatch(/^\/login/);
    }
    for (const who of [w.member, w.editor, w.spaceAdmin]) {
      expect((await c.postOrganisation(who, { ...ORGANISATION_FORM, name: 'Taken over', brandColour: '#000000' })).statusCode).toBe(403);
    }
    expect(await t.app.db.selectFrom('organisation').select(['name', 'brand_colour']).executeTakeFirstOrThrow()).toEqual(before);
    expect(await t.app.db.selectFrom('audit_log').select('id').where('action', '=', 'organisation.change').execute()).toEqual([]);
  });
});

describe('the home of the administration', () => {
  it('lists every section with what it is for, in the order of the sub-navigation', async () => {
    const response = await c.get('/admin', w.admin);
    const page = html(response);
    expect(page.querySelector('h1')?.textContent.trim()).toBe('Administration');
    const sections = page.querySelectorAll('.admin-section').map((li) => ({
      href: li.querySelector('a')?.getAttribute('href'),
      title: li.querySelector('h3')?.textContent.trim(),
      text: li.querySelector('p')?.textContent.trim(),
    }));
    expect(sections.map((s) => [s.href, s.title])).toEqual([
      ['/admin/organisation', 'Organisation'],
      ['/admin/members', 'Members and roles'],
      ['/admin/settings', 'Spaces policy'],
      ['/admin/charter', 'Usage charter'],
      ['/admin/plugins', 'Plugins'],
      ['/admin/moderation', 'Moderation'],
      ['/admin/audit', 'Audit log'],
      ['/admin/notifications', 'Email notifications'],
      ['/admin/people', 'People'],
      ['/admin/deleted', 'Deleted content'],
    ]);
    for (const section of sections) expect(section.text, section.href ?? '').toMatch(/^[A-Z].{15,}\.$/);
    expect(sections.find((s) => s.href === '/admin/audit')?.text).toBe('Who changed what, and when.');

    // The sub-navigation: the home first, then the same pages in the same order.
    const nav = page.querySelectorAll('.subnav a').map((a) => a.getAttribute('href'));
    expect(nav).toEqual(['/admin', ...sections.map((s) => s.href)]);
    expect(page.querySelector('.subnav a[href="/admin"]')?.getAttribute('aria-current')).toBe('page');
  });

  it('is in French for a French admin', async () => {
    await t.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', w.admin.id).execute();
    const page = html(await c.get('/admin', w.admin));
    expect(page.querySelector('.admin-section a[href="/admin/audit"]')?.textContent.trim()).toBe('Journal d’audit');
    expect(page.querySelector('.admin-section a[href="/admin/settings"]')?.textContent.trim()).toBe('Règles des espaces');
  });

  it('is where the header’s link to the administration leads, for admins only', async () => {
    for (const url of ['/', '/admin/members', '/people']) {
      const link = html(await c.get(url, w.admin)).querySelector('.site-nav a[href="/admin"]');
      expect(link?.textContent.trim(), url).toBe('Administration');
    }
    expect(html(await c.get('/admin/audit', w.admin)).querySelector('.site-nav a[href="/admin"]')?.getAttribute('aria-current')).toBe('page');
    expect(html(await c.get('/', w.member)).querySelector('.site-nav a[href="/admin"]')).toBe(null);
    expect(html(await c.get('/', w.editor)).querySelector('.site-nav a[href="/admin"]')).toBe(null);
    // A space admin keeps the moderation link, not the administration.
    expect(html(await c.get('/', w.spaceAdmin)).querySelector('.site-nav a[href="/admin/moderation"]')).not.toBe(null);
  });

  it('shows each plugin widget as a section under its title, the plugin’s HTML as rendered by Hameau', async () => {
    // Without plugins, the core's own widget only.
    expect(html(await c.get('/admin', w.admin)).querySelectorAll('.admin-widgets h3').map((h3) => h3.textContent.trim())).toEqual(['Needs attention']);
    const widgets = vi.spyOn(t.app.plugins, 'adminWidgets').mockResolvedValue([
      { id: 'polls', title: 'Polls <this week>', html: '<p class="polls-count">3 open polls</p>' },
      { id: 'links', title: 'Links', html: '<ul><li>12 links</li></ul>' },
      { id: 'polls', title: 'Closed polls', html: '<p>2 closed</p>' },
    ]);
    const response = await c.get('/admin', w.admin);
    expect(widgets).toHaveBeenCalledTimes(1);
    const page = html(response);
    const sections = page.querySelectorAll('.admin-widgets section.admin-widget');
    expect(sections.map((s) => s.querySelector('h3')?.textContent)).toEqual(['Polls <this week>', 'Links', 'Closed polls']);
    // Two widgets of one plugin: each title its own id, each section named by its own title.
    const ids = sections.map((s) => s.querySelector('h3')?.getAttribute('id'));
    expect(new Set(ids).size).toBe(3);
    const allIds = page.querySelectorAll('[id]').map((element) => element.getAttribute('id'));
    for (const section of sections) expect(allIds.filter((id) => id === section.getAttribute('aria-labelledby'))).toHaveLength(1);
    // The title is text (escaped); the widget's body is HTML.
    expect(response.body).toContain('Polls &lt;this week&gt;');
    expect(sections[0]!.querySelector('p.polls-count')?.textContent).toBe('3 open polls');
    expect(sections[0]!.getAttribute('aria-labelledby')).toBe(sections[0]!.querySelector('h3')?.getAttribute('id'));
    expect(mainText(response)).toContain('12 links');
  });
});

describe('the sub-navigation', () => {
  it('is on every admin page, the plugins’ own included, and marks the section a page is in; the home only on itself', async () => {
    await t.close();
    t = await createTestAppWithPlugins(adminFixturePlugins);
    w = await createWorld(t.app);
    c = adminClient(t.app);
    const current = async (url: string) => {
      const response = await c.get(url, w.admin);
      expect(response.statusCode, url).toBe(200);
      const page = html(response);
      expect(page.querySelectorAll('nav.subnav a').length, url).toBeGreaterThan(5);
      return page.querySelectorAll('nav.subnav a[aria-current="page"]').map((a) => a.getAttribute('href'));
    };
    expect(await current('/admin')).toEqual(['/admin']);
    for (const url of ['/admin/plugins', '/admin/plugins/notes', '/admin/plugins/notes/purge', '/admin/plugins/stage/2']) expect(await current(url), url).toEqual(['/admin/plugins']);
    expect(await current('/admin/notifications/apply')).toEqual(['/admin/notifications']);
    expect(await current(`/admin/members/${w.deactivated.id}/erase`)).toEqual(['/admin/members']);
    expect(await current('/admin/audit')).toEqual(['/admin/audit']);
  });

  it('calls each section as the administration’s home does', async () => {
    const page = html(await c.get('/admin', w.admin));
    const home = new Map(page.querySelectorAll('.admin-section a').map((a) => [a.getAttribute('href'), a.textContent.trim()]));
    for (const a of page.querySelectorAll('nav.subnav a')) {
      if (a.getAttribute('href') !== '/admin') expect(a.textContent.trim(), a.getAttribute('href') ?? '').toBe(home.get(a.getAttribute('href')));
    }
    expect(html(await c.get('/admin/members', w.admin)).querySelector('h1')?.textContent.trim()).toBe('Members and roles');
    expect(html(await c.get('/admin/notifications', w.admin)).querySelector('h1')?.textContent.trim()).toBe('Email notifications');
  });
});
