// /admin/audit: the audit log for admins, newest first, by pages (keyset, stable when entries share a
// time), filtered by action (one, or a family like "member.") and by who did it. Each entry reads in
// plain words: when (organisation's time zone), who ("Hameau" for automatic entries), what (a label,
// or the action's own name), about what, and the details as "before -> after", all escaped.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changedFields, recordAudit } from '../../src/audit/audit-log.js';
import { describeDetails, KNOWN_ACTIONS } from '../../src/features/admin/audit-entries.js';
import { AUDIT_PAGE_SIZE } from '../../src/features/admin/queries.js';
import { formatDateTime } from '../../src/http/view-helpers.js';
import { hasMessage, translator } from '../../src/i18n/index.js';
import { projectRoot } from '../../src/paths.js';
import { createTestApp, html, mainText, type TestApp } from '../helpers/app.js';
import { adminClient, ORGANISATION_FORM, setLocale } from '../helpers/admin.js';
import { createWorld, type World } from '../helpers/moderation.js';

let t: TestApp;
let w: World;
let c: ReturnType<typeof adminClient>;
beforeEach(async () => {
  t = await createTestApp();
  w = await createWorld(t.app);
  c = adminClient(t.app);
  // Only what each test writes: setup and the world leave their own entries.
  await t.app.db.deleteFrom('audit_log').execute();
});
afterEach(async () => t.close());

const T0 = Date.UTC(2026, 10, 2, 9, 30);

type Row = { when: string; datetime: string; who: string; what: string; subject: string; details: string[] };

function rows(response: Awaited<ReturnType<typeof c.get>>): Row[] {
  return html(response)
    .querySelectorAll('.audit-entry')
    .map((tr) => {
      const cells = tr.querySelectorAll('td');
      const text = (i: number) => cells[i]!.textContent.replace(/\s+/g, ' ').trim();
      return {
        when: text(0),
        datetime: cells[0]!.querySelector('time')?.getAttribute('datetime') ?? '',
        who: text(1),
        what: text(2),
        subject: text(3),
        // "label: before -> after" or "label: value", read from the list's parts.
        details: cells[4]!.querySelectorAll('.audit-details__line').map((line) => {
          const part = (selector: string) => line.querySelector(selector)?.textContent.trim() ?? null;
          const label = part('dt');
          const said = part('.audit-details__value') ?? `${part('.audit-details__before')} -> ${part('.audit-details__after')}`;
          return label ? `${label}: ${said}` : said;
        }),
      };
    });
}

const entryIds = (response: Awaited<ReturnType<typeof c.get>>) => html(response).querySelectorAll('.audit-entry').map((tr) => Number(tr.getAttribute('data-entry')));
const link = (response: Awaited<ReturnType<typeof c.get>>, rel: 'next' | 'prev') => html(response).querySelector(`.audit-log__pages a[rel="${rel}"]`)?.getAttribute('href') ?? null;

