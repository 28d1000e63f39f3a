// A space's pages: who may see them (a private space answers 404 to outsiders, as for an id that does
// not exist), its feed, composer and "new article" link, the company space, the preview an invited
// person or a holder of the request link sees, and editing (visibility asked twice, image replaced).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, createTestApp, html, mainText, setupOrganisation, type TestApp } from '../helpers/app.js';
import { addSpaceMember, companySpaceId, createPost, createSpace } from '../helpers/content.js';
import { auditActions, multipart, noticeText, pendingKind, person, pngImage, type Person } from '../helpers/spaces.js';

let t: TestApp;
let admin: string;
let sam: Person; // admin of both spaces
let mia: Person; // member of both spaces
let eddie: Person; // editor, member of the open space
let otto: Person; // in no space
let openId: number;
let privateId: number;

beforeEach(async () => {
  t = await createTestApp();
  admin = await setupOrganisation(t.app);
  sam = await person(t.app, 'sam@example.com', { name: 'Sam' });
  mia = await person(t.app, 'mia@example.com', { name: 'Mia' });
  eddie = await person(t.app, 'eddie@example.com', { name: 'Eddie', role: 'editor' });
  otto = await person(t.app, 'otto@example.com', { name: 'Otto' });
  openId = await createSpace(t.app, { name: 'Gardening', description: 'Plants', members: [[sam.id, 'admin'], [mia.id, 'member'], [eddie.id, 'member']] });
  privateId = await createSpace(t.app, { name: 'Secret Board', visibility: 'private', description: 'Salaries', members: [[sam.id, 'admin'], [mia.id, 'member']] });
});
afterEach(async () => t.close());

const get = (url: string, cookie = admin, headers: Record<string, string> = {}) => t.app.inject({ url, headers: { cookie, ...headers } });
const post = (url: string, cookie = admin, payload: Record<string, string> = {}) => t.app.inject({ method: 'POST', url, headers: { cookie }, payload });
async function postForm(url: string, cookie: string, fields: Record<string, string>, files: Parameters<typeof multipart>[1] = []) {
  const form = await multipart(fields, files);
  return t.app.inject({ method: 'POST', url, headers: { cookie, ...form.headers }, payload: form.payload });
}

describe('who sees a space', () => {
  const pages = (id: number | string) => [`/spaces/${id}`, `/spaces/${id}/members`, `/spaces/${id}/edit`];

  it('sends visitors to sign in', async () => {
    for (const url of [...pages(privateId), ...pages(987654), ...pages('abc')]) {
      const response = await get(url, '');
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toMatch(/^\/login/);
    }
  });

  it('answers 404 to outsiders of a private space, exactly as for a space that does not exist', async () => {
    for (const url of [...pages(privateId), ...pages(987654)]) {
      const response = await get(url, otto.cookie);
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).not.toContain('Secret Board');
    }
    // Even an editor outside it.
    expect((await get(`/spaces/${privateId}`, eddie.cookie)).statusCode).toBe(404);
  });

  it('shows a space to its members, the edit page to its admins, and everything to organisation admins', async () => {
    expect((await get(`/spaces/${privateId}`, mia.cookie)).statusCode).toBe(200);
    expect((await get(`/spaces/${privateId}/members`, mia.cookie)).statusCode).toBe(200);
    expect((await get(`/spaces/${privateId}/edit`, mia.cookie)).statusCode).toBe(403);
    for (const url of pages(privateId)) {
      expect((await get(url, sam.cookie)).statusCode, url).toBe(200);
      expect((await get(url)).statusCode, url).toBe(200);
    }
    // An open space: everyone sees it; only its admins edit it.
    expect((await get(`/spaces/${openId}`, otto.cookie)).statusCode).toBe(200);
    expect((await get(`/spaces/${openId}/members`, otto.cookie)).statusCode).toBe(200);
    expect((await get(`/spaces/${openId}/edit`, otto.cookie)).statusCode).toBe(403);
  });

  it('ends with a deactivated member’s session: sign in again', async () => {
    expect((await post(`/admin/members/${mia.id}/deactivate`)).statusCode).toBe(303);
    for (const url of pages(privateId)) {
      const response = await get(url, mia.cookie);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toMatch(/^\/login/);
    }
  });
});

