// CSV import of people: upload -> preview with per-line errors (line numbers as in the file) -> confirm.
// Nothing is written before the confirmation, nor when any line has an error; the confirmation reads the
// rows kept on the server (never the browser's copy); invitations go out by email with SMTP, or their
// links are listed without; on acceptance the person gets the job title, department, site and manager.
import { afterEach, describe, expect, it } from 'vitest';
import { html, mainText, PASSWORD } from '../helpers/app.js';
import { createCast, type Cast } from '../helpers/conversation.js';
import { addDepartment, setProfile, uploadCsv, userRow, writtenCounts } from '../helpers/people.js';
import { linkIn, startSmtp, type TestSmtp } from '../helpers/smtp.js';

let c: Cast | undefined;
let smtp: TestSmtp | undefined;
afterEach(async () => {
  await c?.t.close();
  await smtp?.close();
  c = undefined;
  smtp = undefined;
});

const GOOD = [
  'name,email,job title,department,site,manager email',
  'Claire Dubois,Claire.Dubois@example.com,Directrice financière,Finance,Lyon,alice@example.com',
  'Marc Petit,marc.petit@example.com,Comptable,finance,Lyon,claire.dubois@example.com',
  'Nadia Benali,nadia@example.com,,,,',
].join('\n');

const confirmId = (response: Awaited<ReturnType<typeof uploadCsv>>) => html(response).querySelector('input[name="importId"]')?.getAttribute('value');
const problems = (response: Awaited<ReturnType<typeof uploadCsv>>) =>
  html(response)
    .querySelectorAll('tbody tr')
    .map((tr) => [Number(tr.querySelector('th')!.textContent), tr.querySelectorAll('.people-import__problems li').map((li) => li.textContent)] as const)
    .filter(([, list]) => list.length > 0);

async function acceptInvitation(cast: Cast, link: string, name: string) {
  const path = new URL(link).pathname;
  const response = await cast.app.inject({ method: 'POST', url: path, payload: { name, locale: 'en', password: PASSWORD, passwordConfirmation: PASSWORD } });
  expect(response.statusCode).toBe(303);
  return cast.app.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
}

