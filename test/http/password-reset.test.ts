import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
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

const EMAIL = 'bruno@example.com';
const NEW_PASSWORD = 'a brand new pass phrase';

const forgot = (t: TestApp, email: string) =>
  t.app.inject({ method: 'POST', url: '/password/forgot', payload: { email }, headers: { 'accept-language': 'en' } });
/** Asks for a link the way a browser does: the form answers with a redirect, then the browser shows the page it names. */
async function forgotAndFollow(t: TestApp, email: string): Promise<{ sent: LightMyRequestResponse; page: LightMyRequestResponse }> {
  const sent = await forgot(t, email);
  expect(sent.statusCode).toBe(303);
  expect(sent.headers.location).toBe('/password/forgot/sent');
  const page = await t.app.inject({ url: sent.headers.location!, headers: { cookie: cookiesFrom(sent), 'accept-language': 'en' } });
  expect(page.statusCode).toBe(200);
  return { sent, page };
}
const choose = (t: TestApp, path: string, password = NEW_PASSWORD, passwordConfirmation = password) =>
  t.app.inject({ method: 'POST', url: path, payload: { password, passwordConfirmation }, headers: { 'accept-language': 'en' } });
const signIn = (t: TestApp, email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/login', payload: { email, password } });

/** The visible answer to a reset request, with the address typed replaced, so answers can be compared. */
const answerFor = (response: LightMyRequestResponse, email: string) => mainText(response).replaceAll(email, 'EMAIL');

describe('password reset by email', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let userId: number;
  beforeEach(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ SMTP_URL: smtp.url });
    await setupOrganisation(t.app, { organisationName: 'Acme' });
    userId = await createUser(t.app, { email: EMAIL, name: 'Bruno Petit' });
  });
  afterEach(async () => {
    await t.close();
    await smtp.close();
  });

  /** Asks for a link for Bruno and returns its path ("/password/reset/<token>"). */
  async function requestLink(): Promise<string> {
    const response = await forgot(t, EMAIL);
    expect(response.statusCode).toBe(303);
    return new URL(linkIn(await smtp.nextMessage())).pathname;
  }
  const sessionsOf = (id: number) => t.app.db.selectFrom('sessions').select('id').where('user_id', '=', id).execute();

  it('emails a link; choosing a new password ends every session, the new password works and the old one does not', async () => {
    const laptop = await login(t.app, EMAIL);
    const phone = await login(t.app, EMAIL);
    const adminSessions = await sessionsOf(1);

    const { page: response } = await forgotAndFollow(t, EMAIL);
    expect(mainText(response)).toContain(`If an account uses ${EMAIL}, we have sent it a link`);
    const mail = await smtp.nextMessage();
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe(EMAIL);
    expect(mail.subject).toBe('Choose a new password for Acme');
    expect(mail.text).toContain('Hello Bruno Petit');
    const link = linkIn(mail);
    expect(link).toMatch(/^http:\/\/localhost:3000\/password\/reset\/[a-z0-9]{48}$/);
    const path = new URL(link).pathname;

    const form = await t.app.inject({ url: path, headers: { 'accept-language': 'en' } });
    expect(form.statusCode).toBe(200);
    expect(html(form).querySelector('h1')?.text).toBe('Choose a new password');

    const done = await choose(t, path);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/login');
    const notice = await t.app.inject({ url: '/login', headers: { cookie: cookiesFrom(done) } });
    expect(html(notice).querySelector('.notice')?.text).toContain('Your password has been changed. Sign in with the new one.');

    expect(await sessionsOf(userId)).toHaveLength(0);
    for (const cookie of [laptop, phone]) {
      const stale = await t.app.inject({ url: '/', headers: { cookie } });
      expect(stale.headers.location).toBe('/login?next=%2F');
    }
    // Someone else's sessions are not touched.
    expect(await sessionsOf(1)).toEqual(adminSessions);

    expect((await signIn(t, EMAIL, PASSWORD)).statusCode).toBe(422);
    expect((await signIn(t, EMAIL, NEW_PASSWORD)).statusCode).toBe(303);
    // The token never reaches the log.
    expect(JSON.stringify(t.logs)).not.toContain(path.split('/').pop()!);
  });

  it('writes the email in the member’s own language', async () => {
    await t.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', userId).execute();
    await forgot(t, EMAIL);
    const mail = await smtp.nextMessage();
    expect(mail.subject).toBe('Choisissez un nouveau mot de passe pour Acme');
    expect(mail.text).toContain('Bonjour Bruno Petit');
  });

  it('works only once', async () => {
    const path = await requestLink();
    expect((await choose(t, path)).statusCode).toBe(303);

    const again = await t.app.inject({ url: path, headers: { 'accept-language': 'en' } });
    expect(again.statusCode).toBe(410);
    expect(mainText(again)).toContain('This password reset link has already been used.');
    const replay = await choose(t, path, 'someone else’s pass phrase');
    expect(replay.statusCode).toBe(410);
    expect((await signIn(t, EMAIL, NEW_PASSWORD)).statusCode).toBe(303);
    expect((await signIn(t, EMAIL, 'someone else’s pass phrase')).statusCode).toBe(422);
  });

  it('spends every earlier link too once one of them is used', async () => {
    const first = await requestLink();
    const second = await requestLink();
    expect((await choose(t, second)).statusCode).toBe(303);
    expect((await t.app.inject({ url: first })).statusCode).toBe(410);
    expect((await choose(t, first, 'an older link pass phrase')).statusCode).toBe(410);
  });

  it('is valid 60 minutes, then refused with a clear message', async () => {
    const path = await requestLink();
    const row = await t.app.db.selectFrom('password_resets').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow();
    expect(row.expires_at - row.created_at).toBe(60 * 60 * 1000);

    await t.app.db.updateTable('password_resets').set({ expires_at: Date.now() - 1000 }).where('id', '=', row.id).execute();
    const page = await t.app.inject({ url: path, headers: { 'accept-language': 'en' } });
    expect(page.statusCode).toBe(410);
    expect(mainText(page)).toContain('This password reset link has expired: links work for 60 minutes.');
    expect(html(page).querySelector('main a[href="/password/forgot"]')).not.toBe(null);
    expect((await choose(t, path)).statusCode).toBe(410);
    expect((await signIn(t, EMAIL, PASSWORD)).statusCode).toBe(303);
    expect((await signIn(t, EMAIL, NEW_PASSWORD)).statusCode).toBe(422);
  });

  it('refuses a weak or mismatched new password with 422 and keeps the link usable', async () => {
    const path = await requestLink();
    const short = await choose(t, path, 'too short');
    expect(short.statusCode).toBe(422);
    expect(html(short).querySelector('#password-error')?.text).toContain('at least 12 characters');
    const mismatch = await choose(t, path, NEW_PASSWORD, `${NEW_PASSWORD}.`);
    expect(mismatch.statusCode).toBe(422);
    expect(html(mismatch).querySelector('#passwordConfirmation-error')?.text).toContain('not the same');
    expect(mismatch.body).not.toContain(NEW_PASSWORD);
    expect((await signIn(t, EMAIL, PASSWORD)).statusCode).toBe(303);
    expect((await choose(t, path)).statusCode).toBe(303);
  });

  it('answers the same for an unknown email, a deactivated member and a real one, and emails only the real one', async () => {
    await createUser(t.app, { email: 'gone@example.com' });
    await t.app.db.updateTable('users').set({ status: 'deactivated' }).where('email', '=', 'gone@example.com').execute();

    const unknown = await forgotAndFollow(t, 'nobody@example.com');
    const deactivated = await forgotAndFollow(t, 'gone@example.com');
    const real = await forgotAndFollow(t, EMAIL);
    // The mail goes out after the answer: wait for the real one; nothing was sent for the others
    // (they asked first, and their requests made no link to send).
    const mail = await smtp.nextMessage();
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe(EMAIL);
    expect(smtp.messages).toHaveLength(1);

    // The same redirect and the same cookies...
    for (const { sent } of [unknown, deactivated]) {
      expect(sent.headers.location).toBe(real.sent.headers.location);
      expect(sent.cookies.map((c) => c.name)).toEqual(real.sent.cookies.map((c) => c.name));
    }
    // ...then the same page.
    expect(answerFor(unknown.page, 'nobody@example.com')).toBe(answerFor(real.page, EMAIL));
    expect(answerFor(deactivated.page, 'gone@example.com')).toBe(answerFor(real.page, EMAIL));
    expect(answerFor(real.page, EMAIL)).toContain('If an account uses EMAIL, we have sent it a link to choose a new password.');
    expect(await t.app.db.selectFrom('password_resets').select('user_id').execute()).toEqual([{ user_id: userId }]);
  });

  it('keeps a malformed address, escaped, with a message', async () => {
    const email = '<script>alert(1)</script>';
    const response = await forgot(t, email);
    expect(response.statusCode).toBe(422);
    expect(html(response).querySelector('#email')?.getAttribute('value')).toBe(email);
    expect(html(response).querySelector('#email-error')?.text).toContain('Enter an email address like name@example.com.');
    expect(response.body).not.toContain(email);

    // A well-formed address full of markup is shown back escaped on the answer page.
    const marked = '<b>x</b>@example.com';
    const { page: sent } = await forgotAndFollow(t, marked);
    expect(mainText(sent)).toContain(`If an account uses ${marked}`);
    expect(sent.body).not.toContain('<b>x</b>');
    expect(smtp.messages).toHaveLength(0);
  });

  it('answers with a redirect, so that reloading does not send the form again; the address never appears in the URL', async () => {
    const { sent, page } = await forgotAndFollow(t, EMAIL);
    expect(sent.headers.location).not.toContain('bruno');
    expect(sent.body).toBe('');
    expect(html(page).querySelector('h1')?.text).toBe('Check your email');
    expect(mainText(page)).toContain(`If an account uses ${EMAIL}`);
    await smtp.nextMessage();

    // Reloading the page, once the notice has been read, goes back to the form and sends nothing.
    const flash = page.cookies.find((c) => c.name === 'hameau_flash');
    expect(flash?.value).toBe('');
    const reload = await t.app.inject({ url: '/password/forgot/sent', headers: { 'accept-language': 'en' } });
    expect(reload.statusCode).toBe(303);
    expect(reload.headers.location).toBe('/password/forgot');
    expect(smtp.messages).toHaveLength(1);
    expect(await t.app.db.selectFrom('password_resets').select('id').execute()).toHaveLength(1);
  });

  it('shows the page only after a request: another notice, or a forged one, leads back to the form', async () => {
    const signedOut = await t.app.inject({ method: 'POST', url: '/logout' });
    const forged = `hameau_flash=${encodeURIComponent(JSON.stringify({ key: 'flash.resetRequested', params: { email: 'x@example.com' }, kind: 'info' }))}`;
    for (const cookie of [cookiesFrom(signedOut), forged]) {
      const page = await t.app.inject({ url: '/password/forgot/sent', headers: { cookie } });
      expect(page.statusCode, cookie).toBe(303);
      expect(page.headers.location).toBe('/password/forgot');
    }
  });

  it('refuses a link that never existed with 404', async () => {
    const response = await t.app.inject({ url: `/password/reset/${'a'.repeat(48)}`, headers: { 'accept-language': 'en' } });
    expect(response.statusCode).toBe(404);
    expect(mainText(response)).toContain('This password reset link does not exist.');
    expect((await choose(t, '/password/reset/not-a-token')).statusCode).toBe(404);
  });
});

