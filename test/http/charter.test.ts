// The usage charter: the admin writes and publishes versions; everyone, admins included, must accept
// the current version before using Hameau, and again when it changes; the admin sees the counts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, createTestApp, html, mainText, type TestApp } from '../helpers/app.js';
import { client, createWorld, type Person, type World } from '../helpers/moderation.js';

let t: TestApp;
let w: World;
let c: ReturnType<typeof client>;
beforeEach(async () => {
  t = await createTestApp();
  w = await createWorld(t.app);
  c = client(t.app);
});
afterEach(async () => t.close());

async function publish(body: string): Promise<number> {
  const response = await c.post('/admin/charter', w.admin, { body });
  expect(response.statusCode).toBe(303);
  const row = await t.app.db.selectFrom('charter_versions').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return row.id;
}

async function accept(who: Person, versionId: number, next = '/') {
  return c.post('/charter/accept', who, { versionId: String(versionId), next });
}

describe('without a charter', () => {
  it('lets everyone in, and says there is none', async () => {
    expect((await c.get('/', w.member)).statusCode).toBe(200);
    expect(mainText(await c.get('/charter', w.member))).toContain('No usage charter has been published.');
    expect((await c.get('/charter', '')).headers.location).toMatch(/^\/login/);
  });
});

describe('writing the charter', () => {
  it('is for admins only', async () => {
    for (const who of ['', w.deactivated] as const) {
      expect((await c.get('/admin/charter', who)).headers.location).toMatch(/^\/login/);
      expect((await c.post('/admin/charter', who, { body: 'x' })).headers.location).toBe('/login');
    }
    for (const who of [w.member, w.editor, w.spaceAdmin]) {
      expect((await c.get('/admin/charter', who)).statusCode).toBe(403);
      expect((await c.post('/admin/charter', who, { body: 'Mine now' })).statusCode).toBe(403);
    }
    expect(await t.app.db.selectFrom('charter_versions').select('id').execute()).toEqual([]);
  });

  it('publishes markdown as a new version, rendered safely, with an audit entry', async () => {
    const body = '# Our rules\n\nBe kind. <script>alert(1)</script> [click](javascript:alert(1))';
    const id = await publish(body);
    const row = await t.app.db.selectFrom('charter_versions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ body, published_by: w.admin.id });
    expect(row.body_html).toContain('<h1>Our rules</h1>');
    expect(row.body_html).not.toContain('<script>');
    expect(row.body_html).not.toContain('href="javascript:');
    const audit = await t.app.db.selectFrom('audit_log').select(['action', 'actor_id', 'subject_id', 'details']).where('action', '=', 'charter.publish').execute();
    expect(audit).toEqual([{ action: 'charter.publish', actor_id: w.admin.id, subject_id: String(id), details: JSON.stringify({ version: { before: null, after: id }, length: body.length }) }]);
    // The next version names the one it replaces.
    const next = await publish('Be kind, always.');
    const second = await t.app.db.selectFrom('audit_log').select('details').where('action', '=', 'charter.publish').where('subject_id', '=', String(next)).executeTakeFirstOrThrow();
    expect(JSON.parse(second.details)).toEqual({ version: { before: id, after: next }, length: 16 });
    await publish(body);

    // The form shows the text in force, to start the next version from.
    const page = await c.get('/admin/charter', w.admin);
    expect(html(page).querySelector('textarea[name="body"]')?.textContent).toBe(body);
  });

  it.each([
    ['empty', '', 'This field is required.'],
    ['only spaces', '  \n  ', 'This field is required.'],
    ['too long', 'a'.repeat(50_001), 'Enter no more than 50000 characters.'],
  ])('refuses a text that is %s', async (_case, body, message) => {
    const response = await c.post('/admin/charter', w.admin, { body });
    expect(response.statusCode).toBe(422);
    expect(mainText(response).replace(/,/g, '')).toContain(message);
    expect(await t.app.db.selectFrom('charter_versions').select('id').execute()).toEqual([]);
  });

  it('keeps what was typed when the text is refused', async () => {
    const body = '<b>draft</b> ' + 'é'.repeat(50_000);
    const response = await c.post('/admin/charter', w.admin, { body });
    expect(response.statusCode).toBe(422);
    expect(html(response).querySelector('textarea[name="body"]')?.textContent).toBe(body);
    expect(response.body).not.toContain('<b>draft</b>');
  });
});

describe('the gate', () => {
  it('sends everyone, admins included, to the charter until they accept the current version', async () => {
    const v1 = await publish('Version one');
    for (const who of [w.member, w.admin, w.spaceAdmin]) {
      const home = await c.get('/admin/members?after=x', who);
      expect(home.statusCode).toBe(303);
      expect(home.headers.location).toBe(`/charter?next=${encodeURIComponent('/admin/members?after=x')}`);
      // Forms too: nothing is done before acceptance.
      const posted = await c.post(`/content/${w.posts.team}/report`, who, { reason: 'x' });
      expect(posted.statusCode).toBe(303);
      expect(posted.headers.location).toBe('/charter');
    }
    expect(await t.app.db.selectFrom('reports').select('id').execute()).toEqual([]);
    // htmx partial requests are told where to go, without a fragment to come back to.
    const partial = await t.app.inject({ url: '/', headers: { cookie: w.member.cookie, 'hx-request': 'true', 'hx-request-type': 'partial' } });
    expect(partial.statusCode).toBe(204);
    expect(partial.headers['hx-redirect']).toBe('/charter');

    // Still reachable: the charter, the account, signing out, static files, the health check, the language.
    const charter = await c.get(`/charter?next=${encodeURIComponent('/admin/members')}`, w.member);
    expect(charter.statusCode).toBe(200);
    expect(mainText(charter)).toContain('Version one');
    const form = html(charter).querySelector('form[action="/charter/accept"]');
    expect(form?.querySelector('input[name="versionId"]')?.getAttribute('value')).toBe(String(v1));
    expect(form?.querySelector('input[name="next"]')?.getAttribute('value')).toBe('/admin/members');
    expect((await c.get('/account', w.member)).statusCode).toBe(200);
    expect((await c.get('/account/sessions', w.member)).statusCode).toBe(200);
    expect((await c.get('/healthz', w.member)).statusCode).toBe(200);
    expect((await c.get('/static/css/hameau.css', w.member)).statusCode).toBe(200);
    expect((await c.post('/language', w.member, { locale: 'fr', next: '/' })).statusCode).toBe(303);
    // An admin may mend the charter before accepting it; others may not reach that page at all.
    expect((await c.get('/admin/charter', w.admin)).statusCode).toBe(200);
    expect((await c.get('/admin/charter', w.member)).statusCode).toBe(303);
    // Visitors are not gated: they are asked to sign in.
    expect((await c.get('/', '')).headers.location).toMatch(/^\/login/);
    // Signing out works.
    const signOut = await c.post('/logout', w.spaceAdmin);
    expect(signOut.statusCode).toBe(303);
    expect(signOut.headers.location).not.toBe('/charter');
  });

  it('lets someone in once they accept, back where they were going, and again only after they accept a new version', async () => {
    const v1 = await publish('Version one');
    const accepted = await accept(w.member, v1, '/account/sessions');
    expect(accepted.statusCode).toBe(303);
    expect(accepted.headers.location).toBe('/account/sessions');
    expect((await c.get('/', w.member)).statusCode).toBe(200);
    expect(mainText(await c.get('/charter', w.member))).toContain('You accepted this version on');
    expect(html(await c.get('/charter', w.member)).querySelector('form[action="/charter/accept"]')).toBe(null);
    // Accepting twice changes nothing.
    expect((await accept(w.member, v1)).statusCode).toBe(303);
    expect(await t.app.db.selectFrom('charter_acceptances').select(['version_id', 'user_id']).execute()).toEqual([{ version_id: v1, user_id: w.member.id }]);

    const v2 = await publish('Version two');
    expect((await c.get('/', w.member)).headers.location).toBe('/charter?next=%2F');
    // Accepting the old version does not count.
    const old = await accept(w.member, v1);
    expect(old.statusCode).toBe(303);
    expect(old.headers.location).toBe('/charter?next=%2F');
    const told = await t.app.inject({ url: old.headers.location as string, headers: { cookie: cookiesFrom(old, w.member.cookie), 'accept-language': 'en' } });
    expect(mainText(told)).toContain('The charter has changed since you opened it.');
    expect((await c.get('/', w.member)).statusCode).toBe(303);
    expect((await accept(w.member, v2)).statusCode).toBe(303);
    expect((await c.get('/', w.member)).statusCode).toBe(200);
  });

  it('never sends anyone elsewhere than this site after accepting', async () => {
    const v1 = await publish('Rules');
    for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example']) {
      const response = await accept(w.member, v1, next);
      expect(response.headers.location, next).toBe('/');
    }
  });

  it('refuses a malformed acceptance without counting it', async () => {
    await publish('Rules');
    for (const versionId of ['', 'abc', '1e3', '-1']) {
      const response = await c.post('/charter/accept', w.member, { versionId });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/charter');
    }
    expect(await t.app.db.selectFrom('charter_acceptances').select('user_id').execute()).toEqual([]);
  });
});

describe('acceptance counts', () => {
  it('shows, per version, how many active members accepted, and of how many for the current one', async () => {
    const v1 = await publish('One');
    await accept(w.member, v1);
    await accept(w.author, v1);
    await accept(w.deactivated, v1); // no session: not counted, not even recorded
    const v2 = await publish('Two');
    await accept(w.admin, v2);
    await accept(w.member, v2);

    const page = await c.get('/admin/charter', w.admin);
    expect(page.statusCode).toBe(200);
    const rows = html(page).querySelectorAll('.charter-versions tbody tr').map((row) => row.querySelectorAll('td').map((td) => td.textContent.replace(/\s+/g, ' ').trim()));
    // Six active members: the admin, author, member, two space admins and the editor.
    expect(rows).toHaveLength(2);
    expect(rows[0]![0]).toBe(`Version ${v2} current`);
    expect(rows[0]![2]).toBe('Alice Martin');
    expect(rows[0]![3]).toBe('2 of 6 active members');
    expect(rows[1]![3]).toBe('2 active members');
  });
});
