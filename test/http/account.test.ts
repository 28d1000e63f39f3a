import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPasswordReset } from '../../src/auth/password-reset.js';
import { RATE_LIMITS } from '../../src/http/rate-limits.js';
import {
  ADMIN,
  PASSWORD,
  cookiesFrom,
  createTestApp,
  createUser,
  html,
  login,
  mainText,
  sessionCookie,
  setupOrganisation,
  type TestApp,
} from '../helpers/app.js';

const EMAIL = 'bruno@example.com';
const NEW_PASSWORD = 'a brand new pass phrase';

describe('my account', () => {
  let t: TestApp;
  let userId: number;
  let cookie: string;
  beforeEach(async () => {
    t = await createTestApp();
    await setupOrganisation(t.app);
    userId = await createUser(t.app, { email: EMAIL, name: 'Bruno Petit', locale: 'en' });
    cookie = await login(t.app, EMAIL);
  });
  afterEach(async () => t.close());

  const user = () => t.app.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  const post = (url: string, payload: Record<string, string>, as = cookie) =>
    t.app.inject({ method: 'POST', url, payload, headers: { cookie: as } });

  describe('profile', () => {
    it('shows my name, email and language, and saves changes', async () => {
      const page = await t.app.inject({ url: '/account', headers: { cookie } });
      expect(page.statusCode).toBe(200);
      expect(html(page).querySelector('#name')?.getAttribute('value')).toBe('Bruno Petit');
      expect(mainText(page)).toContain(`Your email address: ${EMAIL}`);
      expect(html(page).querySelector('#locale option[selected]')?.getAttribute('value')).toBe('en');

      const response = await post('/account', { name: '  Bruno Lefèvre  ', locale: 'fr' });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/account');
      expect(await user()).toMatchObject({ name: 'Bruno Lefèvre', locale: 'fr' });

      // The next page speaks French and says so.
      const after = await t.app.inject({ url: '/account', headers: { cookie: cookiesFrom(response, cookie) } });
      expect(html(after).querySelector('html')?.getAttribute('lang')).toBe('fr');
      expect(html(after).querySelector('.notice')?.text).toContain('Votre profil a été enregistré.');
      expect(html(after).querySelector('#name')?.getAttribute('value')).toBe('Bruno Lefèvre');
    });

    it('refuses an empty or too long name and an unknown language with 422, keeping what was typed', async () => {
      const empty = await post('/account', { name: '   ', locale: 'fr' });
      expect(empty.statusCode).toBe(422);
      expect(html(empty).querySelector('#name-error')?.text).toContain('This field is required.');
      expect(html(empty).querySelector('#locale option[selected]')?.getAttribute('value')).toBe('fr');

      const long = 'é'.repeat(101);
      const tooLong = await post('/account', { name: long, locale: 'en' });
      expect(tooLong.statusCode).toBe(422);
      expect(html(tooLong).querySelector('#name-error')?.text).toContain('Enter no more than 100 characters.');
      expect(html(tooLong).querySelector('#name')?.getAttribute('value')).toBe(long);

      const language = await post('/account', { name: 'Bruno', locale: 'de' });
      expect(language.statusCode).toBe(422);
      expect(html(language).querySelector('#locale-error')?.text).toContain('Choose one of the options.');

      expect(await user()).toMatchObject({ name: 'Bruno Petit', locale: 'en' });
    });

    it('keeps names with markup, accents, emoji and right-to-left text as text, escaped everywhere', async () => {
      const name = '<script>alert(1)</script> Zoë 🌍 שלום';
      expect((await post('/account', { name, locale: 'en' })).statusCode).toBe(303);
      expect((await user()).name).toBe(name);

      const page = await t.app.inject({ url: '/account', headers: { cookie } });
      expect(html(page).querySelector('#name')?.getAttribute('value')).toBe(name);
      expect(html(page).querySelector('.user-menu__name')?.text).toBe(name);
      expect(page.body).not.toContain('<script>alert(1)</script>');

      // And on a form sent back with a problem.
      const invalid = await post('/account', { name: `${name}"><img src=x onerror=alert(2)>`, locale: 'xx' });
      expect(invalid.statusCode).toBe(422);
      expect(invalid.body).not.toContain('<img src=x');
      expect(html(invalid).querySelectorAll('main img')).toHaveLength(0);
    });

    it('is only for signed-in people', async () => {
      expect((await t.app.inject({ url: '/account' })).headers.location).toBe('/login?next=%2Faccount');
      const response = await post('/account', { name: 'Mallory', locale: 'en' }, '');
      expect(response.headers.location).toBe('/login');
      expect((await user()).name).toBe('Bruno Petit');
    });
  });

  describe('password change', () => {
    it('needs the current password', async () => {
      const response = await post('/account/password', { currentPassword: 'not my password at all', password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD });
      expect(response.statusCode).toBe(422);
      expect(html(response).querySelector('#currentPassword-error')?.text).toContain('The current password is not right.');
      expect(response.body).not.toContain(NEW_PASSWORD);
      expect(response.body).not.toContain('not my password at all');
      expect((await t.app.inject({ method: 'POST', url: '/login', payload: { email: EMAIL, password: PASSWORD } })).statusCode).toBe(303);
    });

    it('refuses a weak or mismatched new password, and never sends a password back', async () => {
      const common = await post('/account/password', { currentPassword: PASSWORD, password: 'password1234', passwordConfirmation: 'password1234' });
      expect(common.statusCode).toBe(422);
      expect(html(common).querySelector('#password-error')?.text).toContain('too common');

      const script = '<script>alert(1)</script> long enough';
      const mismatch = await post('/account/password', { currentPassword: PASSWORD, password: script, passwordConfirmation: 'something else entirely' });
      expect(mismatch.statusCode).toBe(422);
      expect(html(mismatch).querySelector('#passwordConfirmation-error')?.text).toContain('not the same');
      expect(mismatch.body).not.toContain('alert(1)');
      for (const field of ['currentPassword', 'password', 'passwordConfirmation']) {
        expect(html(mismatch).querySelector(`#${field}`)?.getAttribute('value'), field).toBe('');
      }
    });

    it('ends every other session, keeps this browser signed in, and only the new password works afterwards', async () => {
      const otherDevices = [await login(t.app, EMAIL), await login(t.app, EMAIL)];
      const adminCookie = await login(t.app, ADMIN.email, ADMIN.password);

      const response = await post('/account/password', { currentPassword: PASSWORD, password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/account/sessions');

      // The response carries this browser's new session cookie along with the notice.
      const page = await t.app.inject({ url: '/account/sessions', headers: { cookie: cookiesFrom(response) } });
      expect(page.statusCode).toBe(200);
      expect(html(page).querySelector('.notice')?.text).toContain('Your password has been changed, and 2 other devices were signed out.');
      expect(html(page).querySelectorAll('main .card')).toHaveLength(1);
      for (const other of otherDevices) {
        expect((await t.app.inject({ url: '/', headers: { cookie: other } })).headers.location).toBe('/login?next=%2F');
      }
      expect((await t.app.inject({ url: '/', headers: { cookie: adminCookie } })).statusCode).toBe(200);

      const signIn = (password: string) => t.app.inject({ method: 'POST', url: '/login', payload: { email: EMAIL, password } });
      expect((await signIn(PASSWORD)).statusCode).toBe(422);
      expect((await signIn(NEW_PASSWORD)).statusCode).toBe(303);
      const audit = await t.app.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.passwordChange').executeTakeFirstOrThrow();
      expect(audit.actor_id).toBe(userId);
      expect(audit.details).not.toContain(NEW_PASSWORD);
    });

    const change = (currentPassword: string, as = cookie) =>
      t.app.inject({
        method: 'POST',
        url: '/account/password',
        payload: { currentPassword, password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD },
        headers: { cookie: as, 'accept-language': 'en' },
      });
    const sessionsOf = (id: number) => t.app.db.selectFrom('sessions').select('id').where('user_id', '=', id).execute();

    it('starts a new session for this browser: the cookie changes and the old one stops working', async () => {
      const [before] = await sessionsOf(userId);
      const response = await change(PASSWORD);
      expect(response.statusCode).toBe(303);
      const renewed = sessionCookie(response);
      expect(renewed).not.toBe(cookie);

      const after = await sessionsOf(userId);
      expect(after).toHaveLength(1);
      expect(after[0]!.id).not.toBe(before!.id);
      const stale = await t.app.inject({ url: '/account', headers: { cookie } });
      expect(stale.statusCode).toBe(303);
      expect(stale.headers.location).toBe('/login?next=%2Faccount');
      const page = await t.app.inject({ url: '/account/sessions', headers: { cookie: renewed } });
      expect(page.statusCode).toBe(200);
      expect(html(page).querySelectorAll('main .card')).toHaveLength(1);
    });

    it('keeps the session it had when the current password is wrong', async () => {
      const response = await change('not my password at all');
      expect(response.statusCode).toBe(422);
      expect(response.cookies.find((c) => c.name.endsWith('hameau_session'))).toBeUndefined();
      expect((await t.app.inject({ url: '/account', headers: { cookie } })).statusCode).toBe(200);
    });

    it('cancels every password reset link still open for the account', async () => {
      const links = [await createPasswordReset(t.app.db, EMAIL), await createPasswordReset(t.app.db, EMAIL)].map((r) => r!.token);
      const otherMember = await createUser(t.app, { email: 'other@example.com' });
      const theirs = (await createPasswordReset(t.app.db, 'other@example.com'))!.token;

      expect((await change(PASSWORD)).statusCode).toBe(303);

      for (const token of links) {
        const page = await t.app.inject({ url: `/password/reset/${token}`, headers: { 'accept-language': 'en' } });
        expect(page.statusCode).toBe(410);
        expect(mainText(page)).toContain('This password reset link has already been used.');
        const replay = await t.app.inject({
          method: 'POST',
          url: `/password/reset/${token}`,
          payload: { password: 'someone else’s pass phrase', passwordConfirmation: 'someone else’s pass phrase' },
        });
        expect(replay.statusCode).toBe(410);
      }
      const rows = await t.app.db.selectFrom('password_resets').select(['user_id', 'used_at']).execute();
      expect(rows.filter((r) => r.user_id === userId).every((r) => r.used_at !== null)).toBe(true);
      // Someone else's link is theirs to use.
      expect(rows.find((r) => r.user_id === otherMember)?.used_at).toBeNull();
      expect((await t.app.inject({ url: `/password/reset/${theirs}` })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'POST', url: '/login', payload: { email: EMAIL, password: NEW_PASSWORD } })).statusCode).toBe(303);
    });

    it(`limits guesses of the current password to ${RATE_LIMITS.passwordFailuresPerAccount.max}, counted before checking, with the 429 page`, async () => {
      const { max, windowMs } = RATE_LIMITS.passwordFailuresPerAccount;
      // Someone holding the session (a computer left unlocked) tries passwords, all at once.
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => change(`guess number ${i}`)));
      const statuses = answers.map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 422)).toHaveLength(max);
      expect(statuses.filter((s) => s === 429)).toHaveLength(30 - max);

      const locked = await change(PASSWORD);
      expect(locked.statusCode).toBe(429);
      expect(html(locked).querySelector('h1')?.text).toBe('Too many attempts');
      expect(mainText(locked)).toContain('Wait 15 minutes');
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(windowMs / 1000);
      expect((await user()).password_changed_at).toBe((await user()).created_at);

      // One count per account: signing in to it waits as well.
      const signIn = await t.app.inject({ method: 'POST', url: '/login', payload: { email: EMAIL, password: PASSWORD } });
      expect(signIn.statusCode).toBe(429);
    });

    it('does not count a password change that succeeds', async () => {
      const { max } = RATE_LIMITS.passwordFailuresPerAccount;
      for (let i = 0; i < max - 1; i++) expect((await change(`guess number ${i}`)).statusCode).toBe(422);
      const changed = await change(PASSWORD);
      expect(changed.statusCode).toBe(303);
      const renewed = sessionCookie(changed);
      // The last allowed failure is still there to be made: the success did not use it up.
      expect((await change('one more wrong guess', renewed)).statusCode).toBe(422);
      expect((await change('and one too many', renewed)).statusCode).toBe(429);
    });
  });
});

