import crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

describe('sign in and sign out', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
    await setupOrganisation(t.app);
    // Setup signed the admin in; these stories start with no session at all.
    await t.app.db.deleteFrom('sessions').execute();
    await createUser(t.app, { email: EMAIL, name: 'Bruno Petit' });
  });
  afterEach(async () => t.close());

  const signIn = (payload: Record<string, string>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/login', payload, headers });
  const sessionRows = () => t.app.db.selectFrom('sessions').selectAll().execute();
  const userId = async (email: string) =>
    (await t.app.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

  it('signs a member in with the right password and shows them the home page', async () => {
    const response = await signIn({ email: EMAIL, password: PASSWORD });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    const home = await t.app.inject({ url: '/', headers: { cookie: sessionCookie(response) } });
    expect(home.statusCode).toBe(200);
    expect(mainText(home)).toContain('Hello, Bruno Petit');
  });

  it('accepts the email in another case and with spaces around it', async () => {
    const response = await signIn({ email: '  Bruno@Example.COM ', password: PASSWORD });
    expect(response.statusCode).toBe(303);
    expect(sessionCookie(response)).toMatch(/^hameau_session=/);
  });

  it('refuses a wrong password with the generic message, keeps the email and never echoes the password', async () => {
    const wrongPassword = 'not the password at all';
    const response = await signIn({ email: EMAIL, password: wrongPassword });
    expect(response.statusCode).toBe(422);
    const page = html(response);
    expect(page.querySelector('.error-summary')?.text).toContain('The email address or the password is not right.');
    expect(page.querySelector('#email')?.getAttribute('value')).toBe(EMAIL);
    expect(page.querySelector('#password')?.getAttribute('value')).toBe('');
    expect(response.body).not.toContain(wrongPassword);
    expect(response.cookies.find((c) => c.name === 'hameau_session')).toBeUndefined();
    expect(await sessionRows()).toHaveLength(0);
  });

  it('answers an unknown email exactly like a wrong password', async () => {
    const known = await signIn({ email: EMAIL, password: 'not the password at all' });
    const unknown = await signIn({ email: 'nobody@example.com', password: 'not the password at all' });
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(mainText(unknown)).toBe(mainText(known).replace(EMAIL, 'nobody@example.com'));
    // The same form, byte for byte, apart from the address typed.
    expect(unknown.body.replace('nobody@example.com', 'EMAIL')).toBe(known.body.replace(EMAIL, 'EMAIL'));
    expect(unknown.headers['set-cookie']).toEqual(known.headers['set-cookie']);
  });

  it('says what is missing when the form is empty or the email malformed', async () => {
    const empty = await signIn({ email: '', password: '' });
    expect(empty.statusCode).toBe(422);
    expect(html(empty).querySelector('#email-error')?.text).toContain('This field is required.');
    expect(html(empty).querySelector('#password-error')?.text).toContain('This field is required.');

    const malformed = await signIn({ email: 'bruno', password: PASSWORD });
    expect(malformed.statusCode).toBe(422);
    expect(html(malformed).querySelector('#email-error')?.text).toContain('Enter an email address like name@example.com.');
    expect(html(malformed).querySelector('#email')?.getAttribute('value')).toBe('bruno');
  });

  it('sends back what was typed escaped, in the email field and the hidden next field', async () => {
    const email = '<script>alert(1)</script>@example.com';
    const next = '/"><script>alert(2)</script>';
    const response = await signIn({ email, password: 'not the password at all', next });
    expect(response.statusCode).toBe(422);
    const page = html(response);
    expect(page.querySelector('#email')?.getAttribute('value')).toBe(email);
    expect(page.querySelector('form[action="/login"] input[name="next"]')?.getAttribute('value')).toBe(next);
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(response.body).not.toContain('<script>alert(2)</script>');
    expect(page.querySelectorAll('script').every((s) => s.getAttribute('src'))).toBe(true);
  });

  it('tells a deactivated member with the right password that the account is deactivated, and opens no session', async () => {
    const id = await userId(EMAIL);
    await t.app.db.updateTable('users').set({ status: 'deactivated', deactivated_at: Date.now() }).where('id', '=', id).execute();

    const response = await signIn({ email: EMAIL, password: PASSWORD });
    expect(response.statusCode).toBe(422);
    expect(html(response).querySelector('.error-summary')?.text).toContain('This account has been deactivated.');
    expect(response.cookies.find((c) => c.name === 'hameau_session')).toBeUndefined();
    expect(await t.app.db.selectFrom('sessions').select('id').where('user_id', '=', id).execute()).toHaveLength(0);

    // Without the password, nobody learns that the account exists or was deactivated.
    const guess = await signIn({ email: EMAIL, password: 'not the password at all' });
    expect(mainText(guess)).toContain('The email address or the password is not right.');
    expect(mainText(guess)).not.toContain('deactivated');
  });

  it('opens a new session at every sign-in, each with its own cookie', async () => {
    const first = await login(t.app, EMAIL);
    const second = await login(t.app, EMAIL);
    expect(second).not.toBe(first);
    const rows = await sessionRows();
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.id)).size).toBe(2);
    for (const cookie of [first, second]) {
      expect((await t.app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(200);
    }
  });

  it('ends the session a browser already had when someone signs in again in it', async () => {
    const before = await login(t.app, EMAIL);
    const [oldRow] = await sessionRows();

    const response = await signIn({ email: ADMIN.email, password: ADMIN.password }, { cookie: before });
    expect(response.statusCode).toBe(303);
    const after = sessionCookie(response);
    expect(after).not.toBe(before);

    const rows = await sessionRows();
    expect(rows.map((r) => r.id)).not.toContain(oldRow!.id);
    expect(rows.filter((r) => r.user_id === oldRow!.user_id)).toHaveLength(0);
    const stale = await t.app.inject({ url: '/', headers: { cookie: before } });
    expect(stale.statusCode).toBe(303);
    expect(stale.headers.location).toBe('/login?next=%2F');
    const home = await t.app.inject({ url: '/', headers: { cookie: after } });
    expect(mainText(home)).toContain(`Hello, ${ADMIN.name}`);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, for the whole site, for 30 days, and not Secure over http', async () => {
    const response = await signIn({ email: EMAIL, password: PASSWORD });
    const cookie = response.cookies.find((c) => c.name === 'hameau_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 30 * 24 * 60 * 60 });
    expect(cookie.secure).toBeFalsy();
    const header = rawSessionCookie(response);
    expect(header).toMatch(/; HttpOnly/);
    expect(header).not.toMatch(/; Secure/i);
  });

  it('stores only a SHA-256 of the cookie secret, never the secret itself', async () => {
    const response = await signIn({ email: EMAIL, password: PASSWORD });
    const value = response.cookies.find((c) => c.name === 'hameau_session')!.value;
    const [id, secret] = value.split('.') as [string, string];
    expect(secret.length).toBeGreaterThanOrEqual(24);

    const [row] = await sessionRows();
    expect(row!.id).toBe(id);
    expect(Buffer.from(row!.secret_hash).equals(crypto.createHash('sha256').update(secret).digest())).toBe(true);
    // Nowhere in the table, in any column, in any encoding we could think of.
    const dump = t.app.sqlite.prepare('SELECT * FROM sessions').all() as Record<string, unknown>[];
    const asText = dump
      .flatMap((r) => Object.values(r))
      .map((v) => (Buffer.isBuffer(v) ? `${v.toString('utf8')} ${v.toString('hex')} ${v.toString('base64')}` : String(v)))
      .join(' ');
    expect(asText).not.toContain(secret);
    expect(asText).not.toContain(value);

    // A cookie with the right id and a wrong secret is refused.
    const forged = `hameau_session=${id}.${'a'.repeat(secret.length)}`;
    const attempt = await t.app.inject({ url: '/', headers: { cookie: forged } });
    expect(attempt.statusCode).toBe(303);
    expect(attempt.headers.location).toBe('/login?next=%2F');
  });

  it('signs out: the session row is deleted, the cookie cleared, and the old cookie no longer works', async () => {
    const cookie = await login(t.app, EMAIL);
    const response = await t.app.inject({ method: 'POST', url: '/logout', headers: { cookie } });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login');
    const cleared = response.cookies.find((c) => c.name === 'hameau_session');
    expect(cleared?.value).toBe('');
    expect(await sessionRows()).toHaveLength(0);

    const page = await t.app.inject({ url: '/login', headers: { cookie: cookiesFrom(response) } });
    expect(html(page).querySelector('.notice')?.text).toContain('You are signed out.');

    const stale = await t.app.inject({ url: '/', headers: { cookie } });
    expect(stale.statusCode).toBe(303);
    expect(stale.headers.location).toBe('/login?next=%2F');
  });

  it('sends signed-out visitors to the login page, remembering where they were going', async () => {
    const home = await t.app.inject({ url: '/' });
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/login?next=%2F');

    const deep = await t.app.inject({ url: '/account/sessions?tab=1' });
    expect(deep.headers.location).toBe('/login?next=%2Faccount%2Fsessions%3Ftab%3D1');
    const form = await t.app.inject({ url: deep.headers.location! });
    expect(form.statusCode).toBe(200);
    const next = html(form).querySelector('form[action="/login"] input[name="next"]')?.getAttribute('value');
    expect(next).toBe('/account/sessions?tab=1');

    const response = await signIn({ email: EMAIL, password: PASSWORD, next: next! });
    expect(response.headers.location).toBe('/account/sessions?tab=1');
  });

  it('only follows next to a path on this site', async () => {
    const targets: [string, string][] = [
      ['/account', '/account'],
      ['//evil.example', '/'],
      ['https://evil.example', '/'],
      ['/\\evil.example', '/'],
      // Browsers drop tabs and newlines from a URL: "/\t/evil.example" would become "//evil.example".
      ['/\t/evil.example', '/'],
      ['/\n/evil.example', '/'],
      ['javascript:alert(1)', '/'],
    ];
    for (const [next, expected] of targets) {
      const response = await signIn({ email: EMAIL, password: PASSWORD, next });
      expect(response.statusCode, JSON.stringify(next)).toBe(303);
      expect(response.headers.location, JSON.stringify(next)).toBe(expected);
    }
    // The login form does not even carry a foreign next along.
    const form = await t.app.inject({ url: '/login?next=%2F%2Fevil.example' });
    expect(html(form).querySelector('form[action="/login"] input[name="next"]') === null).toBe(true);
  });

  it('sends a visitor who is already signed in from the login page to where they were going', async () => {
    const cookie = await login(t.app, EMAIL);
    const response = await t.app.inject({ url: '/login?next=%2Faccount', headers: { cookie } });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/account');
  });
});

describe('sign in over https', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ PUBLIC_URL: 'https://intranet.example.com' });
    await setupOrganisation(t.app);
  });
  afterEach(async () => t.close());

  it('marks the session cookie Secure when PUBLIC_URL is https', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/login', payload: { email: ADMIN.email, password: ADMIN.password } });
    expect(response.statusCode).toBe(303);
    // Over https the cookie carries the __Host- prefix (see test/http/cookies.test.ts).
    const cookie = response.cookies.find((c) => c.name === '__Host-hameau_session')!;
    expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 30 * 24 * 60 * 60 });
    expect(rawSessionCookie(response)).toMatch(/; Secure/);
  });
});

function rawSessionCookie(response: LightMyRequestResponse): string {
  const header = response.headers['set-cookie'];
  const all = Array.isArray(header) ? header : header ? [header] : [];
  const found = all.find((c) => c.startsWith('hameau_session=') || c.startsWith('__Host-hameau_session='));
  if (!found) throw new Error('no session cookie header');
  return found;
}
