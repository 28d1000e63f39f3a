// Error pages as people meet them: in their language, inside the usual layout, and never showing
// what went wrong inside the server (that goes to the log, under the reference the page gives).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import {
  ADMIN,
  createTestApp,
  createUser,
  html,
  login,
  mainText,
  setupOrganisation,
  type TestApp,
} from '../helpers/app.js';

/** The layout's landmarks, present on every full page, error pages included. */
function expectLayout(response: LightMyRequestResponse, lang: 'fr' | 'en') {
  const page = html(response);
  expect(page.querySelector('html')?.getAttribute('lang')).toBe(lang);
  expect(page.querySelector('header.site-header')).not.toBeNull();
  expect(page.querySelector('main#main')).not.toBeNull();
  expect(page.querySelector('footer')).not.toBeNull();
  expect(page.querySelector('a.skip-link')?.getAttribute('href')).toBe('#main');
  expect(page.querySelectorAll('h1')).toHaveLength(1);
}

describe('404 and 403 pages', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
    await setupOrganisation(t.app, { locale: 'fr' });
  });
  afterEach(async () => t.close());

  it('tells a visitor the page does not exist, in the language of their browser', async () => {
    const french = await t.app.inject({ url: '/nulle-part', headers: { 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' } });
    expect(french.statusCode).toBe(404);
    expect(french.headers['content-type']).toMatch(/^text\/html/);
    expectLayout(french, 'fr');
    expect(html(french).querySelector('h1')?.text).toBe('Page introuvable');
    expect(html(french).querySelector('main a[href="/"]')?.text).toBe('Aller à l’accueil');

    const english = await t.app.inject({ url: '/nowhere', headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(english.statusCode).toBe(404);
    expectLayout(english, 'en');
    expect(html(english).querySelector('h1')?.text).toBe('Page not found');
    expect(mainText(english)).toContain('This page does not exist');
    expect(html(english).querySelector('.skip-link')?.text).toBe('Skip to content');

    // Neither the URL nor a reference number: nothing went wrong on the server.
    expect(mainText(english)).not.toContain('/nowhere');
    expect(mainText(english)).not.toMatch(/reference|req-/i);
  });

  it('falls back to the organisation language for a browser that asks for neither', async () => {
    const response = await t.app.inject({ url: '/nowhere', headers: { 'accept-language': 'de-DE,de;q=0.9' } });
    expect(response.statusCode).toBe(404);
    expectLayout(response, 'fr');
  });

  it('speaks the language a signed-in member chose, whatever their browser says', async () => {
    await createUser(t.app, { email: 'bob@example.com', name: 'Bob Smith', locale: 'en' });
    const bob = await login(t.app, 'bob@example.com');
    const response = await t.app.inject({ url: '/no-such-page', headers: { cookie: bob, 'accept-language': 'fr' } });
    expect(response.statusCode).toBe(404);
    expectLayout(response, 'en');
    expect(html(response).querySelector('h1')?.text).toBe('Page not found');
    // Still signed in on the error page: their menu and navigation are there.
    expect(html(response).querySelector('.user-menu__name')?.text).toBe('Bob Smith');
    expect(html(response).querySelector('nav')).not.toBeNull();

    const admin = await login(t.app, ADMIN.email, ADMIN.password);
    const french = await t.app.inject({ url: '/no-such-page', headers: { cookie: admin, 'accept-language': 'en' } });
    expectLayout(french, 'fr');
    expect(html(french).querySelector('h1')?.text).toBe('Page introuvable');
  });

  it('answers 404 for unknown methods and malformed ids, as a page', async () => {
    const admin = await login(t.app, ADMIN.email, ADMIN.password);
    for (const [method, url] of [
      ['DELETE', '/account'],
      ['PUT', '/login'],
      ['POST', '/admin/members/99999999999999999999/deactivate'],
      ['POST', '/admin/members/1e3/role'],
      ['POST', '/admin/invitations/abc/resend'],
      ['POST', '/account/sessions/not-mine/end'],
    ] as const) {
      const response = await t.app.inject({ method, url, headers: { cookie: admin } });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(html(response).querySelector('h1')?.text, `${method} ${url}`).toBe('Page introuvable');
    }
  });

  it('tells a member an admin page is not for them, without showing any of it', async () => {
    await createUser(t.app, { email: 'bob@example.com', locale: 'en' });
    const bob = await login(t.app, 'bob@example.com');
    const response = await t.app.inject({ url: '/admin/members', headers: { cookie: bob } });
    expect(response.statusCode).toBe(403);
    expectLayout(response, 'en');
    expect(html(response).querySelector('h1')?.text).toBe('Not allowed');
    expect(mainText(response)).toContain('You do not have permission to do this.');
    expect(response.body).not.toContain(ADMIN.email);

    const french = await t.app.inject({
      method: 'POST',
      url: '/admin/invitations',
      headers: { cookie: bob, 'accept-language': 'fr' },
      payload: { email: 'mallory@example.com', role: 'admin', locale: 'fr' },
    });
    expect(french.statusCode).toBe(403);
    expect(await t.app.db.selectFrom('invitations').select('id').execute()).toEqual([]);

    await t.app.db.updateTable('users').set({ locale: 'fr' }).where('email', '=', 'bob@example.com').execute();
    const inFrench = await t.app.inject({ url: '/admin/members', headers: { cookie: bob } });
    expect(html(inFrench).querySelector('h1')?.text).toBe('Action non autorisée');
  });
});

/** Builds Hameau with extra routes that fail, registered before the app is ready (as a plugin would). */
async function appWithFailingRoutes(routes: (app: FastifyInstance) => void) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-errors-'));
  const logs: Record<string, unknown>[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = await buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'info' }), { logStream });
  routes(app);
  await app.ready();
  return {
    app,
    logs,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const SECRET = 'SQLITE_CONSTRAINT: UNIQUE constraint failed: users.email (db password hunter2)';

describe('500 pages', () => {
  let t: Awaited<ReturnType<typeof appWithFailingRoutes>>;
  beforeEach(async () => {
    t = await appWithFailingRoutes((app) => {
      app.get('/explode', async () => {
        throw new Error(SECRET);
      });
      app.get('/explode-sync', () => {
        throw new TypeError(SECRET);
      });
      app.get('/explode-later', (_request, reply) => {
        setImmediate(() => reply.send(new Error(SECRET)));
      });
      app.get('/explode-with-status', async () => {
        throw Object.assign(new Error(SECRET), { statusCode: 502 });
      });
      app.get('/throw-a-string', async () => {
        // Code we do not control (a dependency, a plugin) can throw anything.
        throw SECRET;
      });
      app.get('/throw-null', async () => {
        throw null;
      });
    });
    await setupOrganisation(t.app, { locale: 'fr' });
  });
  afterEach(async () => t.close());

  function expectNothingLeaked(response: LightMyRequestResponse) {
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('SQLITE');
    expect(response.body).not.toMatch(/\bat \S+ \(|\.ts:\d+|node_modules|\/work\/|Error:/);
  }

  it.each(['/explode', '/explode-sync', '/explode-later', '/throw-a-string', '/throw-null'])(
    'shows a plain apology and a reference for %s, never the error',
    async (url) => {
      const response = await t.app.inject({ url, headers: { 'accept-language': 'en' } });
      expect(response.statusCode).toBe(500);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expectLayout(response, 'en');
      expect(html(response).querySelector('h1')?.text).toBe('Something went wrong');
      expectNothingLeaked(response);
      expect(mainText(response)).toMatch(/give this reference to your IT team: \S+/);
    },
  );

  it('logs the error, with its stack, under the reference the page shows', async () => {
    const response = await t.app.inject({ url: '/explode', headers: { 'accept-language': 'fr' } });
    expect(response.statusCode).toBe(500);
    expect(html(response).querySelector('h1')?.text).toBe('Une erreur est survenue');
    const reference = /informatique : (\S+)/.exec(mainText(response))?.[1];
    expect(reference).toBeTruthy();

    const logged = t.logs.filter((line) => line.level === 50 && line.reqId === reference);
    expect(logged).toHaveLength(1);
    const err = logged[0]!.err as { message: string; stack: string };
    expect(err.message).toBe(SECRET);
    expect(err.stack).toContain('errors.test.ts');
    // The reference is that of this request only.
    const other = await t.app.inject({ url: '/explode' });
    expect(/informatique : (\S+)/.exec(mainText(other))?.[1]).not.toBe(reference);
  });

  it('keeps a server error status other than 500, without its message', async () => {
    const response = await t.app.inject({ url: '/explode-with-status', headers: { 'accept-language': 'en' } });
    expect(response.statusCode).toBe(502);
    expectNothingLeaked(response);
    expect(html(response).querySelector('h1')?.text).toBe('Something went wrong');
  });

  it('answers an htmx request with the error fragment only, still without the error', async () => {
    const response = await t.app.inject({
      url: '/explode',
      headers: { 'accept-language': 'en', 'hx-request': 'true', 'hx-request-type': 'partial' },
    });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('<html');
    expect(html(response).querySelector('h1')?.text).toBe('Something went wrong');
    expectNothingLeaked(response);
  });
});

describe('bad requests', () => {
  let t: TestApp;
  let admin: string;
  beforeEach(async () => {
    t = await createTestApp();
    admin = await setupOrganisation(t.app, { locale: 'fr' });
  });
  afterEach(async () => t.close());

  const ONE_MIB = 1024 * 1024;

  it('refuses a body over 1 MiB with a page saying so, and saves nothing', async () => {
    const payload = `role=member&locale=fr&email=${'a'.repeat(ONE_MIB)}@example.com`;
    const response = await t.app.inject({
      method: 'POST',
      url: '/admin/invitations',
      headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' },
      payload,
    });
    expect(response.statusCode).toBe(413);
    expectLayout(response, 'fr');
    expect(html(response).querySelector('h1')?.text).toBe('Trop volumineux');
    expect(await t.app.db.selectFrom('invitations').select('id').execute()).toEqual([]);

    const english = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/json', 'accept-language': 'en' },
      payload: JSON.stringify({ email: 'x@example.com', password: 'p'.repeat(ONE_MIB) }),
    });
    expect(english.statusCode).toBe(413);
    expect(html(english).querySelector('h1')?.text).toBe('Too large');
  });

  it('reads a body just under 1 MiB as a normal, invalid, form', async () => {
    const email = `${'a'.repeat(ONE_MIB - 200)}@example.com`;
    const response = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
      payload: `email=${email}&password=x`,
    });
    expect(response.statusCode).toBe(422);
    expect(html(response).querySelector('#email-error')?.text).toContain('Enter no more than 254 characters');
  });

  it.each([
    ['repeated fields', 'application/x-www-form-urlencoded', 'name=&name=Bob&locale=fr&locale=xx&extra=1'],
    ['bracketed field names', 'application/x-www-form-urlencoded', 'name[]=Bob&locale[x]=fr&__proto__[role]=admin'],
    ['broken percent-encoding', 'application/x-www-form-urlencoded', 'name=%ZZ%&locale=%E0%A4%A'],
    ['arrays and objects in JSON', 'application/json', '{"name": ["Bob", "Eve"], "locale": {"toString": "fr"}, "role": "admin"}'],
    ['numbers, booleans and null in JSON', 'application/json', '{"name": 42, "locale": true, "constructor": null}'],
    ['a JSON array', 'application/json', '[1, 2, 3]'],
    ['JSON null', 'application/json', 'null'],
    ['plain text', 'text/plain', 'name=Bob'],
  ])('answers %s with the form again (422), not a crash', async (_label, contentType, payload) => {
    const response = await t.app.inject({ method: 'POST', url: '/account', headers: { cookie: admin, 'content-type': contentType }, payload });
    expect(response.statusCode).toBe(422);
    expect(html(response).querySelector('h1')?.text).toBe('Votre profil');
    expect(html(response).querySelector('.error-summary')).not.toBeNull();
    // Nothing changed: not the name, not the role.
    const user = await t.app.db.selectFrom('users').select(['name', 'role', 'locale']).executeTakeFirstOrThrow();
    expect(user).toEqual({ name: ADMIN.name, role: 'admin', locale: 'fr' });
  });

  it('answers wrong types on every public form with 422 and the form kept', async () => {
    const json = { 'content-type': 'application/json', 'accept-language': 'en' };
    const login = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: json,
      payload: JSON.stringify({ email: ['alice@example.com', 'bob@example.com'], password: { length: 20 } }),
    });
    expect(login.statusCode).toBe(422);
    expect(html(login).querySelector('#password-error')?.text).toContain('This field is required');
    const forgot = await t.app.inject({ method: 'POST', url: '/password/forgot', headers: json, payload: JSON.stringify({ email: 12 }) });
    expect(forgot.statusCode).toBe(422);
    const invite = await t.app.inject({
      method: 'POST',
      url: '/admin/invitations',
      headers: { ...json, cookie: admin },
      payload: JSON.stringify({ email: 'carol@example.com', role: ['owner'], locale: 'en' }),
    });
    expect(invite.statusCode).toBe(422);
    expect(html(invite).querySelector('#invite-email')?.getAttribute('value')).toBe('carol@example.com');
    expect(await t.app.db.selectFrom('invitations').select('id').execute()).toEqual([]);
  });

  it('answers bodies it cannot read with a page, not a crash', async () => {
    const cases: [string, string, number][] = [
      ['application/json', '{"email": ', 400],
      ['application/json', '{"__proto__": {"role": "admin"}}', 400],
      ['application/xml', '<login/>', 415],
    ];
    for (const [contentType, payload, status] of cases) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': contentType, 'accept-language': 'en' },
        payload,
      });
      expect(response.statusCode, contentType).toBe(status);
      expect(response.headers['content-type'], contentType).toMatch(/^text\/html/);
      expect(html(response).querySelector('h1')?.text, contentType).toBe('Request not understood');
      expect(response.body).not.toMatch(/FST_|SyntaxError|Unexpected end/);
    }
    // Forms may carry files, so a multipart body is accepted everywhere; a form that reads no files
    // finds its fields missing and says so.
    const multipart = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'multipart/form-data; boundary=x', 'accept-language': 'en' },
      payload: '--x--',
    });
    expect(multipart.statusCode).toBe(422);
    expect(multipart.body).not.toMatch(/FST_|SyntaxError|Unexpected end/);
  });
});

describe('addresses that cannot be routed', () => {
  it('answers a URL with broken %-encoding with a short text in both languages, never run as a page', async () => {
    const t = await createTestApp();
    try {
      const response = await t.app.inject({ url: '/%E0%A4%A' });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.headers['content-security-policy']).toContain("default-src 'none'");
      expect(response.body).toContain('Bad request');
      expect(response.body).toContain('Requête incomprise');
    } finally {
      await t.close();
    }
  });

  it('answers a very long link token with the localized "does not exist" page', async () => {
    const t = await createTestApp();
    try {
      await setupOrganisation(t.app);
      const response = await t.app.inject({ url: `/password/reset/${'a'.repeat(200)}`, headers: { 'accept-language': 'en' } });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(mainText(response)).toContain('This password reset link does not exist.');
    } finally {
      await t.close();
    }
  });
});
