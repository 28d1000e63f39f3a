// The spaces directory, the header's "Spaces" / "My spaces", and creating a space: who sees which
// spaces (private ones never named to outsiders), who may create, what bad input gets back.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, createTestApp, html, mainText, setupOrganisation, type TestApp } from '../helpers/app.js';
import { companySpaceId, createSpace } from '../helpers/content.js';
import { auditActions, membership, multipart, navSpaces, noticeText, person, pngImage, type Person } from '../helpers/spaces.js';

let t: TestApp;
let admin: string;
beforeEach(async () => {
  t = await createTestApp();
  admin = await setupOrganisation(t.app);
});
afterEach(async () => t.close());

const get = (url: string, cookie = admin, headers: Record<string, string> = {}) => t.app.inject({ url, headers: { cookie, ...headers } });
async function postForm(url: string, cookie: string, fields: Record<string, string | string[]>, files: Parameters<typeof multipart>[1] = []) {
  const form = await multipart(fields, files);
  return t.app.inject({ method: 'POST', url, headers: { cookie, ...form.headers }, payload: form.payload });
}
const sectionNames = (response: Awaited<ReturnType<typeof get>>, section: string) =>
  html(response)
    .querySelectorAll(`section[aria-labelledby="spaces-${section}-title"] .space-card__name`)
    .map((n) => n.text.trim());

describe('the directory', () => {
  let sam: Person;
  let mia: Person;
  let otto: Person;
  beforeEach(async () => {
    sam = await person(t.app, 'sam@example.com', { name: 'Sam' });
    mia = await person(t.app, 'mia@example.com', { name: 'Mia' });
    otto = await person(t.app, 'otto@example.com', { name: 'Otto' });
    await createSpace(t.app, { name: 'Gardening', members: [[sam.id, 'admin']] });
    await createSpace(t.app, { name: 'Secret Board', visibility: 'private', description: 'Salaries', members: [[sam.id, 'admin'], [mia.id, 'member']] });
    await createSpace(t.app, { name: 'Apiculture', members: [[mia.id, 'member']] });
  });

  it('lists the company space, my spaces, and the open spaces I may join', async () => {
    const page = await get('/spaces', mia.cookie);
    expect(page.statusCode).toBe(200);
    expect(sectionNames(page, 'company')).toEqual(['Acme']);
    expect(sectionNames(page, 'mine')).toEqual(['Apiculture', 'Secret Board']);
    expect(sectionNames(page, 'open')).toEqual(['Gardening']);
    // Join buttons only where the policy lets her join.
    const joins = html(page).querySelectorAll('form[action$="/join"]').map((f) => f.getAttribute('action'));
    expect(joins).toHaveLength(1);
    expect(html(page).querySelector('section[aria-labelledby="spaces-private-title"]')).toBe(null);
  });

  it('never names a private space to someone outside it, on /spaces or in the header', async () => {
    for (const response of [await get('/spaces', otto.cookie), await get('/', otto.cookie), await get('/spaces?section=private', otto.cookie)]) {
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toContain('Secret Board');
      expect(response.body).not.toContain('Salaries');
    }
    expect(sectionNames(await get('/spaces', otto.cookie), 'open')).toEqual(['Apiculture', 'Gardening']);
    expect(navSpaces(await get('/', otto.cookie))).toEqual([]);
  });

  it('shows an admin the private spaces they are not in, saying why', async () => {
    const page = await get('/spaces');
    expect(sectionNames(page, 'private')).toEqual(['Secret Board']);
    expect(mainText(page)).toContain('As an administrator of the organisation, you can see these private spaces');
  });

  it('lists my spaces in the header, sorted by name, marking the one I am on', async () => {
    const home = await get('/', mia.cookie);
    expect(html(home).querySelector('.site-nav a[href="/spaces"]')?.text).toBe('Spaces');
    expect(html(home).querySelector('.site-nav details.nav-spaces summary')?.text.trim()).toBe('My spaces');
    expect(navSpaces(home)).toEqual(['Apiculture', 'Secret Board']);
    expect(html(home).querySelectorAll('.nav-spaces [aria-current]')).toHaveLength(0);

    const secret = await t.app.db.selectFrom('spaces').select('id').where('name', '=', 'Secret Board').executeTakeFirstOrThrow();
    const onSpace = html(await get(`/spaces/${secret.id}`, mia.cookie));
    expect(onSpace.querySelector('.nav-spaces a[aria-current="page"]')?.text.trim()).toBe('Secret Board');
    const onMembers = html(await get(`/spaces/${secret.id}/members`, mia.cookie));
    expect(onMembers.querySelector('.nav-spaces a[aria-current="true"]')?.text.trim()).toBe('Secret Board');
    expect(html(await get('/spaces', mia.cookie)).querySelector('.site-nav a[href="/spaces"]')?.getAttribute('aria-current')).toBe('page');
  });

  it('pages each part of the directory by name', async () => {
    for (let i = 0; i < 30; i++) await createSpace(t.app, { name: `Team ${String(i).padStart(2, '0')}` });
    const first = await get('/spaces', otto.cookie);
    const open = sectionNames(first, 'open');
    expect(open).toHaveLength(24);
    expect(open.slice(0, 2)).toEqual(['Apiculture', 'Gardening']);
    const more = html(first).querySelector('section[aria-labelledby="spaces-open-title"] a[rel="next"]')!.getAttribute('href')!;
    expect(more).toMatch(/^\/spaces\?section=open&after=/);

    const second = await get(more, otto.cookie);
    const rest = sectionNames(second, 'open');
    expect(rest).toEqual(['Team 22', 'Team 23', 'Team 24', 'Team 25', 'Team 26', 'Team 27', 'Team 28', 'Team 29']);
    expect(html(second).querySelector('a[rel="next"]')).toBe(null);
    expect(html(second).querySelector('a[href="/spaces?section=open"]')?.text).toBe('First page');
    // One part at a time: nothing else on that page.
    expect(html(second).querySelector('section[aria-labelledby="spaces-mine-title"]')).toBe(null);
    // A cursor that is not one gives the first page.
    expect(sectionNames(await get('/spaces?section=open&after=nonsense', otto.cookie), 'open')).toEqual(open);
  });

  it('sends visitors to sign in, and a deactivated member too (their session ended)', async () => {
    for (const url of ['/spaces', '/spaces/new', '/spaces?section=open']) {
      const response = await get(url, '');
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toMatch(/^\/login/);
    }
    expect((await t.app.inject({ method: 'POST', url: `/admin/members/${otto.id}/deactivate`, headers: { cookie: admin } })).statusCode).toBe(303);
    const gone = await get('/spaces', otto.cookie);
    expect(gone.statusCode).toBe(303);
    expect(gone.headers.location).toMatch(/^\/login/);
  });
});