/** A mail server that accepts connections and then never says a word. */
async function startSilentMailServer(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('password reset with a mail server that does not answer', () => {
  it('answers at once for a real account as for an unknown one, and logs the email that could not be sent', async () => {
    const mailServer = await startSilentMailServer();
    const t = await createTestApp({ SMTP_URL: mailServer.url });
    try {
      await setupOrganisation(t.app);
      await createUser(t.app, { email: EMAIL });
      // Waiting for the mail server here would tell who has an account (and hold the request for
      // as long as the server keeps silent). The timer only tells a waiting answer from a prompt one.
      const within = <T>(promise: Promise<T>) =>
        Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 5_000).unref())]);
      const real = await within(forgot(t, EMAIL));
      const unknown = await within(forgot(t, 'nobody@example.com'));
      expect(real === 'still waiting' ? real : real.statusCode).toBe(303);
      expect(unknown === 'still waiting' ? unknown : unknown.statusCode).toBe(303);
      await vi.waitFor(() => expect(mailServer.connections()).toBe(1));
      // The server hangs up without a word: the failure is logged, with the address and not the link.
      await mailServer.close();
      await vi.waitFor(() => expect(t.logs.find((l) => l.msg === 'email could not be sent')).toBeDefined());
      const logged = t.logs.find((l) => l.msg === 'email could not be sent')!;
      expect(logged.to).toBe(EMAIL);
      expect(JSON.stringify(logged)).not.toContain('/password/reset/');
    } finally {
      await t.close();
      await mailServer.close();
    }
  });
});

