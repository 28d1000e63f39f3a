// GET /account/export: a person downloads everything Hameau holds about them, as one JSON file: their
// own data (profile, what they wrote, their choices, their devices), the enabled and disabled plugins'
// parts, and nothing of anyone else's private data.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html } from '../helpers/app.js';
import { addSpaceMember, companySpaceId, createComment, createPost, createSpace } from '../helpers/content.js';
import { deactivate } from '../helpers/conversation.js';
import { createUser, gdprWorld, spyPlugin, writeNote, type Ear, type GdprWorld } from '../helpers/gdpr.js';
import { addDepartment, addField, addSite, setProfile, setSkills } from '../helpers/people.js';

type Export = Record<string, any>;

describe('downloading my data', () => {
  let w: GdprWorld;
  let ear: Ear;
  let bruno: number;
  let carol: number;
  let brunoCookie: string;

  beforeEach(async () => {
    ear = [];
    w = await gdprWorld([spyPlugin('spy', ear), spyPlugin('quiet', ear), spyPlugin('broken', ear, { exportFails: true })], { disabled: ['quiet'] });
    const app = w.app;
    bruno = await createUser(app, { email: 'bruno@example.com', name: 'Bruno Petit', locale: 'fr' });
    carol = await createUser(app, { email: 'carol@example.com', name: 'Carol Secret' });
    brunoCookie = await w.sessionOf(bruno);
    await w.sessionOf(carol);

    const department = await addDepartment(app, 'Logistique');
    const site = await addSite(app, 'Lyon');
    await setProfile(app, bruno, { job_title: 'Cariste', department_id: department, site_id: site, manager_id: carol, phone: '+33 6 00 00 00 01', bio: 'Aime les <b>chariots</b> et l’été 🚜' });
    await setProfile(app, carol, { phone: '+33 6 99 99 99 99', bio: 'Carol’s private biography' });
    await setSkills(app, bruno, ['Gestion de stock']);
    const field = await addField(app, { label: 'Badge', type: 'text' });
    await app.db.insertInto('profile_values').values({ user_id: bruno, field_id: field, value: 'B-042' }).execute();
    await app.db.insertInto('profile_values').values({ user_id: carol, field_id: field, value: 'C-SECRET' }).execute();

    const company = await companySpaceId(app);
    const board = await createSpace(app, { name: 'Board room', visibility: 'private', members: [[carol, 'admin']] });
    await addSpaceMember(app, board, bruno);
    const inBoard = await createPost(app, { spaceId: board, authorId: bruno, body: 'Bruno wrote this in the board room' });
    // Bruno leaves the private space: what he wrote there is still his.
    await app.db.deleteFrom('space_members').where('space_id', '=', board).where('user_id', '=', bruno).execute();
    await createPost(app, { spaceId: board, authorId: carol, body: 'Carol board-only plans' });
    const carolPost = await createPost(app, { spaceId: company, authorId: carol, body: 'Carol public post' });
    await createComment(app, { contentId: carolPost, authorId: bruno, body: 'Bruno **comment**' });
    await createComment(app, { contentId: inBoard, authorId: carol, body: 'Carol answer to Bruno' });
    await app.db.insertInto('reactions').values({ content_id: carolPost, user_id: bruno, reaction: 'heart', created_at: Date.now() }).execute();
    await app.db.insertInto('reactions').values({ content_id: carolPost, user_id: carol, reaction: 'wow', created_at: Date.now() }).execute();
    await app.db.insertInto('notification_preferences').values({ user_id: bruno, type: 'comment', in_app: 1, email: 'off' }).execute();
    await app.db.insertInto('content_follows').values({ content_id: carolPost, user_id: bruno, state: 'unfollowed', updated_at: Date.now() }).execute();
    await writeNote(app, 'spy', bruno, 'Bruno’s note');
    await writeNote(app, 'spy', carol, 'Carol’s note');
    await writeNote(app, 'quiet', bruno, 'kept while disabled');
  });

  afterEach(async () => {
    await w.t.close();
  });

  async function download(cookie = brunoCookie, url = '/account/export') {
    const response = await w.get(url, cookie);
    expect(response.statusCode).toBe(200);
    return { response, data: JSON.parse(response.body) as Export };
  }

  it('is a JSON file to keep: attachment named with the date, never cached', async () => {
    const { response, data } = await download();
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());
    expect(response.headers['content-disposition']).toBe(`attachment; filename="hameau-data-${today}.json"`);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(data.hameau).toMatchObject({ format: 1, organisation: 'Acme', userId: bruno });
    expect(Date.parse(data.hameau.exportedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(Object.keys(data)[0]).toBe('hameau');
  });

  it('holds my profile, with the names behind the ids, my skills and my field values', async () => {
    const { data } = await download();
    expect(data['core.profile']).toMatchObject({
      id: bruno,
      name: 'Bruno Petit',
      email: 'bruno@example.com',
      role: 'member',
      language: 'fr',
      status: 'active',
      jobTitle: 'Cariste',
      department: 'Logistique',
      site: 'Lyon',
      manager: 'Carol Secret',
      phone: '+33 6 00 00 00 01',
      bio: 'Aime les <b>chariots</b> et l’été 🚜',
      hasPhoto: false,
      skills: ['Gestion de stock'],
      fields: [{ label: 'Badge', value: 'B-042' }],
    });
  });

  it('holds what I wrote, where it is (a private space I left included), my comments, reactions and choices', async () => {
    const { data } = await download();
    const items = data['core.content'].items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'post', space: 'Board room', body: 'Bruno wrote this in the board room', deletedAt: null });
    expect(data['core.content'].comments).toEqual([expect.objectContaining({ body: 'Bruno **comment**', replyTo: null })]);
    expect(data['core.content'].reactions).toEqual([expect.objectContaining({ reaction: 'heart' })]);
    expect(data['core.notifications'].preferences).toEqual([{ type: 'comment', inApp: true, email: 'off' }]);
    // His own post he follows (authors do), Carol's he chose to stop following.
    expect(data['core.notifications'].followedItems).toEqual([
      expect.objectContaining({ contentId: items[0].id, state: 'following' }),
      expect.objectContaining({ state: 'unfollowed' }),
    ]);
    // The account's devices, by their browser: never a session id or secret.
    expect(data['core.account'].sessions).toEqual([expect.objectContaining({ device: expect.stringContaining('Firefox') })]);
    expect(Object.keys(data['core.account'].sessions[0]).sort()).toEqual(['device', 'lastSeenAt', 'signedInAt']);
  });

  it('holds nothing private of anyone else, and no password hash or token', async () => {
    const { response } = await download();
    for (const secret of ['carol@example.com', '+33 6 99 99 99 99', 'Carol’s private biography', 'C-SECRET', 'Carol board-only plans', 'Carol answer to Bruno', 'Carol public post', 'wow', 'Carol’s note', '$argon2']) {
      expect(response.body).not.toContain(secret);
    }
    const sessions = await w.app.db.selectFrom('sessions').select('id').where('user_id', '=', bruno).execute();
    for (const s of sessions) expect(response.body).not.toContain(s.id);
  });

  it('holds each plugin’s part, a disabled one’s too; a part that fails says so and the rest is there', async () => {
    const { data } = await download();
    expect(data.spy).toEqual({ note: 'Bruno’s note' });
    // Disabled, its data stays and is still the person's.
    expect(data.quiet).toEqual({ note: 'kept while disabled' });
    expect(data.broken).toEqual({ error: 'unavailable' });
    expect(data['core.profile'].name).toBe('Bruno Petit');
    expect(w.t.logs.some((l) => l.plugin === 'broken' && l.hook === 'user.export' && l.level === 50)).toBe(true);
  });

  it('is only ever mine: anonymous visitors are sent to sign in, a query cannot ask for someone else', async () => {
    const anonymous = await w.get('/account/export', null);
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Faccount%2Fexport');
    const { data } = await download(brunoCookie, `/account/export?userId=${carol}&id=${carol}`);
    expect(data.hameau.userId).toBe(bruno);
    expect(data['core.profile'].email).toBe('bruno@example.com');
    const { data: carols } = await download(await w.sessionOf(carol));
    expect(carols['core.profile'].email).toBe('carol@example.com');
    expect(JSON.stringify(carols)).not.toContain('Bruno wrote this');
  });

  it('is refused to a deactivated person, whose session no longer counts', async () => {
    await deactivate(w.app, bruno);
    const response = await w.get('/account/export', brunoCookie);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(/^\/login/);
  });

  it('is limited to a few downloads an hour per person, with a message in their language', async () => {
    for (let i = 0; i < 10; i++) expect((await w.get('/account/export', brunoCookie)).statusCode).toBe(200);
    // Bruno chose French: his pages speak it whatever the browser says.
    const refused = await w.get('/account/export', brunoCookie);
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('Vous avez téléchargé vos données plusieurs fois en peu de temps.');
    await w.app.db.updateTable('users').set({ locale: 'en' }).where('id', '=', bruno).execute();
    const english = await w.get('/account/export', brunoCookie);
    expect(english.statusCode).toBe(429);
    expect(english.body).toContain('You have downloaded your data several times in a short time.');
    // Someone else is not held back by Bruno's downloads.
    expect((await w.get('/account/export', await w.sessionOf(carol))).statusCode).toBe(200);
  });

  it('is offered on the account page, in the person’s language', async () => {
    const page = await w.get('/account', brunoCookie);
    const link = html(page).querySelector('a[href="/account/export"]');
    expect(link?.textContent.trim()).toBe('Télécharger mes données');
    expect(link?.hasAttribute('download')).toBe(true);
    // A file, not a page: htmx must not fetch it and swap JSON into the page.
    expect(link?.getAttribute('hx-boost')).toBe('false');
    const english = await w.get('/account', w.admin);
    expect(html(english).querySelector('a[href="/account/export"]')?.textContent.trim()).toBe('Download my data');
  });
});
