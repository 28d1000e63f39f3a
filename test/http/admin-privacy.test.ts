// The privacy core's k (minimum group size) on /admin/organisation: shown and explained, saved with
// the organisation's audit entry, kept within 3..10 (the form and the database both refuse the rest,
// in the admin's language, keeping what was typed), and only admins may change it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { organisationMinGroup } from '../../src/privacy/index.js';
import { createTestApp, html, mainText, type TestApp } from '../helpers/app.js';
import { adminClient, auditOf, ORGANISATION_FORM, setLocale, storedOrganisation } from '../helpers/admin.js';
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

describe('the minimum group size on the organisation form', () => {
  it('is 5 by default, in a labelled number field whose hint says what it protects and that surveys keep theirs', async () => {
    expect((await storedOrganisation(t.app)).privacy_min_group).toBe(5);
    expect(await organisationMinGroup(t.app.db)).toBe(5);
    const page = html(await c.get('/admin/organisation', w.admin));
    const input = page.querySelector('form[action="/admin/organisation"] input[name="privacyMinGroup"]')!;
    expect(input.getAttribute('value')).toBe('5');
    expect(input.getAttribute('type')).toBe('number');
    expect([input.getAttribute('min'), input.getAttribute('max'), input.getAttribute('inputmode')]).toEqual(['3', '10', 'numeric']);
    expect(page.querySelector(`label[for="${input.getAttribute('id')}"]`)?.textContent.trim()).toBe('Minimum group size for anonymous results');
    const hint = page.querySelector(`#${input.getAttribute('aria-describedby')}`)?.textContent ?? '';
    expect(hint).toContain('only when at least this many people answered');
    expect(hint).toContain('from 3 to 10');
    expect(hint).toContain('A survey keeps the value it had when it opened');

    await setLocale(t.app, w.admin.id, 'fr');
    const french = html(await c.get('/admin/organisation', w.admin, 'fr'));
    expect(french.querySelector('label[for="privacyMinGroup"]')?.textContent.trim()).toBe('Taille minimale des groupes pour les résultats anonymes');
    expect(french.querySelector('#privacyMinGroup-hint')?.textContent).toContain('Une enquête garde la valeur en vigueur à son ouverture\u202f:');
  });

  it.each([3, 10, 7])('saves %i with one audit entry of the change, read back by organisationMinGroup', async (k) => {
    const saved = await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, privacyMinGroup: ` ${k} ` });
    expect(saved.statusCode).toBe(303);
    expect((await storedOrganisation(t.app)).privacy_min_group).toBe(k);
    expect(await organisationMinGroup(t.app.db)).toBe(k);
    const audit = await auditOf(t.app, 'organisation.change');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: w.admin.id, subject_type: 'organisation', subject_id: '1' });
    expect(audit[0]!.details).toEqual({ privacyMinGroup: { before: 5, after: k } });
    expect(html(await c.get('/admin/organisation', w.admin)).querySelector('input[name="privacyMinGroup"]')?.getAttribute('value')).toBe(String(k));
    // The audit log names the field in words.
    const log = mainText(await c.get('/admin/audit', w.admin));
    expect(log).toContain('Minimum group size for anonymous results');
  });

  it('records nothing when k is sent unchanged, and keeps k when a form without the field is sent', async () => {
    expect((await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, privacyMinGroup: '5' })).statusCode).toBe(303);
    expect(await auditOf(t.app, 'organisation.change')).toEqual([]);
    await t.app.db.updateTable('organisation').set({ privacy_min_group: 8 }).execute();
    expect((await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, name: 'Acme SA' })).statusCode).toBe(303);
    expect(await storedOrganisation(t.app)).toMatchObject({ name: 'Acme SA', privacy_min_group: 8 });
    expect((await auditOf(t.app, 'organisation.change'))[0]!.details).toEqual({ name: { before: 'Acme', after: 'Acme SA' } });
  });

  const english = 'Enter a whole number from 3 to 10: below 3, answers of anonymous polls and surveys could be traced back to people.';
  const french = 'Saisissez un nombre entier de 3 à 10\u202f: en dessous de 3, les réponses aux sondages et enquêtes anonymes pourraient être rattachées aux personnes.';

  it.each(['2', '0', '-3', '11', '100', '4.5', '5e0', 'five', '', ' ', '0x5', '5 6'])('refuses %j in English and French, keeping everything typed', async (typed) => {
    const form = { ...ORGANISATION_FORM, name: 'Nouvelle « Acme »', quietStart: '19:45', privacyMinGroup: typed };
    for (const [lang, message] of [['en', english], ['fr', french]] as const) {
      await setLocale(t.app, w.admin.id, lang);
      const response = await c.postOrganisation(w.admin, form, undefined, lang);
      expect(response.statusCode).toBe(422);
      const page = html(response);
      expect(page.querySelector('.error-summary a[href="#privacyMinGroup"]')?.textContent.trim()).toBe(message);
      expect(page.querySelector('#privacyMinGroup-error')?.textContent).toContain(message);
      const input = page.querySelector('input[name="privacyMinGroup"]')!;
      expect(input.getAttribute('value')).toBe(typed.trim());
      expect(input.getAttribute('aria-invalid')).toBe('true');
      expect(page.querySelector('input[name="name"]')?.getAttribute('value')).toBe('Nouvelle « Acme »');
      expect(page.querySelector('input[name="quietStart"]')?.getAttribute('value')).toBe('19:45');
    }
    expect(await storedOrganisation(t.app)).toMatchObject({ name: 'Acme', privacy_min_group: 5, quiet_start: 20 * 60 });
    expect(await auditOf(t.app, 'organisation.change')).toEqual([]);
  });

  it('keeps a script typed as k as text', async () => {
    const response = await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, privacyMinGroup: '"><script>alert(1)</script>' });
    expect(response.statusCode).toBe(422);
    expect(response.body).not.toContain('<script>alert(1)');
    expect(html(response).querySelector('input[name="privacyMinGroup"]')?.getAttribute('value')).toBe('"><script>alert(1)</script>');
  });

  it('is refused by the database itself outside 3..10', async () => {
    for (const k of [2, 11]) {
      await expect(t.app.db.updateTable('organisation').set({ privacy_min_group: k }).execute()).rejects.toThrow(/CHECK constraint/);
    }
    await t.app.db.updateTable('organisation').set({ privacy_min_group: 3 }).execute();
    expect(await organisationMinGroup(t.app.db)).toBe(3);
  });

  it('may be changed by admins only', async () => {
    for (const who of [w.member, w.editor, w.spaceAdmin]) {
      expect((await c.get('/admin/organisation', who)).statusCode).toBe(403);
      expect((await c.postOrganisation(who, { ...ORGANISATION_FORM, privacyMinGroup: '3' })).statusCode).toBe(403);
    }
    const visitor = await c.postOrganisation('', { ...ORGANISATION_FORM, privacyMinGroup: '3' });
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toMatch(/^\/login/);
    expect((await c.postOrganisation(w.deactivated, { ...ORGANISATION_FORM, privacyMinGroup: '3' })).statusCode).toBe(303);
    expect((await storedOrganisation(t.app)).privacy_min_group).toBe(5);
    expect(await auditOf(t.app, 'organisation.change')).toEqual([]);
  });
});
