// A form field sent twice must not slip past the checks: "password=a&password=x" used to pass the
// password rules (they saw no single password) while "a" was saved. Every "choose a password" form
// now answers 422 with a message on the field, and nothing changes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInvitation } from '../../src/auth/invitations.js';
import { issueResetToken } from '../../src/auth/password-reset.js';
import { ADMIN, PASSWORD, createTestApp, createUser, html, login, setupOrganisation, type TestApp } from '../helpers/app.js';

const REPEATED = 'This field was sent more than once. Fill it in again.';
const NEW_PASSWORD = 'another long pass phrase';

/** A urlencoded body in which fields may repeat, as a browser or a script can send it. */
function body(fields: [string, string][]): string {
  return fields.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' };

/** The probe from the review: a weak first copy, a second copy and a confirmation matching neither. */
const probe: [string, string][] = [
  ['password', 'a'],
  ['password', 'x'],
  ['passwordConfirmation', 'zzz'],
];

describe('a repeated password field', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  const signsIn = async (email: string, password: string) =>
    (await t.app.inject({ method: 'POST', url: '/login', payload: { email, password } })).statusCode === 303;

  it('is refused by first-run setup, which creates nothing', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/setup',
      headers: FORM,
      payload: body([
        ['organisationName', 'Acme'],
        ['locale', 'en'],
        ['timeZone', 'Europe/Paris'],
        ['name', ADMIN.name],
        ['email', ADMIN.email],
        ...probe,
      ]),
    });
    expect(response.statusCode).toBe(422);
    expect(html(response).querySelector('#password-error')?.text).toContain(REPEATED);
    expect(html(response).querySelector('#organisationName')?.getAttribute('value')).toBe('Acme');
    expect(await t.app.db.selectFrom('users').select('id').execute()).toEqual([]);
    expect(await t.app.db.selectFrom('organisation').select('id').execute()).toEqual([]);
  });

  it('is refused when accepting an invitation, which stays usable', async () => {
    await setupOrganisation(t.app);
    const invited = await createInvitation(t.app.db, { email: 'chloe@example.com', role: 'member', locale: 'en', invitedBy: 1 });
    if (!invited.ok) throw new Error(invited.problem);
    const url = `/invite/${invited.token}`;
    const response = await t.app.inject({ method: 'POST', url, headers: FORM, payload: body([['name', 'Chloé'], ['locale', 'en'], ...probe]) });
    expect(response.statusCode).toBe(422);
    expect(html(response).querySelector('#password-error')?.text).toContain(REPEATED);
    expect(html(response).querySelector('#name')?.getAttribute('value')).toBe('Chloé');
    expect(await t.app.db.selectFrom('users').select('id').where('email', '=', 'chloe@example.com').execute()).toEqual([]);
    expect(await signsIn('chloe@example.com', 'a')).toBe(false);

    // A proper answer still works.
    const joined = await t.app.inject({ method: 'POST', url, payload: { name: 'Chloé', locale: 'en', password: PASSWORD, passwordConfirmation: PASSWORD } });
    expect(joined.statusCode).toBe(303);
  });

  it('is refused by a password reset link, which stays usable, and the password is unchanged', async () => {
    await setupOrganisation(t.app);
    const userId = await createUser(t.app, { email: 'bruno@example.com' });
    const token = await issueResetToken(t.app.db, userId);
    const url = `/password/reset/${token}`;
    const response = await t.app.inject({ method: 'POST', url, headers: FORM, payload: body(probe) });
    expect(response.statusCode).toBe(422);
    expect(html(response).querySelector('#password-error')?.text).toContain(REPEATED);
    expect(await signsIn('bruno@example.com', 'a')).toBe(false);
    expect(await signsIn('bruno@example.com', PASSWORD)).toBe(true);
    expect((await t.app.inject({ url })).statusCode).toBe(200);
  });

  it('is refused when changing one’s password, and the password is unchanged', async () => {
    await setupOrganisation(t.app);
    await createUser(t.app, { email: 'bruno@example.com' });
    const cookie = await login(t.app, 'bruno@example.com');
    const response = await t.app.inject({
      method: 'POST',
      url: '/account/password',
      headers: { ...FORM, cookie },
      payload: body([['currentPassword', PASSWORD], ...probe]),
    });
    expect(response.statusCode).toBe(422);
    expect(html(response).querySelector('#password-error')?.text).toContain(REPEATED);
    expect(await signsIn('bruno@example.com', 'a')).toBe(false);
    expect(await signsIn('bruno@example.com', PASSWORD)).toBe(true);

    // Two identical strong copies are refused too: which copy counts is never guessed.
    const twice = await t.app.inject({
      method: 'POST',
      url: '/account/password',
      headers: { ...FORM, cookie },
      payload: body([['currentPassword', PASSWORD], ['password', NEW_PASSWORD], ['password', NEW_PASSWORD], ['passwordConfirmation', NEW_PASSWORD]]),
    });
    expect(twice.statusCode).toBe(422);
    expect(await signsIn('bruno@example.com', PASSWORD)).toBe(true);
  });
});
