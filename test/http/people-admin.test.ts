// /admin/people: departments and sites (add, rename, delete; in use: a confirmation page says how many
// people have it, then it is cleared on them) and the extra profile fields, admins only, audited.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, html, mainText } from '../helpers/app.js';
import { createCast, type Cast, type Who } from '../helpers/conversation.js';
import { addDepartment, addField, addSite, setProfile, userRow } from '../helpers/people.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

const audit = (action: string) => c.app.db.selectFrom('audit_log').select(['actor_id', 'subject_id', 'details']).where('action', '=', action).execute();

describe('who reaches the people administration', () => {
  it('admins only: members get 403, visitors sign in first', async () => {
    const department = await addDepartment(c.app, 'Finance');
    const field = await addField(c.app, { label: 'Team', type: 'text' });
    const pages = ['/admin/people', '/admin/people/departments', '/admin/people/sites', '/admin/people/fields', `/admin/people/fields/${field}`, '/admin/people/import'];
    for (const url of pages) {
      expect((await c.get(url, 'admin')).statusCode, url).toBe(200);
      for (const who of ['member', 'editor', 'spaceAdmin'] as Who[]) expect((await c.get(url, who)).statusCode, `${who} ${url}`).toBe(403);
      const anonymous = await c.get(url, null);
      expect(anonymous.statusCode, url).toBe(303);
      expect(anonymous.headers.location).toMatch(/^\/login/);
    }
    const posts: Array<[string, Record<string, string>]> = [
      ['/admin/people/departments', { name: 'Hackers' }],
      [`/admin/people/departments/${department}`, { name: 'Hacked' }],
      [`/admin/people/departments/${department}/delete`, { confirm: 'yes' }],
      ['/admin/people/fields', { label: 'X', type: 'text' }],
      [`/admin/people/fields/${field}`, { label: 'X' }],
      [`/admin/people/fields/${field}/delete`, {}],
      ['/admin/people/import/confirm', { importId: '0'.repeat(32) }],
    ];
    for (const [url, body] of posts) expect((await c.post(url, 'member', body)).statusCode, url).toBe(403);
    expect(await c.app.db.selectFrom('departments').select('name').execute()).toEqual([{ name: 'Finance' }]);
    expect(await c.app.db.selectFrom('profile_fields').select('label').execute()).toEqual([{ label: 'Team' }]);
    // The administration's navigation links here for admins.
    expect(html(await c.get('/admin/members', 'admin')).querySelector('.subnav a[href="/admin/people"]')).not.toBe(null);
    expect((await c.get('/admin/people/unknown', 'admin')).statusCode).toBe(404);
  });
});

describe('cross-site requests', () => {
  it('are refused on every people form, even for an admin: nothing written', async () => {
    const department = await addDepartment(c.app, 'Finance');
    const field = await addField(c.app, { label: 'Team', type: 'text' });
    const before = await userRow(c.app, c.ids.member);
    const posts: Array<[string, Record<string, string>]> = [
      [`/people/${c.ids.member}/edit`, { jobTitle: 'Forged' }],
      [`/people/${c.ids.member}/photo/remove`, {}],
      ['/admin/people/departments', { name: 'Hackers' }],
      [`/admin/people/departments/${department}`, { name: 'Hacked' }],
      [`/admin/people/departments/${department}/delete`, { confirm: 'yes' }],
      ['/admin/people/fields', { label: 'X', type: 'text' }],
      [`/admin/people/fields/${field}`, { label: 'X' }],
      [`/admin/people/fields/${field}/delete`, {}],
      ['/admin/people/import/confirm', { importId: '0'.repeat(32) }],
    ];
    for (const headers of <Array<Record<string, string>>>[{ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }]) {
      for (const [url, body] of posts) {
        const response = await c.post(url, 'admin', body, headers);
        expect(response.statusCode, url).toBe(403);
        expect(response.body, url).not.toMatch(/at .*\.(?:js|ts):\d+/);
      }
    }
    expect(await c.app.db.selectFrom('departments').select('name').execute()).toEqual([{ name: 'Finance' }]);
    expect(await c.app.db.selectFrom('profile_fields').select('label').execute()).toEqual([{ label: 'Team' }]);
    expect((await userRow(c.app, c.ids.member)).job_title).toBe(before.job_title);
    // The same form from Hameau's own pages goes through.
    expect((await c.post(`/admin/people/departments/${department}`, 'admin', { name: 'Finances' }, { 'sec-fetch-site': 'same-origin' })).statusCode).toBe(303);
  });
});

