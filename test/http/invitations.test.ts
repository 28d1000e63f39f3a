import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
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
import { linkIn, startSmtp, type TestSmtp } from '../helpers/smtp.js';

const INVITEE = 'chloe@example.com';
const DAY = 24 * 60 * 60 * 1000;

/** The path of the invitation link the admin sees on the page after inviting ("/invite/<token>"). */
function shownLink(response: LightMyRequestResponse): string {
  const value = html(response).querySelector('#outcome-link')?.getAttribute('value');
  if (!value) throw new Error(`no link on the page: ${mainText(response).slice(0, 300)}`);
  return new URL(value).pathname;
}

/**
 * The page an admin's browser shows after a form that answers POST-then-redirect: the outcome
 * (and the link to copy) travels in the flash cookie to the members page.
 */
async function follow(t: TestApp, response: LightMyRequestResponse, cookie: string): Promise<LightMyRequestResponse> {
  if (response.statusCode !== 303) throw new Error(`expected a redirect, got ${response.statusCode}: ${mainText(response).slice(0, 300)}`);
  expect(response.headers.location).toBe('/admin/members#invite');
  return t.app.inject({ url: '/admin/members', headers: { cookie: cookiesFrom(response, cookie) } });
}

describe('invitations without email (SMTP not configured)', () => {
  let t: TestApp;
  let admin: string;
  beforeEach(async () => {
    t = await createTestApp();
    admin = await setupOrganisation(t.app);
  });
  afterEach(async () => t.close());

  const invite = (payload: Record<string, string>, cookie = admin, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/admin/invitations', payload, headers: { cookie, ...headers } });
  const accept = (link: string, payload: Record<string, string>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: link, payload, headers });
  const joining = (name = 'Chloé Durand') => ({ name, locale: 'en', password: PASSWORD, passwordConfirmation: PASSWORD });
  /** Invites, follows the redirect, and returns the link shown to copy. */
  const invited = async (payload: Record<string, string>) => shownLink(await follow(t, await invite(payload), admin));
  const invitationRow = (email = INVITEE) =>
    t.app.db.selectFrom('invitations').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  const userCount = async () => (await t.app.db.selectFrom('users').select('id').execute()).length;

  it('shows the admin the link to copy, valid 7 days, and never writes it to the log', async () => {
    const posted = await invite({ email: INVITEE, role: 'member', locale: 'en' });
    expect(posted.body).not.toContain('/invite/');
    const response = await follow(t, posted, admin);
    expect(response.statusCode).toBe(200);
    const link = shownLink(response);
    expect(link).toMatch(/^\/invite\/[a-z0-9]{48}$/);
    expect(html(response).querySelector('#outcome-link')!.getAttribute('value')).toBe(`http://localhost:3000${link}`);
    const notice = html(response).querySelector('#invite .notice')!.text;
    expect(notice).toContain(`Invitation created for ${INVITEE}.`);
    expect(notice).toContain('It works once and expires in 7 days.');
    expect(mainText(response)).toContain('Email is not set up on this server');
    // The invitation is listed, waiting for an answer.
    expect(html(response).querySelector('#invitations')!.text).toContain(INVITEE);

    const row = await invitationRow();
    expect(row).toMatchObject({ role: 'member', locale: 'en', accepted_at: null, revoked_at: null });
    expect(row.expires_at - row.created_at).toBe(7 * DAY);

    // Following the link is logged without its token.
    expect((await t.app.inject({ url: link })).statusCode).toBe(200);
    const token = link.split('/').pop()!;
    expect(JSON.stringify(t.logs)).not.toContain(token);
    expect(JSON.stringify(t.logs)).toContain('/invite/[redacted]');
  });

  it('lets the invitee choose name and password, signs them in on the home page, with the invitation’s role', async () => {
    const link = await invited({ email: INVITEE, role: 'admin', locale: 'fr' });

    const form = await t.app.inject({ url: link, headers: { 'accept-language': 'en' } });
    expect(form.statusCode).toBe(200);
    expect(mainText(form)).toContain(`You have been invited with the address ${INVITEE}.`);
    expect(html(form).querySelector('#locale option[selected]')?.getAttribute('value')).toBe('fr');

    const response = await accept(link, joining());
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    const cookie = sessionCookie(response);
    const home = await t.app.inject({ url: '/', headers: { cookie: cookiesFrom(response) } });
    expect(home.statusCode).toBe(200);
    expect(mainText(home)).toContain('Hello, Chloé Durand');
    expect(html(home).querySelector('.notice')?.text).toContain('Welcome, Chloé Durand!');

    const user = await t.app.db.selectFrom('users').selectAll().where('email', '=', INVITEE).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ name: 'Chloé Durand', role: 'admin', locale: 'en', status: 'active' });
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    // An admin by invitation can reach the administration at once.
    expect((await t.app.inject({ url: '/admin/members', headers: { cookie } })).statusCode).toBe(200);
    expect((await invitationRow()).accepted_user_id).toBe(user.id);
  });

  it('refuses bad input with 422, keeps the name and language typed (escaped), and creates nobody', async () => {
    const link = await invited({ email: INVITEE, role: 'member', locale: 'en' });
    const before = await userCount();

    const empty = await accept(link, { name: '', locale: 'fr', password: 'short', passwordConfirmation: 'short' }, { 'accept-language': 'en' });
    expect(empty.statusCode).toBe(422);
    expect(html(empty).querySelector('#name-error')?.text).toContain('This field is required.');
    expect(html(empty).querySelector('#locale option[selected]')?.getAttribute('value')).toBe('fr');

    const short = await accept(link, { name: 'Chloé', locale: 'en', password: 'short', passwordConfirmation: 'short' });
    expect(short.statusCode).toBe(422);
    expect(html(short).querySelector('#password-error')?.text).toContain('at least 12 characters');
    expect(html(short).querySelector('#name')?.getAttribute('value')).toBe('Chloé');

    const name = '<script>alert("name")</script>';
    const mismatch = await accept(link, { name, locale: 'en', password: PASSWORD, passwordConfirmation: `${PASSWORD}!` });
    expect(mismatch.statusCode).toBe(422);
    expect(html(mismatch).querySelector('#name')?.getAttribute('value')).toBe(name);
    expect(mismatch.body).not.toContain(name);
    expect(html(mismatch).querySelector('#passwordConfirmation-error')?.text).toContain('not the same');
    expect(html(mismatch).querySelector('#password')?.getAttribute('value')).toBe('');
    expect(mismatch.body).not.toContain(PASSWORD);

    const personal = await accept(link, { name: 'Chloé', locale: 'en', password: INVITEE, passwordConfirmation: INVITEE });
    expect(html(personal).querySelector('#password-error')?.text).toContain('must not be your name or email address');

    expect(await userCount()).toBe(before);
    // The link still works after mistakes.
    expect((await accept(link, joining(name))).statusCode).toBe(303);
    const home = await t.app.inject({ url: '/', headers: { cookie: await login(t.app, INVITEE) } });
    expect(html(home).querySelector('h1')?.text).toBe(`Hello, ${name}`);
    expect(home.body).not.toContain(name);
  });

  it('works once: a second use is refused with 410 and a clear message', async () => {
    const link = await invited({ email: INVITEE, role: 'member', locale: 'en' });
    expect((await accept(link, joining())).statusCode).toBe(303);
    const users = await userCount();

    const again = await t.app.inject({ url: link, headers: { 'accept-language': 'en' } });
    expect(again.statusCode).toBe(410);
    expect(mainText(again)).toContain('This invitation has already been used.');
    const replay = await accept(link, joining('Mallory'), { 'accept-language': 'en' });
    expect(replay.statusCode).toBe(410);
    expect(replay.cookies.find((c) => c.name === 'hameau_session')).toBeUndefined();
    expect(await userCount()).toBe(users);
    const user = await t.app.db.selectFrom('users').select('name').where('email', '=', INVITEE).executeTakeFirstOrThrow();
    expect(user.name).toBe('Chloé Durand');
  });

  it('expires after 7 days', async () => {
    const link = await invited({ email: INVITEE, role: 'member', locale: 'en' });
    await t.app.db.updateTable('invitations').set({ expires_at: Date.now() - 1000 }).where('email', '=', INVITEE).execute();

    const page = await t.app.inject({ url: link, headers: { 'accept-language': 'en' } });
    expect(page.statusCode).toBe(410);
    expect(mainText(page)).toContain('This invitation has expired: invitations are valid for 7 days.');
    expect((await accept(link, joining())).statusCode).toBe(410);
    expect(await t.app.db.selectFrom('users').select('id').where('email', '=', INVITEE).execute()).toHaveLength(0);
  });

  it('is refused once revoked', async () => {
    const link = await invited({ email: INVITEE, role: 'member', locale: 'en' });
    const { id } = await invitationRow();

    const revoke = await t.app.inject({ method: 'POST', url: `/admin/invitations/${id}/revoke`, headers: { cookie: admin } });
    expect(revoke.statusCode).toBe(303);
    expect(revoke.headers.location).toBe('/admin/members');
    const members = await t.app.inject({ url: '/admin/members', headers: { cookie: cookiesFrom(revoke, admin) } });
    expect(html(members).querySelector('.notice')?.text).toContain(`The invitation for ${INVITEE} is cancelled`);
    expect(html(members).querySelector('#invitations')!.text).not.toContain(INVITEE);

    const page = await t.app.inject({ url: link, headers: { 'accept-language': 'en' } });
    expect(page.statusCode).toBe(410);
    expect(mainText(page)).toContain('This invitation was cancelled by an administrator.');
    expect((await accept(link, joining())).statusCode).toBe(410);
    expect(await t.app.db.selectFrom('users').select('id').where('email', '=', INVITEE).execute()).toHaveLength(0);

    // Revoking twice is a 404, not a second audit entry.
    expect((await t.app.inject({ method: 'POST', url: `/admin/invitations/${id}/revoke`, headers: { cookie: admin } })).statusCode).toBe(404);
  });

  it('sends again with a new link; the old link stops working, the new one works, even after expiry', async () => {
    const oldLink = await invited({ email: INVITEE, role: 'member', locale: 'en' });
    const { id } = await invitationRow();
    await t.app.db.updateTable('invitations').set({ expires_at: Date.now() - 1000 }).where('id', '=', id).execute();

    const resent = await t.app.inject({ method: 'POST', url: `/admin/invitations/${id}/resend`, headers: { cookie: admin } });
    const resend = await follow(t, resent, admin);
    expect(resend.statusCode).toBe(200);
    expect(html(resend).querySelector('#invite .notice')?.text).toContain(`New invitation link for ${INVITEE}; the previous link no longer works.`);
    const newLink = shownLink(resend);
    expect(newLink).not.toBe(oldLink);
    expect((await invitationRow()).expires_at).toBeGreaterThan(Date.now() + 7 * DAY - 60_000);

    const old = await t.app.inject({ url: oldLink, headers: { 'accept-language': 'en' } });
    expect(old.statusCode).toBe(404);
    expect(mainText(old)).toContain('This invitation link does not exist.');
    expect((await accept(oldLink, joining())).statusCode).toBe(404);

    expect((await t.app.inject({ url: newLink })).statusCode).toBe(200);
    expect((await accept(newLink, joining())).statusCode).toBe(303);
    // Nothing left to send again.
    expect((await t.app.inject({ method: 'POST', url: `/admin/invitations/${id}/resend`, headers: { cookie: admin } })).statusCode).toBe(404);
  });

  it('explains, on the email field, that someone is already a member or already invited', async () => {
    const member = await invite({ email: ADMIN.email.toUpperCase(), role: 'member', locale: 'en' });
    expect(member.statusCode).toBe(422);
    expect(html(member).querySelector('#invite-email-error')?.text).toContain(`${ADMIN.email.toUpperCase()} is already a member.`);
    expect(html(member).querySelector('#invite-email')?.getAttribute('value')).toBe(ADMIN.email.toUpperCase());

    expect((await invite({ email: INVITEE, role: 'admin', locale: 'fr' })).statusCode).toBe(303);
    const twice = await invite({ email: INVITEE, role: 'admin', locale: 'fr' });
    expect(twice.statusCode).toBe(422);
    expect(html(twice).querySelector('#invite-email-error')?.text).toContain(`${INVITEE} has already been invited.`);
    // What was chosen stays chosen.
    expect(html(twice).querySelector('#invite-role option[selected]')?.getAttribute('value')).toBe('admin');
    expect(html(twice).querySelector('#invite-locale option[selected]')?.getAttribute('value')).toBe('fr');
    expect(await t.app.db.selectFrom('invitations').select('id').execute()).toHaveLength(1);
  });

  it('refuses a malformed address or role, keeping what was typed, escaped', async () => {
    const email = '<img src=x onerror=alert(1)>';
    const response = await invite({ email, role: 'owner', locale: 'en' });
    expect(response.statusCode).toBe(422);
    const page = html(response);
    expect(page.querySelector('#invite-email')?.getAttribute('value')).toBe(email);
    expect(page.querySelector('#invite-email-error')?.text).toContain('Enter an email address like name@example.com.');
    expect(page.querySelector('#invite-role-error')?.text).toContain('Choose one of the options.');
    expect(response.body).not.toContain(email);
    expect(page.querySelectorAll('img')).toHaveLength(0);
    expect(await t.app.db.selectFrom('invitations').select('id').execute()).toHaveLength(0);
  });

  it('lets only admins invite: a member gets 403, a visitor is sent to sign in', async () => {
    await createUser(t.app, { email: 'bruno@example.com' });
    const member = await login(t.app, 'bruno@example.com');
    const forbidden = await invite({ email: INVITEE, role: 'admin', locale: 'en' }, member);
    expect(forbidden.statusCode).toBe(403);
    const anonymous = await invite({ email: INVITEE, role: 'admin', locale: 'en' }, '');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login');
    const page = await t.app.inject({ url: '/admin/members' });
    expect(page.headers.location).toBe('/login?next=%2Fadmin%2Fmembers');

    const { id } = await t.app.db
      .insertInto('invitations')
      .values({ email: 'x@example.com', role: 'member', locale: 'en', token_hash: Buffer.alloc(32, 1), invited_by: 1, created_at: Date.now(), expires_at: Date.now() + DAY, last_sent_at: Date.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const action of ['resend', 'revoke']) {
      const response = await t.app.inject({ method: 'POST', url: `/admin/invitations/${id}/${action}`, headers: { cookie: member } });
      expect(response.statusCode, action).toBe(403);
    }
    expect(await t.app.db.selectFrom('invitations').select('id').execute()).toHaveLength(1);
    expect((await t.app.db.selectFrom('invitations').select('revoked_at').executeTakeFirstOrThrow()).revoked_at).toBeNull();
  });

  it('answers an htmx request with only the invite panel and the invitation list', async () => {
    const headers = { 'hx-request': 'true', 'hx-request-type': 'partial' };
    const response = await invite({ email: INVITEE, role: 'member', locale: 'en' }, admin, headers);
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toMatch(/<html|<body|<main/i);
    expect(String(response.headers.vary)).toContain('HX-Request');
    const fragment = html(response);
    expect(fragment.querySelector('section#invite')).not.toBe(null);
    expect(shownLink(response)).toMatch(/^\/invite\//);
    const partial = fragment.querySelector('hx-partial');
    expect(partial?.getAttribute('hx-target')).toBe('#invitations');
    expect(partial?.querySelector('section#invitations')?.text).toContain(INVITEE);

    // Mistakes come back as a fragment too, with 422.
    const again = await invite({ email: INVITEE, role: 'member', locale: 'en' }, admin, headers);
    expect(again.statusCode).toBe(422);
    expect(again.body).not.toMatch(/<html/i);
    expect(html(again).querySelector('#invite-email-error')?.text).toContain('has already been invited');

    // The same request without htmx is POST-then-redirect to the whole page.
    const page = await follow(t, await invite({ email: 'dan@example.com', role: 'member', locale: 'en' }), admin);
    expect(page.body).toMatch(/<html/i);
    expect(shownLink(page)).toMatch(/^\/invite\//);
  });
});

describe('invitations by email (SMTP configured)', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let admin: string;
  beforeEach(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://intranet.example.com' });
    admin = await setupOrganisation(t.app, { organisationName: 'Acme' });
  });
  afterEach(async () => {
    await t.close();
    await smtp.close();
  });

  const invite = (payload: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/admin/invitations', payload, headers: { cookie: admin } });

  it('emails the link in the invitation’s language and does not show it on the page', async () => {
    const response = await follow(t, await invite({ email: INVITEE, role: 'member', locale: 'fr' }), admin);
    expect(response.statusCode).toBe(200);
    expect(html(response).querySelector('#invite .notice')?.text).toContain(`Invitation sent to ${INVITEE}.`);
    expect(html(response).querySelector('#outcome-link')).toBe(null);
    expect(response.body).not.toContain('/invite/');
    expect(mainText(response)).not.toContain('Email is not set up');

    const mail = await smtp.nextMessage();
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe(INVITEE);
    expect(mail.subject).toBe(`${ADMIN.name} vous invite à rejoindre Acme sur Hameau`);
    expect(mail.text).toContain('Pour accepter, ouvrez ce lien');
    const link = linkIn(mail);
    expect(link).toMatch(/^https:\/\/intranet\.example\.com\/invite\/[a-z0-9]{48}$/);

    const path = new URL(link).pathname;
    expect(JSON.stringify(t.logs)).not.toContain(path.split('/').pop()!);
    const joined = await t.app.inject({
      method: 'POST',
      url: path,
      payload: { name: 'Chloé Durand', locale: 'fr', password: PASSWORD, passwordConfirmation: PASSWORD },
    });
    expect(joined.statusCode).toBe(303);
    const home = await t.app.inject({ url: '/', headers: { cookie: sessionCookie(joined) } });
    expect(mainText(home)).toContain('Bonjour, Chloé Durand');
  });

  it('emails a new link when sending again, and the first one stops working', async () => {
    await invite({ email: INVITEE, role: 'member', locale: 'en' });
    const first = new URL(linkIn(await smtp.nextMessage())).pathname;
    const { id } = await t.app.db.selectFrom('invitations').select('id').executeTakeFirstOrThrow();

    const resend = await follow(t, await t.app.inject({ method: 'POST', url: `/admin/invitations/${id}/resend`, headers: { cookie: admin } }), admin);
    expect(resend.statusCode).toBe(200);
    expect(html(resend).querySelector('#invite .notice')?.text).toContain(`A new invitation was sent to ${INVITEE}`);
    expect(html(resend).querySelector('#outcome-link')).toBe(null);
    const mail = await smtp.nextMessage();
    expect(mail.subject).toBe(`${ADMIN.name} invites you to join Acme on Hameau`);
    const second = new URL(linkIn(mail)).pathname;
    expect(second).not.toBe(first);
    expect((await t.app.inject({ url: first })).statusCode).toBe(404);
    expect((await t.app.inject({ url: second })).statusCode).toBe(200);
  });
});

