import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { wallClockAt } from '../../src/features/email-notifications/quiet-hours.js';
import { ADMIN, createTestApp, html, mainText, setupOrganisation, type TestApp } from '../helpers/app.js';

describe('first-run setup', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  it('sends every page to the setup page while no organisation exists', async () => {
    for (const url of ['/', '/login', '/admin/members', '/account', '/no-such-page']) {
      const response = await t.app.inject({ url });
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location).toBe('/setup');
    }
    const setup = await t.app.inject({ url: '/setup', headers: { 'accept-language': 'en' } });
    expect(setup.statusCode).toBe(200);
    expect(html(setup).querySelector('h1')?.text).toBe('Welcome to Hameau');
  });

  it('creates the organisation and its admin, signs the admin in, then is gone for good', async () => {
    const cookie = await setupOrganisation(t.app, { organisationName: 'Acme' });
    const home = await t.app.inject({ url: '/', headers: { cookie } });
    expect(home.statusCode).toBe(200);
    expect(mainText(home)).toContain(`Hello, ${ADMIN.name}`);
    expect(html(home).querySelector('.site-header__brand')?.text).toBe('Acme');

    const user = await t.app.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(user).toMatchObject({ email: ADMIN.email, role: 'admin', status: 'active' });
    expect(user.password_hash).toMatch(/^\$argon2id\$/);

    // Replaying setup, signed in or not, creates nothing.
    const replay = await t.app.inject({
      method: 'POST',
      url: '/setup',
      payload: { organisationName: 'Evil', locale: 'en', name: 'Mallory', email: 'mallory@example.com', password: 'another long pass phrase', passwordConfirmation: 'another long pass phrase' },
    });
    expect(replay.statusCode).toBe(404);
    expect((await t.app.inject({ url: '/setup' })).statusCode).toBe(404);
    const users = await t.app.db.selectFrom('users').select('email').execute();
    expect(users.map((u) => u.email)).toEqual([ADMIN.email]);
    const organisation = await t.app.db.selectFrom('organisation').select('name').executeTakeFirstOrThrow();
    expect(organisation.name).toBe('Acme');
  });

  it('keeps what was typed and explains each problem, in the chosen language', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/setup',
      headers: { 'accept-language': 'fr-FR,fr;q=0.9' },
      payload: { organisationName: '<script>alert(1)</script>', locale: 'fr', name: '', email: 'not-an-email', password: 'short', passwordConfirmation: 'short' },
    });
    expect(response.statusCode).toBe(422);
    const page = html(response);
    expect(page.querySelector('#organisationName')?.getAttribute('value')).toBe('<script>alert(1)</script>');
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(page.querySelector('#name-error')?.text).toContain('Ce champ est obligatoire.');
    expect(page.querySelector('#email-error')?.text).toContain('Saisissez une adresse e-mail');
    expect(page.querySelector('#email')?.getAttribute('value')).toBe('not-an-email');
    expect(page.querySelector('#email')?.getAttribute('aria-invalid')).toBe('true');
    // Passwords are never sent back to the browser.
    expect(page.querySelector('#password')?.getAttribute('value')).toBe('');
    expect(page.querySelector('.error-summary a[href="#name"]')).not.toBeNull();
    expect(await t.app.db.selectFrom('users').select('id').execute()).toHaveLength(0);
  });

  it('refuses short, common and mismatched passwords', async () => {
    const attempt = (password: string, passwordConfirmation = password) =>
      t.app.inject({
        method: 'POST',
        url: '/setup',
        headers: { 'accept-language': 'en-GB,en;q=0.8' },
        payload: { organisationName: 'Acme', locale: 'en', name: 'Alice', email: 'alice@example.com', password, passwordConfirmation },
      });
    const short = await attempt('elevenchars');
    expect(html(short).querySelector('#password-error')?.text).toContain('at least 12 characters');
    const common = await attempt('qwerty123456');
    expect(html(common).querySelector('#password-error')?.text).toContain('too common');
    const padded = await attempt('password1234');
    expect(html(padded).querySelector('#password-error')?.text).toContain('too common');
    const mismatch = await attempt('correct horse battery', 'correct horse batterie');
    expect(html(mismatch).querySelector('#passwordConfirmation-error')?.text).toContain('not the same');
    for (const response of [short, common, padded, mismatch]) expect(response.statusCode).toBe(422);
  });
});

describe('first-run setup, every problem at once', () => {
  it('reports a weak password together with the other mistakes', async () => {
    const t = await createTestApp();
    try {
      const response = await t.app.inject({
        method: 'POST',
        url: '/setup',
        headers: { 'accept-language': 'en' },
        payload: { organisationName: 'Acme', locale: 'en', name: '', email: 'alice@example.com', password: 'short', passwordConfirmation: 'shorter' },
      });
      expect(response.statusCode).toBe(422);
      const page = html(response);
      expect(page.querySelector('#name-error')?.text).toContain('This field is required.');
      expect(page.querySelector('#password-error')?.text).toContain('at least 12 characters');
      expect(page.querySelector('#passwordConfirmation-error')?.text).toContain('not the same');
    } finally {
      await t.close();
    }
  });
});

