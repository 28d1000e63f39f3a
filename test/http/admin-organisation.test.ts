// /admin/organisation: name, logo, brand colour, default language, time zone and quiet hours. Each
// save writes what changed and ONE audit entry (before/after) together; the next request sees it
// (header, /brand.css, dates, digests). Bad input comes back with a message in the admin's language
// and everything typed kept; a logo is checked by its bytes and resized without metadata.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contrastRatio, darkThemeVariant, readableWithWhite } from '../../src/features/admin/brand-colour.js';
import { wallClockAt } from '../../src/features/email-notifications/quiet-hours.js';
import { cookiesFrom, createTestApp, html, mainText, type TestApp } from '../helpers/app.js';
import { adminClient, auditOf, ORGANISATION_FORM, setLocale, storedOrganisation } from '../helpers/admin.js';
import { samplePng } from '../helpers/attachments.js';
import { createWorld, type World } from '../helpers/moderation.js';

let t: TestApp;
let w: World;
let c: ReturnType<typeof adminClient>;
beforeEach(async () => {
  t = await createTestApp();
  w = await createWorld(t.app);
  c = adminClient(t.app);
});
afterEach(async () => t.close());

const brandDir = () => path.join(t.dataDir, 'brand');
const storedLogos = () => (fs.existsSync(brandDir()) ? fs.readdirSync(brandDir()) : []);
const logoPart = (filename: string, content: Buffer | string, contentType = 'image/png') => [{ field: 'logo', filename, content, contentType }];

/** A wide logo with transparency and EXIF, as a designer might export it. */
async function wideLogo(format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const image = sharp({ create: { width: 1200, height: 400, channels: 4, background: { r: 20, g: 90, b: 60, alpha: 0.5 } } });
  return (format === 'png' ? image.png() : image.jpeg())
    .withMetadata({ exif: { IFD0: { Make: 'SpyCam', ImageDescription: 'Office at 48.85N 2.35E' } } })
    .toBuffer();
}