describe('creating a space', () => {
  let mia: Person;
  beforeEach(async () => {
    mia = await person(t.app, 'mia@example.com', { name: 'Mia' });
  });

  it('makes its creator its admin, audits it, and shows it', async () => {
    expect(html(await get('/spaces', mia.cookie)).querySelector('a[href="/spaces/new"]')?.text).toBe('Create a space');
    const form = await get('/spaces/new', mia.cookie);
    expect(form.statusCode).toBe(200);
    expect(html(form).querySelector('form[action="/spaces/new"]')?.getAttribute('enctype')).toBe('multipart/form-data');

    const created = await postForm('/spaces/new', mia.cookie, { name: '  Cycling   club ', description: 'Rides on Sundays.\r\nAll levels.', visibility: 'open' });
    expect(created.statusCode).toBe(303);
    const id = Number(/^\/spaces\/(\d+)$/.exec(created.headers.location as string)![1]);
    const row = await t.app.db.selectFrom('spaces').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Cycling club', sort_name: 'cycling club', description: 'Rides on Sundays.\nAll levels.', visibility: 'open', created_by: mia.id });
    expect(await membership(t.app, id, mia.id)).toBe('admin');
    expect(await auditActions(t.app)).toEqual([{ action: 'space.create', subject_id: String(id), details: JSON.stringify({ name: 'Cycling club', visibility: 'open' }) }]);

    const page = await get(`/spaces/${id}`, cookiesFrom(created, mia.cookie));
    expect(noticeText(page)).toBe('The space Cycling club is created, and you are its admin.');
    expect(navSpaces(page)).toEqual(['Cycling club']);
    // Same name again: allowed, a second space.
    expect((await postForm('/spaces/new', mia.cookie, { name: 'Cycling club', visibility: 'private' })).statusCode).toBe(303);
    expect(await t.app.db.selectFrom('spaces').select('id').where('name', '=', 'Cycling club').execute()).toHaveLength(2);
  });

  it('obeys the organisation setting: admins only', async () => {
    await t.app.db.updateTable('organisation').set({ space_creation: 'admins' }).execute();
    t.app.organisation.forget();
    expect(html(await get('/spaces', mia.cookie)).querySelector('a[href="/spaces/new"]')).toBe(null);
    expect((await get('/spaces/new', mia.cookie)).statusCode).toBe(403);
    expect((await postForm('/spaces/new', mia.cookie, { name: 'Nope', visibility: 'open' })).statusCode).toBe(403);
    expect(await t.app.db.selectFrom('spaces').select('id').where('name', '=', 'Nope').execute()).toEqual([]);

    expect(html(await get('/spaces')).querySelector('a[href="/spaces/new"]')).not.toBe(null);
    expect((await postForm('/spaces/new', admin, { name: 'Board', visibility: 'private' })).statusCode).toBe(303);
  });

  it.each([
    ['an empty name', { name: '', visibility: 'open' }, 'name', 'This field is required.'],
    ['a name of spaces only', { name: ' \t  ', visibility: 'open' }, 'name', 'This field is required.'],
    ['a name too long', { name: 'x'.repeat(101), visibility: 'open' }, 'name', 'Enter no more than 100 characters.'],
    ['a description too long', { name: 'Fine', description: 'd'.repeat(1001), visibility: 'open' }, 'description', 'Enter no more than 1,000 characters.'],
    ['no visibility', { name: 'Fine' }, 'visibility', 'This field is required.'],
    ['the company visibility', { name: 'Fine', visibility: 'company' }, 'visibility', 'Choose one of the options.'],
    ['a repeated name', { name: ['One', 'Two'], visibility: 'open' }, 'name', 'This field was sent more than once. Fill it in again.'],
  ])('refuses %s with a message, keeping what was typed', async (_case, fields, field, message) => {
    const before = await t.app.db.selectFrom('spaces').select('id').execute();
    const response = await postForm('/spaces/new', mia.cookie, { description: 'Kept description', ...fields });
    expect(response.statusCode).toBe(422);
    const page = html(response);
    expect(page.querySelector('.error-summary')?.text).toContain(message);
    expect(page.querySelector(`.error-summary a[href="#${field}"]`)).not.toBe(null);
    expect(page.querySelector(`#${field}`)).not.toBe(null);
    if (field !== 'description') expect(page.querySelector('textarea#description')?.text).toBe('Kept description');
    expect(await t.app.db.selectFrom('spaces').select('id').execute()).toEqual(before);
  });

  it('accepts an image, refuses anything else, and keeps an image across a refused form', async () => {
    const png = await pngImage();
    const notImage = await postForm('/spaces/new', mia.cookie, { name: 'Photos', visibility: 'open' }, [
      { field: 'image', name: 'notes.txt', type: 'image/png', bytes: Buffer.from('just some text, not a picture') },
    ]);
    expect(notImage.statusCode).toBe(422);
    expect(html(notImage).querySelector('#image')?.getAttribute('aria-invalid')).toBe('true');
    expect(html(notImage).querySelector('input#name')?.getAttribute('value')).toBe('Photos');

    // The image came with a form refused for its name: it waits, ticked, for the next try.
    const refused = await postForm('/spaces/new', mia.cookie, { name: '', visibility: 'open' }, [{ field: 'image', name: 'team.png', type: 'image/png', bytes: png }]);
    expect(refused.statusCode).toBe(422);
    const kept = html(refused).querySelector('input[name="imageIds"]');
    expect(kept?.getAttribute('checked')).not.toBe(undefined);
    expect(html(refused).text).toContain('team.png');

    const created = await postForm('/spaces/new', mia.cookie, { name: 'Photos', visibility: 'open', imageIds: kept!.getAttribute('value')! });
    expect(created.statusCode).toBe(303);
    const id = Number((created.headers.location as string).split('/').pop());
    const images = await t.app.db.selectFrom('attachments').select(['id', 'space_id', 'purpose']).where('space_id', '=', id).execute();
    expect(images).toEqual([{ id: Number(kept!.getAttribute('value')), space_id: id, purpose: 'space-image' }]);
    const page = await get(`/spaces/${id}`, mia.cookie);
    expect(html(page).querySelector('.space-header__image')?.getAttribute('src')).toBe(`/files/${images[0]!.id}/preview`);
    expect(html(await get('/spaces', mia.cookie)).querySelector('section[aria-labelledby="spaces-mine-title"] img.space-card__image')?.getAttribute('src')).toBe(`/files/${images[0]!.id}/preview`);
  });

  it('does not let a form claim someone else’s upload as its image', async () => {
    const otto = await person(t.app, 'otto@example.com');
    const refused = await postForm('/spaces/new', otto.cookie, { name: '', visibility: 'open' }, [{ field: 'image', name: 'a.png', type: 'image/png', bytes: await pngImage() }]);
    const theirs = html(refused).querySelector('input[name="imageIds"]')!.getAttribute('value')!;
    const created = await postForm('/spaces/new', mia.cookie, { name: 'Mine', visibility: 'open', imageIds: theirs });
    expect(created.statusCode).toBe(303);
    const row = await t.app.db.selectFrom('attachments').select(['space_id']).where('id', '=', Number(theirs)).executeTakeFirstOrThrow();
    expect(row.space_id).toBe(null);
  });

  it('shows names and descriptions as typed: escaped, unicode kept', async () => {
    const name = '<script>alert("n")</script> Équipe 🚀 فريق';
    const description = '<img src=x onerror=alert(1)> & <b>bold</b>';
    const created = await postForm('/spaces/new', mia.cookie, { name, description, visibility: 'private' });
    expect(created.statusCode).toBe(303);
    const id = Number((created.headers.location as string).split('/').pop());
    for (const url of ['/spaces', `/spaces/${id}`, `/spaces/${id}/members`, `/spaces/${id}/edit`, '/']) {
      const response = await get(url, mia.cookie);
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).not.toContain('<script>alert');
      expect(response.body, url).not.toContain('<img src=x');
      expect(response.body, url).toContain('&lt;script&gt;alert(');
    }
    expect(navSpaces(await get('/', mia.cookie))).toEqual([name]);
    const page = html(await get(`/spaces/${id}`, mia.cookie));
    expect(page.querySelector('h1')?.text).toBe(name);
    expect(page.querySelector('.space-header__description')?.text).toBe(description);
    expect(html(await get('/spaces', mia.cookie)).querySelector('.space-card__description')?.text).toBe(description);
  });

  it('speaks French to whoever chose it, with every message found', async () => {
    const zoe = await person(t.app, 'zoe@example.com', { name: 'Zoé', locale: 'fr' });
    const id = await createSpace(t.app, { name: 'Potager', visibility: 'private', members: [[zoe.id, 'admin']] });
    await createSpace(t.app, { name: 'Vélo' });
    const invalid = await postForm('/spaces/new', zoe.cookie, { name: '', visibility: 'open' });
    expect(mainText(invalid)).toContain('Ce champ est obligatoire.');
    const confirm = await postForm(`/spaces/${id}/edit`, zoe.cookie, { name: 'Potager', visibility: 'open' });
    expect(html(confirm).querySelector('#confirm-visibility-title')?.text).toBe('Ouvrir cet espace à tout le monde\u202f?');
    for (const response of [await get('/spaces', zoe.cookie), await get(`/spaces/${id}`, zoe.cookie), await get(`/spaces/${id}/members`, zoe.cookie), await get(`/spaces/${id}/edit`, zoe.cookie), await get('/spaces/new', zoe.cookie), invalid, confirm]) {
      expect(response.body).toContain('<html lang="fr">');
      // A missing message shows as its key.
      expect(response.body).not.toMatch(/\bspaces\.[a-z]+\.[a-zA-Z]/);
    }
    expect(html(await get('/spaces', zoe.cookie)).querySelector('.site-nav a[href="/spaces"]')?.text).toBe('Espaces');
    expect(mainText(await get(`/spaces/${id}/members`, zoe.cookie))).toContain('Lien pour demander à rejoindre');
  });

  it('counts the company space’s members: every active person', async () => {
    const company = await companySpaceId(t.app);
    const page = html(await get('/spaces', mia.cookie));
    expect(page.querySelector(`section[aria-labelledby="spaces-company-title"] a[href="/spaces/${company}"]`)).not.toBe(null);
    expect(page.querySelector('section[aria-labelledby="spaces-company-title"] .space-card__meta')?.text).toContain('2 members');
  });
});