describe('the preview', () => {
  it('reports every bad line with its line number, and writes nothing', async () => {
    c = await createCast();
    await c.app.db.insertInto('invitations').values({ email: 'pending@example.com', role: 'member', locale: 'en', token_hash: Buffer.alloc(32, 1), invited_by: 1, created_at: Date.now(), expires_at: Date.now() + 86_400_000, last_sent_at: Date.now() }).execute();
    const before = await writtenCounts(c.app);
    const csv = [
      'nom;courriel;poste;service;site;responsable', // 1: French headers, semicolons
      'Ok Person;ok@example.com;;;;', // 2
      ';noname@example.com;;;;', // 3
      'No Email;;;;;', // 4
      'Bad Email;not-an-email;;;;', // 5
      'Dup;ok@example.com;;;;', // 6
      'Bruno Again;bruno@example.com;;;;', // 7: a member
      'Pending;pending@example.com;;;;', // 8: invited already
      `Long;long@example.com;${'j'.repeat(101)};;;`, // 9
      'Ghost boss;ghost@example.com;;;;nobody@example.com', // 10
      'Self;self@example.com;;;;self@example.com', // 11
      'Loop A;loop.a@example.com;;;;loop.b@example.com', // 12
      'Loop B;loop.b@example.com;;;;loop.a@example.com', // 13
      '', // 14: empty, skipped
      '"Multi', // 15: a quoted value over two lines
      'line";multi@example.com;;;;bad manager', // 16
    ].join('\r\n');
    const response = await uploadCsv(c, csv);
    expect(response.statusCode).toBe(422);
    expect(problems(response)).toEqual([
      [3, ['Line 3: the name is missing.']],
      [4, ['Line 4: the email is missing.']],
      [5, ['Line 5: the email is not valid.']],
      [6, ['Line 6: this email is already on line 2.']],
      [7, ['Line 7: this person is already a member.']],
      [8, ['Line 8: this person already has a pending invitation.']],
      [9, ['Line 9: Job title: at most 100 characters.']],
      [10, ['Line 10: the manager is neither a member nor in the file.']],
      [11, ['Line 11: a person cannot be their own manager.']],
      [12, ['Line 12: the managers in the file make a loop.']],
      [13, ['Line 13: the managers in the file make a loop.']],
      [15, ['Line 15: the manager email is not valid.']],
    ]);
    expect(mainText(response)).toContain('12 problems to fix in the file');
    expect(mainText(response)).toContain('Nothing has been written.');
    expect(confirmId(response)).toBeUndefined();
    expect(await writtenCounts(c.app)).toEqual(before);
    expect(await c.app.db.selectFrom('people_imports').selectAll().execute()).toEqual([]);
  });

  it('reads comma or semicolon files with or without BOM, and refuses unreadable ones with a message', async () => {
    c = await createCast();
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Email;Name\nzoe@example.com;Zoé Ü\n')]);
    const withBom = await uploadCsv(c, bom);
    expect(withBom.statusCode).toBe(200);
    expect(mainText(withBom)).toContain('Zoé Ü');
    expect(mainText(withBom)).toContain('1 person is ready to be invited. Nothing has been written yet.');
    const cases: Array<[string | Buffer, string]> = [
      ['', 'This file holds no one.'],
      ['name,email\n', 'This file holds no one.'],
      ['first,second\nA,b@example.com', 'The first row must name the columns'],
      [Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x2c, 0x65, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0xe9, 0x2c, 0x61]), 'This file is not in UTF-8.'],
      ['name,email\n"open,a@example.com', 'cannot be read as CSV'],
      [['name,email', ...Array.from({ length: 501 }, (_, i) => `P${i},p${i}@example.com`)].join('\n'), 'At most 500 people per file'],
    ];
    for (const [content, message] of cases) {
      const response = await uploadCsv(c, content);
      expect(response.statusCode, message).toBe(422);
      expect(mainText(response), message).toContain(message);
    }
    const noFile = await uploadCsv(c, '');
    expect(noFile.statusCode).toBe(422);
  });

  it('escapes every cell', async () => {
    c = await createCast();
    const response = await uploadCsv(c, 'name,email,job title,department,site\n<script>alert(1)</script>,x@example.com,<img src=x onerror=alert(1)>,<b>d</b>,<i>s</i>');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<script>alert(1)');
    expect(response.body).not.toContain('<img src=x');
    expect(response.body).not.toContain('<b>d</b>');
  });
});