describe('password reset without email', () => {
  it('says honestly that no email can be sent, the same way for every address', async () => {
    const t = await createTestApp();
    try {
      await setupOrganisation(t.app);
      await createUser(t.app, { email: EMAIL });
      const form = await t.app.inject({ url: '/password/forgot', headers: { 'accept-language': 'en' } });
      expect(mainText(form)).toContain('This server cannot send email.');
      const known = (await forgotAndFollow(t, EMAIL)).page;
      const unknown = (await forgotAndFollow(t, 'nobody@example.com')).page;
      expect(mainText(unknown)).toBe(mainText(known));
      expect(mainText(known)).toContain('Ask an administrator of your organisation');
      expect(mainText(known)).not.toContain('we have sent it a link');
    } finally {
      await t.close();
    }
  });
});

describe('password link made by an administrator', () => {
  it('gives the admin a working single-use link for a member, audited; members and the admin themselves cannot', async () => {
    const t = await createTestApp();
    try {
      const admin = await setupOrganisation(t.app);
      const memberId = await createUser(t.app, { email: EMAIL });
      const made = await t.app.inject({ method: 'POST', url: `/admin/members/${memberId}/reset-link`, headers: { cookie: admin, 'accept-language': 'en' } });
      // The link is shown on the page the admin is sent to (POST then redirect).
      expect(made.statusCode).toBe(303);
      const shown = await t.app.inject({ url: made.headers.location!, headers: { cookie: cookiesFrom(made, admin), 'accept-language': 'en' } });
      expect(mainText(shown)).toContain(`Password link for ${EMAIL}`);
      const link = new URL(html(shown).querySelector('#outcome-link')!.getAttribute('value')!).pathname;
      expect(link).toMatch(/^\/password\/reset\/[a-z2-9]{48}$/);

      expect((await choose(t, link)).statusCode).toBe(303);
      expect((await signIn(t, EMAIL, NEW_PASSWORD)).statusCode).toBe(303);
      expect((await choose(t, link)).statusCode).toBe(410);

      const audit = await t.app.db.selectFrom('audit_log').selectAll().where('action', '=', 'member.issueResetLink').execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_id: 1, subject_id: String(memberId) });

      const member = sessionCookie(await signIn(t, EMAIL, NEW_PASSWORD));
      expect((await t.app.inject({ method: 'POST', url: `/admin/members/1/reset-link`, headers: { cookie: member } })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'POST', url: `/admin/members/1/reset-link`, headers: { cookie: admin } })).statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });
});
