// The directory (GET /people?q=&department=&site=&after=) and the org chart: active people only, sorted
// by name, searched by name, job title or skill with accents and case ignored, filtered, paged by
// keyset cursors, the fields marked for the directory shown, everything escaped; the org chart as
// nested lists built from manager links.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html, mainText } from '../helpers/app.js';
import { createCast, PARTIAL, personWithSession, type Cast } from '../helpers/conversation.js';
import { addDepartment, addField, addSite, setProfile, setSkills } from '../helpers/people.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

const names = (response: Awaited<ReturnType<Cast['get']>>) => html(response).querySelectorAll('.person-card__name a').map((a) => a.textContent);
const ALL = ['Alice Martin', 'Bruno Petit', 'Carol Outsider', 'Eve Editor', 'Sam Lead'];

describe('the directory', () => {
  it('lists active people sorted by name, never deactivated ones, and works as a GET form', async () => {
    const response = await c.get('/people', 'member');
    expect(response.statusCode).toBe(200);
    expect(names(response)).toEqual(ALL);
    expect(response.body).not.toContain('Gaston Gone');
    const form = html(response).querySelector('form[role="search"][action="/people"]')!;
    expect(form.getAttribute('method')).toBe('get');
        for (const name of ['q', 'department', 'site']) expect(form.querySelector(`[name="${name}"]`)?.getAttribute('id'), name).toBeTruthy();
    expect(html(response).querySelector('label[for="people-q"]')).not.toBe(null);
    // The main navigation leads here.
    expect(html(response).querySelector('.site-nav a[href="/people"]')?.getAttribute('aria-current')).toBe('page');
  });

  it('searches name, job title and skills, accents and case aside, every word', async () => {
    const emilie = await personWithSession(c.app, { email: 'emilie@example.com', name: 'Émilie Durand' });
    await setProfile(c.app, c.ids.member, { job_title: 'Ingénieur ÉLECTRICIEN' });
    await setSkills(c.app, c.ids.editor, ['Gestion de projet', 'Sécurité']);
    await setProfile(c.app, emilie.id, { job_title: 'Comptable' });
    const search = async (q: string) => names(await c.get(`/people?q=${encodeURIComponent(q)}`, 'outsider'));
    expect(await search('emilie')).toEqual(['Émilie Durand']);
    expect(await search('ÉMILIE')).toEqual(['Émilie Durand']);
    expect(await search('electricien')).toEqual(['Bruno Petit']);
    expect(await search('ingenieur elec')).toEqual(['Bruno Petit']);
    expect(await search('securite')).toEqual(['Eve Editor']);
    expect(await search('projet eve')).toEqual(['Eve Editor']);
    expect(await search('projet bruno')).toEqual([]);
    expect(await search('%')).toEqual([]);
    expect(await search('_')).toEqual([]);
    expect(await search('gaston')).toEqual([]);
    expect(mainText(await c.get('/people?q=zzz', 'member'))).toContain('No one matches.');
    // The search box keeps what was typed, escaped.
    const odd = await c.get(`/people?q=${encodeURIComponent('"><script>alert(1)</script>')}`, 'member');
    expect(odd.statusCode).toBe(200);
    expect(odd.body).not.toContain('<script>alert(1)');
    expect(html(odd).querySelector('#people-q')?.getAttribute('value')).toBe('"><script>alert(1)</script>');
    expect((await c.get(`/people?q=${'a'.repeat(1000)}`, 'member')).statusCode).toBe(200);
  });

  it('filters by department and site, and shows them with the fields marked for the directory', async () => {
    const finance = await addDepartment(c.app, 'Finance');
    const sales = await addDepartment(c.app, 'Ventes');
    const lyon = await addSite(c.app, 'Lyon');
    const paris = await addSite(c.app, 'Paris');
    const team = await addField(c.app, { label: 'Team', type: 'text', inDirectory: true, position: 2 });
    const blog = await addField(c.app, { label: 'Blog', type: 'link', inDirectory: true, position: 1 });
    const secret = await addField(c.app, { label: 'Shoe size', type: 'text', inDirectory: false });
    await setProfile(c.app, c.ids.member, { department_id: finance, site_id: lyon });
    await setProfile(c.app, c.ids.editor, { department_id: finance, site_id: paris });
    await setProfile(c.app, c.ids.outsider, { department_id: sales, site_id: lyon });
    await c.app.db.insertInto('profile_values').values([
      { user_id: c.ids.member, field_id: team, value: 'Red <b>team</b>' },
      { user_id: c.ids.member, field_id: blog, value: 'https://example.org/' },
      { user_id: c.ids.member, field_id: secret, value: '44' },
    ]).execute();

    expect(names(await c.get(`/people?department=${finance}`, 'member'))).toEqual(['Bruno Petit', 'Eve Editor']);
    expect(names(await c.get(`/people?site=${lyon}`, 'member'))).toEqual(['Bruno Petit', 'Carol Outsider']);
    expect(names(await c.get(`/people?department=${finance}&site=${lyon}`, 'member'))).toEqual(['Bruno Petit']);
    expect(names(await c.get(`/people?department=${sales}&q=bruno`, 'member'))).toEqual([]);
    // A filter that is not an id is no filter.
    expect(names(await c.get('/people?department=abc&site=', 'member'))).toEqual(ALL);

    const page = html(await c.get(`/people?department=${finance}`, 'member'));
    expect(page.querySelector(`#people-department option[value="${finance}"]`)?.getAttribute('selected')).not.toBe(undefined);
    const card = page.querySelectorAll('.person-card')[0]!;
    const facts = card.querySelectorAll('dt').map((dt) => dt.textContent);
    expect(facts).toEqual(['Department', 'Site', 'Blog', 'Team']);
    expect(card.querySelector('a[href="https://example.org/"]')).not.toBe(null);
    expect(card.innerHTML).toContain('Red &lt;b&gt;team&lt;/b&gt;');
    expect(card.textContent).not.toContain('44');
  });

  it('pages through many people with name|id cursors, the filters kept', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 65; i += 1) ids.push((await personWithSession(c.app, { email: `p${i}@example.com`, name: `Zoé ${String(i).padStart(2, '0')}` })).id);
    const first = await c.get('/people?q=zoe', 'member');
    expect(names(first)).toHaveLength(30);
    expect(names(first)[0]).toBe('Zoé 00');
    const next = html(first).querySelector('a[rel="next"]')!.getAttribute('href')!;
    expect(next).toMatch(/^\/people\?q=zoe&after=zoe%2029%7C\d+$/);
    const second = await c.get(next, 'member');
    expect(names(second)[0]).toBe('Zoé 30');
    const third = await c.get(html(second).querySelector('a[rel="next"]')!.getAttribute('href')!, 'member');
    expect(names(third)).toEqual(['Zoé 60', 'Zoé 61', 'Zoé 62', 'Zoé 63', 'Zoé 64']);
    expect(html(third).querySelector('a[rel="next"]')).toBe(null);
    expect(html(third).querySelector('nav a[href="/people?q=zoe"]')).not.toBe(null);
    // A forged cursor only moves the start.
    expect((await c.get('/people?after=garbage', 'member')).statusCode).toBe(200);
    // htmx asks for the results alone.
    const partial = await c.get('/people?q=zoe', 'member', PARTIAL);
    expect(partial.body).not.toContain('<html');
    expect(partial.body).not.toContain('id="people-q"');
    expect(html(partial).querySelectorAll('.person-card')).toHaveLength(30);
    expect(html(partial).querySelector('hx-partial[hx-target="#people-status"]')?.textContent).toContain('More than 30 people');
    expect(html(first).querySelector('#people-status[aria-live="polite"]')).not.toBe(null);
    expect(html(first).querySelector('hx-partial')).toBe(null);
  });

  it('answers in two queries of its own at most: the page, and the filters\' lists', async () => {
    for (let i = 0; i < 40; i += 1) await personWithSession(c.app, { email: `q${i}@example.com`, name: `Quentin ${i}` });
    const statements: string[] = [];
    const executor = c.app.db.getExecutor() as unknown as { executeQuery: (query: { sql: string }, ...rest: unknown[]) => Promise<unknown> };
    const original = executor.executeQuery.bind(executor);
    executor.executeQuery = (query, ...rest) => {
      statements.push(query.sql);
      return original(query, ...rest);
    };
    try {
      await c.get('/people?q=quentin&after=quentin%201%7C1', 'member');
      expect(statements.filter((s) => /"users" as "u"|from departments/.test(s))).toHaveLength(2);
      statements.length = 0;
      await c.get('/people?q=quentin', 'member', PARTIAL);
      expect(statements.filter((s) => /"users" as "u"|from departments/.test(s))).toHaveLength(1);
    } finally {
      executor.executeQuery = original;
    }
  });
});