describe('member administration', () => {
  let t: TestApp;
  let admin: string;
  let adminId: number;
  let memberId: number;
  beforeEach(async () => {
    t = await createTestApp();
    admin = await setupOrganisation(t.app);
    adminId = (await t.app.db.selectFrom('users').select('id').where('email', '=', ADMIN.email).executeTakeFirstOrThrow()).id;
    memberId = await createUser(t.app, { email: EMAIL, name: 'Bruno Petit', locale: 'fr' });
  });
  afterEach(async () => t.close());

  const post = (url: string, payload: Record<string, string> = {}, cookie = admin) =>
    t.app.inject({ method: 'POST', url, payload, headers: { cookie } });
  const member = () => t.app.db.selectFrom('users').selectAll().where('id', '=', memberId).executeTakeFirstOrThrow();
  const signIn = () => t.app.inject({ method: 'POST', url: '/login', payload: { email: EMAIL, password: PASSWORD }, headers: { 'accept-language': 'en' } });

  it('deactivating a member signs them out at once and keeps them from signing in; their account stays', async () => {
    const open = await login(t.app, EMAIL);
    expect((await t.app.inject({ url: '/', headers: { cookie: open } })).statusCode).toBe(200);

    const response = await post(`/admin/members/${memberId}/deactivate`);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/members');
    // Ended at once, not when the member next shows up.
    expect(await t.app.db.selectFrom('sessions').select('id').where('user_id', '=', memberId).execute()).toHaveLength(0);

    const next = await t.app.inject({ url: '/', headers: { cookie: open } });
    expect(next.statusCode).toBe(303);
    expect(next.headers.location).toBe('/login?next=%2F');

    const refused = await signIn();
    expect(refused.statusCode).toBe(422);
    expect(mainText(refused)).toContain('This account has been deactivated.');
    expect(refused.cookies.find((c) => c.name === 'hameau_session')).toBeUndefined();

    const row = await member();
    expect(row).toMatchObject({ email: EMAIL, name: 'Bruno Petit', status: 'deactivated' });
    expect(row.deactivated_at).not.toBeNull();
    const audit = await t.app.db.selectFrom('audit_log').selectAll().where('action', '=', 'member.deactivate').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_id: adminId, subject_id: String(memberId) });

    const list = await t.app.inject({ url: '/admin/members', headers: { cookie: cookiesFrom(response, admin) } });
    expect(html(list).querySelector('.notice')?.text).toContain('Bruno Petit is deactivated and signed out everywhere.');
    expect(html(list).querySelector(`form[action="/admin/members/${memberId}/reactivate"]`)).not.toBe(null);
  });

  it('refuses a session of a deactivated member even if it was somehow left behind', async () => {
    const open = await login(t.app, EMAIL);
    await t.app.db.updateTable('users').set({ status: 'deactivated', deactivated_at: Date.now() }).where('id', '=', memberId).execute();
    const next = await t.app.inject({ url: '/', headers: { cookie: open } });
    expect(next.statusCode).toBe(303);
    expect(next.headers.location).toBe('/login?next=%2F');
    expect(await t.app.db.selectFrom('sessions').select('id').where('user_id', '=', memberId).execute()).toHaveLength(0);
  });

  it('reactivating lets them sign in again', async () => {
    await post(`/admin/members/${memberId}/deactivate`);
    expect((await signIn()).statusCode).toBe(422);

    const response = await post(`/admin/members/${memberId}/reactivate`);
    expect(response.statusCode).toBe(303);
    expect((await member()).status).toBe('active');
    expect((await member()).deactivated_at).toBeNull();
    const again = await signIn();
    expect(again.statusCode).toBe(303);
    expect((await t.app.inject({ url: '/', headers: { cookie: `hameau_session=${again.cookies.find((c) => c.name === 'hameau_session')!.value}` } })).statusCode).toBe(200);
  });

  it('does not let an admin deactivate or demote themselves', async () => {
    const deactivate = await post(`/admin/members/${adminId}/deactivate`);
    expect(deactivate.statusCode).toBe(403);
    const demote = await post(`/admin/members/${adminId}/role`, { role: 'member' });
    expect(demote.statusCode).toBe(403);
    const row = await t.app.db.selectFrom('users').selectAll().where('id', '=', adminId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ role: 'admin', status: 'active' });
    expect((await t.app.inject({ url: '/admin/members', headers: { cookie: admin } })).statusCode).toBe(200);
  });

  it('keeps members out of the administration, with a 403 page in their language', async () => {
    const cookie = await login(t.app, EMAIL);
    const response = await t.app.inject({ url: '/admin/members', headers: { cookie, 'accept-language': 'en' } });
    expect(response.statusCode).toBe(403);
    expect(html(response).querySelector('html')?.getAttribute('lang')).toBe('fr');
    expect(html(response).querySelector('h1')?.text).toBe('Action non autorisée');
    expect(mainText(response)).toContain('Vous n’avez pas l’autorisation de faire cela.');
    expect(response.body).not.toContain(ADMIN.email);

    for (const url of [`/admin/members/${adminId}/deactivate`, `/admin/members/${adminId}/role`, `/admin/members/${memberId}/role`]) {
      const attempt = await post(url, { role: 'admin' }, cookie);
      expect(attempt.statusCode, url).toBe(403);
    }
    expect((await member()).role).toBe('member');
    expect(await t.app.db.selectFrom('users').select('status').where('id', '=', adminId).executeTakeFirstOrThrow()).toEqual({ status: 'active' });
  });

  it('writes a role change to the audit log with before and after, and it takes effect at once', async () => {
    const cookie = await login(t.app, EMAIL);
    const response = await post(`/admin/members/${memberId}/role`, { role: 'admin' });
    expect(response.statusCode).toBe(303);
    expect((await member()).role).toBe('admin');

    const entries = await t.app.db.selectFrom('audit_log').selectAll().where('action', '=', 'member.changeRole').execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor_id: adminId, subject_type: 'user', subject_id: String(memberId) });
    expect(JSON.parse(entries[0]!.details)).toEqual({ before: 'member', after: 'admin' });

    // The promoted member's open session now reaches the administration.
    expect((await t.app.inject({ url: '/admin/members', headers: { cookie } })).statusCode).toBe(200);

    const list = await t.app.inject({ url: '/admin/members', headers: { cookie: cookiesFrom(response, admin) } });
    expect(html(list).querySelector('.notice')?.text).toContain('Bruno Petit is now: Administrator.');

    // Choosing the same role again changes nothing and writes nothing.
    await post(`/admin/members/${memberId}/role`, { role: 'admin' });
    expect(await t.app.db.selectFrom('audit_log').select('id').where('action', '=', 'member.changeRole').execute()).toHaveLength(1);

    await post(`/admin/members/${memberId}/role`, { role: 'member' });
    const back = await t.app.db.selectFrom('audit_log').select('details').where('action', '=', 'member.changeRole').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(back.details)).toEqual({ before: 'admin', after: 'member' });
    expect((await t.app.inject({ url: '/admin/members', headers: { cookie } })).statusCode).toBe(403);
  });

  it('refuses a role that does not exist', async () => {
    const response = await post(`/admin/members/${memberId}/role`, { role: '<script>owner</script>' });
    expect(response.statusCode).toBe(303);
    expect((await member()).role).toBe('member');
    const list = await t.app.inject({ url: '/admin/members', headers: { cookie: cookiesFrom(response, admin) } });
    expect(html(list).querySelector('.notice--error')?.text).toContain('Choose a role from the list.');
    expect(list.body).not.toContain('<script>owner</script>');
  });

  it('shows member names with markup as text on the members page', async () => {
    await t.app.db.updateTable('users').set({ name: '<img src=x onerror=alert(1)>' }).where('id', '=', memberId).execute();
    const list = await t.app.inject({ url: '/admin/members', headers: { cookie: admin } });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('<img src=x');
    expect(html(list).querySelector('main table')?.text).toContain('<img src=x onerror=alert(1)>');
  });
});
