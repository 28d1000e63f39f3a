import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, createUser, html, login, setupOrganisation, type TestApp } from '../helpers/app.js';

const EMAIL = 'bruno@example.com';

const lang = (response: LightMyRequestResponse) => html(response).querySelector('html')?.getAttribute('lang');
const heading = (response: LightMyRequestResponse) => html(response).querySelector('h1')?.text;

describe('language', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  async function organisation(locale: 'fr' | 'en') {
    t = await createTestApp();
    await setupOrganisation(t.app, { organisationName: 'Acme', locale });
  }
  const loginPage = (headers: Record<string, string>) => t.app.inject({ url: '/login', headers });
  const switchTo = (locale: string, headers: Record<string, string> = {}, next = '/login') =>
    t.app.inject({ method: 'POST', url: '/language', payload: { locale, next }, headers });
  const userLocale = async (email: string) =>
    (await t.app.db.selectFrom('users').select('locale').where('email', '=', email).executeTakeFirstOrThrow()).locale;

  it('speaks the browser’s language before sign-in, weighing q-values', async () => {
    await organisation('en');
    const cases: [string, 'fr' | 'en'][] = [
      ['fr-FR,fr;q=0.9,en;q=0.8', 'fr'],
      ['en-GB,en;q=0.9,fr;q=0.8', 'en'],
      ['fr;q=0.3, en;q=0.7', 'en'],
      ['en;q=0.2, fr-CA;q=0.6', 'fr'],
      ['de-DE, fr;q=0.5, en;q=0.4', 'fr'],
      ['en;q=0, fr', 'fr'],
    ];
    for (const [header, expected] of cases) {
      const response = await loginPage({ 'accept-language': header });
      expect(response.statusCode, header).toBe(200);
      expect(lang(response), header).toBe(expected);
      expect(heading(response), header).toBe(expected === 'fr' ? 'Se connecter à Acme' : 'Sign in to Acme');
    }
  });

  it('falls back to the organisation’s language when the browser asks for none we have', async () => {
    await organisation('fr');
    const choices: Record<string, string>[] = [{ 'accept-language': 'de-DE,de;q=0.9,es;q=0.5' }, {}];
    for (const headers of choices) {
      const response = await loginPage(headers);
      expect(lang(response)).toBe('fr');
      expect(heading(response)).toBe('Se connecter à Acme');
    }
  });

  it('offers a language switch in the footer, which remembers a visitor’s choice in a cookie', async () => {
    await organisation('en');
    const page = await loginPage({ 'accept-language': 'en' });
    const footerForm = html(page).querySelector('footer form[action="/language"]');
    expect(footerForm?.getAttribute('method')).toBe('post');
    expect(footerForm?.querySelector('input[name="next"]')?.getAttribute('value')).toBe('/login');
    // The current language is shown, not offered; a full reload (no boost) brings <html lang> along.
    expect(footerForm?.getAttribute('hx-boost')).toBe('false');
    expect(footerForm?.querySelector('[aria-current="true"]')?.getAttribute('lang')).toBe('en');
    expect(footerForm?.querySelectorAll('button[name="locale"]').map((b) => b.getAttribute('value'))).toEqual(['fr']);

    const response = await switchTo('fr', { 'accept-language': 'en' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login');
    const cookie = response.cookies.find((c) => c.name === 'hameau_lang');
    expect(cookie).toMatchObject({ value: 'fr', path: '/', httpOnly: true, sameSite: 'Lax' });
    expect(cookie?.maxAge).toBeGreaterThanOrEqual(365 * 24 * 60 * 60);

    // The choice beats the browser's header on the next pages.
    const after = await loginPage({ 'accept-language': 'en', cookie: 'hameau_lang=fr' });
    expect(lang(after)).toBe('fr');
    expect(heading(after)).toBe('Se connecter à Acme');
    expect(html(after).querySelector('footer [aria-current="true"]')?.getAttribute('lang')).toBe('fr');
  });

  it('ignores a language it does not have, and a next that leaves the site', async () => {
    await organisation('en');
    const unknown = await switchTo('de');
    expect(unknown.statusCode).toBe(303);
    expect(unknown.headers.location).toBe('/login');
    expect(unknown.cookies.find((c) => c.name === 'hameau_lang')).toBeUndefined();

    for (const next of ['//evil.example', 'https://evil.example']) {
      const away = await switchTo('fr', {}, next);
      expect(away.headers.location, next).toBe('/');
    }
  });

  it('carries the current address into the footer form, escaped', async () => {
    await organisation('en');
    const next = '/"><script>alert(1)</script>';
    const url = `/login?next=${encodeURIComponent(next)}`;
    const response = await t.app.inject({ url, headers: { 'accept-language': 'en' } });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(html(response).querySelector('footer input[name="next"]')?.getAttribute('value')).toBe(url);
    // The login form's own next holds the decoded text, still only as an attribute value.
    expect(html(response).querySelector('form[action="/login"] input[name="next"]')?.getAttribute('value')).toBe(next);

    const back = await switchTo('fr', {}, url);
    expect(back.headers.location).toBe(url);
  });

  it('lets a visitor choose the language of the setup page before the organisation exists', async () => {
    t = await createTestApp();
    const response = await t.app.inject({ method: 'POST', url: '/language', payload: { locale: 'fr', next: '/setup' } });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/setup');
    const setup = await t.app.inject({ url: '/setup', headers: { cookie: 'hameau_lang=fr', 'accept-language': 'en' } });
    expect(lang(setup)).toBe('fr');
  });

  it('saves a signed-in member’s choice on their account, not in a cookie', async () => {
    await organisation('en');
    await createUser(t.app, { email: EMAIL, name: 'Bruno Petit', locale: 'en' });
    const cookie = await login(t.app, EMAIL);

    const response = await switchTo('fr', { cookie, 'accept-language': 'en' }, '/account');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/account');
    expect(response.cookies.find((c) => c.name === 'hameau_lang')).toBeUndefined();
    expect(await userLocale(EMAIL)).toBe('fr');

    // Another device, signed in as the same member, follows the account.
    const elsewhere = await login(t.app, EMAIL);
    const page = await t.app.inject({ url: '/account', headers: { cookie: elsewhere, 'accept-language': 'en' } });
    expect(lang(page)).toBe('fr');
    expect(heading(page)).toBe('Votre profil');
  });

  it('follows a signed-in member’s language over the browser’s and over a visitor cookie', async () => {
    await organisation('fr');
    await createUser(t.app, { email: EMAIL, name: 'Bruno Petit', locale: 'en' });
    const cookie = await login(t.app, EMAIL);
    const home = await t.app.inject({ url: '/', headers: { cookie: `${cookie}; hameau_lang=fr`, 'accept-language': 'fr-FR,fr;q=0.9' } });
    expect(home.statusCode).toBe(200);
    expect(lang(home)).toBe('en');
    expect(heading(home)).toBe('Hello, Bruno Petit');
  });

  it('gives a member who never chose a language the organisation’s default', async () => {
    await organisation('fr');
    await createUser(t.app, { email: EMAIL, name: 'Bruno Petit', locale: null });
    expect(await userLocale(EMAIL)).toBeNull();
    const cookie = await login(t.app, EMAIL);
    const home = await t.app.inject({ url: '/', headers: { cookie, 'accept-language': 'en-US,en;q=0.9' } });
    expect(lang(home)).toBe('fr');
    expect(heading(home)).toBe('Bonjour, Bruno Petit');

    // Their profile form offers the language they are actually reading.
    const account = await t.app.inject({ url: '/account', headers: { cookie } });
    expect(html(account).querySelector('#locale option[selected]')?.getAttribute('value')).toBe('fr');
  });
});