describe('departments and sites', () => {
  it('adds, refuses duplicates (accents and case aside), renames, audited', async () => {
    const added = await c.post('/admin/people/departments', 'admin', { name: 'Ressources humaines' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe('/admin/people/departments');
    const page = await c.get('/admin/people/departments', 'admin', { cookie: cookiesFrom(added, c.cookies.admin) });
    expect(mainText(page)).toContain('“Ressources humaines” added.');
    const [row] = await c.app.db.selectFrom('departments').selectAll().execute();
    expect(row).toMatchObject({ name: 'Ressources humaines', sort_name: 'ressources humaines' });
    const duplicate = await c.post('/admin/people/departments', 'admin', { name: 'RESSOURCES HUMAINES' });
    expect(duplicate.statusCode).toBe(422);
    expect(mainText(duplicate)).toContain('“RESSOURCES HUMAINES” already exists.');
    expect(html(duplicate).querySelector('#name')?.getAttribute('value')).toBe('RESSOURCES HUMAINES');
    for (const name of ['', '   ', 'x'.repeat(101)]) expect((await c.post('/admin/people/departments', 'admin', { name })).statusCode, name).toBe(422);

    const renamed = await c.post(`/admin/people/departments/${row!.id}`, 'admin', { name: 'RH' });
    expect(renamed.statusCode).toBe(303);
    expect((await c.app.db.selectFrom('departments').select('name').executeTakeFirstOrThrow()).name).toBe('RH');
    await addDepartment(c.app, 'Finance');
    const clash = await c.post(`/admin/people/departments/${row!.id}`, 'admin', { name: 'finance' });
    expect(clash.statusCode).toBe(422);
    expect(mainText(clash)).toContain('already exists');
    expect((await c.post('/admin/people/departments/999', 'admin', { name: 'Nope' })).statusCode).toBe(404);

    expect(await audit('department.create')).toMatchObject([{ actor_id: c.ids.admin, subject_id: String(row!.id) }]);
    expect(JSON.parse((await audit('department.rename'))[0]!.details)).toEqual({ before: 'Ressources humaines', after: 'RH' });
  });

  it('deletes an unused one at once; one in use after a confirmation saying how many people have it, cleared on them', async () => {
    const unused = await addSite(c.app, 'Nantes');
    const lyon = await addSite(c.app, 'Lyon');
    await setProfile(c.app, c.ids.member, { site_id: lyon });
    await setProfile(c.app, c.ids.gone, { site_id: lyon });
    const list = html(await c.get('/admin/people/sites', 'admin'));
    expect(list.querySelector(`a[href="/people?site=${lyon}"]`)?.textContent).toBe('2 people');

    expect((await c.post(`/admin/people/sites/${unused}/delete`, 'admin')).statusCode).toBe(303);
    expect(await c.app.db.selectFrom('sites').select('name').execute()).toEqual([{ name: 'Lyon' }]);

    const ask = await c.post(`/admin/people/sites/${lyon}/delete`, 'admin');
    expect(ask.statusCode).toBe(200);
    expect(mainText(ask)).toContain('2 people have the site “Lyon”. Deleting it removes it from their profiles.');
    expect(html(ask).querySelector('input[name="confirm"]')?.getAttribute('value')).toBe('yes');
    expect((await userRow(c.app, c.ids.member)).site_id).toBe(lyon);

    const done = await c.post(`/admin/people/sites/${lyon}/delete`, 'admin', { confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(await c.app.db.selectFrom('sites').select('name').execute()).toEqual([]);
    expect((await userRow(c.app, c.ids.member)).site_id).toBe(null);
    expect((await userRow(c.app, c.ids.gone)).site_id).toBe(null);
    expect(JSON.parse((await audit('site.delete')).at(-1)!.details)).toEqual({ name: 'Lyon', peopleCleared: 2 });
    expect(mainText(await c.get('/admin/people/sites', 'admin', { cookie: cookiesFrom(done, c.cookies.admin) }))).toContain('“Lyon” deleted and cleared on 2 profiles.');
    expect((await c.post(`/admin/people/sites/${lyon}/delete`, 'admin', { confirm: 'yes' })).statusCode).toBe(404);
  });

  it('escapes names everywhere they are shown', async () => {
    const department = await addDepartment(c.app, '<script>alert(1)</script>');
    await setProfile(c.app, c.ids.member, { department_id: department });
    for (const url of ['/admin/people/departments', '/people', `/people/${c.ids.member}`]) {
      const response = await c.get(url, 'admin');
      expect(response.body, url).not.toContain('<script>alert(1)');
    }
    const ask = await c.post(`/admin/people/departments/${department}/delete`, 'admin');
    expect(ask.body).not.toContain('<script>alert(1)');
  });
});

describe('extra profile fields', () => {
  it('creates fields of each type, checks labels and options, edits and deletes them, audited', async () => {
    for (const [label, type, extra] of [['Nickname', 'text', {}], ['Team', 'choice', { options: 'Red\nBlue\n\nRed', inDirectory: 'yes' }], ['Arrival', 'date', {}], ['Blog', 'link', { position: '-1' }]] as const) {
      const response = await c.post('/admin/people/fields', 'admin', { label, type, ...extra });
      expect(response.statusCode, label).toBe(303);
    }
    const fields = await c.app.db.selectFrom('profile_fields').select(['label', 'type', 'options', 'in_directory', 'position']).orderBy('position').execute();
    expect(fields).toEqual([
      { label: 'Blog', type: 'link', options: '[]', in_directory: 0, position: -1 },
      { label: 'Nickname', type: 'text', options: '[]', in_directory: 0, position: 1 },
      { label: 'Team', type: 'choice', options: '["Red","Blue"]', in_directory: 1, position: 2 },
      { label: 'Arrival', type: 'date', options: '[]', in_directory: 0, position: 3 },
    ]);
    expect((await audit('profileField.create')).length).toBe(4);

    const bad: Array<[Record<string, string>, string]> = [
      [{ label: '', type: 'text' }, 'label'],
      [{ label: 'x'.repeat(61), type: 'text' }, 'label'],
      [{ label: 'Colour', type: 'colour' }, 'type'],
      [{ label: 'Colour' }, 'type'],
      [{ label: 'Colour', type: 'choice' }, 'options'],
      [{ label: 'Colour', type: 'choice', options: 'o'.repeat(61) }, 'options'],
      [{ label: 'Colour', type: 'text', position: 'first' }, 'position'],
    ];
    for (const [body, field] of bad) {
      const response = await c.post('/admin/people/fields', 'admin', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
      expect(html(response).querySelector(`#${field}-error`), JSON.stringify(body)).not.toBe(null);
      expect(html(response).querySelector('#label')?.getAttribute('value')).toBe(body.label);
    }

    const team = (await c.app.db.selectFrom('profile_fields').select('id').where('label', '=', 'Team').executeTakeFirstOrThrow()).id;
    await c.app.db.insertInto('profile_values').values([{ user_id: c.ids.member, field_id: team, value: 'Red' }, { user_id: c.ids.editor, field_id: team, value: 'Blue' }]).execute();
    const form = html(await c.get(`/admin/people/fields/${team}`, 'admin'));
    expect(form.querySelector('#options')?.textContent).toBe('Red\nBlue');
    // Removing an option removes it from the profiles that had it; the type cannot change.
    expect((await c.post(`/admin/people/fields/${team}`, 'admin', { label: 'Squad', options: 'Blue\nGreen', type: 'text' })).statusCode).toBe(303);
    expect(await c.app.db.selectFrom('profile_fields').select(['label', 'type', 'options', 'in_directory']).where('id', '=', team).executeTakeFirst()).toEqual({ label: 'Squad', type: 'choice', options: '["Blue","Green"]', in_directory: 0 });
    expect(await c.app.db.selectFrom('profile_values').select('value').execute()).toEqual([{ value: 'Blue' }]);

    expect((await c.post(`/admin/people/fields/${team}/delete`, 'admin')).statusCode).toBe(303);
    expect(await c.app.db.selectFrom('profile_values').selectAll().execute()).toEqual([]);
    expect(JSON.parse((await audit('profileField.delete'))[0]!.details)).toEqual({ label: 'Squad' });
    expect((await c.get(`/admin/people/fields/${team}`, 'admin')).statusCode).toBe(404);
  });

  it('escapes labels and options', async () => {
    await addField(c.app, { label: '<script>alert(1)</script>', type: 'choice', options: ['<b>x</b>'] });
    for (const url of ['/admin/people/fields', `/people/${c.ids.member}/edit`]) {
      const response = await c.get(url, 'admin');
      expect(response.body, url).not.toContain('<script>alert(1)');
      expect(response.body, url).not.toContain('<b>x</b>');
    }
  });
});