describe('the space page', () => {
  it('shows the space, its member count, its feed and only its own items', async () => {
    await createPost(t.app, { spaceId: openId, authorId: mia.id, body: 'Tomatoes are ripe' });
    await createPost(t.app, { spaceId: privateId, authorId: mia.id, body: 'Salary grid 2027' });
    const page = await get(`/spaces/${openId}`, otto.cookie);
    const text = mainText(page);
    expect(html(page).querySelector('h1')?.text).toBe('Gardening');
    expect(text).toContain('Plants');
    expect(text).toContain('3 members');
    expect(text).toContain('Tomatoes are ripe');
    expect(page.body).not.toContain('Salary grid');
  });

  it('offers the composer to members, and "New article" to editors and admins who may publish there', async () => {
    const composer = (r: Awaited<ReturnType<typeof get>>) => html(r).querySelector('.space-page__composer');
    const newArticle = (r: Awaited<ReturnType<typeof get>>) => html(r).querySelector(`a[href="/news/new?space=${openId}"]`);
    const asOtto = await get(`/spaces/${openId}`, otto.cookie);
    expect(composer(asOtto)).toBe(null);
    expect(newArticle(asOtto)).toBe(null);
    const asMia = await get(`/spaces/${openId}`, mia.cookie);
    expect(composer(asMia)).not.toBe(null);
    expect(html(asMia).querySelector('.space-page__composer input[name="space"]')?.getAttribute('value')).toBe(String(openId));
    expect(newArticle(asMia)).toBe(null);
    expect(newArticle(await get(`/spaces/${openId}`, eddie.cookie))?.text).toBe('New article');
    expect(newArticle(await get(`/spaces/${openId}`))).not.toBe(null);
  });

  it('shows join, leave and request buttons according to the policy', async () => {
    const actions = async (id: number, cookie: string) =>
      html(await get(`/spaces/${id}`, cookie))
        .querySelectorAll('.space-header__actions form')
        .map((f) => f.getAttribute('action')!.replace(`/spaces/${id}/`, ''));
    expect(await actions(openId, otto.cookie)).toEqual(['join']);
    expect(await actions(openId, mia.cookie)).toEqual(['leave']);
    expect(await actions(privateId, mia.cookie)).toEqual(['leave']);
    // An organisation admin outside a private space may ask to join it (and sees it anyway).
    expect(await actions(privateId, admin)).toEqual(['request']);
  });

  it('pages the feed: a "more" link without JavaScript, the cards alone for htmx', async () => {
    for (let i = 0; i < 25; i++) await createPost(t.app, { spaceId: openId, authorId: mia.id, body: `Post number ${i}`, publishedAt: Date.now() - 100_000 + i });
    const first = await get(`/spaces/${openId}`, mia.cookie);
    const more = html(first).querySelector('a[rel="next"]')!.getAttribute('href')!;
    expect(more).toMatch(new RegExp(`^/spaces/${openId}\\?after=`));
    expect(mainText(first)).toContain('Post number 24');
    expect(mainText(first)).not.toContain('Post number 0');

    const page = await get(more, mia.cookie);
    expect(page.statusCode).toBe(200);
    expect(html(page).querySelector('h1')?.text).toBe('Gardening');
    expect(mainText(page)).toContain('Post number 0');

    const fragment = await get(more, mia.cookie, { 'hx-request': 'true', 'hx-request-type': 'partial' });
    expect(fragment.statusCode).toBe(200);
    expect(fragment.body).not.toContain('<main');
    expect(fragment.body).not.toContain('space-header');
    expect(fragment.body).toContain('Post number 0');
  });
});

