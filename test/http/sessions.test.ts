import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN,
  PASSWORD,
  cookiesFrom,
  createTestApp,
  createUser,
  html,
  login,
  setupOrganisation,
  type TestApp,
} from '../helpers/app.js';

const EMAIL = 'bruno@example.com';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('sessions', () => {
  let t: TestApp;
  let adminCookie: string;
  beforeEach(async () => {
    t = await createTestApp();
    adminCookie = await setupOrganisation(t.app);
    await createUser(t.app, { email: EMAIL, name: 'Bruno Petit' });
  });
  afterEach(async () => t.close());

  /** The id part of a "hameau_session=<id>.<secret>" cookie. */
  const sessionId = (cookie: string) => cookie.split('=')[1]!.split('.')[0]!;
  const sessionRow = (id: string) => t.app.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  const setLastVerified = (id: string, at: number) =>
    t.app.db.updateTable('sessions').set({ last_verified_at: at }).where('id', '=', id).execute();
  const home = (cookie: string) => t.app.inject({ url: '/', headers: { cookie } });
  const post = (url: string, cookie: string) => t.app.inject({ method: 'POST', url, headers: { cookie } });
  const signedOut = (response: { statusCode: number; headers: Record<string, unknown> }) =>
    response.statusCode === 303 && String(response.headers.location).startsWith('/login');

  describe('sliding expiry', () => {
    it('refuses and deletes a session unused for 30 days', async () => {
      const cookie = await login(t.app, EMAIL);
      const id = sessionId(cookie);
      await setLastVerified(id, Date.now() - 30 * DAY - MINUTE);

      const response = await home(cookie);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/login?next=%2F');
      expect(response.cookies.find((c) => c.name === 'hameau_session')?.value).toBe('');
      expect(await sessionRow(id)).toBeUndefined();
    });

    it('keeps a session used within 30 days, moves its expiry forward and sends the cookie again', async () => {
      const cookie = await login(t.app, EMAIL);
      const id = sessionId(cookie);
      const longAgo = Date.now() - 29 * DAY;
      await setLastVerified(id, longAgo);

      const before = Date.now();
      const response = await home(cookie);
      expect(response.statusCode).toBe(200);
      const row = await sessionRow(id);
      expect(row!.last_verified_at).toBeGreaterThanOrEqual(before);
      const resent = response.cookies.find((c) => c.name === 'hameau_session');
      expect(`hameau_session=${resent?.value}`).toBe(cookie);
      expect(resent).toMatchObject({ maxAge: 30 * DAY / 1000, httpOnly: true, sameSite: 'Lax', path: '/' });

      // Thirty days after the old date, the session still works: the clock started again.
      await setLastVerified(id, row!.last_verified_at - 2 * HOUR);
      expect((await home(cookie)).statusCode).toBe(200);
    });

    it('renews at most once an hour, not on every request', async () => {
      const cookie = await login(t.app, EMAIL);
      const id = sessionId(cookie);
      const recent = Date.now() - 59 * MINUTE;
      await setLastVerified(id, recent);

      for (let i = 0; i < 3; i++) {
        const response = await home(cookie);
        expect(response.statusCode).toBe(200);
        expect(response.cookies.find((c) => c.name === 'hameau_session')).toBeUndefined();
      }
      expect((await sessionRow(id))!.last_verified_at).toBe(recent);

      await setLastVerified(id, Date.now() - 61 * MINUTE);
      const renewed = await home(cookie);
      expect(renewed.cookies.find((c) => c.name === 'hameau_session')?.value).toBe(cookie.split('=')[1]);
      expect((await sessionRow(id))!.last_verified_at).toBeGreaterThan(Date.now() - MINUTE);
    });
  });

  describe('the signed-in devices page', () => {
    it('lists my sessions with a readable device, marks this one, and shows no one else’s', async () => {
      const firefox = await login(t.app, EMAIL, PASSWORD, { 'user-agent': FIREFOX_LINUX });
      await login(t.app, EMAIL, PASSWORD, { 'user-agent': CHROME_WINDOWS });

      const response = await t.app.inject({ url: '/account/sessions', headers: { cookie: firefox } });
      expect(response.statusCode).toBe(200);
      const cards = html(response).querySelectorAll('main .card');
      expect(cards).toHaveLength(2);
      const titles = cards.map((card) => card.querySelector('.card__title')!.text.replace(/\s+/g, ' ').trim());
      expect(titles).toContain('Firefox on Linux This device');
      expect(titles).toContain('Chrome on Windows');

      const current = cards.find((card) => card.querySelector('.badge'))!;
      expect(current.querySelector('form')!.getAttribute('action')).toBe(`/account/sessions/${sessionId(firefox)}/end`);
      // The admin's session (from setup) is not Bruno's business.
      expect(response.body).not.toContain(sessionId(adminCookie));
    });

    it('names a device it does not recognise "Unknown device", and never prints the raw user-agent', async () => {
      const script = await login(t.app, EMAIL, PASSWORD, { 'user-agent': '<script>alert(1)</script>' });
      await login(t.app, EMAIL, PASSWORD, { 'user-agent': 'curl/8.0' });
      const response = await t.app.inject({ url: '/account/sessions', headers: { cookie: script } });
      const titles = html(response)
        .querySelectorAll('main .card__title')
        .map((title) => title.text.replace(/\s+/g, ' ').trim());
      expect(titles.sort()).toEqual(['Unknown device', 'Unknown device This device']);
      expect(response.body).not.toContain('<script>alert(1)</script>');
    });

    it('ends another of my sessions; that device is signed out and this one stays', async () => {
      const laptop = await login(t.app, EMAIL, PASSWORD, { 'user-agent': FIREFOX_LINUX });
      const phone = await login(t.app, EMAIL, PASSWORD, { 'user-agent': CHROME_WINDOWS });

      const response = await post(`/account/sessions/${sessionId(phone)}/end`, laptop);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/account/sessions');
      expect(await sessionRow(sessionId(phone))).toBeUndefined();
      expect(signedOut(await home(phone))).toBe(true);
      expect((await home(laptop)).statusCode).toBe(200);

      const page = await t.app.inject({ url: '/account/sessions', headers: { cookie: cookiesFrom(response, laptop) } });
      expect(html(page).querySelector('.notice')?.text).toContain('That device is signed out.');
      expect(html(page).querySelectorAll('main .card')).toHaveLength(1);
    });

    it('cannot end someone else’s session: 404, and it keeps working', async () => {
      const bruno = await login(t.app, EMAIL);
      const response = await post(`/account/sessions/${sessionId(adminCookie)}/end`, bruno);
      expect(response.statusCode).toBe(404);
      expect(await sessionRow(sessionId(adminCookie))).toBeDefined();
      expect((await home(adminCookie)).statusCode).toBe(200);

      const unknown = await post('/account/sessions/no-such-session/end', bruno);
      expect(unknown.statusCode).toBe(404);
    });

    it('ends this very session from the list: signed out here', async () => {
      const cookie = await login(t.app, EMAIL);
      const response = await post(`/account/sessions/${sessionId(cookie)}/end`, cookie);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/login');
      expect(response.cookies.find((c) => c.name === 'hameau_session')?.value).toBe('');
      expect(signedOut(await home(cookie))).toBe(true);
    });

    it('signs out every other device and keeps this one', async () => {
      const here = await login(t.app, EMAIL);
      const others = [await login(t.app, EMAIL), await login(t.app, EMAIL)];

      const response = await post('/account/sessions/end-others', here);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/account/sessions');
      for (const cookie of others) expect(signedOut(await home(cookie))).toBe(true);
      expect((await home(here)).statusCode).toBe(200);
      const rows = await t.app.db.selectFrom('sessions').select('id').where('id', '!=', sessionId(adminCookie)).execute();
      expect(rows.map((r) => r.id)).toEqual([sessionId(here)]);
      // Other people's sessions are untouched.
      expect((await home(adminCookie)).statusCode).toBe(200);

      const page = await t.app.inject({ url: '/account/sessions', headers: { cookie: cookiesFrom(response, here) } });
      expect(html(page).querySelector('.notice')?.text).toContain('2 other devices are signed out.');
    });

    it('signs out everywhere, this browser included', async () => {
      const here = await login(t.app, EMAIL);
      const elsewhere = await login(t.app, EMAIL);

      const response = await post('/account/sessions/end-all', here);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/login');
      expect(response.cookies.find((c) => c.name === 'hameau_session')?.value).toBe('');
      expect(signedOut(await home(here))).toBe(true);
      expect(signedOut(await home(elsewhere))).toBe(true);
      const bruno = await t.app.db.selectFrom('users').select('id').where('email', '=', EMAIL).executeTakeFirstOrThrow();
      expect(await t.app.db.selectFrom('sessions').select('id').where('user_id', '=', bruno.id).execute()).toHaveLength(0);
      expect((await home(adminCookie)).statusCode).toBe(200);

      const page = await t.app.inject({ url: '/login', headers: { cookie: cookiesFrom(response) } });
      expect(html(page).querySelector('.notice')?.text).toContain('You are signed out on every device.');
    });

    it('no longer accepts the old cookie after signing out', async () => {
      const cookie = await login(t.app, ADMIN.email, ADMIN.password);
      const response = await post('/logout', cookie);
      expect(response.statusCode).toBe(303);
      expect(signedOut(await home(cookie))).toBe(true);
      expect(signedOut(await t.app.inject({ url: '/account/sessions', headers: { cookie } }))).toBe(true);
      // Replaying the sign-out is harmless.
      expect((await post('/logout', cookie)).headers.location).toBe('/login');
    });

    it('sends signed-out visitors to the login page instead of ending anything', async () => {
      const response = await post(`/account/sessions/${sessionId(adminCookie)}/end`, '');
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/login');
      expect(await sessionRow(sessionId(adminCookie))).toBeDefined();
    });
  });
});
