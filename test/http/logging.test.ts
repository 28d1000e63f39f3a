// What ends up in the logs: structured JSON lines, and never a credential (cookies, authorization
// headers, passwords, sign-in links) even though logs are read by more people than the database.
import { afterEach, describe, expect, it } from 'vitest';
import { loggerOptions, redactUrl } from '../../src/http/logging.js';
import { ADMIN, createTestApp, createUser, html, login, PASSWORD, sessionCookie, setupOrganisation, type TestApp } from '../helpers/app.js';
import { linkIn, startSmtp, type TestSmtp } from '../helpers/smtp.js';

const everything = (t: TestApp) => JSON.stringify(t.logs);

describe('logs', () => {
  let t: TestApp;
  let smtp: TestSmtp | undefined;
  afterEach(async () => {
    await t.close();
    await smtp?.close();
    smtp = undefined;
  });

  it('are JSON lines with a level, a time, a message and the request id', async () => {
    t = await createTestApp();
    await t.app.inject({ url: '/setup' });
    const incoming = t.logs.find((line) => line.msg === 'incoming request');
    expect(incoming).toMatchObject({ level: 30, reqId: expect.any(String), req: { method: 'GET', url: '/setup' } });
    expect(typeof incoming!.time).toBe('number');
    const completed = t.logs.find((line) => line.msg === 'request completed' && line.reqId === incoming!.reqId);
    expect(completed).toMatchObject({ res: { statusCode: 200 } });
    // The options the server itself uses write JSON too (no pretty printer in production).
    const options = loggerOptions('info') as Record<string, unknown>;
    expect(options).not.toHaveProperty('transport');
  });

  it('redact cookies and authorization headers', async () => {
    t = await createTestApp();
    const admin = await setupOrganisation(t.app);
    const sessionToken = admin.split('=')[1]!;
    await t.app.inject({
      url: '/',
      headers: {
        cookie: `${admin}; other=cookie-secret-value`,
        authorization: 'Basic YWxpY2U6aHVudGVyMg==',
        'proxy-authorization': 'Bearer proxy-secret-value',
      },
    });
    const request = t.logs.find((line) => line.msg === 'incoming request' && (line.req as { url: string }).url === '/');
    const headers = (request!.req as { headers: Record<string, string> }).headers;
    expect(headers.cookie).toBe('[redacted]');
    expect(headers.authorization).toBe('[redacted]');
    expect(headers['proxy-authorization']).toBe('[redacted]');

    const text = everything(t);
    for (const secret of [sessionToken, 'cookie-secret-value', 'YWxpY2U6aHVudGVyMg==', 'proxy-secret-value']) {
      expect(text).not.toContain(secret);
    }
  });

  it('never hold the session token a sign-in sets', async () => {
    t = await createTestApp();
    await setupOrganisation(t.app);
    const response = await t.app.inject({ method: 'POST', url: '/login', payload: { email: ADMIN.email, password: ADMIN.password } });
    const token = sessionCookie(response).split('=')[1]!;
    expect(token.length).toBeGreaterThan(20);
    expect(everything(t)).not.toContain(token);
    expect(everything(t)).not.toContain(token.split('.')[1]!);
  });

  it('never hold the token of an invitation or password reset link', async () => {
    t = await createTestApp();
    const admin = await setupOrganisation(t.app);
    await createUser(t.app, { email: 'bob@example.com' });
    const invited = await t.app.inject({
      method: 'POST',
      url: '/admin/invitations',
      headers: { cookie: admin },
      payload: { email: 'carol@example.com', role: 'member', locale: 'en' },
    });
    // POST-then-redirect: the members page shows the link, carried by the flash cookie.
    const follow = async (posted: Awaited<ReturnType<typeof t.app.inject>>) =>
      t.app.inject({ url: '/admin/members', headers: { cookie: [admin, ...posted.cookies.map((c) => `${c.name}=${c.value}`)].join('; ') } });
    const invitationUrl = new URL(html(await follow(invited)).querySelector('#outcome-link')!.getAttribute('value')!);
    const bob = await t.app.db.selectFrom('users').select('id').where('email', '=', 'bob@example.com').executeTakeFirstOrThrow();
    const reset = await t.app.inject({ method: 'POST', url: `/admin/members/${bob.id}/reset-link`, headers: { cookie: admin } });
    const resetUrl = new URL(html(await follow(reset)).querySelector('#outcome-link')!.getAttribute('value')!);
    const tokens = [invitationUrl.pathname.split('/').pop()!, resetUrl.pathname.split('/').pop()!];
    expect(tokens.every((token) => token.length >= 32)).toBe(true);

    expect((await t.app.inject({ url: invitationUrl.pathname })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `${invitationUrl.pathname}?utm_source=mail` })).statusCode).toBe(200);
    expect((await t.app.inject({ url: resetUrl.pathname })).statusCode).toBe(200);
    const invalid = await t.app.inject({ method: 'POST', url: resetUrl.pathname, payload: { password: 'short', passwordConfirmation: 'short' } });
    expect(invalid.statusCode).toBe(422);
    const accepted = await t.app.inject({
      method: 'POST',
      url: invitationUrl.pathname,
      payload: { name: 'Carol', locale: 'en', password: PASSWORD, passwordConfirmation: PASSWORD },
    });
    expect(accepted.statusCode).toBe(303);
    // A used link, asked for again, is a 410 that is logged as any other request.
    expect((await t.app.inject({ url: invitationUrl.pathname })).statusCode).toBe(410);

    const text = everything(t);
    for (const token of tokens) expect(text).not.toContain(token);
    // The requests are logged, with the token cut out.
    const urls = t.logs.map((line) => (line.req as { url?: string } | undefined)?.url).filter(Boolean);
    expect(urls).toContain('/invite/[redacted]');
    expect(urls).toContain('/password/reset/[redacted]');
    expect(redactUrl('/invite/abc?x=1')).toBe('/invite/[redacted]?x=1');
  });

  it('never hold a link sent by email, nor the SMTP password, even when sending fails', async () => {
    smtp = await startSmtp();
    t = await createTestApp({ SMTP_URL: smtp.url });
    const admin = await setupOrganisation(t.app);
    await t.app.inject({
      method: 'POST',
      url: '/admin/invitations',
      headers: { cookie: admin },
      payload: { email: 'carol@example.com', role: 'member', locale: 'en' },
    });
    await t.app.inject({ method: 'POST', url: '/password/forgot', payload: { email: ADMIN.email } });
    const links = [linkIn(await smtp.nextMessage()), linkIn(await smtp.nextMessage())];
    const text = everything(t);
    for (const link of links) expect(text).not.toContain(link.split('/').pop()!);
    await t.close();

    // A mail server that refuses the connection, with a password in SMTP_URL.
    t = await createTestApp({ SMTP_URL: 'smtp://hameau:smtp-password-value@127.0.0.1:1' });
    const admin2 = await setupOrganisation(t.app);
    const failed = await t.app.inject({
      method: 'POST',
      url: '/admin/invitations',
      headers: { cookie: admin2 },
      payload: { email: 'dave@example.com', role: 'member', locale: 'en' },
    });
    const page = await t.app.inject({ url: '/admin/members', headers: { cookie: [admin2, ...failed.cookies.map((c) => `${c.name}=${c.value}`)].join('; ') } });
    const shownLink = html(page).querySelector('#outcome-link')?.getAttribute('value');
    expect(shownLink).toMatch(/\/invite\/\w+$/);
    expect(t.logs.some((line) => line.msg === 'email could not be sent')).toBe(true);
    expect(everything(t)).not.toContain(shownLink!.split('/').pop()!);
    expect(everything(t)).not.toContain('smtp-password-value');
  });

  it('never hold a password, typed right or wrong', async () => {
    t = await createTestApp();
    const setupPassword = 'the setup pass phrase for alice';
    await setupOrganisation(t.app, { password: setupPassword });
    await createUser(t.app, { email: 'bob@example.com' });
    const guesses = ['wrong guess number one', 'tiny-pw-9x', 'Mot de passe incorrect é'];
    for (const password of guesses) {
      const response = await t.app.inject({ method: 'POST', url: '/login', payload: { email: 'bob@example.com', password } });
      expect(response.statusCode).toBe(422);
    }
    await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'nobody@example.com', password: 'json body guess' }),
    });
    const bob = await login(t.app, 'bob@example.com');
    await t.app.inject({
      method: 'POST',
      url: '/account/password',
      headers: { cookie: bob },
      payload: { currentPassword: 'not my current one', password: 'a brand new pass phrase', passwordConfirmation: 'a brand new pass phrase' },
    });

    // The refusals are logged (so the check below reads real log lines)...
    expect(t.logs.filter((line) => line.msg === 'sign-in refused')).toHaveLength(4);
    // ...without any of the passwords.
    const text = everything(t);
    for (const password of [setupPassword, PASSWORD, ...guesses, 'json body guess', 'not my current one', 'a brand new pass phrase']) {
      expect(text).not.toContain(password);
    }
    expect(text).not.toContain('"password"');
  });
});

