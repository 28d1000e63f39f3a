// Purging a disabled plugin's data: only when disabled, after offering a JSON export of it, and only
// once the admin typed the plugin's id. Afterwards its tables are gone; enabling it again starts empty.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertContent } from '../../src/content/store.js';
import { cookiesFrom, html, mainText, type TestApp } from '../helpers/app.js';
import { client, createWorld, type World } from '../helpers/moderation.js';
import { createTestAppWithPlugins, disablePlugin, enablePlugin } from '../helpers/plugins.js';
import { adminFixturePlugins } from '../fixtures/plugins-admin.js';

let t: TestApp;
let w: World;
let c: ReturnType<typeof client>;
let noteId: number;
beforeEach(async () => {
  t = await createTestAppWithPlugins(adminFixturePlugins);
  w = await createWorld(t.app);
  c = client(t.app);
  await enablePlugin(t.app, 'notes');
  await sql`insert into notes_items (text) values ('first'), (${'second <b>'})`.execute(t.app.db);
  noteId = await insertContent(t.app.db, { kind: 'note', spaceId: w.spaces.team, authorId: w.author.id, publishedAt: Date.now() });
});
afterEach(async () => t.close());

const tableExists = async (name: string) =>
  (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = ${name}`.execute(t.app.db)).rows.length > 0;
const noteRows = async () => (await sql<{ text: string }>`select text from notes_items order by id`.execute(t.app.db)).rows.map((r) => r.text);

describe('while the plugin is enabled', () => {
  it('refuses to purge, saying to disable it first', async () => {
    const page = await c.get('/admin/plugins/notes/purge', w.admin);
    expect(page.statusCode).toBe(200);
    expect(mainText(page)).toContain('“Team notes” is enabled. Disable it first');
    expect(html(page).querySelector('form[action="/admin/plugins/notes/purge"]')).toBeNull();
    expect(html(page).querySelector('a[href="/admin/plugins/notes/purge"]')).toBeNull();

    const response = await c.post('/admin/plugins/notes/purge', w.admin, { confirm: 'notes' });
    expect(response.statusCode).toBe(409);
    expect(html(response).querySelector('[role="alert"]')!.textContent).toContain('“Team notes” is enabled: disable it before purging its data.');
    expect(await noteRows()).toEqual(['first', 'second <b>']);
    expect(await t.app.db.selectFrom('audit_log').select('id').where('action', '=', 'plugin.purge').execute()).toEqual([]);
  });
});

describe('once disabled', () => {
  beforeEach(async () => disablePlugin(t.app, 'notes'));

  it('offers the export of everything the plugin stored, as a JSON download', async () => {
    const plugin = await c.get('/admin/plugins/notes', w.admin);
    expect(html(plugin).querySelector('a[href="/admin/plugins/notes/export"]')!.textContent).toBe('Download the data of Team notes');

    const response = await c.get('/admin/plugins/notes/export', w.admin);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="notes-data-\d{4}-\d{2}-\d{2}\.json"$/);
    const data = JSON.parse(response.body) as { plugin: { id: string }; tables: Record<string, Array<{ text: string }>>; content: Array<{ id: number; kind: string }>; settings: unknown };
    expect(data.plugin.id).toBe('notes');
    expect(data.tables.notes_items!.map((row) => row.text)).toEqual(['first', 'second <b>']);
    expect(data.content.map((item) => [item.id, item.kind])).toEqual([[noteId, 'note']]);
    expect(data.settings).toMatchObject({ title: 'Notes' });
  });

  it('shows what will be deleted, with the export first and a confirmation asking for the id', async () => {
    const response = await c.get('/admin/plugins/notes/purge', w.admin);
    expect(response.statusCode).toBe(200);
    const text = mainText(response);
    expect(text).toContain('The table notes_items: 2 rows');
    expect(text).toContain('1 item of this plugin in the feeds, with its comments and reactions');
    const page = html(response);
    const exportLink = page.querySelector('a[href="/admin/plugins/notes/export"]')!;
    const form = page.querySelector('form[action="/admin/plugins/notes/purge"]')!;
    expect(response.body.indexOf('/admin/plugins/notes/export')).toBeLessThan(response.body.indexOf('action="/admin/plugins/notes/purge"'));
    expect(exportLink).not.toBeNull();
    const input = form.querySelector('input[name="confirm"]')!;
    expect(page.querySelector(`label[for="${input.id}"]`)!.textContent).toBe('Type the plugin’s id, notes, to confirm');
    expect(form.querySelector('button')!.textContent.trim()).toBe('Purge the data of Team notes');
  });

  it('needs the exact id typed: anything else changes nothing', async () => {
    for (const [confirm, message] of [
      ['', 'This field is required.'],
      ['   ', 'This field is required.'],
      ['NOTES', 'Type exactly notes to confirm the purge.'],
      ['tags', 'Type exactly notes to confirm the purge.'],
      ['<script>alert(1)</script>', 'Type exactly notes to confirm the purge.'],
    ] as const) {
      const response = await c.post('/admin/plugins/notes/purge', w.admin, { confirm });
      expect(response.statusCode, confirm).toBe(422);
      expect(html(response).querySelector('#confirm-error')!.textContent).toContain(message);
      expect(response.body).not.toContain('<script>alert(1)</script>');
      expect(html(response).querySelector('input[name="confirm"]')!.getAttribute('value')).toBe(confirm.trim());
    }
    expect((await c.post('/admin/plugins/notes/purge', w.admin)).statusCode).toBe(422);
    expect(await noteRows()).toEqual(['first', 'second <b>']);
    expect(await t.app.db.selectFrom('content').select('id').where('id', '=', noteId).execute()).toHaveLength(1);
  });

  it('deletes the tables and items once confirmed; enabling again recreates the tables empty', async () => {
    const response = await c.post('/admin/plugins/notes/purge', w.admin, { confirm: 'notes' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/plugins/notes');
    expect(await tableExists('notes_items')).toBe(false);
    expect(await t.app.db.selectFrom('content').select('id').where('id', '=', noteId).execute()).toEqual([]);
    const audit = await t.app.db.selectFrom('audit_log').select(['actor_id', 'subject_id', 'details']).where('action', '=', 'plugin.purge').execute();
    expect(audit.map((a) => [a.actor_id, a.subject_id])).toEqual([[w.admin.id, 'notes']]);
    expect(JSON.parse(audit[0]!.details)).toEqual({ contentItems: { before: 1, after: 0 }, tables: { before: ['notes_items'], after: [] } });

    const page = await t.app.inject({ url: '/admin/plugins/notes', headers: { cookie: cookiesFrom(response, w.admin.cookie) } });
    expect(mainText(page)).toContain('The data of “Team notes” is deleted.');
    expect(mainText(page)).toMatch(/Its data was purged on \w+ \d{1,2}, 20\d\d/);

    expect((await c.post('/admin/plugins/notes/enable', w.admin)).statusCode).toBe(303);
    expect(await tableExists('notes_items')).toBe(true);
    expect(await noteRows()).toEqual([]);
    expect((await c.get('/notes', w.member)).body).toContain('Notes: 0');
  });
});