describe('the organisation form', () => {
  it('shows what is stored, in labelled fields, with the quiet hours of the notifications page', async () => {
    const response = await c.get('/admin/organisation', w.admin);
    expect(response.statusCode).toBe(200);
    const page = html(response);
    const form = page.querySelector('form[action="/admin/organisation"]')!;
    expect(form.getAttribute('enctype')).toBe('multipart/form-data');
    // A plain POST and redirect: the whole document reloads, so a new brand colour's stylesheet applies.
    expect(form.getAttribute('hx-boost')).toBe('false');
    expect(form.querySelector('input[name="name"]')?.getAttribute('value')).toBe('Acme');
    expect(form.querySelector('label[for="name"]')?.textContent.trim()).toBe('Organisation name');
    expect(form.querySelector('select[name="defaultLocale"] option[selected]')?.getAttribute('value')).toBe('en');
    expect(form.querySelector('select[name="timeZone"] option[selected]')?.getAttribute('value')).toBe('Europe/Paris');
    expect(form.querySelectorAll('select[name="timeZone"] option').length).toBe(Intl.supportedValuesOf('timeZone').length);
    expect(form.querySelector('input[name="brandColour"]')?.getAttribute('value')).toBe('');
    expect(form.querySelector('input[name="quietStart"]')?.getAttribute('value')).toBe('20:00');
    expect(form.querySelector('input[name="quietEnd"]')?.getAttribute('value')).toBe('07:30');
    expect(form.querySelector('input[name="quietWeekends"]')?.hasAttribute('checked')).toBe(true);
    expect(form.querySelector('input[type="file"][name="logo"]')).not.toBe(null);
    expect(form.querySelector('input[name="removeLogo"]')).toBe(null);
    expect(page.querySelector('.subnav a[href="/admin/organisation"]')?.getAttribute('aria-current')).toBe('page');
    for (const input of form.querySelectorAll('input:not([type="checkbox"]):not([type="hidden"]), select')) {
      expect(form.querySelector(`label[for="${input.getAttribute('id')}"]`), input.getAttribute('name') ?? '').not.toBe(null);
    }
  });

  it('saves a change with one audit entry of exactly what changed, seen from the next request', async () => {
    // Read once, so that the organisation row is cached.
    expect(html(await c.get('/', w.member)).querySelector('.site-header__brand')?.textContent.trim()).toBe('Acme');
    const saved = await c.postOrganisation(w.admin, {
      ...ORGANISATION_FORM,
      name: '  Acme Coopérative 🌿  ',
      defaultLocale: 'fr',
      timeZone: 'America/Toronto',
      brandColour: '#0B5D1E',
      quietStart: '21:00',
      quietWeekends: '',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/admin/organisation');
    const row = await storedOrganisation(t.app);
    expect(row).toMatchObject({
      name: 'Acme Coopérative 🌿',
      default_locale: 'fr',
      time_zone: 'America/Toronto',
      brand_colour: '#0b5d1e',
      logo_file: null,
      quiet_start: 21 * 60,
      quiet_end: 7 * 60 + 30,
      quiet_weekends: 0,
    });
    const audit = await auditOf(t.app, 'organisation.change');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: w.admin.id, subject_type: 'organisation', subject_id: '1' });
    expect(audit[0]!.details).toEqual({
      name: { before: 'Acme', after: 'Acme Coopérative 🌿' },
      defaultLocale: { before: 'en', after: 'fr' },
      timeZone: { before: 'Europe/Paris', after: 'America/Toronto' },
      brandColour: { before: null, after: '#0b5d1e' },
      quietStart: { before: '20:00', after: '21:00' },
      quietWeekends: { before: true, after: false },
    });

    const page = await t.app.inject({ url: '/admin/organisation', headers: { cookie: cookiesFrom(saved, w.admin.cookie), 'accept-language': 'en' } });
    expect(mainText(page)).toContain('The organisation is saved.');
    expect(html(page).querySelector('input[name="name"]')?.getAttribute('value')).toBe('Acme Coopérative 🌿');
    // The next request of anyone: the new name, and the brand colour's stylesheet after hameau.css.
    const home = html(await c.get('/', w.member));
    expect(home.querySelector('.site-header__brand')?.textContent.trim()).toBe('Acme Coopérative 🌿');
    const sheets = home.querySelectorAll('link[rel="stylesheet"]').map((l) => l.getAttribute('href'));
    expect(sheets.indexOf('/brand.css?v=0b5d1e')).toBeGreaterThan(sheets.indexOf('/static/css/hameau.css'));
    // Visitors without a language of their own get the new default language.
    expect(html(await t.app.inject({ url: '/login' })).querySelector('html')?.getAttribute('lang')).toBe('fr');
  });

  it('records nothing when nothing changed', async () => {
    const saved = await c.postOrganisation(w.admin, { ...ORGANISATION_FORM });
    expect(saved.statusCode).toBe(303);
    expect(await auditOf(t.app, 'organisation.change')).toEqual([]);
    const page = await t.app.inject({ url: '/admin/organisation', headers: { cookie: cookiesFrom(saved, w.admin.cookie) } });
    expect(mainText(page)).toContain('Nothing changed.');
  });

  it('moves the next digests to the end of the new quiet hours, in the new time zone', async () => {
    const digestRun = async () =>
      (await t.app.db.selectFrom('jobs').select('run_at').where('type', '=', 'email.digests').where('state', '=', 'pending').executeTakeFirstOrThrow()).run_at;
    expect(wallClockAt(await digestRun(), 'Asia/Tokyo').minutes).not.toBe(9 * 60 + 15);
    expect((await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, timeZone: 'Asia/Tokyo', quietEnd: '09:15' })).statusCode).toBe(303);
    expect(wallClockAt(await digestRun(), 'Asia/Tokyo').minutes).toBe(9 * 60 + 15);
    // The same setting as the notifications page shows.
    const notifications = html(await c.get('/admin/notifications', w.admin));
    expect(notifications.querySelector('input[name="quietEnd"]')?.getAttribute('value')).toBe('09:15');
  });
});

