// The links plugin through HTTP, as members, outsiders and admins use it: adding, listing, editing and
// deleting links; who may and who may not; the address check; the card in the feeds; search; the
// plugin disabled, switched off in one space, and its settings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesFrom, html, mainText } from '../../../test/helpers/app.js';
import { addSpaceMember } from '../../../test/helpers/content.js';
import { disablePlugin, enablePlugin } from '../../../test/helpers/plugins.js';
import { person } from '../../../test/helpers/spaces.js';
import { results, searchUrl } from '../../../test/helpers/search.js';
import definition from '../index.js';
import { linksWorld, type LinksWorld } from './helpers.js';

const linkTitles = (response: Awaited<ReturnType<LinksWorld['get']>>) =>
  html(response)
    .querySelectorAll('.content-card')
    .filter((card) => card.querySelector('.link-card'))
    .map((card) => card.querySelector('.content-card__title')?.text.trim());
const tabs = (response: Awaited<ReturnType<LinksWorld['get']>>) => html(response).querySelectorAll('.subnav a').map((a) => a.text.trim());
const composerActions = (response: Awaited<ReturnType<LinksWorld['get']>>) => html(response).querySelectorAll('.composer__action').map((a) => [a.text.trim(), a.getAttribute('href')]);

describe('links: sharing, seeing, editing, deleting', () => {
  let w: LinksWorld;
  beforeAll(async () => {
    w = await linksWorld();
  });
  afterAll(async () => w.t.close());

  it('a member shares a link from the space tab; it shows in the tab, the space feed and the home feed, going outside safely', async () => {
    const form = await w.get(`/links/new?space=${w.team}`);
    expect(form.statusCode).toBe(200);
    expect(html(form).querySelector('input[name="space"]')?.getAttribute('value')).toBe(String(w.team));
    expect(html(form).querySelector('label[for="url"]')?.text).toBe('Address (URL)');

    const response = await w.post('/links/new', { space: String(w.team), title: 'Staff handbook', url: 'https://www.example.org/handbook', description: 'Holidays and expenses' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/links/spaces/${w.team}`);

    const tab = await w.get(`/links/spaces/${w.team}`);
    expect(tab.statusCode).toBe(200);
    expect(linkTitles(tab)).toEqual(['Staff handbook']);
    const out = html(tab).querySelector('.link-card__url')!;
    expect(out.getAttribute('href')).toBe('https://www.example.org/handbook');
    expect(out.getAttribute('rel')).toBe('noopener nofollow ugc');
    expect(out.querySelector('.link-card__host')?.text).toBe('example.org');
    expect(html(tab).querySelector('.subnav a[aria-current="page"]')?.text.trim()).toBe('Links');

    expect(linkTitles(await w.get(`/spaces/${w.team}`))).toEqual(['Staff handbook']);
    // Sam is in Team: the home feed shows it.
    expect(linkTitles(await w.get('/', w.sam))).toEqual(['Staff handbook']);
    expect(linkTitles(await w.get('/links', w.olga))).toEqual(['Staff handbook']);

    const id = (await w.app.db.selectFrom('content').select('id').where('kind', '=', 'link').executeTakeFirstOrThrow()).id;
    const page = await w.get(`/content/${id}`, w.olga);
    expect(page.statusCode).toBe(200);
    expect(html(page).querySelector('.link-page__url code')?.text).toBe('https://www.example.org/handbook');
    expect(html(page).querySelector('.link-page a')?.getAttribute('rel')).toBe('noopener nofollow ugc');
  });

  it('the space tab and the composer action show where the plugin is on, to who may post', async () => {
    expect(tabs(await w.get(`/spaces/${w.team}`))).toContain('Links');
    expect(composerActions(await w.get(`/spaces/${w.team}`))).toEqual([['New link', `/links/new?space=${w.team}`]]);
    // Olga sees the open space but is not a member: the tab, no composer.
    const olga = await w.get(`/spaces/${w.team}`, w.olga);
    expect(tabs(olga)).toContain('Links');
    expect(composerActions(olga)).toEqual([]);
    expect(html(await w.get(`/links/spaces/${w.team}`, w.olga)).querySelector(`a[href="/links/new?space=${w.team}"]`)).toBe(null);
    // Not on the home page: a link belongs to one space.
    expect(composerActions(await w.get('/')).map(([label]) => label)).not.toContain('New link');
  });

  it('anonymous visitors are sent to sign in', async () => {
    for (const url of ['/links', `/links/spaces/${w.team}`, `/links/new?space=${w.team}`]) {
      const response = await w.get(url, null);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toMatch(/^\/login/);
    }
    const post = await w.post('/links/new', { space: String(w.team), title: 'x', url: 'https://example.org' }, null);
    expect(post.statusCode).toBe(303);
    expect(post.headers.location).toMatch(/^\/login/);
  });

  it('a deactivated member is signed out', async () => {
    const dora = await person(w.app, 'dora@example.com', { name: 'Dora Gone' });
    await addSpaceMember(w.app, w.team, dora.id);
    expect((await w.get(`/links/spaces/${w.team}`, dora)).statusCode).toBe(200);
    await w.app.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', dora.id).execute();
    const response = await w.get(`/links/spaces/${w.team}`, dora);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(/^\/login/);
    const post = await w.post('/links/new', { space: String(w.team), title: 'x', url: 'https://example.org' }, dora);
    expect(post.statusCode).toBe(303);
    expect(post.headers.location).toMatch(/^\/login/);
  });

  it('a private space is not there for outsiders (404); a non-member of an open space is refused (403) with what they typed', async () => {
    const inBoard = await w.addLink(w.bruno, w.board, { title: 'Board minutes' });
    for (const url of [`/links/spaces/${w.board}`, `/links/new?space=${w.board}`, `/links/${inBoard}/edit`, `/content/${inBoard}`]) {
      expect((await w.get(url, w.olga)).statusCode, url).toBe(404);
    }
    expect((await w.post('/links/new', { space: String(w.board), title: 'Sneaky', url: 'https://example.org' }, w.olga)).statusCode).toBe(404);
    expect(linkTitles(await w.get('/links', w.olga))).not.toContain('Board minutes');
    expect(linkTitles(await w.get('/links', w.bruno))).toContain('Board minutes');

    expect((await w.get(`/links/new?space=${w.team}`, w.olga)).statusCode).toBe(403);
    const refused = await w.post('/links/new', { space: String(w.team), title: 'My typed title', url: 'https://example.org/x' }, w.olga);
    expect(refused.statusCode).toBe(403);
    expect(html(refused).querySelector('input[name="title"]')?.getAttribute('value')).toBe('My typed title');
    expect(mainText(refused)).toContain('Only the members of this space add links to it.');
    expect((await w.get('/links/new?space=999999')).statusCode).toBe(404);
    expect((await w.get('/links/new')).statusCode).toBe(404);
  });

  it('refuses addresses that are not web pages, with a clear message, keeping what was typed', async () => {
    const before = await w.app.db.selectFrom('content').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'link').executeTakeFirstOrThrow();
    const cases: Array<[string, string]> = [
      ['javascript:alert(1)', 'Only web addresses (https:// or http://) can be shared.'],
      ['JaVaScRiPt:alert(document.cookie)', 'Only web addresses (https:// or http://) can be shared.'],
      [' javascript:alert(1)', 'Only web addresses (https:// or http://) can be shared.'],
      ['data:text/html,<script>alert(1)</script>', 'Only web addresses (https:// or http://) can be shared.'],
      ['vbscript:msgbox(1)', 'Only web addresses (https:// or http://) can be shared.'],
      ['file:///etc/passwd', 'Only web addresses (https:// or http://) can be shared.'],
      ['ftp://example.org/file', 'Only web addresses (https:// or http://) can be shared.'],
      ['https://user:secret@example.org/', 'Remove the user name and password from the address.'],
      ['https://', 'Enter a web address, such as https://example.org/page.'],
      ['http://exa mple.org', 'Enter a web address, such as https://example.org/page.'],
    ];
    for (const [url, message] of cases) {
      const response = await w.post('/links/new', { space: String(w.team), title: 'Kept title', url, description: 'Kept description' });
      expect(response.statusCode, url).toBe(422);
      const page = html(response);
      expect(page.querySelector('#url-error')?.text, url).toContain(message);
      expect(page.querySelector('input[name="title"]')?.getAttribute('value')).toBe('Kept title');
      expect(page.querySelector('textarea[name="description"]')?.text).toBe('Kept description');
      expect(page.querySelector('input[name="url"]')?.getAttribute('value')).toBe(url.trim());
    }
    const missing = await w.post('/links/new', { space: String(w.team), title: '   ', url: '' });
    expect(missing.statusCode).toBe(422);
    expect(html(missing).querySelector('#title-error')).not.toBe(null);
    expect(html(missing).querySelector('#url-error')).not.toBe(null);
    const long = await w.post('/links/new', { space: String(w.team), title: 'x'.repeat(201), url: 'https://example.org' });
    expect(long.statusCode).toBe(422);
    expect(html(long).querySelector('#title-error')).not.toBe(null);
    const after = await w.app.db.selectFrom('content').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'link').executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('reads an address typed without https, keeps unicode, and escapes what people type', async () => {
    const id = await w.addLink(w.bruno, w.team, { title: '<script>alert("t")</script> Café ☕', url: 'intranet.example.com/menu?day=lundi&x=<b>', description: '<img src=x onerror=alert(1)>' });
    const row = await w.app.db.selectFrom('content').select('id').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.id).toBe(id);
    const tab = await w.get(`/links/spaces/${w.team}`);
    expect(tab.body).not.toContain('<script>alert("t")</script>');
    expect(tab.body).not.toContain('<img src=x');
    expect(tab.body).toContain('&lt;script&gt;');
    expect(linkTitles(tab)).toContain('<script>alert("t")</script> Café ☕');
    const card = html(tab).querySelector(`#content-${id} .link-card__url`)!;
    expect(card.getAttribute('href')).toBe('https://intranet.example.com/menu?day=lundi&x=%3Cb%3E');
    expect(card.querySelector('.link-card__host')?.text).toBe('intranet.example.com');
  });

  it('the author edits a link; others may not; a bad edit keeps what was typed', async () => {
    const id = await w.addLink(w.bruno, w.team, { title: 'Old title', url: 'https://old.example.org/' });
    expect((await w.get(`/links/${id}/edit`, w.sam)).statusCode).toBe(403);
    expect((await w.post(`/links/${id}/edit`, { title: 'Taken', url: 'https://evil.example/' }, w.sam)).statusCode).toBe(403);
    expect((await w.get(`/links/${id}/edit`, null)).headers.location).toMatch(/^\/login/);

    // Seen in a list first: the link's data is then kept (dataTables), and the edit must replace it.
    expect(linkTitles(await w.get(`/links/spaces/${w.team}`))).toContain('Old title');
    const form = await w.get(`/links/${id}/edit`);
    expect(html(form).querySelector('input[name="title"]')?.getAttribute('value')).toBe('Old title');
    const bad = await w.post(`/links/${id}/edit`, { title: 'New title', url: 'javascript:void(0)' });
    expect(bad.statusCode).toBe(422);
    expect(html(bad).querySelector('input[name="title"]')?.getAttribute('value')).toBe('New title');

    const saved = await w.post(`/links/${id}/edit`, { title: 'New title', url: 'https://new.example.org/', description: '' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/content/${id}`);
    const page = await w.get(`/content/${id}`);
    expect(html(page).querySelector('.link-page__url code')?.text).toBe('https://new.example.org/');
    expect(mainText(page)).toContain('New title');
    expect(linkTitles(await w.get(`/links/spaces/${w.team}`))).toEqual(expect.arrayContaining(['New title']));
    expect(linkTitles(await w.get(`/links/spaces/${w.team}`))).not.toContain('Old title');
    const content = await w.app.db.selectFrom('content').select('edited_at').where('id', '=', id).executeTakeFirstOrThrow();
    expect(content.edited_at).not.toBe(null);
  });

  it('a link is deleted through the core’s delete, by its author', async () => {
    const id = await w.addLink(w.bruno, w.team, { title: 'Soon gone' });
    expect((await w.post(`/content/${id}/delete`, {}, w.olga)).statusCode).toBe(403);
    expect(linkTitles(await w.get(`/links/spaces/${w.team}`))).toContain('Soon gone');
    expect((await w.post(`/content/${id}/delete`, {})).statusCode).toBe(303);
    expect(linkTitles(await w.get(`/links/spaces/${w.team}`))).not.toContain('Soon gone');
    expect((await w.get(`/content/${id}`, w.olga)).statusCode).toBe(404);
    // Kept for 30 days (soft delete): the row is still there.
    expect(await w.app.db.selectFrom('content').select('deleted_at').where('id', '=', id).executeTakeFirstOrThrow()).toMatchObject({ deleted_at: expect.any(Number) });
  });

  it('search finds a link by its title, for those who may see it', async () => {
    const id = await w.addLink(w.bruno, w.board, { title: 'Quarterly zeppelin report' });
    const found = results(await w.get(searchUrl('zeppelin')));
    expect(found.map((r) => r.href)).toContain(`/content/${id}`);
    expect(found.find((r) => r.href === `/content/${id}`)?.title).toBe('Quarterly zeppelin report');
    expect(results(await w.get(searchUrl('zeppelin'), w.olga))).toEqual([]);
  });

  it('the profile shows the links the viewer may see', async () => {
    const mine = await w.get(`/people/${w.bruno.id}`, w.bruno);
    const section = html(mine).querySelectorAll('.person-profile__section').find((s) => s.querySelector('h2')?.text === 'Links shared');
    expect(section).toBeDefined();
    expect(section!.querySelectorAll('.links-profile a').length).toBeGreaterThan(0);
    const olga = html(await w.get(`/people/${w.bruno.id}`, w.olga));
    const seen = olga.querySelectorAll('.links-profile a').map((a) => a.text);
    expect(seen).not.toContain('Quarterly zeppelin report');
    expect(seen).not.toContain('Board minutes');
    // Sam shared nothing: no section.
    expect(html(await w.get(`/people/${w.sam.id}`)).querySelector('.links-profile')).toBe(null);
  });

  it('the main navigation has "Links", current on the links pages', async () => {
    const page = html(await w.get('/links'));
    expect(page.querySelector('.site-nav a[href="/links"]')?.getAttribute('aria-current')).toBe('page');
    expect(html(await w.get('/')).querySelector('.site-nav a[href="/links"]')?.getAttribute('aria-current')).toBe(undefined);
  });

  it('the export holds the person’s links; the admin widget counts links and their sites', async () => {
    const exported = await w.app.plugins.exportUser(w.bruno.id);
    const part = exported.links as { links: Array<{ title: string; url: string; space: string }> };
    expect(part.links.map((l) => l.title)).toContain('Board minutes');
    expect(part.links.find((l) => l.title === 'Board minutes')).toMatchObject({ url: 'https://www.example.org/handbook', space: 'Board' });
    expect(await w.app.plugins.exportUser(w.olga.id)).not.toHaveProperty('links');

    const widget = definition.slots!.adminWidgets![0]!;
    const data = (await widget.load({ db: w.app.db, viewer: null as never, t: (k) => k, locale: 'en', now: Date.now() })) as { count: number; domains: Array<{ host: string; count: number }> };
    const live = await w.app.db.selectFrom('content').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'link').where('deleted_at', 'is', null).executeTakeFirstOrThrow();
    expect(data.count).toBe(Number(live.n));
    expect(data.domains[0]).toEqual({ host: 'example.org', count: expect.any(Number) });
  });

  it('the admin dashboard shows the widget to admins only', async () => {
    await w.addLink(w.bruno, w.team, { title: 'Widget check', url: 'https://docs.example.net/x' });
    const dashboard = await w.get('/admin', w.admin);
    expect(dashboard.statusCode).toBe(200);
    const text = mainText(dashboard);
    expect(text).toContain('Useful links');
    expect(text).toMatch(/(\d+ links|1 link) shared/);
    expect(text).toContain('Most linked sites');
    expect(text).toContain('docs.example.net');
    expect((await w.get('/admin', w.bruno)).statusCode).not.toBe(200);
  });
});

describe('links: disabled, switched off in a space, settings', () => {
  let w: LinksWorld;
  let inTeam: number;
  let inBoard: number;
  beforeAll(async () => {
    w = await linksWorld();
    inTeam = await w.addLink(w.bruno, w.team, { title: 'Team wiki' });
    inBoard = await w.addLink(w.bruno, w.board, { title: 'Board drive' });
  });
  afterAll(async () => w.t.close());

  /** Enables or disables the plugin as the admin does, from the admin page's toggle; returns the page the redirect leads to. */
  async function toggleFromAdminPage(action: 'enable' | 'disable') {
    const response = await w.post(`/admin/plugins/links/${action}`, {}, w.admin);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/plugins#plugin-links');
    const page = await w.get(response.headers.location as string, { ...w.admin, cookie: cookiesFrom(response, w.admin.cookie) }, { 'accept-language': 'en' });
    expect(page.statusCode).toBe(200);
    return page;
  }

  it('disabled: its pages answer 404, its tab, action, entry, cards and results are gone; enabled again, all is back', async () => {
    const off = await toggleFromAdminPage('disable');
    expect(mainText(off)).toContain('“Useful links” is disabled. Its data is kept.');
    expect(html(off).querySelector('#plugin-links .plugin-status')?.text.trim()).toBe('Disabled');
    expect(w.app.plugins.isEnabled('links')).toBe(false);
    for (const url of ['/links', `/links/spaces/${w.team}`, `/links/new?space=${w.team}`, `/links/${inTeam}/edit`, `/content/${inTeam}`]) {
      expect((await w.get(url)).statusCode, url).toBe(404);
    }
    expect((await w.post('/links/new', { space: String(w.team), title: 'x', url: 'https://example.org' })).statusCode).toBe(404);
    const space = await w.get(`/spaces/${w.team}`);
    expect(tabs(space)).not.toContain('Links');
    expect(composerActions(space)).toEqual([]);
    expect(linkTitles(space)).toEqual([]);
    expect(linkTitles(await w.get('/'))).toEqual([]);
    expect(html(await w.get('/')).querySelector('.site-nav a[href="/links"]')).toBe(null);
    expect(results(await w.get(searchUrl('wiki')))).toEqual([]);
    // Its data stays.
    expect(await w.app.db.selectFrom('content').select('id').where('kind', '=', 'link').execute()).toHaveLength(2);
    // Its stylesheet is neither linked nor served.
    expect(html(await w.get('/')).querySelector('link[href^="/links/static/links.css"]')).toBe(null);
    expect((await w.get('/links/static/links.css')).statusCode).toBe(404);

    const on = await toggleFromAdminPage('enable');
    expect(mainText(on)).toContain('“Useful links” is enabled: staff can use it now.');
    expect(html(on).querySelector('#plugin-links .plugin-status')?.text.trim()).toBe('Enabled');
    expect(linkTitles(await w.get(`/links/spaces/${w.team}`))).toEqual(['Team wiki']);
    expect(tabs(await w.get(`/spaces/${w.team}`))).toContain('Links');
    expect(linkTitles(await w.get('/'))).toEqual(expect.arrayContaining(['Team wiki', 'Board drive']));
    expect(results(await w.get(searchUrl('wiki'))).map((r) => r.href)).toContain(`/content/${inTeam}`);
    expect(html(await w.get('/')).querySelector('.site-nav a[href="/links"]')).not.toBe(null);
    const sheet = html(await w.get('/')).querySelector('link[href^="/links/static/links.css"]');
    expect(sheet?.getAttribute('href')).toBe('/links/static/links.css?v=1.0.0');
    const css = await w.get('/links/static/links.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toContain('text/css');
    expect(css.body).toContain('.link-card__host');
  });

  it('switched off in one space: gone there only', async () => {
    const result = await w.app.plugins.setSpaceSwitch('links', w.team, false, w.admin.id);
    expect(result.ok).toBe(true);
    for (const url of [`/links/spaces/${w.team}`, `/links/new?space=${w.team}`, `/links/${inTeam}/edit`, `/content/${inTeam}`]) {
      expect((await w.get(url)).statusCode, url).toBe(404);
    }
    const team = await w.get(`/spaces/${w.team}`);
    expect(tabs(team)).not.toContain('Links');
    expect(composerActions(team)).toEqual([]);
    expect(linkTitles(await w.get('/links'))).toEqual(['Board drive']);
    // The other space keeps it.
    expect(tabs(await w.get(`/spaces/${w.board}`))).toContain('Links');
    expect(linkTitles(await w.get(`/links/spaces/${w.board}`))).toEqual(['Board drive']);
    expect((await w.get(`/links/${inBoard}/edit`)).statusCode).toBe(200);

    await w.app.plugins.setSpaceSwitch('links', w.team, true, w.admin.id);
    expect(linkTitles(await w.get(`/links/spaces/${w.team}`))).toEqual(['Team wiki']);
  });

  it('membersMayAdd off: members are refused (403), space admins still add; the tab offers "Add a link" only to them', async () => {
    const saved = await w.app.plugins.saveSettings('links', w.admin.id, { membersMayAdd: false, linksPerPage: 20 });
    expect(saved.ok).toBe(true);
    expect((await w.get(`/links/new?space=${w.team}`)).statusCode).toBe(403);
    const refused = await w.post('/links/new', { space: String(w.team), title: 'Members cannot', url: 'https://example.org' });
    expect(refused.statusCode).toBe(403);
    expect(mainText(refused)).toContain('links are added by the space’s admins');
    expect(html(await w.get(`/links/spaces/${w.team}`)).querySelector(`a[href="/links/new?space=${w.team}"]`)).toBe(null);
    expect(html(await w.get(`/links/spaces/${w.team}`, w.sam)).querySelector(`a[href="/links/new?space=${w.team}"]`)).not.toBe(null);
    // The composer's "New link" follows the setting too (its `visible` reads the plugin's settings).
    expect(composerActions(await w.get(`/spaces/${w.team}`))).toEqual([]);
    expect(composerActions(await w.get(`/spaces/${w.team}`, w.sam))).not.toEqual([]);
    await w.addLink(w.sam, w.team, { title: 'Added by the space admin' });
    // Bruno administers Board.
    await w.addLink(w.bruno, w.board, { title: 'Added in my own space' });
    await w.app.plugins.saveSettings('links', w.admin.id, { membersMayAdd: true, linksPerPage: 20 });
    expect((await w.get(`/links/new?space=${w.team}`)).statusCode).toBe(200);
  });

  it('linksPerPage sets the size of a page; "More" leads to the next one', async () => {
    for (let i = 1; i <= 6; i++) await w.addLink(w.bruno, w.team, { title: `Paged ${i}` });
    await w.app.plugins.saveSettings('links', w.admin.id, { membersMayAdd: true, linksPerPage: 5 });
    const first = await w.get(`/links/spaces/${w.team}`);
    expect(linkTitles(first)).toEqual(['Paged 6', 'Paged 5', 'Paged 4', 'Paged 3', 'Paged 2']);
    const more = html(first).querySelector('a[rel="next"]')?.getAttribute('href');
    expect(more).toMatch(new RegExp(`^/links/spaces/${w.team}\\?after=`));
    const second = await w.get(more!);
    expect(linkTitles(second)).toEqual(['Paged 1', 'Added by the space admin', 'Team wiki']);
  });

  it('purged after an export: the export holds its rows and items; enabled again, it starts empty', async () => {
    await disablePlugin(w.app, 'links');
    const data = (await w.app.plugins.exportData('links')) as { tables: Record<string, Array<{ title: string }>>; content: Array<{ kind: string }> };
    expect(data.tables.links_links!.map((r) => r.title)).toEqual(expect.arrayContaining(['Team wiki', 'Board drive']));
    expect(data.content.every((c) => c.kind === 'link')).toBe(true);
    expect(data.content).toHaveLength(data.tables.links_links!.length);
    const purged = await w.app.plugins.purge('links', w.admin.id);
    expect(purged.ok).toBe(true);
    expect(await w.app.db.selectFrom('content').select('id').where('kind', '=', 'link').execute()).toEqual([]);
    await enablePlugin(w.app, 'links');
    const tab = await w.get(`/links/spaces/${w.team}`);
    expect(tab.statusCode).toBe(200);
    expect(linkTitles(tab)).toEqual([]);
    await w.addLink(w.bruno, w.team, { title: 'After the purge' });
    expect(linkTitles(await w.get(`/links/spaces/${w.team}`))).toEqual(['After the purge']);
  });
});