describe('logs of pages reached through a link', () => {
  it('never hold the token, whether it comes in the URL, the Referer or htmx’s HX-Current-URL', async () => {
    const t = await createTestApp();
    try {
      const admin = await setupOrganisation(t.app);
      const invited = await t.app.inject({
        method: 'POST',
        url: '/admin/invitations',
        payload: { email: 'chloe@example.com', role: 'member', locale: 'en' },
        headers: { cookie: admin, 'hx-request': 'true', 'hx-request-type': 'partial' },
      });
      const link = html(invited).querySelector('#outcome-link')?.getAttribute('value') ?? '';
      const token = link.split('/').pop()!;
      expect(token).toMatch(/^[a-z2-9]{48}$/);
      await t.app.inject({ url: '/static/css/hameau.css', headers: { referer: link } });
      await t.app.inject({
        method: 'POST',
        url: new URL(link).pathname,
        payload: { name: 'Chloé', locale: 'en', password: PASSWORD, passwordConfirmation: PASSWORD },
        headers: { 'hx-request': 'true', 'hx-current-url': link, referer: link },
      });
      const text = JSON.stringify(t.logs);
      expect(text).not.toContain(token);
      expect(text).toContain('/invite/[redacted]');
      // Headers outside the short list are not logged at all.
      await t.app.inject({ url: '/login', headers: { 'x-custom-secret': 'do-not-log-me' } });
      expect(JSON.stringify(t.logs)).not.toContain('do-not-log-me');
    } finally {
      await t.close();
    }
  });
});
