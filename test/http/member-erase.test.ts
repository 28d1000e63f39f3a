// Erasing a deactivated member's data (GDPR): only an admin, only for a deactivated member, only with
// the person's email typed to confirm; all of it in one transaction with every plugin's part, or none.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html, mainText, cookiesFrom } from '../helpers/app.js';
import { companySpaceId, createComment, createPost, createSpace } from '../helpers/content.js';
import { deactivate } from '../helpers/conversation.js';
import { createUser, gdprWorld, noteOf, PASSWORD, spyPlugin, writeNote, type Ear, type GdprWorld } from '../helpers/gdpr.js';
import { addField, setProfile, setSkills } from '../helpers/people.js';
import { samplePng } from '../helpers/attachments.js';

const PHOTO_KEY = '0123456789abcdef0123456789abcdef';

describe('erasing a member’s data', () => {
  let w: GdprWorld;
  let ear: Ear;
  let gaston: number;
  let bruno: number;
  let brunoCookie: string;
  let post: number;
  let photoFile: string;

  async function build(plugins = [spyPlugin('spy', (ear = []))]) {
    w = await gdprWorld(plugins);
    const app = w.app;
    gaston = await createUser(app, { email: 'gaston.zephyrin@example.com', name: 'Gaston Zéphyrin' });
    bruno = await createUser(app, { email: 'bruno@example.com', name: 'Bruno Petit' });
    brunoCookie = await w.sessionOf(bruno);
    await w.sessionOf(gaston);
    await setProfile(app, gaston, { job_title: 'Archiviste', phone: '+33 6 12 34 56 78', bio: 'Collectionne les tampons', languages: 'Occitan' });
    await setSkills(app, gaston, ['Reliure']);
    const field = await addField(app, { label: 'Badge', type: 'text', inDirectory: true });
    await app.db.insertInto('profile_values').values({ user_id: gaston, field_id: field, value: 'G-007' }).execute();
    const photos = path.join(w.t.dataDir, 'photos');
    fs.mkdirSync(photos, { recursive: true });
    photoFile = path.join(photos, `${PHOTO_KEY}.webp`);
    fs.writeFileSync(photoFile, await samplePng());
    await app.db.updateTable('users').set({ photo_id: PHOTO_KEY }).where('id', '=', gaston).execute();
    const company = await companySpaceId(app);
    const team = await createSpace(app, { name: 'Archives', visibility: 'private', members: [[gaston, 'admin'], [bruno, 'member']] });
    post = await createPost(app, { spaceId: company, authorId: gaston, body: 'Gaston’s farewell post' });
    await createComment(app, { contentId: post, authorId: bruno, body: 'Bruno says goodbye' });
    await createPost(app, { spaceId: team, authorId: gaston, body: 'Inventory of the archives' });
    await app.db.insertInto('notification_preferences').values({ user_id: gaston, type: 'comment', in_app: 1, email: 'off' }).execute();
    await app.db.insertInto('notifications').values({ user_id: gaston, type: 'comment', actor_id: bruno, content_id: post, comment_id: null, space_id: null, created_at: Date.now(), read_at: null }).execute();
    await app.db.insertInto('space_follows').values({ space_id: company, user_id: gaston, created_at: Date.now() }).execute();
    await app.db.insertInto('password_resets').values({ user_id: gaston, token_hash: Buffer.alloc(32, 1), created_at: Date.now(), expires_at: Date.now() + 3_600_000, used_at: null }).execute();
    await writeNote(app, 'spy', gaston, 'Gaston’s note');
    await writeNote(app, 'spy', bruno, 'Bruno’s note');
    // Found by search before the erasure (the tests below show he no longer is).
    expect((await w.get('/search?q=Zéphyrin', brunoCookie)).body).toContain(`href="/people/${gaston}"`);
  }

  afterEach(async () => {
    await w?.t.close();
  });

  const erase = (cookie: string | null, email: string, id = gaston) => w.post(`/admin/members/${id}/erase`, cookie, { email });
  const deactivateThroughPage = (id = gaston) => w.post(`/admin/members/${id}/deactivate`, w.admin);
  const userRow = (id = gaston) => w.app.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  describe('who may, and when', () => {
    beforeEach(async () => build());

    it('offers the action on the members page for a deactivated member only', async () => {
      const before = html(await w.get('/admin/members', w.admin));
      expect(before.querySelector(`a[href="/admin/members/${gaston}/erase"]`)).toBeNull();
      expect((await deactivateThroughPage()).statusCode).toBe(303);
      const after = html(await w.get('/admin/members', w.admin));
      const link = after.querySelector(`a[href="/admin/members/${gaston}/erase"]`);
      expect(link?.textContent).toContain('Erase data');
      expect(after.querySelector(`a[href="/admin/members/${bruno}/erase"]`)).toBeNull();
    });

    it('refuses an active member with a clear message, before and after the confirmation', async () => {
      const page = await w.get(`/admin/members/${gaston}/erase`, w.admin);
      expect(page.statusCode).toBe(403);
      expect(mainText(page)).toContain('Only a deactivated member’s data can be erased. Deactivate them first.');
      await w.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', w.adminId).execute();
      const french = await w.get(`/admin/members/${gaston}/erase`, w.admin);
      expect(mainText(french)).toContain('Seules les données d’un compte désactivé peuvent être effacées.');
      const posted = await erase(w.admin, 'gaston.zephyrin@example.com');
      expect(posted.statusCode).toBe(403);
      expect((await userRow()).name).toBe('Gaston Zéphyrin');
    });

    it('is for admins only: visitors sign in, members and editors are refused, unknown ids are not found', async () => {
      await deactivate(w.app, gaston);
      const anonymous = await w.get(`/admin/members/${gaston}/erase`, null);
      expect(anonymous.statusCode).toBe(303);
      expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent(`/admin/members/${gaston}/erase`)}`);
      expect((await erase(null, 'gaston.zephyrin@example.com')).headers.location).toMatch(/^\/login/);
      const editor = await w.sessionOf(await createUser(w.app, { email: 'eve@example.com', name: 'Eve Editor', role: 'editor' }));
      for (const cookie of [brunoCookie, editor]) {
        expect((await w.get(`/admin/members/${gaston}/erase`, cookie)).statusCode).toBe(403);
        expect((await erase(cookie, 'gaston.zephyrin@example.com')).statusCode).toBe(403);
      }
      expect((await w.get('/admin/members/99999/erase', w.admin)).statusCode).toBe(404);
      expect((await w.get('/admin/members/abc/erase', w.admin)).statusCode).toBe(404);
      expect((await userRow()).status).toBe('deactivated');
    });

    it('says exactly what happens and asks for the person’s email, in the admin’s language', async () => {
      await deactivate(w.app, gaston);
      const page = await w.get(`/admin/members/${gaston}/erase`, w.admin);
      expect(page.statusCode).toBe(200);
      const text = mainText(page);
      expect(text).toContain('Erase the data of Gaston Zéphyrin');
      expect(text).toContain('Their name becomes “Former member” everywhere');
      expect(text).toContain('What they wrote stays where it is');
      expect(text).toContain('This cannot be undone.');
      expect(text).toContain('Their address is gaston.zephyrin@example.com.');
      const input = html(page).querySelector('form[action$="/erase"] input[name="email"]');
      expect(input?.getAttribute('id')).toBe('email');
      expect(html(page).querySelector('label[for="email"]')?.textContent).toContain('type the email address of this person');
      // A French-speaking admin reads French (the neutral name is in the organisation's language).
      await w.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', w.adminId).execute();
      const inFrench = await w.get(`/admin/members/${gaston}/erase`, w.admin);
      expect(mainText(inFrench)).toContain('Son nom devient « Former member » partout');
    });

    it('needs the right email typed: missing, blank, wrong or someone else’s is refused and nothing is erased', async () => {
      await deactivate(w.app, gaston);
      for (const typed of ['', '   ', 'gaston@example.com', 'bruno@example.com', '<script>alert(1)</script>', 'gaston.zephyrin@example.com.evil']) {
        const response = await erase(w.admin, typed);
        expect(response.statusCode).toBe(422);
        expect(mainText(response)).toContain('Type the email address of this person exactly as shown, to confirm.');
        const input = html(response).querySelector('input[name="email"]');
        expect(input?.getAttribute('value')).toBe(typed.trim());
        expect(input?.getAttribute('aria-invalid')).toBe('true');
      }
      expect((await erase(w.admin, '<script>alert(1)</script>')).body).not.toContain('<script>alert(1)</script>');
      await w.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', w.adminId).execute();
      expect(mainText(await erase(w.admin, 'nope@example.com'))).toContain('Saisissez l’adresse e-mail de cette personne exactement comme indiquée');
      const row = await userRow();
      expect(row).toMatchObject({ name: 'Gaston Zéphyrin', status: 'deactivated', email: 'gaston.zephyrin@example.com' });
      expect(await noteOf(w.app, 'spy', gaston)).toBe('Gaston’s note');
      expect(await w.app.db.selectFrom('audit_log').select('id').where('action', '=', 'member.erase').execute()).toEqual([]);
    });

    it('refuses when the member was reactivated after the page was opened', async () => {
      await deactivate(w.app, gaston);
      expect((await w.get(`/admin/members/${gaston}/erase`, w.admin)).statusCode).toBe(200);
      expect((await w.post(`/admin/members/${gaston}/reactivate`, w.admin)).statusCode).toBe(303);
      const response = await erase(w.admin, 'gaston.zephyrin@example.com');
      expect(response.statusCode).toBe(403);
      expect((await userRow()).name).toBe('Gaston Zéphyrin');
    });
  });

  describe('once erased', () => {
    beforeEach(async () => {
      await build();
      expect((await deactivateThroughPage()).statusCode).toBe(303);
      const done = await erase(w.admin, '  Gaston.Zephyrin@Example.com ');
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/admin/members');
      const list = await w.get('/admin/members', cookiesFrom(done, w.admin));
      expect(mainText(list)).toContain('The data of this person has been erased. What they wrote now shows “Former member” as its author.');
    });

    it('keeps the account only as a neutral name, with no address, password or profile', async () => {
      const row = await userRow();
      expect(row).toMatchObject({
        name: 'Former member',
        sort_name: 'former member',
        email: `erased-${gaston}@erased.invalid`,
        password_hash: '',
        status: 'erased',
        locale: null,
        job_title: null,
        phone: null,
        bio: null,
        languages: null,
        photo_id: null,
        department_id: null,
        site_id: null,
        manager_id: null,
      });
      const count = async (table: 'user_skills' | 'profile_values' | 'sessions' | 'password_resets' | 'notification_preferences' | 'notifications' | 'space_follows' | 'content_follows' | 'space_members') =>
        (await w.app.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', gaston).executeTakeFirstOrThrow()).n;
      for (const table of ['user_skills', 'profile_values', 'sessions', 'password_resets', 'notification_preferences', 'notifications', 'space_follows', 'content_follows', 'space_members'] as const) {
        expect({ table, rows: await count(table) }).toEqual({ table, rows: 0 });
      }
      expect(await w.app.db.selectFrom('invitations').select('id').where('email', '=', 'gaston.zephyrin@example.com').execute()).toEqual([]);
      expect(fs.existsSync(photoFile)).toBe(false);
      // The search index already has his new (empty) profile, before anyone searches.
      expect(await w.app.db.selectFrom('search_queue').selectAll().where('source', '=', 'person').where('key', '=', gaston).execute()).toEqual([]);
      // What he wrote stays, authored by the former member; others' comments on it too.
      const kept = await w.app.db.selectFrom('content').select(['id', 'author_id', 'deleted_at']).where('author_id', '=', gaston).execute();
      expect(kept).toHaveLength(2);
      expect(kept.every((c) => c.deleted_at === null)).toBe(true);
    });

    it('ran every plugin’s part, and wrote an audit entry with nothing about the person but the id', async () => {
      expect(await noteOf(w.app, 'spy', gaston)).toBe('erased');
      expect(await noteOf(w.app, 'spy', bruno)).toBe('Bruno’s note');
      const audit = await w.app.db.selectFrom('audit_log').selectAll().where('action', '=', 'member.erase').execute();
      expect(audit).toHaveLength(1);
      // The status change only: nothing that was erased.
      expect(audit[0]).toMatchObject({ actor_id: w.adminId, subject_type: 'user', subject_id: String(gaston) });
      expect(JSON.parse(audit[0]!.details)).toEqual({ status: { before: 'deactivated', after: 'erased' } });
    });

    it('cannot sign in with the old address or the new one, and cannot be reactivated or erased again', async () => {
      for (const email of ['gaston.zephyrin@example.com', `erased-${gaston}@erased.invalid`]) {
        const response = await w.post('/login', null, { email, password: PASSWORD });
        expect(response.statusCode).toBe(422);
      }
      expect((await w.post(`/admin/members/${gaston}/reactivate`, w.admin)).statusCode).toBe(403);
      expect((await userRow()).status).toBe('erased');
      expect((await w.get(`/admin/members/${gaston}/erase`, w.admin)).statusCode).toBe(404);
      const list = html(await w.get('/admin/members', w.admin));
      const row = list.querySelectorAll('tbody tr').find((tr) => tr.textContent.includes(`erased-${gaston}@erased.invalid`));
      expect(row?.textContent).toContain('Data erased');
      expect(row?.querySelector('form[action$="/reactivate"]')).toBeNull();
    });

    it('cannot have a profile again: even an admin may not edit it', async () => {
      expect((await w.get(`/people/${gaston}/edit`, w.admin)).statusCode).toBe(403);
      expect((await w.post(`/people/${gaston}/edit`, w.admin, { jobTitle: 'Back again' })).statusCode).toBe(403);
      expect(html(await w.get(`/people/${gaston}`, w.admin)).querySelector(`a[href="/people/${gaston}/edit"]`)).toBeNull();
      expect((await userRow()).job_title).toBeNull();
    });

    it('can be invited again only as someone new: the old address makes a new account', async () => {
      const invited = await w.post('/admin/invitations', w.admin, { email: 'gaston.zephyrin@example.com', role: 'member', locale: 'en' });
      expect(invited.statusCode).toBe(303);
      const invitation = await w.app.db.selectFrom('invitations').select(['email', 'accepted_user_id']).where('email', '=', 'gaston.zephyrin@example.com').executeTakeFirstOrThrow();
      expect(invitation.accepted_user_id).toBeNull();
      expect((await userRow()).email).toBe(`erased-${gaston}@erased.invalid`);
    });

    it('is gone from the directory, search and mention suggestions; the profile and posts show the neutral name', async () => {
      expect(mainText(await w.get('/people', brunoCookie))).not.toContain('Former member');
      expect(mainText(await w.get('/people?q=Zéphyrin', brunoCookie))).not.toContain('Zéphyrin');
      const search = await w.get('/search?q=Zéphyrin', brunoCookie);
      expect(search.body).not.toContain(`href="/people/${gaston}"`);
      expect((await w.get('/search?q=Former', brunoCookie)).body).not.toContain(`href="/people/${gaston}"`);
      expect((await w.get('/people/suggest?q=Gas', brunoCookie)).body).not.toContain('Gaston');
      expect((await w.get('/people/suggest?q=Former', brunoCookie)).body).not.toContain(`${gaston}`);
      const profile = await w.get(`/people/${gaston}`, brunoCookie);
      expect(profile.statusCode).toBe(200);
      expect(html(profile).querySelector('h1')?.textContent).toContain('Former member');
      for (const gone of ['Zéphyrin', 'Archiviste', '+33 6 12 34 56 78', 'Collectionne', 'Occitan', 'Reliure', 'G-007', PHOTO_KEY]) expect(profile.body).not.toContain(gone);
      const page = await w.get(`/content/${post}`, brunoCookie);
      expect(mainText(page)).toContain('Former member');
      expect(mainText(page)).toContain('Gaston’s farewell post');
      expect(page.body).not.toContain('Zéphyrin');
      expect(mainText(page)).toContain('Bruno says goodbye');
    });
  });

  it('uses the organisation’s language for the neutral name', async () => {
    await build();
    await w.app.db.updateTable('organisation').set({ default_locale: 'fr' }).execute();
    w.app.organisation.forget();
    await deactivate(w.app, gaston);
    expect((await erase(w.admin, 'gaston.zephyrin@example.com')).statusCode).toBe(303);
    expect((await userRow()).name).toBe('Ex-membre');
  });

  it('reaches a disabled plugin’s part too: its data stays while it is off, so it is erased as well', async () => {
    ear = [];
    w = await gdprWorld([spyPlugin('spy', ear), spyPlugin('quiet', ear)], { disabled: ['quiet'] });
    const person = await createUser(w.app, { email: 'dora@example.com', name: 'Dora Leaving' });
    await writeNote(w.app, 'quiet', person, 'Dora’s note');
    await deactivate(w.app, person);
    expect((await erase(w.admin, 'dora@example.com', person)).statusCode).toBe(303);
    expect(await noteOf(w.app, 'quiet', person)).toBe('erased');
  });

  it('rolls everything back when a plugin’s part fails, and tells the admin which part', async () => {
    ear = [];
    await build([spyPlugin('spy', ear), spyPlugin('fragile', ear, { eraseFails: true })]);
    await writeNote(w.app, 'fragile', gaston, 'Fragile note');
    await deactivate(w.app, gaston);
    const response = await erase(w.admin, 'gaston.zephyrin@example.com');
    expect(response.statusCode).toBe(500);
    expect(mainText(response)).toContain('Nothing was erased: the part “Spy fragile” could not erase its data.');
    expect(html(response).querySelector('input[name="email"]')?.getAttribute('value')).toBe('gaston.zephyrin@example.com');
    const row = await userRow();
    expect(row).toMatchObject({ name: 'Gaston Zéphyrin', email: 'gaston.zephyrin@example.com', status: 'deactivated', photo_id: PHOTO_KEY, phone: '+33 6 12 34 56 78' });
    // The spy's part ran before the fragile one, in the same transaction: undone with the rest.
    expect(await noteOf(w.app, 'spy', gaston)).toBe('Gaston’s note');
    expect(await noteOf(w.app, 'fragile', gaston)).toBe('Fragile note');
    expect(await w.app.db.selectFrom('profile_values').select('value').where('user_id', '=', gaston).execute()).toEqual([{ value: 'G-007' }]);
    expect(await w.app.db.selectFrom('audit_log').select('id').where('action', '=', 'member.erase').execute()).toEqual([]);
    expect(fs.existsSync(photoFile)).toBe(true);
    expect(w.t.logs.some((l) => l.msg === 'erasure failed: nothing was erased' && l.part === 'fragile')).toBe(true);
  });
});