describe('the audit log', () => {
  it('shows the organisation’s change as a readable before -> after list, the newest entry first', async () => {
    await recordAudit(t.app.db, { actorId: null, action: 'email.quietHoursBypassed', subjectType: 'content', subjectId: 7, details: { recipients: 3 } }, T0);
    expect((await c.postOrganisation(w.admin, { ...ORGANISATION_FORM, name: 'Acme & Co', brandColour: '#0b5d1e', quietWeekends: '' })).statusCode).toBe(303);

    const response = await c.get('/admin/audit', w.admin);
    expect(response.statusCode).toBe(200);
    const [change, bypass] = rows(response);
    expect(change).toMatchObject({
      who: 'Alice Martin',
      what: 'Organisation changed organisation.change',
      subject: 'Organisation #1',
      details: ['Name: Acme -> Acme & Co', 'Brand colour: — -> #0b5d1e', 'Quiet all weekend: yes -> no'],
    });
    expect(bypass).toMatchObject({
      who: 'Hameau (automatic)',
      what: 'Email sent during quiet hours (urgent) email.quietHoursBypassed',
      subject: 'Content #7',
      details: ['Recipients: 3'],
    });
    // When, in the organisation's time zone (Europe/Paris: UTC+1 in November).
    expect(bypass!.datetime).toBe('2026-11-02T09:30:00.000Z');
    expect(bypass!.when).toBe('November 2, 2026 at 10:30 AM');
    expect(html(response).querySelector('.subnav a[href="/admin/audit"]')?.getAttribute('aria-current')).toBe('page');
  });

  it('follows the organisation’s time zone and the admin’s language', async () => {
    await recordAudit(t.app.db, { actorId: w.admin.id, action: 'member.deactivate', subjectType: 'user', subjectId: w.member.id, details: { sessionsEnded: 2 } }, T0);
    await t.app.db.updateTable('organisation').set({ time_zone: 'Asia/Tokyo' }).execute();
    t.app.organisation.forget();
    await setLocale(t.app, w.admin.id, 'fr');
    const [entry] = rows(await c.get('/admin/audit', w.admin, 'fr'));
    expect(entry!.when).toBe(formatDateTime('fr', T0, 'Asia/Tokyo'));
    expect(entry!.when).toContain('18:30');
    expect(entry).toMatchObject({ what: 'Membre désactivé member.deactivate', subject: 'Personne Member', details: ['Sessions fermées: 2'] });
  });

  it('links a person it is about, and shows an unknown action and subject by their own names', async () => {
    await recordAudit(t.app.db, { actorId: w.admin.id, action: 'member.changeRole', subjectType: 'user', subjectId: w.member.id, details: { before: 'member', after: 'editor' } }, T0);
    await recordAudit(t.app.db, { actorId: null, action: 'polls.close', subjectType: 'poll_round', subjectId: 'r-9', details: { open: { before: true, after: false } } }, T0 + 1);
    const response = await c.get('/admin/audit', w.admin);
    const [unknown, role] = rows(response);
    expect(unknown).toMatchObject({ what: 'polls.close', subject: 'poll_round #r-9', details: ['open: yes -> no'] });
    expect(role).toMatchObject({ what: 'Role changed member.changeRole', subject: 'Person Member', details: ['member -> editor'] });
    expect(html(response).querySelector(`.audit-entry__subject a[href="/people/${w.member.id}"]`)?.textContent.trim()).toBe('Member');
  });

  it('writes a detail without a label as a paragraph: every <dd> has its <dt>', async () => {
    await recordAudit(t.app.db, { actorId: w.admin.id, action: 'member.changeRole', subjectType: 'user', subjectId: w.member.id, details: { before: 'member', after: 'editor', reason: 'promotion' } }, T0);
    await recordAudit(t.app.db, { actorId: null, action: 'polls.odd', subjectType: 'poll', subjectId: 1, details: [1, 2] as unknown as Record<string, unknown> }, T0 + 1);
    const response = await c.get('/admin/audit', w.admin);
    const page = html(response);
    const [odd, role] = page.querySelectorAll('.audit-entry__details');
    expect(role!.querySelector('p.audit-details__line')?.textContent.replace(/\s+/g, ' ').trim()).toBe('member → changed to editor');
    expect(odd!.querySelector('p.audit-details__line .audit-details__value')?.textContent.trim()).toBe('[1,2]');
    expect(odd!.querySelector('dl')).toBe(null);
    for (const group of page.querySelectorAll('.audit-details .audit-details__line')) {
      expect(group.querySelectorAll('dt')).toHaveLength(1);
      expect(group.querySelectorAll('dd')).toHaveLength(1);
    }
    expect(rows(response)[1]!.details).toEqual(['member -> editor', 'Reason: promotion']);
  });

  it('escapes names, actions and details: a stored script stays text', async () => {
    const payload = '<script>alert(1)</script>';
    await t.app.db.updateTable('users').set({ name: `Eve ${payload}` }).where('id', '=', w.editor.id).execute();
    await recordAudit(t.app.db, { actorId: w.editor.id, action: 'space.edit', subjectType: 'space', subjectId: w.spaces.team, details: { before: { name: 'Team' }, after: { name: payload } } }, T0);
    await recordAudit(t.app.db, { actorId: null, action: `x.${payload}`, subjectType: `<b>bold</b>`, subjectId: `"><img src=x onerror=alert(2)>`, details: { [payload]: payload } }, T0 + 1);
    const response = await c.get('/admin/audit', w.admin);
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(response.body).not.toContain('<img src=x');
    expect(response.body).not.toContain('<b>bold</b>');
    const [odd, edit] = rows(response);
    expect(edit).toMatchObject({ who: `Eve ${payload}`, details: [`Name: Team -> ${payload}`] });
    expect(odd!.details).toEqual([`${payload}: ${payload}`]);
    expect(odd!.what).toBe(`x.${payload}`);
    // The action filter offers the odd action as text too.
    expect(html(response).querySelectorAll('#audit-action option').map((o) => o.textContent.trim())).toContain(`x.${payload}`);
  });
});