describe('bad input', () => {
  const cases: Array<[string, Record<string, string>, string, string, string]> = [
    ['an empty name', { name: '' }, 'name', 'This field is required.', 'Ce champ est obligatoire.'],
    ['a name of white space only', { name: ' \u200B ' }, 'name', 'This field is required.', 'Ce champ est obligatoire.'],
    ['a name too long', { name: 'x'.repeat(121) }, 'name', 'Enter no more than 120 characters.', 'Saisissez au plus 120 caractères.'],
    ['a language Hameau does not speak', { defaultLocale: 'de' }, 'defaultLocale', 'Choose one of the options.', 'Choisissez l’une des options.'],
    ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone', 'Choose one of the options.', 'Choisissez l’une des options.'],
    ['a colour by name', { brandColour: 'dark green' }, 'brandColour', 'Write the colour as # followed by six hexadecimal digits, for example #1d4e89.', 'Écrivez la couleur sous la forme # suivi de six chiffres hexadécimaux, par exemple #1d4e89.'],
    ['a colour white text cannot be read on', { brandColour: '#FFD700' }, 'brandColour', 'White text on this colour would be hard to read (contrast 1.4:1, at least 4.5:1 is needed). Choose a darker colour.', 'Du texte blanc serait difficile à lire sur cette couleur (contraste de 1,4:1, il faut au moins 4,5:1). Choisissez une couleur plus foncée.'],
    ['a time that is not one', { quietStart: '25:00' }, 'quietStart', 'Write a time as HH:MM, for example 07:30.', 'Écrivez une heure sous la forme HH:MM, par exemple 07:30.'],
  ];

  it.each(cases)('refuses %s, in English and in French, keeping everything typed', async (_name, change, field, english, french) => {
    const typed = { ...ORGANISATION_FORM, name: 'Nouvelle « Acme » ✨', brandColour: '#1d4e89', quietStart: '19:45', ...change };
    for (const [lang, message] of [['en', english], ['fr', french]] as const) {
      await setLocale(t.app, w.admin.id, lang);
      const response = await c.postOrganisation(w.admin, typed, undefined, lang);
      expect(response.statusCode).toBe(422);
      const page = html(response);
      expect(page.querySelector(`.error-summary a[href="#${field}"]`)?.textContent.trim()).toBe(message);
      for (const name of ['name', 'brandColour', 'quietStart', 'quietEnd']) {
        expect(page.querySelector(`input[name="${name}"]`)?.getAttribute('value'), name).toBe(typed[name as keyof typeof typed].trim());
      }
      if (field !== 'timeZone') expect(page.querySelector('select[name="timeZone"] option[selected]')?.getAttribute('value')).toBe(typed.timeZone);
    }
    expect(await storedOrganisation(t.app)).toMatchObject({ name: 'Acme', brand_colour: null, quiet_start: 20 * 60 });
    expect(await auditOf(t.app, 'organisation.change')).toEqual([]);
  });

  it('keeps a script typed as the name as text, everywhere it shows', async () => {
    const payload = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const refused = await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, name: payload, brandColour: '<b>x</b>' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).not.toContain('<script>alert');
    expect(refused.body).not.toContain('<b>x</b>');
    expect(html(refused).querySelector('input[name="name"]')?.getAttribute('value')).toBe(payload);

    expect((await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, name: payload })).statusCode).toBe(303);
    for (const url of ['/', '/admin/organisation']) {
      const response = await c.get(url, url === '/' ? w.member : w.admin);
      expect(response.body).not.toContain('<script>alert');
      expect(response.body).not.toContain('<img src=x');
      expect(html(response).querySelector('.site-header__brand')?.textContent.trim()).toBe(payload);
    }
  });

  it('accepts the darkest colours white text is readable on, and refuses those just lighter', async () => {
    expect(readableWithWhite('#767676')).toBe(true);
    expect(readableWithWhite('#777777')).toBe(false);
    expect((await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, brandColour: '#777777' })).statusCode).toBe(422);
    expect((await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, brandColour: '#767676' })).statusCode).toBe(303);
    expect((await storedOrganisation(t.app)).brand_colour).toBe('#767676');
  });
});

