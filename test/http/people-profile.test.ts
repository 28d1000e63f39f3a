// Profiles: what a profile shows (and to whom: contact details of a deactivated person only to admins),
// who may edit it (the person, admins; 403 for anyone else since the profile is visible), the checks on
// each field (lengths, phone, tags, extra fields of each type, managers without loops), escaping.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html, mainText } from '../helpers/app.js';
import { createCast, type Cast } from '../helpers/conversation.js';
import { addDepartment, addField, addSite, setProfile, setSkills, userRow } from '../helpers/people.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

const SCRIPT = '<script>alert(1)</script>';

async function skillsOf(userId: number) {
  const rows = await c.app.db.selectFrom('user_skills as us').innerJoin('skills as s', 's.id', 'us.skill_id').select('s.label').where('us.user_id', '=', userId).orderBy('s.slug').execute();
  return rows.map((r) => r.label);
}

describe('the profile page', () => {
  it('shows the whole profile, with links to the manager and the direct reports', async () => {
    const finance = await addDepartment(c.app, 'Finance');
    const lyon = await addSite(c.app, 'Lyon');
    const birthday = await addField(c.app, { label: 'Arrival', type: 'date' });
    const site = await addField(c.app, { label: 'Blog', type: 'link' });
    await setProfile(c.app, c.ids.member, {
      job_title: 'Accountant',
      department_id: finance,
      site_id: lyon,
      manager_id: c.ids.editor,
      phone: '+33 1 23 45 67 89',
      bio: 'First line\nSecond line',
      languages: 'Français, English',
    });
    await setProfile(c.app, c.ids.outsider, { manager_id: c.ids.member, job_title: 'Intern' });
    await setSkills(c.app, c.ids.member, ['Excel', 'Gestion de projet']);
    await c.app.db.insertInto('profile_values').values([{ user_id: c.ids.member, field_id: birthday, value: '2021-09-01' }, { user_id: c.ids.member, field_id: site, value: 'https://example.org/' }]).execute();

    const response = await c.get(`/people/${c.ids.member}`, 'outsider');
    expect(response.statusCode).toBe(200);
    const page = html(response);
    const text = mainText(response);
    for (const expected of ['Accountant', 'Finance', 'Lyon', 'Français, English', 'Excel', 'Gestion de projet', 'Arrival', 'September 1, 2021', '1 direct report']) expect(text, expected).toContain(expected);
    expect(page.querySelector(`a[href="/people/${c.ids.editor}"]`)?.textContent).toBe('Eve Editor');
    expect(page.querySelector(`.people-mini-list a[href="/people/${c.ids.outsider}"]`)?.textContent).toBe('Carol Outsider');
    expect(page.querySelector('a[href^="tel:"]')?.getAttribute('href')).toBe('tel:+33123456789');
    expect(page.querySelector('a[href="mailto:bruno@example.com"]')).not.toBe(null);
    expect(page.querySelector('a[href="https://example.org/"]')?.getAttribute('rel')).toContain('noopener');
    // Line breaks kept, as <br>, the text escaped.
    expect(page.querySelector('.person-profile__bio')?.innerHTML).toBe('First line<br>Second line');
    // Skills lead to the directory's search.
    expect(page.querySelector('a.tag[href="/people?q=Excel"]')).not.toBe(null);
    // Only the person and admins are offered the edit link.
    expect(page.querySelector(`a[href="/people/${c.ids.member}/edit"]`)).toBe(null);
    expect(html(await c.get(`/people/${c.ids.member}`, 'member')).querySelector(`a[href="/people/${c.ids.member}/edit"]`)).not.toBe(null);
    expect(html(await c.get(`/people/${c.ids.member}`, 'admin')).querySelector(`a[href="/people/${c.ids.member}/edit"]`)).not.toBe(null);
  });

  it('keeps a deactivated person\'s page with a note; their email and phone only for admins', async () => {
    await setProfile(c.app, c.ids.gone, { phone: '0102030405', job_title: 'Former boss' });
    const member = await c.get(`/people/${c.ids.gone}`, 'member');
    expect(member.statusCode).toBe(200);
    expect(mainText(member)).toContain('This account is deactivated');
    expect(mainText(member)).toContain('Former boss');
    expect(member.body).not.toContain('gaston@example.com');
    expect(member.body).not.toContain('0102030405');
    const admin = await c.get(`/people/${c.ids.gone}`, 'admin');
    expect(admin.body).toContain('gaston@example.com');
    expect(admin.body).toContain('0102030405');
  });

  it('sends visitors to sign in, for every people page', async () => {
    for (const url of ['/people', '/people/org-chart', `/people/${c.ids.member}`, `/people/${c.ids.member}/edit`, '/people/skills/suggest?skills=ex', '/people/photos/0123456789abcdef0123456789abcdef']) {
      const response = await c.get(url, null);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toMatch(/^\/login/);
    }
    const post = await c.post(`/people/${c.ids.member}/edit`, null, { jobTitle: 'Hacker' });
    expect(post.statusCode).toBe(303);
    expect((await userRow(c.app, c.ids.member)).job_title).toBe(null);
  });

  it('escapes every text field of the profile', async () => {
    const department = await addDepartment(c.app, `Dept ${SCRIPT}`);
    const site = await addSite(c.app, `Site ${SCRIPT}`);
    const field = await addField(c.app, { label: `Label ${SCRIPT}`, type: 'text' });
    await setProfile(c.app, c.ids.member, { job_title: SCRIPT, department_id: department, site_id: site, phone: SCRIPT, bio: SCRIPT, languages: SCRIPT });
    await setSkills(c.app, c.ids.member, [`Skill ${SCRIPT}`]);
    await c.app.db.insertInto('profile_values').values({ user_id: c.ids.member, field_id: field, value: SCRIPT }).execute();
    for (const url of [`/people/${c.ids.member}`, `/people/${c.ids.member}/edit`]) {
      const response = await c.get(url, 'member');
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).not.toContain('<script>alert(1)');
      expect(response.body, url).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });
});