/** An admin invites Chloé, in English, as a member. */
const inviteChloe = (t: TestApp, admin: string) =>
  t.app.inject({ method: 'POST', url: '/admin/invitations', payload: { email: INVITEE, role: 'member', locale: 'en' }, headers: { cookie: admin } });

describe('invitations when the email server fails', () => {
  it('shows the link to pass on, and says the email could not be sent', async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    const t = await createTestApp({ SMTP_URL: 'smtp://127.0.0.1:9' });
    try {
      const admin = await setupOrganisation(t.app);
      const response = await follow(t, await inviteChloe(t, admin), admin);
      expect(response.statusCode).toBe(200);
      expect(mainText(response)).toContain('The email could not be sent');
      const link = shownLink(response);
      expect((await t.app.inject({ url: link })).statusCode).toBe(200);
      expect(t.logs.some((line) => line.msg === 'email could not be sent')).toBe(true);
    } finally {
      await t.close();
    }
  });
});

describe('accepting an invitation in a browser where someone is signed in', () => {
  it('signs the previous person out of that browser', async () => {
    const t = await createTestApp();
    try {
      const admin = await setupOrganisation(t.app);
      const invited = await inviteChloe(t, admin);
      const accepted = await t.app.inject({
        method: 'POST',
        url: shownLink(await follow(t, invited, admin)),
        payload: { name: 'Chloé', locale: 'en', password: PASSWORD, passwordConfirmation: PASSWORD },
        headers: { cookie: admin },
      });
      expect(accepted.statusCode).toBe(303);
      const adminSessionId = admin.split('=')[1]!.split('.')[0]!;
      const left = await t.app.db.selectFrom('sessions').select('id').where('id', '=', adminSessionId).execute();
      expect(left).toHaveLength(0);
      expect((await t.app.inject({ url: '/', headers: { cookie: admin } })).headers.location).toBe('/login?next=%2F');
      expect((await t.app.inject({ url: '/', headers: { cookie: sessionCookie(accepted) } })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('answers that a reload cannot repeat (POST, then redirect)', () => {
  let t: TestApp;
  let admin: string;
  beforeEach(async () => {
    t = await createTestApp();
    admin = await setupOrganisation(t.app);
  });
  afterEach(async () => t.close());

  const members = (cookie: string) => t.app.inject({ url: '/admin/members', headers: { cookie } });

  it('shows the invitation link once, through a short-lived signed cookie; a reload shows the page and creates nothing', async () => {
    const posted = await inviteChloe(t, admin);
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe('/admin/members#invite');
    const flash = posted.cookies.find((c) => c.name === 'hameau_flash')!;
    expect(flash).toMatchObject({ httpOnly: true, maxAge: 60, path: '/', sameSite: 'Lax' });
    // Signed: the value ends with a signature Hameau checks.
    expect(decodeURIComponent(flash.value)).toMatch(/\.[\w+/=-]{20,}$/);

    const page = await follow(t, posted, admin);
    const link = shownLink(page);
    // Read once: the page clears the cookie.
    expect(page.cookies.find((c) => c.name === 'hameau_flash')?.value).toBe('');

    const reload = await members(admin);
    expect(reload.statusCode).toBe(200);
    expect(html(reload).querySelector('#outcome-link')).toBe(null);
    expect(reload.body).not.toContain(link);
    expect(html(reload).querySelector('#invitations')!.text).toContain(INVITEE);
    expect(await t.app.db.selectFrom('invitations').select('id').execute()).toHaveLength(1);
  });

  it('sends again once: the reload does not make another link, so the one just copied keeps working', async () => {
    await inviteChloe(t, admin);
    const { id } = await t.app.db.selectFrom('invitations').select('id').executeTakeFirstOrThrow();
    const resent = await t.app.inject({ method: 'POST', url: `/admin/invitations/${id}/resend`, headers: { cookie: admin } });
    expect(resent.statusCode).toBe(303);
    expect(resent.headers.location).toBe('/admin/members#invite');
    const link = shownLink(await follow(t, resent, admin));
    const { token_hash } = await t.app.db.selectFrom('invitations').select('token_hash').executeTakeFirstOrThrow();

    const reload = await members(admin);
    expect(html(reload).querySelector('#outcome-link')).toBe(null);
    expect((await t.app.db.selectFrom('invitations').select('token_hash').executeTakeFirstOrThrow()).token_hash).toEqual(token_hash);
    expect((await t.app.inject({ url: link })).statusCode).toBe(200);
  });

  it('shows an admin’s password link once, after a redirect', async () => {
    const memberId = await createUser(t.app, { email: 'bruno@example.com' });
    const made = await t.app.inject({ method: 'POST', url: `/admin/members/${memberId}/reset-link`, headers: { cookie: admin } });
    expect(made.statusCode).toBe(303);
    expect(made.body).not.toContain('/password/reset/');
    const page = await follow(t, made, admin);
    expect(html(page).querySelector('#invite .notice')?.text).toContain('Password link for bruno@example.com.');
    const link = new URL(html(page).querySelector('#outcome-link')!.getAttribute('value')!).pathname;
    expect(link).toMatch(/^\/password\/reset\/\w{48}$/);
    expect(html(await members(admin)).querySelector('#outcome-link')).toBe(null);
    expect(await t.app.db.selectFrom('password_resets').select('id').execute()).toHaveLength(1);
    expect((await t.app.inject({ url: link })).statusCode).toBe(200);
  });

  it('ignores a flash cookie that Hameau did not sign, or that names another message', async () => {
    const forged = JSON.stringify({ outcome: { kind: 'invitation', email: 'x@example.com', link: 'https://evil.example/', emailed: false, sendFailed: false } });
    const page = await members(`${admin}; hameau_flash=${encodeURIComponent(forged)}`);
    expect(page.statusCode).toBe(200);
    expect(html(page).querySelector('#outcome-link')).toBe(null);
    expect(page.body).not.toContain('evil.example');
  });
});

describe('a password link made by an admin, with email set up', () => {
  it('is shown to the admin and never emailed', async () => {
    const smtp = await startSmtp();
    const t = await createTestApp({ SMTP_URL: smtp.url });
    try {
      const admin = await setupOrganisation(t.app);
      const memberId = await createUser(t.app, { email: 'bruno@example.com' });
      const made = await t.app.inject({ method: 'POST', url: `/admin/members/${memberId}/reset-link`, headers: { cookie: admin } });
      const page = await follow(t, made, admin);
      expect(html(page).querySelector('#outcome-link')?.getAttribute('value')).toMatch(/\/password\/reset\/\w{48}$/);
      expect(mainText(page)).not.toContain('could not be sent');
      // The first message the server receives afterwards is the invitation: no password link was mailed.
      await inviteChloe(t, admin);
      expect((await smtp.nextMessage()).to).toMatchObject({ text: INVITEE });
      expect(smtp.messages).toHaveLength(1);
    } finally {
      await t.close();
      await smtp.close();
    }
  });
});

describe('invitation changes that could race', () => {
  let t: TestApp;
  let admin: string;
  beforeEach(async () => {
    t = await createTestApp();
    admin = await setupOrganisation(t.app);
  });
  afterEach(async () => t.close());

  const rows = () => t.app.db.selectFrom('invitations').selectAll().orderBy('id').execute();

  it('supersedes an expired invitation when the address is invited again', async () => {
    const oldLink = shownLink(await follow(t, await inviteChloe(t, admin), admin));
    await t.app.db.updateTable('invitations').set({ expires_at: Date.now() - 1000 }).execute();

    const again = await inviteChloe(t, admin);
    expect(again.statusCode).toBe(303);
    const newLink = shownLink(await follow(t, again, admin));
    const [old, current] = await rows();
    expect(old!.revoked_at).not.toBeNull();
    expect(current).toMatchObject({ email: INVITEE, accepted_at: null, revoked_at: null });
    const audit = await t.app.db.selectFrom('audit_log').select(['action', 'subject_id']).where('action', '=', 'invitation.supersede').execute();
    expect(audit).toEqual([{ action: 'invitation.supersede', subject_id: String(old!.id) }]);

    expect((await t.app.inject({ url: oldLink })).statusCode).toBe(410);
    expect((await t.app.inject({ url: newLink })).statusCode).toBe(200);
  });

  it('keeps one invitation when two admins invite the same address at the same moment', async () => {
    await createUser(t.app, { email: 'second-admin@example.com', role: 'admin' });
    const other = await login(t.app, 'second-admin@example.com');
    const answers = await Promise.all([inviteChloe(t, admin), inviteChloe(t, other)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([303, 422]);
    const refused = answers.find((a) => a.statusCode === 422)!;
    expect(html(refused).querySelector('#invite-email-error')?.text).toContain(`${INVITEE} has already been invited.`);
    expect(await rows()).toHaveLength(1);
  });

  it('writes each change and its audit entry together, or neither', async () => {
    const memberId = await createUser(t.app, { email: 'bruno@example.com' });
    await inviteChloe(t, admin);
    const [before] = await rows();
    // From now on the audit log refuses every entry.
    t.app.sqlite.exec("CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END");
    const post = (url: string, payload?: Record<string, string>) => t.app.inject({ method: 'POST', url, headers: { cookie: admin }, ...(payload ? { payload } : {}) });

    expect((await post('/admin/invitations', { email: 'dan@example.com', role: 'member', locale: 'en' })).statusCode).toBe(500);
    expect((await post(`/admin/invitations/${before!.id}/resend`)).statusCode).toBe(500);
    expect((await post(`/admin/invitations/${before!.id}/revoke`)).statusCode).toBe(500);
    expect((await post(`/admin/members/${memberId}/reset-link`)).statusCode).toBe(500);

    expect(await rows()).toEqual([before]);
    expect(await t.app.db.selectFrom('password_resets').select('id').execute()).toEqual([]);
  });
});