describe('the brand colour', () => {
  it('is served as hameau.css’s custom properties, readable in the dark theme too', async () => {
    const none = await c.get('/brand.css');
    expect(none.statusCode).toBe(200);
    expect(none.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(none.body).not.toContain('--brand');
    expect(html(await c.get('/', w.member)).querySelector('link[href^="/brand.css"]')).toBe(null);

    await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, brandColour: '#0b5d1e' });
    const sheet = await c.get('/brand.css?v=0b5d1e');
    expect(sheet.body).toContain(':root { --brand: #0b5d1e; --brand-contrast: #ffffff; }');
    const dark = /prefers-color-scheme: dark\) \{ :root \{ --brand: (#[0-9a-f]{6}); --brand-contrast: (#[0-9a-f]{6}); \} \}/.exec(sheet.body);
    expect(dark).not.toBe(null);
    expect(dark![1]).toBe(darkThemeVariant('#0b5d1e'));
    // Links on the dark page background, and the dark text on buttons: both readable.
    expect(contrastRatio(dark![1]!, '#15181d')).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(dark![1]!, dark![2]!)).toBeGreaterThanOrEqual(4.5);
    // The versioned address is cached for good; another version is checked again.
    expect(sheet.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await c.get('/brand.css?v=1d4e89')).headers['cache-control']).toBe('no-cache');
    // Visitors get it too: the sign-in page wears the brand.
    expect(html(await c.get('/login')).querySelector('link[href="/brand.css?v=0b5d1e"]')).not.toBe(null);

    // Emptied: back to Hameau's colours.
    await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, brandColour: '' });
    expect((await storedOrganisation(t.app)).brand_colour).toBe(null);
    expect((await c.get('/brand.css')).body).not.toContain('--brand');
    expect((await auditOf(t.app, 'organisation.change')).map((e) => e.details.brandColour)).toEqual([
      { before: null, after: '#0b5d1e' },
      { before: '#0b5d1e', after: null },
    ]);
  });
});

