// A plugin's page (/admin/plugins/:id): its settings form rendered from its schema, checked with the
// admin's language, what was typed kept when refused, and saved with an audit entry of what changed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, html, mainText, type TestApp } from '../helpers/app.js';
import { client, createWorld, type World } from '../helpers/moderation.js';
import { createTestAppWithPlugins, enablePlugin } from '../helpers/plugins.js';
import { adminFixturePlugins } from '../fixtures/plugins-admin.js';

let t: TestApp;
let w: World;
let c: ReturnType<typeof client>;
beforeEach(async () => {
  t = await createTestAppWithPlugins(adminFixturePlugins);
  w = await createWorld(t.app);
  c = client(t.app);
  await enablePlugin(t.app, 'notes');
});
afterEach(async () => t.close());

const valid = { showCount: 'on', title: 'Notes', perPage: '10', order: 'newest', welcome: '' };

describe('the plugin page', () => {
  it('describes the plugin and renders its settings form from its schema', async () => {
    const response = await c.get('/admin/plugins/notes', w.admin);
    expect(response.statusCode).toBe(200);
    const page = html(response);
    expect(page.querySelector('h1')!.textContent).toBe('Team notes');
    expect(mainText(response)).toContain('Notes shared in each space.');
    expect(mainText(response)).toContain('Stage 2: Process communities.');
    expect(page.querySelector('form[action="/admin/plugins/notes/disable"] button')!.textContent.trim()).toBe('Disable Team notes');

    const form = page.querySelector('form[action="/admin/plugins/notes"]')!;
    expect(form.getAttribute('method')).toBe('post');
    const box = form.querySelector('input[type="checkbox"][name="showCount"]')!;
    expect(box.hasAttribute('checked')).toBe(true);
    expect(form.querySelector(`label[for="${box.id}"]`)!.textContent.trim()).toBe('Show the number of notes');
    const title = form.querySelector('input[type="text"][name="title"]')!;
    expect([title.getAttribute('value'), title.getAttribute('maxlength')]).toEqual(['Notes', '40']);
    expect(form.querySelector(`label[for="${title.id}"]`)!.textContent.trim()).toBe('Title of the tab');
    expect(form.querySelector(`#${title.id}-hint`)!.textContent).toBe('Shown in every space. At most 40 characters.');
    const perPage = form.querySelector('input[type="number"][name="perPage"]')!;
    expect([perPage.getAttribute('value'), perPage.getAttribute('min'), perPage.getAttribute('max'), perPage.getAttribute('step')]).toEqual(['10', '1', '50', '1']);
    expect(form.querySelector('fieldset legend')!.textContent).toBe('Order');
    expect(form.querySelectorAll('input[type="radio"][name="order"]').map((r) => [r.getAttribute('value'), r.hasAttribute('checked')])).toEqual([
      ['newest', true],
      ['oldest', false],
    ]);
    expect(form.querySelector('textarea[name="welcome"]')!.getAttribute('maxlength')).toBe('500');
  });

  it('shows the form of a disabled plugin too, saying when it applies', async () => {
    await c.post('/admin/plugins/notes/disable', w.admin);
    const response = await c.get('/admin/plugins/notes', w.admin);
    expect(mainText(response)).toContain('these settings apply once it is enabled');
    expect(html(response).querySelector('form[action="/admin/plugins/notes"]')).not.toBeNull();
    expect(html(response).querySelector('a[href="/admin/plugins/notes/purge"]')).not.toBeNull();
  });

  it('has no form for a plugin without settings', async () => {
    const response = await c.get('/admin/plugins/kudos', w.admin);
    expect(html(response).querySelector('form[action="/admin/plugins/kudos"]')).toBeNull();
    expect((await c.post('/admin/plugins/kudos', w.admin, valid)).statusCode).toBe(404);
  });
});