describe('pages', () => {
  it('goes through every entry once, newest first, even when many share the same time', async () => {
    const total = AUDIT_PAGE_SIZE * 2 + 20;
    // Twenty entries at the very same millisecond, across the first page's boundary.
    for (let i = 0; i < total; i++) {
      const at = i >= AUDIT_PAGE_SIZE * 2 - 50 - 10 && i < AUDIT_PAGE_SIZE * 2 - 50 + 10 ? T0 + 5000 : T0 + i * 1000;
      await recordAudit(t.app.db, { actorId: w.admin.id, action: 'invitation.create', subjectType: 'invitation', subjectId: i, details: { email: `p${i}@example.com` } }, at);
    }
    const expected = (await t.app.db.selectFrom('audit_log').select('id').orderBy('created_at', 'desc').orderBy('id', 'desc').execute()).map((r) => r.id);

    const first = await c.get('/admin/audit', w.admin);
    expect(entryIds(first)).toEqual(expected.slice(0, AUDIT_PAGE_SIZE));
    expect(link(first, 'prev')).toBe(null);
    const second = await c.get(link(first, 'next')!, w.admin);
    expect(entryIds(second)).toEqual(expected.slice(AUDIT_PAGE_SIZE, AUDIT_PAGE_SIZE * 2));
    const third = await c.get(link(second, 'next')!, w.admin);
    expect(entryIds(third)).toEqual(expected.slice(AUDIT_PAGE_SIZE * 2));
    expect(link(third, 'next')).toBe(null);

    // And back: the newer page is the second one, then the first, whole.
    const backToSecond = await c.get(link(third, 'prev')!, w.admin);
    expect(entryIds(backToSecond)).toEqual(entryIds(second));
    const backToFirst = await c.get(link(backToSecond, 'prev')!, w.admin);
    expect(entryIds(backToFirst)).toEqual(entryIds(first));
    expect(link(backToFirst, 'prev')).toBe(null);
  });

  it('starts from the newest on a cursor it did not write', async () => {
    await recordAudit(t.app.db, { actorId: w.admin.id, action: 'charter.publish', subjectType: 'charter_version', subjectId: 1 }, T0);
    for (const cursor of ['nonsense', "1' or 1=1 --", '9'.repeat(40) + '|1', '']) {
      const response = await c.get(`/admin/audit?older=${encodeURIComponent(cursor)}&newer=${encodeURIComponent(cursor)}`, w.admin);
      expect(response.statusCode).toBe(200);
      expect(rows(response).map((r) => r.what)).toEqual(['Charter published charter.publish']);
    }
  });
});

describe('filters', () => {
  beforeEach(async () => {
    const entries: Array<[number | null, string]> = [
      [w.admin.id, 'member.deactivate'],
      [w.admin.id, 'member.reactivate'],
      [w.spaceAdmin.id, 'space.create'],
      [null, 'email.quietHoursBypassed'],
      [w.admin.id, 'settings.change'],
      [w.spaceAdmin.id, 'member.changeRole'],
    ];
    for (const [i, [actorId, action]] of entries.entries()) {
      await recordAudit(t.app.db, { actorId, action, subjectType: 'user', subjectId: w.member.id }, T0 + i * 1000);
    }
  });

  const actions = async (url: string) => rows(await c.get(url, w.admin)).map((r) => r.what.split(' ').at(-1));

  it('by one action, by a family of actions, by who did it, or both', async () => {
    expect(await actions('/admin/audit?action=member.deactivate')).toEqual(['member.deactivate']);
    expect(await actions('/admin/audit?action=member.')).toEqual(['member.changeRole', 'member.reactivate', 'member.deactivate']);
    expect(await actions(`/admin/audit?actor=${w.spaceAdmin.id}`)).toEqual(['member.changeRole', 'space.create']);
    expect(await actions('/admin/audit?actor=system')).toEqual(['email.quietHoursBypassed']);
    expect(await actions(`/admin/audit?action=member.&actor=${w.admin.id}`)).toEqual(['member.reactivate', 'member.deactivate']);
    const none = await c.get(`/admin/audit?action=space.&actor=${w.admin.id}`, w.admin);
    expect(mainText(none)).toContain('No entry matches these filters.');
  });

  it('offers the actions present and the people who acted, and shows the chosen filters', async () => {
    const page = html(await c.get(`/admin/audit?action=member.&actor=${w.spaceAdmin.id}`, w.admin));
    const options = page.querySelectorAll('#audit-action option').map((o) => o.getAttribute('value'));
    expect(options).toEqual([
      '',
      'email.quietHoursBypassed',
      'member.',
      'member.changeRole',
      'member.deactivate',
      'member.reactivate',
      'settings.change',
      'space.create',
    ]);
    expect(page.querySelector('#audit-action option[selected]')?.getAttribute('value')).toBe('member.');
    expect(page.querySelector('#audit-action option[value="member."]')?.textContent.trim()).toBe('Every “member” action');
    expect(page.querySelectorAll('#audit-actor option').map((o) => [o.getAttribute('value'), o.textContent.trim()])).toEqual([
      ['', 'Anyone'],
      ['system', 'Hameau (automatic)'],
      [String(w.admin.id), 'Alice Martin'],
      [String(w.spaceAdmin.id), 'Spaceadmin'],
    ]);
    expect(page.querySelector('#audit-actor option[selected]')?.getAttribute('value')).toBe(String(w.spaceAdmin.id));
    expect(page.querySelector('form.audit-filters')?.getAttribute('method')).toBe('get');
    expect(page.querySelector('label[for="audit-action"]')).not.toBe(null);
    expect(page.querySelector('label[for="audit-actor"]')).not.toBe(null);
  });

  it('takes "_" and "%" in a family literally, and ignores a filter that is not one', async () => {
    expect(await actions('/admin/audit?action=spac_.')).toEqual([]);
    const all = await actions('/admin/audit');
    expect(all).toHaveLength(6);
    for (const bad of ["member.' or 1=1 --", '%', 'member..', 'x'.repeat(101) + '.', '<script>']) {
      expect(await actions(`/admin/audit?action=${encodeURIComponent(bad)}`), bad).toEqual(all);
    }
    expect(await actions('/admin/audit?actor=0')).toEqual(all);
    expect(await actions('/admin/audit?actor=abc')).toEqual(all);
  });

  it('keeps the filters from page to page', async () => {
    for (let i = 0; i < AUDIT_PAGE_SIZE + 5; i++) {
      await recordAudit(t.app.db, { actorId: w.admin.id, action: 'invitation.create', subjectType: 'invitation', subjectId: i }, T0 + 100_000 + i);
      await recordAudit(t.app.db, { actorId: w.admin.id, action: 'invitation.revoke', subjectType: 'invitation', subjectId: i }, T0 + 100_000 + i);
    }
    const first = await c.get('/admin/audit?action=invitation.create', w.admin);
    expect(rows(first)).toHaveLength(AUDIT_PAGE_SIZE);
    const next = link(first, 'next')!;
    expect(next).toMatch(/^\/admin\/audit\?action=invitation\.create&older=/);
    const second = await c.get(next, w.admin);
    expect(rows(second).map((r) => r.what.split(' ').at(-1))).toEqual(Array(5).fill('invitation.create'));
    expect(link(second, 'next')).toBe(null);
  });
});