describe('confirming', () => {
  it('writes nothing before the confirmation; then invites, lists the links without SMTP, and gives the profile on acceptance', async () => {
    c = await createCast();
    await addDepartment(c.app, 'Finance');
    const before = await writtenCounts(c.app);
    const preview = await uploadCsv(c, GOOD);
    expect(preview.statusCode).toBe(200);
    expect(mainText(preview)).toContain('1 site will be created: Lyon');
    expect(mainText(preview)).not.toContain('department will be created');
    expect(await writtenCounts(c.app)).toEqual(before);
    const importId = confirmId(preview)!;
    expect(importId).toMatch(/^[0-9a-f]{32}$/);

    // Another admin's id, or a forged one, confirms nothing.
    expect((await c.post('/admin/people/import/confirm', 'admin', { importId: 'f'.repeat(32) })).statusCode).toBe(410);
    expect(await writtenCounts(c.app)).toEqual(before);

    const done = await c.post('/admin/people/import/confirm', 'admin', { importId });
    expect(done.statusCode).toBe(200);
    expect(mainText(done)).toContain('3 invitations created.');
    const links = html(done).querySelectorAll('input.people-import__link').map((input) => input.getAttribute('value')!);
    expect(links).toHaveLength(3);
    for (const link of links) expect(link).toMatch(/\/invite\/[a-z0-9]{48}$/);
    const after = await writtenCounts(c.app);
    expect(after).toMatchObject({ invitations: before.invitations + 3, users: before.users, departments: 1, sites: 1 });
    const audit = await c.app.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'people.import').execute();
    expect(JSON.parse(audit[0]!.details)).toEqual({ rows: 3, newDepartments: 0, newSites: 1 });
    // Confirmed twice: the second finds nothing waiting.
    expect((await c.post('/admin/people/import/confirm', 'admin', { importId })).statusCode).toBe(410);
    expect((await writtenCounts(c.app)).invitations).toBe(after.invitations);

    // The acceptance form offers the name from the file.
    const form = await c.app.inject({ method: 'GET', url: new URL(links[1]!).pathname, headers: { 'accept-language': 'en' } });
    expect(html(form).querySelector('#name')?.getAttribute('value')).toBe('Marc Petit');
    // Marc's manager is Claire, who is not a member yet when Marc accepts first: empty for now...
    const marc = await acceptInvitation(c, links[1]!, 'Marc Petit');
    expect(marc).toMatchObject({ email: 'marc.petit@example.com', job_title: 'Comptable', manager_id: null });
    const claire = await acceptInvitation(c, links[0]!, 'Claire Dubois');
    // ...and set when Claire joins: the file's links do not depend on who accepts first.
    expect((await userRow(c.app, marc.id)).manager_id).toBe(claire.id);
    const finance = await c.app.db.selectFrom('departments').select('id').where('name', '=', 'Finance').executeTakeFirstOrThrow();
    const lyon = await c.app.db.selectFrom('sites').select('id').where('name', '=', 'Lyon').executeTakeFirstOrThrow();
    expect(claire).toMatchObject({ job_title: 'Directrice financière', job_title_sort: 'directrice financiere', department_id: finance.id, site_id: lyon.id, manager_id: c.ids.admin, role: 'member' });
    expect((await userRow(c.app, marc.id)).department_id).toBe(finance.id);
    const nadia = await acceptInvitation(c, links[2]!, 'Nadia Benali');
    expect(nadia).toMatchObject({ job_title: null, department_id: null, site_id: null, manager_id: null });
  });

  it('re-checks against the database at confirmation: someone invited since is reported, nothing written', async () => {
    c = await createCast();
    const preview = await uploadCsv(c, GOOD);
    await c.post('/admin/invitations', 'admin', { email: 'nadia@example.com', role: 'member', locale: 'en' });
    const before = await writtenCounts(c.app);
    const response = await c.post('/admin/people/import/confirm', 'admin', { importId: confirmId(preview)! });
    expect(response.statusCode).toBe(422);
    expect(problems(response)).toEqual([[4, ['Line 4: this person already has a pending invitation.']]]);
    expect(await writtenCounts(c.app)).toEqual(before);
  });

  it('applies the invitation limit to the whole import', async () => {
    c = await createCast();
    const rows = ['name,email', ...Array.from({ length: 101 }, (_, i) => `P${i},p${i}@example.com`)].join('\n');
    const preview = await uploadCsv(c, rows);
    expect(preview.statusCode).toBe(200);
    const response = await c.post('/admin/people/import/confirm', 'admin', { importId: confirmId(preview)! });
    expect(response.statusCode).toBe(429);
    expect(mainText(response)).toContain('Inviting 101 people would pass the limit of invitations per hour');
    expect((await writtenCounts(c.app)).invitations).toBe(0);
  });

  it('emails each invitation with SMTP, and the invitee gets the profile', async () => {
    smtp = await startSmtp();
    c = await createCast({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://intranet.example.com' });
    await setProfile(c.app, c.ids.admin, { job_title: 'CEO' });
    const preview = await uploadCsv(c, GOOD);
    expect(mainText(preview)).toContain('Invite 3 people by email');
    const done = await c.post('/admin/people/import/confirm', 'admin', { importId: confirmId(preview)! });
    expect(done.statusCode).toBe(200);
    expect(html(done).querySelectorAll('input.people-import__link')).toHaveLength(0);
    expect(done.body).not.toContain('/invite/');
    const mails = [await smtp.nextMessage(), await smtp.nextMessage(), await smtp.nextMessage()];
    const recipients = mails.map((m) => (m.to && 'text' in m.to ? m.to.text : '')).sort();
    expect(recipients).toEqual(['claire.dubois@example.com', 'marc.petit@example.com', 'nadia@example.com']);
    const claireMail = mails.find((m) => m.to && 'text' in m.to && m.to.text === 'claire.dubois@example.com')!;
    const claire = await acceptInvitation(c, linkIn(claireMail), 'Claire Dubois');
    expect(claire).toMatchObject({ job_title: 'Directrice financière', manager_id: c.ids.admin });
  });
});