describe('editing a profile', () => {
  it('lets people edit their own profile, without JavaScript (POST then redirect)', async () => {
    const finance = await addDepartment(c.app, 'Finance');
    const lyon = await addSite(c.app, 'Lyon');
    const form = await c.get(`/people/${c.ids.member}/edit`, 'member');
    expect(form.statusCode).toBe(200);
    const page = html(form);
    for (const name of ['jobTitle', 'department', 'site', 'manager', 'phone', 'skills', 'languages', 'bio']) expect(page.querySelector(`form [name="${name}"]`), name).not.toBe(null);
    expect(page.querySelector('label[for="jobTitle"]')).not.toBe(null);
    // Only active people, never the person, are offered as manager.
    const managers = page.querySelectorAll('#manager option').map((o) => o.getAttribute('value'));
    expect(managers).toContain(String(c.ids.editor));
    expect(managers).not.toContain(String(c.ids.member));
    expect(managers).not.toContain(String(c.ids.gone));

    const response = await c.post(`/people/${c.ids.member}/edit`, 'member', {
      jobTitle: '  Chief accountant ',
      department: String(finance),
      site: String(lyon),
      manager: String(c.ids.editor),
      phone: '+33 (0)1 23 45 67 89',
      skills: 'Excel, excel, Gestion  de projet,',
      languages: 'Français, English',
      bio: 'Hello\nWorld',
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/people/${c.ids.member}`);
    const row = await userRow(c.app, c.ids.member);
    expect(row).toMatchObject({ job_title: 'Chief accountant', job_title_sort: 'chief accountant', department_id: finance, site_id: lyon, manager_id: c.ids.editor, phone: '+33 (0)1 23 45 67 89', languages: 'Français, English', bio: 'Hello\nWorld' });
    expect(await skillsOf(c.ids.member)).toEqual(['Excel', 'Gestion de projet']);
    // Editing one's own profile is not an admin action: no audit entry.
    expect(await c.app.db.selectFrom('audit_log').select('action').where('action', '=', 'profile.edit').execute()).toEqual([]);

    // Emptying fields clears them; a skill nobody has any more disappears.
    expect((await c.post(`/people/${c.ids.member}/edit`, 'member', { jobTitle: '', department: '', site: '', manager: '', skills: 'Excel' })).statusCode).toBe(303);
    expect(await userRow(c.app, c.ids.member)).toMatchObject({ job_title: null, department_id: null, site_id: null, manager_id: null, phone: null, bio: null, languages: null });
    expect(await c.app.db.selectFrom('skills').select('label').execute()).toEqual([{ label: 'Excel' }]);
  });

  it('refuses another member\'s profile with 403 (the profile is visible), and 404 for an unknown id', async () => {
    expect((await c.get(`/people/${c.ids.editor}/edit`, 'member')).statusCode).toBe(403);
    expect((await c.post(`/people/${c.ids.editor}/edit`, 'member', { jobTitle: 'Pwned' })).statusCode).toBe(403);
    expect((await c.post(`/people/${c.ids.editor}/photo/remove`, 'member')).statusCode).toBe(403);
    expect((await userRow(c.app, c.ids.editor)).job_title).toBe(null);
    expect((await c.get('/people/987654/edit', 'admin')).statusCode).toBe(404);
    expect((await c.get('/people/abc/edit', 'admin')).statusCode).toBe(404);
  });

  it('lets admins edit anyone\'s profile, audited', async () => {
    const response = await c.post(`/people/${c.ids.editor}/edit`, 'admin', { jobTitle: 'Head of content' });
    expect(response.statusCode).toBe(303);
    expect((await userRow(c.app, c.ids.editor)).job_title).toBe('Head of content');
    const audit = await c.app.db.selectFrom('audit_log').selectAll().where('action', '=', 'profile.edit').execute();
    expect(audit).toMatchObject([{ actor_id: c.ids.admin, subject_type: 'user', subject_id: String(c.ids.editor) }]);
    expect(JSON.parse(audit[0]!.details)).toEqual({ jobTitle: { before: null, after: 'Head of content' } });
    // A deactivated person's profile too.
    expect((await c.post(`/people/${c.ids.gone}/edit`, 'admin', { jobTitle: 'Retired' })).statusCode).toBe(303);
  });

  it('audits an admin’s edit with what changed, before and after, by name, and nothing when nothing changed', async () => {
    const finance = await addDepartment(c.app, 'Finance');
    const lyon = await addSite(c.app, 'Lyon');
    const arrival = await addField(c.app, { label: 'Arrival', type: 'date' });
    await setProfile(c.app, c.ids.member, { job_title: 'Accountant', phone: '+33 1 23 45 67 89', department_id: finance });
    await setSkills(c.app, c.ids.member, ['Excel']);
    const form = { jobTitle: 'Accountant', department: '', site: String(lyon), manager: String(c.ids.editor), phone: '+33 9 87 65 43 21', skills: 'Excel, Gestion de projet', languages: '', bio: '', [`field_${arrival}`]: '2021-09-01' };
    expect((await c.post(`/people/${c.ids.member}/edit`, 'admin', form)).statusCode).toBe(303);
    const entries = async () => c.app.db.selectFrom('audit_log').select('details').where('action', '=', 'profile.edit').where('subject_id', '=', String(c.ids.member)).execute();
    const [entry] = await entries();
    expect(JSON.parse(entry!.details)).toEqual({
      department: { before: 'Finance', after: null },
      site: { before: null, after: 'Lyon' },
      manager: { before: null, after: 'Eve Editor' },
      skills: { before: 'Excel', after: 'Excel, Gestion de projet' },
      // Free text about the person: that it changed, never what it says (the audit log outlives an erasure).
      phone: { before: '•••', after: '•••' },
      Arrival: { before: null, after: '•••' },
    });
    expect(entry!.details).not.toContain('43 21');
    // The same form again: nothing changed, nothing written.
    expect((await c.post(`/people/${c.ids.member}/edit`, 'admin', form)).statusCode).toBe(303);
    expect(await entries()).toHaveLength(1);
    // The audit page reads it with the fields' names.
    const lines = html(await c.get('/admin/audit', 'admin')).querySelectorAll('.audit-entry')[0]!.querySelectorAll('.audit-details__line').map((line) => line.textContent.replace(/\s+/g, ' ').trim());
    expect(lines[0]).toMatch(/^Department Finance → changed to —$/);
    expect(lines).toContain('Arrival — → changed to •••');
  });

  it('refuses too long or malformed values, keeping everything typed', async () => {
    const response = await c.post(`/people/${c.ids.member}/edit`, 'member', {
      jobTitle: 'x'.repeat(101),
      phone: 'call me maybe',
      bio: 'b'.repeat(2001),
      skills: Array.from({ length: 21 }, (_, i) => `skill${i}`).join(','),
      languages: 'l'.repeat(41),
    });
    expect(response.statusCode).toBe(422);
    const page = html(response);
    const errors = page.querySelectorAll('.error-summary li').map((li) => li.textContent);
    expect(errors).toEqual(['Enter no more than 100 characters.', 'Enter a phone number with digits, spaces and + ( ) . - / only.', 'Enter no more than 2,000 characters.', 'At most 20.', 'Each one 40 characters at most.']);
    expect(page.querySelector('#jobTitle')?.getAttribute('value')).toBe('x'.repeat(101));
    expect(page.querySelector('#phone')?.getAttribute('value')).toBe('call me maybe');
    expect(page.querySelector('#bio')?.textContent).toBe('b'.repeat(2001));
    expect((await userRow(c.app, c.ids.member)).phone).toBe(null);
    // Whitespace only is empty; a repeated field is refused.
    expect((await c.post(`/people/${c.ids.member}/edit`, 'member', { jobTitle: ' \u200b ' })).statusCode).toBe(303);
    expect((await userRow(c.app, c.ids.member)).job_title).toBe(null);
    expect((await c.post(`/people/${c.ids.member}/edit`, 'member', { jobTitle: ['a', 'b'] })).statusCode).toBe(422);
  });

  it('refuses a department, site or manager that does not exist', async () => {
    for (const [name, value] of [['department', '999'], ['site', '999'], ['manager', '999'], ['manager', String(c.ids.gone)], ['department', 'abc']] as const) {
      const response = await c.post(`/people/${c.ids.member}/edit`, 'member', { [name]: value });
      expect(response.statusCode, `${name}=${value}`).toBe(422);
      expect(html(response).querySelector(`#${name}-error`), name).not.toBe(null);
    }
  });

  it('refuses to make someone their own manager, or a loop of managers', async () => {
    const own = await c.post(`/people/${c.ids.member}/edit`, 'member', { manager: String(c.ids.member) });
    expect(own.statusCode).toBe(422);
    expect(mainText(own)).toContain('Nobody can be their own manager.');

    // editor -> member -> outsider; making the outsider the editor's manager closes the loop.
    await setProfile(c.app, c.ids.editor, { manager_id: c.ids.member });
    await setProfile(c.app, c.ids.member, { manager_id: c.ids.outsider });
    const loop = await c.post(`/people/${c.ids.outsider}/edit`, 'outsider', { manager: String(c.ids.editor), jobTitle: 'Kept' });
    expect(loop.statusCode).toBe(422);
    expect(mainText(loop)).toContain('choosing them would make a loop');
    expect(html(loop).querySelector('#jobTitle')?.getAttribute('value')).toBe('Kept');
    expect((await userRow(c.app, c.ids.outsider)).manager_id).toBe(null);
    // Out of the loop, the same manager is fine.
    expect((await c.post(`/people/${c.ids.spaceAdmin}/edit`, 'spaceAdmin', { manager: String(c.ids.editor) })).statusCode).toBe(303);
  });
});

describe('extra profile fields', () => {
  it('checks each type: text length, choice among options, real dates, http(s) links only', async () => {
    const text = await addField(c.app, { label: 'Nickname', type: 'text' });
    const choice = await addField(c.app, { label: 'Team', type: 'choice', options: ['Red', 'Blue'] });
    const date = await addField(c.app, { label: 'Arrival', type: 'date' });
    const link = await addField(c.app, { label: 'Blog', type: 'link' });
    const form = html(await c.get(`/people/${c.ids.member}/edit`, 'member'));
    expect(form.querySelectorAll(`#field_${choice} option`).map((o) => o.textContent)).toEqual(['None', 'Red', 'Blue']);
    expect(form.querySelector(`#field_${date}`)?.getAttribute('type')).toBe('date');
    expect(form.querySelector(`#field_${link}`)?.getAttribute('type')).toBe('url');

    const bad = [
      [`field_${text}`, 'n'.repeat(201), 'At most 200 characters.'],
      [`field_${choice}`, 'Green', 'Choose one of the options.'],
      [`field_${date}`, '2025-02-30', 'Enter a real date'],
      [`field_${date}`, '31/12/2025', 'Enter a real date'],
      [`field_${link}`, 'javascript:alert(1)', 'Enter a web address starting with http:// or https://.'],
      [`field_${link}`, 'ftp://example.org/file', 'Enter a web address'],
      [`field_${link}`, 'example.org', 'Enter a web address'],
    ] as const;
    for (const [name, value, message] of bad) {
      const response = await c.post(`/people/${c.ids.member}/edit`, 'member', { [name]: value });
      expect(response.statusCode, value).toBe(422);
      expect(html(response).querySelector(`#${name}-error`)?.textContent, value).toContain(message);
    }
    expect(await c.app.db.selectFrom('profile_values').selectAll().execute()).toEqual([]);

    const ok = await c.post(`/people/${c.ids.member}/edit`, 'member', { [`field_${text}`]: 'Bru', [`field_${choice}`]: 'Blue', [`field_${date}`]: '2024-02-29', [`field_${link}`]: 'https://example.org/blog' });
    expect(ok.statusCode).toBe(303);
    const values = await c.app.db.selectFrom('profile_values').select(['field_id', 'value']).where('user_id', '=', c.ids.member).orderBy('field_id').execute();
    expect(values).toEqual([
      { field_id: text, value: 'Bru' },
      { field_id: choice, value: 'Blue' },
      { field_id: date, value: '2024-02-29' },
      { field_id: link, value: 'https://example.org/blog' },
    ]);
    // Emptied: removed (the form sends every field; one left empty loses its value).
    await c.post(`/people/${c.ids.member}/edit`, 'member', { [`field_${text}`]: 'Bru', [`field_${choice}`]: '', [`field_${date}`]: '2024-02-29', [`field_${link}`]: 'https://example.org/blog' });
    expect((await c.app.db.selectFrom('profile_values').select('field_id').where('user_id', '=', c.ids.member).execute()).map((v) => v.field_id)).toEqual([text, date, link]);
  });
});

describe('skill suggestions', () => {
  it('offer existing skills completing the last one typed, as a datalist', async () => {
    await setSkills(c.app, c.ids.editor, ['Gestion de projet', 'Génie civil', 'Excel']);
    const response = await c.get('/people/skills/suggest?skills=' + encodeURIComponent('Excel, ge'), 'member');
    expect(response.statusCode).toBe(200);
    const options = html(response).querySelectorAll('datalist#skills-options option').map((o) => o.getAttribute('value'));
    expect(options).toEqual(['Excel, Génie civil', 'Excel, Gestion de projet']);
    expect(html(await c.get('/people/skills/suggest?skills=', 'member')).querySelectorAll('option')).toHaveLength(0);
    const odd = await c.get('/people/skills/suggest?skills=' + encodeURIComponent('"><script>'), 'member');
    expect(odd.body).not.toContain('<script>');
  });
});