describe('labels', () => {
  it('has a label in French and in English for every action Hameau writes', () => {
    for (const action of KNOWN_ACTIONS) expect(hasMessage(`admin.audit.actions.${action}`), action).toBe(true);
    // Every literal action given to recordAudit in the sources is a known one.
    const written = new Set<string>();
    for (const entry of fs.readdirSync(path.join(projectRoot, 'src'), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const code = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
      for (const match of code.matchAll(/action: (?:\w+ \? )?'([a-zA-Z]+\.[a-zA-Z]+)'(?: : '([a-zA-Z]+\.[a-zA-Z]+)')?/g)) {
        written.add(match[1]!);
        if (match[2]) written.add(match[2]);
      }
    }
    expect(written.size).toBeGreaterThan(30);
    expect([...written].filter((action) => !(KNOWN_ACTIONS as readonly string[]).includes(action))).toEqual([]);
  });

  it('builds { field: { before, after } } for what changed only (changedFields)', () => {
    const before = { name: 'Acme', colour: null as string | null, weekends: true, hours: { start: 20 }, left: 'x' };
    const after = { name: 'Acme', colour: '#0b5d1e', weekends: false, hours: { start: 20 }, left: 'y' };
    expect(changedFields(before, after, ['name', 'colour', 'weekends', 'hours'])).toEqual({ colour: { before: null, after: '#0b5d1e' }, weekends: { before: true, after: false } });
    expect(changedFields(before, { ...before, hours: { start: 21 } }, ['hours'])).toEqual({ hours: { before: { start: 20 }, after: { start: 21 } } });
    expect(changedFields(before, before, ['name', 'colour', 'weekends', 'hours', 'left'])).toEqual({});
  });

  it('reads the three shapes of details', () => {
    const t = translator('en');
    expect(describeDetails('{"before":"member","after":"admin"}', t)).toEqual([{ label: '', before: 'member', after: 'admin' }]);
    expect(describeDetails('{"userId":4,"before":{"a":1,"b":{"c":true}},"after":{"a":1,"b":{"c":false}}}', t)).toEqual([
      { label: 'b.c', before: 'yes', after: 'no' },
      { label: 'Person', value: '4' },
    ]);
    expect(describeDetails('{"email":"a@example.com","role":"editor"}', t)).toEqual([
      { label: 'Email', value: 'a@example.com' },
      { label: 'Role', value: 'editor' },
    ]);
    expect(describeDetails('{}', t)).toEqual([]);
    expect(describeDetails('not json', t)).toEqual([{ label: '', value: 'not json' }]);
    expect(describeDetails('[1,2]', t)).toEqual([{ label: '', value: '[1,2]' }]);
  });
});
