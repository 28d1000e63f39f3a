// Stage packs: "Move to stage 2" previews what staff will see change, then enables the stage's
// recommended plugins in one step (one audit entry); going back disables the higher stages' plugins,
// keeping their data. Plugins pinned by HAMEAU_PLUGINS stay as they are.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { cookiesFrom, html, mainText, type TestApp } from '../helpers/app.js';
import { client, createWorld, type World } from '../helpers/moderation.js';
import { createTestAppWithPlugins } from '../helpers/plugins.js';
import { adminFixturePlugins } from '../fixtures/plugins-admin.js';

let t: TestApp;
let w: World;
let c: ReturnType<typeof client>;
afterEach(async () => t?.close());

async function start(env: Record<string, string> = {}) {
  t = await createTestAppWithPlugins(adminFixturePlugins, env);
  w = await createWorld(t.app);
  c = client(t.app);
}

const stage = async () => (await t.app.db.selectFrom('organisation').select('stage').executeTakeFirstOrThrow()).stage;
const items = (response: Awaited<ReturnType<typeof c.get>>, section: string) =>
  html(response)
    .querySelectorAll(`section[aria-labelledby="${section}"] .plugin-card`)
    .map((card) => card.textContent.replace(/\s+/g, ' ').trim());

describe('moving forward', () => {
  it('previews in plain words what staff will see appear, changing nothing yet', async () => {
    await start();
    const response = await c.get('/admin/plugins/stage/2', w.admin);
    expect(response.statusCode).toBe(200);
    expect(html(response).querySelector('h1')!.textContent.trim()).toBe('Move to stage 2: Process communities');
    expect(items(response, 'stage-enable-title')).toEqual([
      'Team notes A “Notes” tab in every space. It adds: “Notes” in the main menu a “Notes” tab in spaces “New note” next to “New post”',
    ]);
    expect(mainText(response)).toContain('No plugin is turned off.');
    const form = html(response).querySelector('form[action="/admin/plugins/stage/2"]')!;
    expect(form.getAttribute('method')).toBe('post');
    expect(form.querySelector('button')!.textContent.trim()).toBe('Move to stage 2');
    expect(t.app.plugins.isEnabled('notes')).toBe(false);
    expect(await stage()).toBe(1);
  });

  it('enables the recommended plugins of the stage in one step, with one audit entry', async () => {
    await start();
    const response = await c.post('/admin/plugins/stage/2', w.admin);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/plugins');
    expect(await stage()).toBe(2);
    expect(t.app.plugins.isEnabled('notes')).toBe(true);
    expect(t.app.plugins.isEnabled('tags')).toBe(false);
    expect(t.app.plugins.isEnabled('kudos')).toBe(false);
    expect((await c.get('/notes', w.member)).statusCode).toBe(200);
    const audit = await t.app.db.selectFrom('audit_log').select(['action', 'actor_id', 'details']).where('action', 'like', 'plugin%').execute();
    expect(audit.map((a) => [a.action, a.actor_id])).toEqual([['plugins.stage', w.admin.id]]);
    expect(JSON.parse(audit[0]!.details)).toEqual({ stage: { before: 1, after: 2 }, enabled: ['notes'], disabled: [] });

    const page = await t.app.inject({ url: '/admin/plugins', headers: { cookie: cookiesFrom(response, w.admin.cookie), 'accept-language': 'en' } });
    expect(mainText(page)).toContain('Your organisation is now at stage 2: Process communities.');
    expect(html(page).querySelector('#stage-2-title')!.textContent).toContain('Current stage');
    expect(html(page).querySelector('#stage-1-title')!.textContent).not.toContain('Current stage');
    expect(html(page).querySelector('a[href="/admin/plugins/stage/1"]')!.textContent).toContain('Back to stage 1');
    expect(html(page).querySelector('a[href="/admin/plugins/stage/3"]')!.textContent).toContain('Move to stage 3');
  });

  it('brings every recommended plugin up to the stage', async () => {
    await start();
    await c.post('/admin/plugins/stage/3', w.admin);
    expect(['notes', 'kudos', 'tags', 'polls-lite'].map((id) => t.app.plugins.isEnabled(id))).toEqual([true, true, false, false]);
  });
});

describe('going back', () => {
  it('previews what disappears, then disables the higher stages’ plugins, keeping their data', async () => {
    await start();
    await c.post('/admin/plugins/stage/2', w.admin);
    await c.post('/admin/plugins/tags/enable', w.admin);
    await sql`insert into notes_items (text) values ('kept')`.execute(t.app.db);

    const preview = await c.get('/admin/plugins/stage/1', w.admin);
    expect(html(preview).querySelector('h1')!.textContent.trim()).toBe('Back to stage 1: Inform and listen');
    expect(mainText(preview)).toContain('their data is kept');
    expect(items(preview, 'stage-disable-title')).toEqual([
      'Team notes Staff no longer see: “Notes” in the main menu a “Notes” tab in spaces “New note” next to “New post”',
      'Note tags Its pages are no longer reachable.',
    ]);
    expect(html(preview).querySelector('form[action="/admin/plugins/stage/1"] button')!.textContent.trim()).toBe('Go back to stage 1');

    expect((await c.post('/admin/plugins/stage/1', w.admin)).statusCode).toBe(303);
    expect(await stage()).toBe(1);
    expect(t.app.plugins.isEnabled('notes')).toBe(false);
    expect(t.app.plugins.isEnabled('tags')).toBe(false);
    expect((await c.get('/notes', w.member)).statusCode).toBe(404);
    expect((await sql<{ text: string }>`select text from notes_items`.execute(t.app.db)).rows).toEqual([{ text: 'kept' }]);
    const audit = await t.app.db.selectFrom('audit_log').select('details').where('action', '=', 'plugins.stage').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details)).toEqual({ stage: { before: 2, after: 1 }, enabled: [], disabled: ['tags', 'notes'] });

    // Forward again: everything is back as it was.
    await c.post('/admin/plugins/stage/2', w.admin);
    expect((await c.get('/notes', w.member)).body).toContain('Notes: 1');
  });
});

describe('with the plugins pinned by HAMEAU_PLUGINS', () => {
  it('lists the plugins it would change as unchanged, and leaves them as they are', async () => {
    await start({ HAMEAU_PLUGINS: 'kudos' });
    const preview = await c.get('/admin/plugins/stage/2', w.admin);
    expect(mainText(preview)).toContain('No plugin is turned on.');
    const locked = html(preview).querySelector('section[aria-labelledby="stage-locked-title"]')!;
    expect(locked.textContent).toContain('Team notes (Disabled)');
    expect((await c.post('/admin/plugins/stage/2', w.admin)).statusCode).toBe(303);
    expect(t.app.plugins.isEnabled('notes')).toBe(false);
    expect(t.app.plugins.isEnabled('kudos')).toBe(true);
  });
});