describe('saving the settings', () => {
  it('saves checked values, applies them at once, and audits before/after', async () => {
    const response = await c.post('/admin/plugins/notes', w.admin, { title: '  Team notes  ', perPage: '25', order: 'oldest', welcome: 'Bienvenue 👋 عربي' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/plugins/notes');
    expect(t.app.plugins.settings('notes')).toEqual({ showCount: false, title: 'Team notes', perPage: 25, order: 'oldest', welcome: 'Bienvenue 👋 عربي' });
    const audit = await t.app.db.selectFrom('audit_log').select(['actor_id', 'subject_id', 'details']).where('action', '=', 'plugin.settings').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(w.admin.id);
    expect(audit[0]!.subject_id).toBe('notes');
    expect(JSON.parse(audit[0]!.details)).toEqual({
      showCount: { before: true, after: false },
      title: { before: 'Notes', after: 'Team notes' },
      perPage: { before: 10, after: 25 },
      order: { before: 'newest', after: 'oldest' },
      welcome: { before: '', after: 'Bienvenue 👋 عربي' },
    });
    const page = await t.app.inject({ url: response.headers.location as string, headers: { cookie: cookiesFrom(response, w.admin.cookie) } });
    expect(mainText(page)).toContain('The settings of “Team notes” are saved.');
    expect(html(page).querySelector('input[name="perPage"]')!.getAttribute('value')).toBe('25');
    expect(html(page).querySelector('input[name="showCount"]')!.hasAttribute('checked')).toBe(false);

    const again = await c.post('/admin/plugins/notes', w.admin, { title: 'Team notes', perPage: '25', order: 'oldest', welcome: 'Bienvenue 👋 عربي' });
    const unchanged = await t.app.inject({ url: '/admin/plugins/notes', headers: { cookie: cookiesFrom(again, w.admin.cookie) } });
    expect(mainText(unchanged)).toContain('Nothing changed in the settings of “Team notes”.');
    expect(await t.app.db.selectFrom('audit_log').select('id').where('action', '=', 'plugin.settings').execute()).toHaveLength(1);
  });

  it('refuses wrong values with a message per field, keeping what was typed', async () => {
    const typed = { showCount: 'on', title: '   ', perPage: 'many', order: 'sideways', welcome: 'x'.repeat(501) };
    const response = await c.post('/admin/plugins/notes', w.admin, typed);
    expect(response.statusCode).toBe(422);
    const page = html(response);
    const errors = Object.fromEntries(page.querySelectorAll('.field__error').map((e) => [e.id, e.textContent.replace('Error: ', '').trim()]));
    expect(errors).toEqual({
      'setting-title-error': 'This field is required.',
      'setting-perPage-error': 'Write a number, for example 12.',
      'setting-order-error': 'Choose one of the options.',
      'setting-welcome-error': 'Enter no more than 500 characters.',
    });
    expect(page.querySelectorAll('.error-summary a').map((a) => a.getAttribute('href'))).toEqual(['#setting-title', '#setting-perPage', '#setting-order', '#setting-welcome']);
    expect(page.querySelector('input[name="perPage"]')!.getAttribute('value')).toBe('many');
    expect(page.querySelector('input[name="showCount"]')!.hasAttribute('checked')).toBe(true);
    expect(page.querySelector('textarea[name="welcome"]')!.textContent).toBe('x'.repeat(501));
    expect(page.querySelector('input[name="title"]')!.getAttribute('aria-invalid')).toBe('true');
    expect(t.app.plugins.settings('notes').title).toBe('Notes');

    const range = await c.post('/admin/plugins/notes', w.admin, { ...valid, perPage: '51' });
    expect(range.statusCode).toBe(422);
    expect(html(range).querySelector('#setting-perPage-error')!.textContent).toContain('Write a number from 1 to 50.');
    const fraction = await c.post('/admin/plugins/notes', w.admin, { ...valid, perPage: '2.5' });
    expect(html(fraction).querySelector('#setting-perPage-error')!.textContent).toContain('Write a number, for example 12.');
    expect(await t.app.db.selectFrom('audit_log').select('id').where('action', '=', 'plugin.settings').execute()).toEqual([]);
  });

  it('explains the problems in French to a French admin', async () => {
    await t.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', w.admin.id).execute();
    const response = await c.post('/admin/plugins/notes', w.admin, { ...valid, perPage: '0', title: '' });
    expect(response.statusCode).toBe(422);
    const page = html(response);
    expect(page.querySelector('#setting-perPage-error')!.textContent).toContain('Écrivez un nombre de 1 à 50.');
    expect(page.querySelector('#setting-title-error')!.textContent).toContain('Ce champ est obligatoire.');
    expect(page.querySelector('label[for="setting-title"]')!.textContent).toBe('Titre de l’onglet');
    const nan = await c.post('/admin/plugins/notes', w.admin, { ...valid, perPage: 'beaucoup' });
    expect(html(nan).querySelector('#setting-perPage-error')!.textContent).toContain('Écrivez un nombre, par exemple 12.');
  });

  it('gives script payloads back escaped, saved as text', async () => {
    const payload = '"><script>alert(1)</script>';
    const refused = await c.post('/admin/plugins/notes', w.admin, { ...valid, title: payload, perPage: 'x' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).not.toContain('<script>alert(1)</script>');
    expect(html(refused).querySelector('input[name="title"]')!.getAttribute('value')).toBe(payload);

    const saved = await c.post('/admin/plugins/notes', w.admin, { ...valid, title: payload, welcome: '<img src=x onerror=alert(1)>' });
    expect(saved.statusCode).toBe(303);
    expect(t.app.plugins.settings('notes').title).toBe(payload);
    const page = await c.get('/admin/plugins/notes', w.admin);
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).not.toContain('<img src=x');
    expect(html(page).querySelector('textarea[name="welcome"]')!.textContent).toBe('<img src=x onerror=alert(1)>');
  });
});