describe('the logo', () => {
  it('refuses a file that is not an image whatever its name, keeping what was typed', async () => {
    for (const [name, content] of [
      ['logo.png', 'just some text, not a picture'],
      ['logo.png', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
      ['logo.jpg', '<!doctype html><script>alert(1)</script>'],
    ] as const) {
      const response = await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, name: 'Acme SA' }, logoPart(name, content));
      expect(response.statusCode, name).toBe(422);
      const page = html(response);
      expect(page.querySelector('.error-summary a[href="#logo"]')?.textContent.trim()).toBe('This file is not an image Hameau can use: choose a PNG, JPEG, WebP or GIF image.');
      expect(page.querySelector('input[name="name"]')?.getAttribute('value')).toBe('Acme SA');
    }
    await setLocale(t.app, w.admin.id, 'fr');
    const french = await c.postOrganisation(w.admin, { ...ORGANISATION_FORM }, logoPart('logo.png', 'texte'), 'fr');
    expect(html(french).querySelector('.error-summary a[href="#logo"]')?.textContent.trim()).toBe(
      'Ce fichier n’est pas une image utilisable par Hameau\u202f: choisissez une image PNG, JPEG, WebP ou GIF.',
    );
    const broken = await c.postOrganisation(w.admin, { ...ORGANISATION_FORM }, logoPart('logo.png', (await samplePng()).subarray(0, 60)));
    expect(broken.statusCode).toBe(422);
    expect(storedLogos()).toEqual([]);
    expect((await storedOrganisation(t.app)).logo_file).toBe(null);
    expect(await auditOf(t.app, 'organisation.change')).toEqual([]);
  });

  it.each(['png', 'jpeg'] as const)('stores a %s resized to fit the header, as WebP without metadata, shown in the header', async (format) => {
    const saved = await c.postOrganisation(w.admin, { ...ORGANISATION_FORM }, logoPart(`logo.${format}`, await wideLogo(format), `image/${format}`));
    expect(saved.statusCode).toBe(303);
    const file = (await storedOrganisation(t.app)).logo_file!;
    expect(file).toMatch(/^[0-9a-f]{32}\.webp$/);
    expect(storedLogos()).toEqual([file]);
    const stored = fs.readFileSync(path.join(brandDir(), file));
    const metadata = await sharp(stored).metadata();
    expect(metadata).toMatchObject({ format: 'webp', width: 240, height: 80 });
    expect(metadata.exif).toBeUndefined();
    expect(stored.includes(Buffer.from('SpyCam'))).toBe(false);
    expect(metadata.hasAlpha).toBe(format === 'png');

    // The header: the logo, with the organisation's name as its text alternative, for everyone.
    const version = file.replace('.webp', '');
    for (const [url, who] of [['/', w.member], ['/login', '']] as const) {
      const img = html(await c.get(url, who)).querySelector('.site-header__brand img');
      expect(img?.getAttribute('src'), url).toBe(`/brand/logo?v=${version}`);
      expect(img?.getAttribute('alt'), url).toBe('Acme');
    }
    const served = await c.get(`/brand/logo?v=${version}`);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/webp');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(served.rawPayload.equals(stored)).toBe(true);
    expect(html(await c.get('/admin/organisation', w.admin)).querySelector('.admin-logo__image')?.getAttribute('src')).toBe(`/brand/logo?v=${version}`);
    expect(html(await c.get('/admin/organisation', w.admin)).querySelector('.admin-logo__image')?.getAttribute('alt')).toBe('Current logo');

    expect((await auditOf(t.app, 'organisation.change')).map((e) => e.details)).toEqual([{ logo: { before: null, after: file } }]);
  });

  it('replaces and removes the logo, deleting the file no longer used', async () => {
    await c.postOrganisation(w.admin, { ...ORGANISATION_FORM }, logoPart('a.png', await samplePng(300, 100)));
    const first = (await storedOrganisation(t.app)).logo_file!;
    await c.postOrganisation(w.admin, { ...ORGANISATION_FORM }, logoPart('b.png', await samplePng(200, 100)));
    const second = (await storedOrganisation(t.app)).logo_file!;
    expect(second).not.toBe(first);
    expect(storedLogos()).toEqual([second]);
    // The former address no longer serves the logo as cacheable for good.
    expect((await c.get(`/brand/logo?v=${first.replace('.webp', '')}`)).headers['cache-control']).toBe('no-cache');

    const removed = await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, removeLogo: '1' });
    expect(removed.statusCode).toBe(303);
    expect((await storedOrganisation(t.app)).logo_file).toBe(null);
    expect(storedLogos()).toEqual([]);
    expect((await c.get('/brand/logo')).statusCode).toBe(404);
    expect(html(await c.get('/', w.member)).querySelector('.site-header__brand')?.textContent.trim()).toBe('Acme');
    expect((await auditOf(t.app, 'organisation.change')).map((e) => e.details.logo)).toEqual([
      { before: null, after: first },
      { before: first, after: second },
      { before: second, after: null },
    ]);
  });

  it('does not keep a logo sent with a form refused for another reason, and says so', async () => {
    const response = await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, name: '' }, logoPart('logo.png', await samplePng()));
    expect(response.statusCode).toBe(422);
    expect(mainText(response)).toContain('The logo you chose was not saved because of the problems above: choose it again.');
    expect(storedLogos()).toEqual([]);
    expect((await storedOrganisation(t.app)).logo_file).toBe(null);
  });
});