describe('the org chart', () => {
  it('nests people under their managers, people without a manager at the top, active people only', async () => {
    await setProfile(c.app, c.ids.editor, { manager_id: c.ids.admin, job_title: 'Editor in chief' });
    await setProfile(c.app, c.ids.member, { manager_id: c.ids.editor });
    await setProfile(c.app, c.ids.outsider, { manager_id: c.ids.editor });
    // Managed by someone who left: at the top.
    await setProfile(c.app, c.ids.spaceAdmin, { manager_id: c.ids.gone });
    const response = await c.get('/people/org-chart', 'member');
    expect(response.statusCode).toBe(200);
    const page = html(response);
    const top = page.querySelector('ul.org-chart__tree')!;
    expect(top.getAttribute('aria-labelledby')).toBe('org-title');
    const topNames = top.childNodes.filter((n) => 'tagName' in n && (n as { tagName: string }).tagName === 'LI').map((li) => (li as ReturnType<typeof html>).querySelector('a')!.textContent);
    expect(topNames).toEqual(['Alice Martin', 'Sam Lead']);
    const alice = top.querySelector('li')!;
    const details = alice.querySelector('details')!;
    expect(details.getAttribute('open')).not.toBe(undefined);
    expect(details.querySelector('summary')?.textContent).toBe('1 direct report of Alice Martin');
    const eve = details.querySelector('ul > li')!;
    expect(eve.querySelector('a')!.textContent).toBe('Eve Editor');
    expect(eve.textContent).toContain('Editor in chief');
    expect(eve.querySelectorAll('details ul > li > a').map((a) => a.textContent)).toEqual(['Bruno Petit', 'Carol Outsider']);
    expect(response.body).not.toContain('Gaston Gone');
  });

  it('shows everyone once even if the data holds a loop, and escapes names', async () => {
    const odd = await personWithSession(c.app, { email: 'odd@example.com', name: '<img src=x onerror=alert(1)>' });
    await setProfile(c.app, c.ids.member, { manager_id: c.ids.editor, job_title: '<script>alert(1)</script>' });
    await setProfile(c.app, c.ids.editor, { manager_id: c.ids.member });
    const response = await c.get('/people/org-chart', 'member');
    const links = html(response).querySelectorAll('.org-chart__tree a').map((a) => a.textContent);
    expect(links.sort()).toEqual([...ALL, '<img src=x onerror=alert(1)>'].sort());
    expect(response.body).not.toContain('<img src=x');
    expect(response.body).not.toContain('<script>alert(1)');
    void odd;
  });
});