describe('the company space', () => {
  it('is everyone’s: no join or leave, members are every active person, admins its admins', async () => {
    const company = await companySpaceId(t.app);
    const page = await get(`/spaces/${company}`, otto.cookie);
    expect(page.statusCode).toBe(200);
    expect(html(page).querySelectorAll('.space-header__actions form')).toHaveLength(0);
    expect(mainText(page)).toContain('5 members');
    expect((await post(`/spaces/${company}/join`, otto.cookie)).statusCode).toBe(403);
    expect((await post(`/spaces/${company}/leave`, otto.cookie)).statusCode).toBe(403);

    expect((await post(`/admin/members/${otto.id}/deactivate`)).statusCode).toBe(303);
    const members = html(await get(`/spaces/${company}/members`, mia.cookie));
    const rows = members.querySelectorAll('tbody tr').map((r) => r.querySelectorAll('td').map((c) => c.text.trim().replace(/\s+/g, ' ')));
    expect(rows).toEqual([['Alice Martin', 'Space admin'], ['Eddie', 'Member'], ['Mia you', 'Member'], ['Sam', 'Member']]);
    // Nothing to manage about its membership, even for an admin.
    const asAdmin = html(await get(`/spaces/${company}/members`));
    expect(asAdmin.querySelector('form[action$="/invitations"]')).toBe(null);
    expect(asAdmin.querySelectorAll('form[action*="/members/"]')).toHaveLength(0);
    expect((await post(`/spaces/${company}/invitations`, admin, { person: 'mia@example.com' })).statusCode).toBe(404);
  });

  it('offers the composer to members as the organisation decides', async () => {
    const company = await companySpaceId(t.app);
    const hasComposer = async (cookie: string) => html(await get(`/spaces/${company}`, cookie)).querySelector('.space-page__composer') !== null;
    expect(await hasComposer(otto.cookie)).toBe(true);
    await t.app.db.updateTable('organisation').set({ member_posts_in_company: 0 }).execute();
    t.app.organisation.forget();
    expect(await hasComposer(otto.cookie)).toBe(false);
    expect(await hasComposer(eddie.cookie)).toBe(true);
    expect(await hasComposer(admin)).toBe(true);
  });

  it('can be renamed by an admin, but never changes visibility', async () => {
    const company = await companySpaceId(t.app);
    expect((await get(`/spaces/${company}/edit`, sam.cookie)).statusCode).toBe(403);
    const form = html(await get(`/spaces/${company}/edit`));
    expect(form.querySelector('input[name="visibility"]')).toBe(null);
    const saved = await postForm(`/spaces/${company}/edit`, admin, { name: 'Acme Group', description: 'All of us', visibility: 'private', confirmVisibility: 'yes' });
    expect(saved.statusCode).toBe(303);
    expect(await t.app.db.selectFrom('spaces').select(['name', 'visibility', 'description']).where('id', '=', company).executeTakeFirstOrThrow()).toEqual({
      name: 'Acme Group',
      visibility: 'company',
      description: 'All of us',
    });
  });
});

