// The plugin system's and the admin area's defences: cross-site POSTs refused on the new routes,
// admins only, plugin static files and templates confined to their folder, a throwing plugin route's error page.
import { afterEach, describe, expect, it } from 'vitest';
import { linksWorld, type LinksWorld } from '../../plugins/links/test/helpers.js';
import { createTestAppWithPlugins, enablePlugin } from '../helpers/plugins.js';
import { setupOrganisation, type TestApp } from '../helpers/app.js';
import { createAttachment, samplePdf } from '../helpers/attachments.js';
import { person } from '../helpers/spaces.js';

const CROSS = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

describe('cross-site POSTs to the new routes', () => {
  let w: LinksWorld;
  afterEach(async () => {
    await w?.t.close();
  });

  it('refuses every new POST from another site, multipart included, and changes nothing', async () => {
    w = await linksWorld();
    const form = (url: string, payload: Record<string, string>, who = w.admin) =>
      w.app.inject({ method: 'POST', url, payload, headers: { cookie: who.cookie, ...CROSS } });
    const posts: Array<[string, Record<string, string>]> = [
      ['/admin/plugins/links/disable', {}],
      ['/admin/plugins/links', { linksPerPage: '5' }],
      ['/admin/plugins/stage/1', {}],
      ['/admin/plugins/links/purge', { confirm: 'links' }],
    ];
    for (const [url, payload] of posts) expect((await form(url, payload)).statusCode, url).toBe(403);
    expect((await form(`/spaces/${w.team}/features`, { plugin: 'links', state: 'off' }, w.sam)).statusCode).toBe(403);
    expect((await form('/links/new', { space: String(w.team), title: 'x', url: 'https://x.example' }, w.bruno)).statusCode).toBe(403);
    const boundary = '----review';
    const body = [`--${boundary}`, 'Content-Disposition: form-data; name="name"', '', 'Evil Corp', `--${boundary}--`, ''].join('\r\n');
    const multipart = await w.app.inject({
      method: 'POST',
      url: '/admin/organisation',
      payload: body,
      headers: { cookie: w.admin.cookie, 'content-type': `multipart/form-data; boundary=${boundary}`, ...CROSS },
    });
    expect(multipart.statusCode).toBe(403);
    expect(w.app.plugins.isEnabled('links')).toBe(true);
    const org = await w.app.db.selectFrom('organisation').select('name').executeTakeFirstOrThrow();
    expect(org.name).not.toBe('Evil Corp');
    expect(await w.app.db.selectFrom('content').select('id').where('kind', '=', 'link').execute()).toEqual([]);
  });

  it('keeps every new admin route to admins: visitors and deactivated people sign in, members and editors are refused', async () => {
    w = await linksWorld();
    const editor = await person(w.app, 'eve@example.com', { name: 'Eve Editor', role: 'editor' });
    const gone = await person(w.app, 'gone@example.com', { name: 'Gone Person' });
    await w.app.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', gone.id).execute();
    const gets = ['/admin', '/admin/audit', '/admin/organisation', '/admin/plugins', '/admin/plugins/links', '/admin/plugins/links/purge', '/admin/plugins/links/export', '/admin/plugins/stage/2'];
    const posts = ['/admin/plugins/links/disable', '/admin/plugins/links', '/admin/plugins/links/purge', '/admin/plugins/stage/1', '/admin/organisation', `/admin/members/${gone.id}/erase`];
    for (const url of gets) {
      for (const who of [null, gone]) {
        const r = await w.get(url, who);
        expect([r.statusCode, r.headers.location?.startsWith('/login')], `${url} ${who ? 'deactivated' : 'anonymous'}`).toEqual([303, true]);
      }
      for (const who of [w.bruno, editor, w.sam]) expect((await w.get(url, who)).statusCode, url).toBe(403);
    }
    for (const url of posts) {
      for (const who of [w.bruno, editor, w.sam]) expect((await w.post(url, { confirm: 'links', email: 'gone@example.com' }, who)).statusCode, url).toBe(403);
      const anonymous = await w.post(url, {}, null);
      expect(anonymous.headers.location?.startsWith('/login'), url).toBe(true);
    }
    expect(w.app.plugins.isEnabled('links')).toBe(true);
    // A space's features page: 404 to whoever may not see the space, 403 to a member who sees it.
    expect((await w.get(`/spaces/${w.board}/features`, w.olga)).statusCode).toBe(404);
    expect((await w.get(`/spaces/${w.team}/features`, w.bruno)).statusCode).toBe(403);
    expect((await w.post(`/spaces/${w.board}/features`, { plugin: 'links', state: 'off' }, w.olga)).statusCode).toBe(404);
    expect((await w.get('/account/export', gone)).headers.location?.startsWith('/login')).toBe(true);
  });

  it('answers odd addresses with 4xx pages, never a 500', async () => {
    w = await linksWorld();
    const urls = [
      '/admin/audit?older=abc', '/admin/audit?newer=1|x', '/admin/audit?actor=1&actor=2', '/admin/audit?action=%00', '/admin/audit?action=a%25', '/admin/audit?older=99999999999999999999|1',
      '/admin/plugins/stage/0', '/admin/plugins/stage/2.0', '/admin/plugins/LINKS', '/admin/plugins/..%2f..', '/admin/plugins/nope/export',
      '/admin/members/1e3/erase', '/admin/members/-1/erase', '/spaces/abc/features', '/spaces/99999/features', '/brand/logo', '/brand.css?v[]=1',
      '/links/spaces/abc', '/links/new?space=abc', '/links/99999/edit', '/links?after=zzz', '/links?author=abc',
    ];
    for (const url of urls) expect((await w.get(url, w.admin)).statusCode, url).toBeLessThan(500);
    for (const [url, body] of [['/admin/plugins/links', { linksPerPage: ['1', '2'] }], ['/admin/plugins/links/purge', { confirm: ['a', 'b'] }], ['/spaces/' + w.team + '/features', { plugin: ['links', 'x'], state: 'off' }]] as const) {
      const r = await w.app.inject({ method: 'POST', url, payload: new URLSearchParams(Object.entries(body).flatMap(([k, v]): Array<[string, string]> => (Array.isArray(v) ? v.map((x: string): [string, string] => [k, x]) : [[k, v as string]]))).toString(), headers: { cookie: w.admin.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
      expect(r.statusCode, url).toBeLessThan(500);
    }
  });

  it('serves the plugin’s static files only while it is enabled; GET on the purge page purges nothing', async () => {
    w = await linksWorld();
    expect((await w.get('/links/static/links.css')).statusCode).toBe(200);
    expect((await w.get('/links/static/../index.ts')).statusCode).toBe(404);
    expect((await w.get('/links/static/%2e%2e/index.ts')).statusCode).toBe(404);
    await w.app.plugins.disable('links', w.admin.id);
    expect((await w.get('/links/static/links.css')).statusCode).toBe(404);
    expect((await w.get('/admin/plugins/links/purge', w.admin)).statusCode).toBe(200);
    expect(w.app.plugins.get('links')?.purgedAt).toBeNull();
  });

  it('answers 404 for the files of an item whose plugin is disabled or off in its space, 200 again once on', async () => {
    w = await linksWorld();
    const link = await w.addLink(w.bruno, w.team);
    const file = await createAttachment(w.app, { uploaderId: w.bruno.id, filename: 'handbook.pdf', content: samplePdf(), owner: { contentId: link } });
    const url = `/files/${file}/handbook.pdf`;
    expect((await w.get(url, w.bruno)).statusCode).toBe(200);
    await w.app.plugins.disable('links', w.admin.id);
    for (const who of [w.bruno, w.admin]) expect((await w.get(url, who)).statusCode).toBe(404);
    await w.app.plugins.enable('links', w.admin.id);
    expect((await w.get(url, w.bruno)).statusCode).toBe(200);
    expect((await w.app.plugins.setSpaceSwitch('links', w.team, false, w.sam.id)).ok).toBe(true);
    expect((await w.get(url, w.bruno)).statusCode).toBe(404);
  });

  it('never resolves a plugin template outside the plugin’s views', async () => {
    w = await linksWorld();
    await expect(w.app.view('/plugins/links/../../../views/layout', {})).rejects.toThrow();
    await expect(w.app.view('/plugins/links/../kind', {})).rejects.toThrow();
  });
});

describe('a plugin route that throws', () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  it('answers a 500 page without the error’s text or stack', async () => {
    t = await createTestAppWithPlugins([
      {
        id: 'thrower',
        name: { fr: 'Lanceur', en: 'Thrower' },
        description: { fr: 'Lance.', en: 'Throws.' },
        stage: 1,
        version: '1.0.0',
        hameau: '^0.1.0',
        routes: async (scope) => {
          scope.get('/', async () => {
            throw new Error('SECRET-DETAIL at /srv/hameau/db');
          });
        },
      },
    ]);
    const admin = await setupOrganisation(t.app);
    await enablePlugin(t.app, 'thrower');
    const response = await t.app.inject({ method: 'GET', url: '/thrower', headers: { cookie: admin } });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('SECRET-DETAIL');
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);
  });
});
