// The organisation's settings: who may create spaces, whether members may post in the company space.
// Only admins change them; each change is audited and decides the very next request.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { can } from '../../src/policy/index.js';
import { loadViewer } from '../../src/policy/viewer.js';
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

/** The viewer the next request would build: the organisation as the app reads it now. */
async function nextRequestViewer(who: Person) {
  const user = await t.app.db.selectFrom('users').select(['id', 'email', 'name', 'role', 'locale']).where('id', '=', who.id).executeTakeFirstOrThrow();
  return loadViewer(t.app.db, user, await t.app.organisation.get());
}

const stored = () => t.app.db.selectFrom('organisation').select(['space_creation', 'member_posts_in_company']).executeTakeFirstOrThrow();

describe('who may change the settings', () => {
  it('is admins only', async () => {
    for (const who of ['', w.deactivated] as const) {
      expect((await c.get('/admin/settings', who)).headers.location).toMatch(/^\/login/);
      expect((await c.post('/admin/settings', who, { spaceCreation: 'admins', memberPostsInCompany: 'no' })).headers.location).toBe('/login');
    }
    for (const who of [w.member, w.editor, w.spaceAdmin]) {
      expect((await c.get('/admin/settings', who)).statusCode).toBe(403);
      expect((await c.post('/admin/settings', who, { spaceCreation: 'admins', memberPostsInCompany: 'no' })).statusCode).toBe(403);
    }
    expect(await stored()).toEqual({ space_creation: 'everyone', member_posts_in_company: 1 });
  });
});

describe('the settings page', () => {
  it('shows what is stored, as radio choices in labelled groups', async () => {
    const response = await c.get('/admin/settings', w.admin);
    expect(response.statusCode).toBe(200);
    const page = html(response);
    expect(page.querySelectorAll('fieldset legend').map((l) => l.textContent.trim())).toEqual(['Who may create spaces', 'Members may post in the company space']);
    expect(page.querySelector('input[name="spaceCreation"][checked]')?.getAttribute('value')).toBe('everyone');
    expect(page.querySelector('input[name="memberPostsInCompany"][checked]')?.getAttribute('value')).toBe('yes');
    expect(page.querySelector('.subnav a[href="/admin/settings"]')?.getAttribute('aria-current')).toBe('page');
  });

  it('applies a change from the next request on, with an audit entry of what changed', async () => {
    const member = await nextRequestViewer(w.member);
    expect(can(member, 'space.create')).toBe(true);
    expect(can(member, 'space.post', { id: w.spaces.company, visibility: 'company' })).toBe(true);
    // Read once, so that the organisation row is cached.
    expect((await c.get('/', w.member)).statusCode).toBe(200);

    const saved = await c.post('/admin/settings', w.admin, { spaceCreation: 'admins', memberPostsInCompany: 'no' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/admin/settings');
    expect(await stored()).toEqual({ space_creation: 'admins', member_posts_in_company: 0 });

    const after = await nextRequestViewer(w.member);
    expect(can(after, 'space.create')).toBe(false);
    expect(can(after, 'space.post', { id: w.spaces.company, visibility: 'company' })).toBe(false);
    // Editors and admins keep posting in the company space; admins keep creating spaces.
    expect(can(await nextRequestViewer(w.editor), 'space.post', { id: w.spaces.company, visibility: 'company' })).toBe(true);
    expect(can(await nextRequestViewer(w.admin), 'space.create')).toBe(true);

    const audit = await t.app.db.selectFrom('audit_log').select(['action', 'actor_id', 'details']).where('action', '=', 'settings.change').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(w.admin.id);
    expect(JSON.parse(audit[0]!.details)).toEqual({
      spaceCreation: { before: 'everyone', after: 'admins' },
      memberPostsInCompany: { before: true, after: false },
    });

    const page = await t.app.inject({ url: '/admin/settings', headers: { cookie: cookiesFrom(saved, w.admin.cookie), 'accept-language': 'en' } });
    expect(mainText(page)).toContain('The settings are saved.');
    expect(html(page).querySelector('input[name="spaceCreation"][checked]')?.getAttribute('value')).toBe('admins');

    // Back again: only what changed is recorded.
    expect((await c.post('/admin/settings', w.admin, { spaceCreation: 'everyone', memberPostsInCompany: 'no' })).statusCode).toBe(303);
    expect(can(await nextRequestViewer(w.member), 'space.create')).toBe(true);
    const second = await t.app.db.selectFrom('audit_log').select('details').where('action', '=', 'settings.change').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(second.details)).toEqual({ spaceCreation: { before: 'admins', after: 'everyone' } });
  });

  it('records nothing when nothing changed', async () => {
    const saved = await c.post('/admin/settings', w.admin, { spaceCreation: 'everyone', memberPostsInCompany: 'yes' });
    expect(saved.statusCode).toBe(303);
    expect(await t.app.db.selectFrom('audit_log').select('id').where('action', '=', 'settings.change').execute()).toEqual([]);
  });

  it.each([
    [{ spaceCreation: 'nobody', memberPostsInCompany: 'yes' }, 'spaceCreation'],
    [{ spaceCreation: 'admins' }, 'memberPostsInCompany'],
    [{ spaceCreation: '<script>alert(1)</script>', memberPostsInCompany: 'maybe' }, 'spaceCreation'],
  ])('refuses a choice that is not offered (%j), and changes nothing', async (payload, field) => {
    const response = await c.post('/admin/settings', w.admin, payload as Record<string, string>);
    expect(response.statusCode).toBe(422);
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(html(response).querySelector(`.error-summary a[href="#${field}"]`)).not.toBe(null);
    expect(await stored()).toEqual({ space_creation: 'everyone', member_posts_in_company: 1 });
  });
});