describe('the organisation time zone', () => {
  it('is chosen at setup, checked against the known zones, and used for dates on pages', async () => {
    const t = await createTestApp();
    try {
      const form = await t.app.inject({ url: '/setup', headers: { 'accept-language': 'en' } });
      expect(html(form).querySelector('#timeZone option[selected]')?.getAttribute('value')).toBe('Europe/Paris');
      const payload = { organisationName: 'Acme', locale: 'en', name: 'Alice', email: 'alice@example.com', password: ADMIN.password, passwordConfirmation: ADMIN.password };
      const wrong = await t.app.inject({ method: 'POST', url: '/setup', headers: { 'accept-language': 'en' }, payload: { ...payload, timeZone: 'Mars/Olympus_Mons' } });
      expect(wrong.statusCode).toBe(422);
      expect(html(wrong).querySelector('#timeZone-error')?.text).toContain('Choose one of the options.');
      const done = await t.app.inject({ method: 'POST', url: '/setup', payload: { ...payload, timeZone: 'America/Toronto' } });
      expect(done.statusCode).toBe(303);
      const organisation = await t.app.db.selectFrom('organisation').select('time_zone').executeTakeFirstOrThrow();
      expect(organisation.time_zone).toBe('America/Toronto');
      // The digests, planned when Hameau started (no organisation, no time zone yet), now go out at
      // the end of the quiet hours in Toronto: 07:30 there.
      const digests = await t.app.db.selectFrom('jobs').select('run_at').where('key', '=', 'recurring:email.digests').executeTakeFirstOrThrow();
      expect(wallClockAt(digests.run_at, 'America/Toronto').minutes).toBe(7 * 60 + 30);
      expect(digests.run_at).toBeGreaterThan(Date.now());

      // A session that signed in at 12:00 UTC shows 07:00 in Toronto (UTC-5 in winter).
      const cookie = `hameau_session=${done.cookies.find((c) => c.name === 'hameau_session')!.value}`;
      const noonUtc = Date.UTC(2026, 10, 30, 12, 0);
      await t.app.db.updateTable('sessions').set({ created_at: noonUtc } as never).execute();
      const sessions = await t.app.inject({ url: '/account/sessions', headers: { cookie } });
      expect(mainText(sessions)).toContain('November 30, 2026 at 7:00 AM');
    } finally {
      await t.close();
    }
  });
});

describe('setting up from another computer than the server', () => {
  const payload = { organisationName: 'Acme', locale: 'en', timeZone: 'Europe/Paris', name: 'Alice', email: 'alice@example.com', password: ADMIN.password, passwordConfirmation: ADMIN.password };
  const codeIn = (t: TestApp) => t.logs.find((line) => typeof line.setupCode === 'string')?.setupCode as string;

  it('asks for the setup code printed in the log, and refuses without it', async () => {
    const t = await createTestApp();
    try {
      const code = codeIn(t);
      expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
      const remote = { remoteAddress: '192.168.1.20', headers: { 'accept-language': 'en' } };

      const form = await t.app.inject({ url: '/setup', ...remote });
      expect(html(form).querySelector('#setupCode')).not.toBeNull();
      const local = await t.app.inject({ url: '/setup', headers: { 'accept-language': 'en' } });
      expect(html(local).querySelector('#setupCode')).toBeNull();

      const missing = await t.app.inject({ method: 'POST', url: '/setup', payload, ...remote });
      expect(missing.statusCode).toBe(422);
      expect(html(missing).querySelector('#setupCode-error')?.text).toContain('Enter the setup code');
      const wrong = await t.app.inject({ method: 'POST', url: '/setup', payload: { ...payload, setupCode: 'aaaa-bbbb-cccc' }, ...remote });
      expect(html(wrong).querySelector('#setupCode-error')?.text).toContain('This is not the setup code');
      expect(await t.app.db.selectFrom('users').select('id').execute()).toHaveLength(0);

      // Requests relayed by a proxy on the server itself are not "from the server".
      const proxied = await t.app.inject({ method: 'POST', url: '/setup', payload, headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(proxied.statusCode).toBe(422);

      const right = await t.app.inject({ method: 'POST', url: '/setup', payload: { ...payload, setupCode: ` ${code.toUpperCase().replaceAll('-', ' ')} ` }, ...remote });
      expect(right.statusCode).toBe(303);
      expect(await t.app.db.selectFrom('users').select('role').execute()).toEqual([{ role: 'admin' }]);
    } finally {
      await t.close();
    }
  });

  it('prints no code once the organisation is set up', async () => {
    const t = await createTestApp();
    await setupOrganisation(t.app);
    const again = await buildAgain(t);
    try {
      expect(again.logs.some((line) => 'setupCode' in line)).toBe(false);
    } finally {
      await again.close();
      await t.close();
    }
  });
});

/** A second app on the same data directory, as after a restart. */
async function buildAgain(t: TestApp) {
  const logs: Record<string, unknown>[] = [];
  const app = await buildApp(t.config, {
    logStream: new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  });
  await app.ready();
  return { logs, close: () => app.close() };
}