describe('a private space seen from outside', () => {
  it('shows an invited person its name and description, the invitation, and nothing of its content', async () => {
    await createPost(t.app, { spaceId: privateId, authorId: mia.id, body: 'Salary grid 2027' });
    expect((await post(`/spaces/${privateId}/invitations`, sam.cookie, { person: 'otto@example.com' })).statusCode).toBe(303);
    const page = await get(`/spaces/${privateId}`, otto.cookie);
    expect(page.statusCode).toBe(200);
    expect(html(page).querySelector('h1')?.text).toBe('Secret Board');
    expect(mainText(page)).toContain('Salaries');
    expect(page.body).not.toContain('Salary grid');
    expect(html(page).querySelector(`form[action="/spaces/${privateId}/invitation/accept"]`)).not.toBe(null);
    // Still not a member: the members page stays closed.
    expect((await get(`/spaces/${privateId}/members`, otto.cookie)).statusCode).toBe(404);
  });

  it('lets whoever holds the request link ask to join, and nobody without it', async () => {
    const members = html(await get(`/spaces/${privateId}/members`, sam.cookie));
    const link = new URL(members.querySelector('#request-link')!.getAttribute('value')!);
    expect(link.pathname).toBe(`/spaces/${privateId}`);
    const key = link.searchParams.get('key')!;
    // Members who do not manage the space do not see it; nor does an open space have one.
    expect(html(await get(`/spaces/${privateId}/members`, mia.cookie)).querySelector('#request-link')).toBe(null);
    expect(html(await get(`/spaces/${openId}/members`, sam.cookie)).querySelector('#request-link')).toBe(null);

    for (const wrong of ['', 'x', key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'), 'é'.repeat(22)]) {
      expect((await get(`/spaces/${privateId}?key=${encodeURIComponent(wrong)}`, otto.cookie)).statusCode, wrong).toBe(404);
      expect((await post(`/spaces/${privateId}/request`, otto.cookie, { key: wrong })).statusCode, wrong).toBe(404);
    }
    // Another space's key opens nothing.
    const otherId = await createSpace(t.app, { name: 'Other private', visibility: 'private' });
    expect((await get(`/spaces/${otherId}?key=${key}`, otto.cookie)).statusCode).toBe(404);
    expect(await pendingKind(t.app, privateId, otto.id)).toBe(null);

    const preview = await get(`${link.pathname}${link.search}`, otto.cookie);
    expect(preview.statusCode).toBe(200);
    expect(html(preview).querySelector('h1')?.text).toBe('Secret Board');
    const form = html(preview).querySelector(`form[action="/spaces/${privateId}/request"]`)!;
    expect(form.querySelector('input[name="key"]')?.getAttribute('value')).toBe(key);

    const asked = await post(`/spaces/${privateId}/request`, otto.cookie, { key });
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toBe(`/spaces/${privateId}`);
    expect(await pendingKind(t.app, privateId, otto.id)).toBe('request');
    // Having asked, they see the preview (and may withdraw) without the link.
    const after = await get(`/spaces/${privateId}`, cookiesFrom(asked, otto.cookie));
    expect(noticeText(after)).toBe('Your request to join Secret Board has been sent to its admins.');
    expect(html(after).querySelector(`form[action="/spaces/${privateId}/request/cancel"]`)).not.toBe(null);
    const directory = await get('/spaces', otto.cookie);
    expect(html(directory).querySelector('section[aria-labelledby="spaces-requests-title"]')?.text).toContain('Secret Board');
  });
});

describe('editing a space', () => {
  it('is for its admins and organisation admins; outsiders of a private space get 404', async () => {
    const fields = { name: 'Board', visibility: 'private' };
    expect((await postForm(`/spaces/${privateId}/edit`, otto.cookie, fields)).statusCode).toBe(404);
    expect((await postForm(`/spaces/${privateId}/edit`, mia.cookie, fields)).statusCode).toBe(403);
    expect((await postForm(`/spaces/${openId}/edit`, otto.cookie, { name: 'Mine now', visibility: 'open' })).statusCode).toBe(403);
    expect((await postForm(`/spaces/${privateId}/edit`, '', fields)).headers.location).toMatch(/^\/login/);
    expect(await t.app.db.selectFrom('spaces').select('name').where('id', '=', privateId).executeTakeFirstOrThrow()).toEqual({ name: 'Secret Board' });

    expect((await postForm(`/spaces/${privateId}/edit`, sam.cookie, { ...fields, description: 'Money' })).statusCode).toBe(303);
    expect((await postForm(`/spaces/${privateId}/edit`, admin, { name: 'The Board', visibility: 'private' })).statusCode).toBe(303);
    const audits = (await auditActions(t.app)).map((a) => [a.action, JSON.parse(a.details)]);
    expect(audits).toEqual([
      ['space.edit', { before: { name: 'Secret Board', description: 'Salaries' }, after: { name: 'Board', description: 'Money' } }],
      ['space.edit', { before: { name: 'Board', description: 'Money' }, after: { name: 'The Board', description: '' } }],
    ]);
  });

  it('prefills the form, and refuses bad input keeping what was typed', async () => {
    const form = html(await get(`/spaces/${openId}/edit`, sam.cookie));
    expect(form.querySelector('input#name')?.getAttribute('value')).toBe('Gardening');
    expect(form.querySelector('textarea#description')?.text).toBe('Plants');
    expect(form.querySelector('input#visibility')?.getAttribute('checked')).not.toBe(undefined);
    const refused = await postForm(`/spaces/${openId}/edit`, sam.cookie, { name: '   ', description: 'New words', visibility: 'open' });
    expect(refused.statusCode).toBe(422);
    expect(html(refused).querySelector('textarea#description')?.text).toBe('New words');
    expect(html(refused).querySelector('.error-summary a[href="#name"]')).not.toBe(null);
  });

  it('asks to confirm a change of visibility, explaining it, before making it', async () => {
    await createPost(t.app, { spaceId: openId, authorId: mia.id, body: 'Tomatoes are ripe' });
    const asked = await postForm(`/spaces/${openId}/edit`, sam.cookie, { name: 'Gardening', description: 'Plants', visibility: 'private' });
    expect(asked.statusCode).toBe(422);
    const page = html(asked);
    expect(page.querySelector('#confirm-visibility-title')?.text).toBe('Make this space private?');
    expect(page.text).toContain('including what was posted while it was open');
    expect(page.querySelector('input#visibility-private')?.getAttribute('checked')).not.toBe(undefined);
    expect(page.querySelector('.error-summary a[href="#confirmVisibility"]')).not.toBe(null);
    expect(await t.app.db.selectFrom('spaces').select('visibility').where('id', '=', openId).executeTakeFirstOrThrow()).toEqual({ visibility: 'open' });

    const done = await postForm(`/spaces/${openId}/edit`, sam.cookie, { name: 'Gardening', description: 'Plants', visibility: 'private', confirmVisibility: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(noticeText(await get(`/spaces/${openId}`, cookiesFrom(done, sam.cookie)))).toBe('Gardening is now private: only its members see it.');
    expect((await auditActions(t.app)).map((a) => [a.action, JSON.parse(a.details)])).toEqual([['space.changeVisibility', { before: 'open', after: 'private' }]]);
    // Outsiders lose it at once, its content with it.
    expect((await get(`/spaces/${openId}`, otto.cookie)).statusCode).toBe(404);
    expect((await get('/spaces', otto.cookie)).body).not.toContain('Gardening');
    expect((await get(`/spaces/${openId}`, eddie.cookie)).statusCode).toBe(200);

    const reopened = await postForm(`/spaces/${openId}/edit`, sam.cookie, { name: 'Gardening', visibility: 'open' });
    expect(html(reopened).querySelector('#confirm-visibility-title')?.text).toBe('Open this space to everyone?');
  });

  it('replaces the image with a new one', async () => {
    const first = await postForm(`/spaces/${openId}/edit`, sam.cookie, { name: 'Gardening', visibility: 'open' }, [{ field: 'image', name: 'a.png', type: 'image/png', bytes: await pngImage() }]);
    expect(first.statusCode).toBe(303);
    const [old] = await t.app.db.selectFrom('attachments').select('id').where('space_id', '=', openId).execute();
    expect(html(await get(`/spaces/${openId}/edit`, sam.cookie)).querySelector('.space-form__current img')?.getAttribute('src')).toBe(`/files/${old!.id}/preview`);
    const second = await postForm(`/spaces/${openId}/edit`, sam.cookie, { name: 'Gardening', visibility: 'open' }, [{ field: 'image', name: 'b.png', type: 'image/png', bytes: await pngImage() }]);
    expect(second.statusCode).toBe(303);
    const now = await t.app.db.selectFrom('attachments').select(['id', 'original_name']).where('space_id', '=', openId).execute();
    expect(now).toEqual([{ id: expect.any(Number), original_name: 'b.png' }]);
    expect(now[0]!.id).not.toBe(old!.id);
    // Saving without a new image keeps the current one.
    expect((await postForm(`/spaces/${openId}/edit`, sam.cookie, { name: 'Gardening', visibility: 'open' })).statusCode).toBe(303);
    expect(await t.app.db.selectFrom('attachments').select('id').where('space_id', '=', openId).execute()).toEqual([{ id: now[0]!.id }]);
  });
});

describe('members of a space', () => {
  it('lists active members by name with their roles, hiding deactivated people from list and count', async () => {
    const dee = await person(t.app, 'dee@example.com', { name: 'Dee' });
    await addSpaceMember(t.app, privateId, dee.id);
    expect((await post(`/admin/members/${dee.id}/deactivate`)).statusCode).toBe(303);
    const page = await get(`/spaces/${privateId}/members`, mia.cookie);
    const rows = html(page).querySelectorAll('tbody tr').map((r) => r.querySelectorAll('td').map((c) => c.text.trim().replace(/\s+/g, ' ')));
    expect(rows).toEqual([['Mia you', 'Member'], ['Sam', 'Space admin']]);
    expect(mainText(page)).toContain('2 members');
    // A plain member sees no management.
    expect(html(page).querySelectorAll('form[action*="/members/"], form[action$="/invitations"]')).toHaveLength(0);
  });

  it('pages a long list by name', async () => {
    for (let i = 0; i < 55; i++) {
      const id = (await t.app.db.insertInto('users').values({ email: `p${i}@example.com`, name: `Person ${String(i).padStart(2, '0')}`, sort_name: `person ${String(i).padStart(2, '0')}`, password_hash: 'x', role: 'member', locale: null, created_at: 1, updated_at: 1, password_changed_at: 1 }).returning('id').executeTakeFirstOrThrow()).id;
      await addSpaceMember(t.app, openId, id);
    }
    const names = (r: Awaited<ReturnType<typeof get>>) => html(r).querySelectorAll('tbody tr td:first-child bdi').map((b) => b.text);
    const first = await get(`/spaces/${openId}/members`, otto.cookie);
    expect(names(first)).toHaveLength(50);
    expect(names(first).slice(0, 3)).toEqual(['Eddie', 'Mia', 'Person 00']);
    const next = html(first).querySelector('a[rel="next"]')!.getAttribute('href')!;
    const second = await get(next, otto.cookie);
    expect(names(second)).toEqual(['Person 48', 'Person 49', 'Person 50', 'Person 51', 'Person 52', 'Person 53', 'Person 54', 'Sam']);
    expect(html(second).querySelector(`nav.actions a[href="/spaces/${openId}/members"]`)?.text).toBe('First page');
  });
});
