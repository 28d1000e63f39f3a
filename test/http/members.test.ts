// The admin's members page as its users meet it: who may do what (and who may not even learn which
// members exist), paging through a long list, deactivation, and names shown as people write them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertUser } from '../../src/auth/users.js';
import { findMember, listMembers, MEMBERS_PAGE_SIZE } from '../../src/features/members/queries.js';
import { ADMIN, cookiesFrom, createTestApp, createUser, html, login, mainText, setupOrganisation, type TestApp } from '../helpers/app.js';

let t: TestApp;
let admin: string;
beforeEach(async () => {
  t = await createTestApp();
  admin = await setupOrganisation(t.app);
});
afterEach(async () => t.close());

const get = (url: string, cookie = admin) => t.app.inject({ url, headers: { cookie, 'accept-language': 'en' } });
const post = (url: string, cookie = admin, payload?: Record<string, string>) =>
  t.app.inject({ method: 'POST', url, headers: { cookie }, ...(payload ? { payload } : {}) });

describe('who may act on members', () => {
  it('answers a visitor and a member the same whether a member id exists or not', async () => {
    const memberId = await createUser(t.app, { email: 'bruno@example.com' });
    const member = await login(t.app, 'bruno@example.com');
    const invitation = await post('/admin/invitations', admin, { email: 'chloe@example.com', role: 'member', locale: 'en' });
    expect(invitation.statusCode).toBe(303);
    const { id: invitationId } = await t.app.db.selectFrom('invitations').select('id').executeTakeFirstOrThrow();

    const memberUrls = (id: string | number) => ['role', 'deactivate', 'reactivate', 'reset-link'].map((action) => `/admin/members/${id}/${action}`);
    const invitationUrls = (id: string | number) => ['resend', 'revoke'].map((action) => `/admin/invitations/${id}/${action}`);
    for (const url of [...memberUrls(memberId), ...memberUrls(1), ...memberUrls(987654), ...memberUrls('abc'), ...invitationUrls(invitationId), ...invitationUrls(987654)]) {
      const anonymous = await post(url, '', { role: 'admin' });
      expect(anonymous.statusCode, `visitor ${url}`).toBe(303);
      expect(anonymous.headers.location, `visitor ${url}`).toBe('/login');
      expect((await post(url, member, { role: 'admin' })).statusCode, `member ${url}`).toBe(403);
    }
    // Nothing changed.
    expect(await findMember(t.app.db, memberId)).toMatchObject({ role: 'member', status: 'active' });
    expect(await t.app.db.selectFrom('invitations').select(['revoked_at']).execute()).toEqual([{ revoked_at: null }]);
    expect(await t.app.db.selectFrom('password_resets').select('id').execute()).toEqual([]);
    // An admin, who may see every member anyway, is told when one does not exist.
    expect((await post('/admin/members/987654/deactivate')).statusCode).toBe(404);
  });

  it('shows each action only to whoever the policy lets do it', async () => {
    const activeId = await createUser(t.app, { email: 'bruno@example.com', name: 'Bruno' });
    const goneId = await createUser(t.app, { email: 'dora@example.com', name: 'Dora' });
    expect((await post(`/admin/members/${goneId}/deactivate`)).statusCode).toBe(303);

    const page = html(await get('/admin/members'));
    const actions = (id: number) =>
      page.querySelectorAll(`form[action^="/admin/members/${id}/"]`).map((form) => form.getAttribute('action')!.split('/').pop());
    // The admin never acts on themselves (the organisation must not lose its last admin by mistake).
    expect(actions(1)).toEqual([]);
    expect(actions(activeId)).toEqual(['role', 'reset-link', 'deactivate']);
    expect(actions(goneId)).toEqual(['role', 'reactivate']);
    expect(page.querySelectorAll('#invitations form')).toHaveLength(0);

    // The header's way to the administration, and the home page's counts, follow the policy too.
    const adminHome = await get('/');
    expect(html(adminHome).querySelector('.site-nav a[href="/admin"]')).not.toBe(null);
    expect(html(adminHome).querySelector('a[href="/admin/members#invite"]')).not.toBe(null);
    expect(mainText(adminHome)).toContain('2 active members.');

    const memberHome = await get('/', await login(t.app, 'bruno@example.com'));
    expect(html(memberHome).querySelector('.site-nav a[href="/admin"]')).toBe(null);
    expect(html(memberHome).querySelector('a[href="/admin/members#invite"]')).toBe(null);
    expect(mainText(memberHome)).not.toContain('active member');
  });

  it('counts on the home page the invitations the members page lists as waiting', async () => {
    for (const email of ['chloe@example.com', 'dan@example.com', 'eve@example.com']) {
      expect((await post('/admin/invitations', admin, { email, role: 'member', locale: 'en' })).statusCode).toBe(303);
    }
    await t.app.db.updateTable('invitations').set({ expires_at: Date.now() - 1000 }).where('email', '=', 'dan@example.com').execute();
    const { id } = await t.app.db.selectFrom('invitations').select('id').where('email', '=', 'eve@example.com').executeTakeFirstOrThrow();
    expect((await post(`/admin/invitations/${id}/revoke`)).statusCode).toBe(303);

    expect(html(await get('/admin/members')).querySelectorAll('#invitations tbody tr')).toHaveLength(2);
    expect(mainText(await get('/'))).toContain('2 invitations waiting for an answer.');
  });
});

describe('the members list', () => {
  /** Adds members straight to the database: "Member 000", "Member 001"… (no password hashing, fast). */
  async function addMembers(count: number) {
    for (let i = 0; i < count; i++) {
      const n = String(i).padStart(3, '0');
      await insertUser(t.app.db, { email: `member${n}@example.com`, name: `Member ${n}`, passwordHash: 'not-a-hash', role: 'member', locale: null });
    }
  }
  const names = (response: Awaited<ReturnType<typeof get>>) =>
    html(response)
      .querySelectorAll('#members-title ~ table tbody tr td:first-child bdi')
      .map((cell) => cell.text);
  const link = (response: Awaited<ReturnType<typeof get>>, text: string) =>
    html(response)
      .querySelectorAll('nav a')
      .find((a) => a.text.trim() === text)
      ?.getAttribute('href');

  it('never reads password hashes, only what the page shows', async () => {
    const page = await listMembers(t.app.db);
    expect(page.members).toHaveLength(1);
    expect(Object.keys(page.members[0]!).sort()).toEqual(['email', 'id', 'name', 'role', 'status']);
    expect(Object.keys((await findMember(t.app.db, 1))!).sort()).toEqual(['email', 'id', 'name', 'role', 'status']);
  });

  it('pages forward and back, and back to the first page', async () => {
    await addMembers(120);
    expect(MEMBERS_PAGE_SIZE).toBe(50);
    const first = await get('/admin/members');
    // Sorted by name: "Alice Martin" (the admin), then the members.
    expect(names(first)).toEqual([ADMIN.name, ...Array.from({ length: 49 }, (_, i) => `Member ${String(i).padStart(3, '0')}`)]);
    expect(link(first, 'Previous members')).toBeUndefined();
    expect(link(first, 'First page')).toBeUndefined();

    const second = await get(link(first, 'Next members')!);
    expect(names(second)[0]).toBe('Member 049');
    expect(names(second)).toHaveLength(50);
    expect(link(second, 'First page')).toBe('/admin/members');

    const third = await get(link(second, 'Next members')!);
    expect(names(third)).toEqual(Array.from({ length: 21 }, (_, i) => `Member ${String(99 + i).padStart(3, '0')}`));
    expect(link(third, 'Next members')).toBeUndefined();

    const backToSecond = await get(link(third, 'Previous members')!);
    expect(names(backToSecond)).toEqual(names(second));
    expect(link(backToSecond, 'Next members')).toBe(link(second, 'Next members'));
    const backToFirst = await get(link(backToSecond, 'Previous members')!);
    expect(names(backToFirst)).toEqual(names(first));
    expect(link(backToFirst, 'Previous members')).toBeUndefined();
  });

  it('shows the first page for a cursor that is not one', async () => {
    await addMembers(3);
    for (const query of ['after=nonsense', 'before=nonsense', 'after=a&after=b', 'before=%7C12']) {
      const response = await get(`/admin/members?${query}`);
      expect(response.statusCode, query).toBe(200);
      expect(names(response)[0], query).toBe(ADMIN.name);
    }
  });

  it('says how many invitations are open when there are more than the list shows', async () => {
    const now = Date.now();
    const rows = Array.from({ length: 203 }, (_, i) => ({
      email: `invitee${i}@example.com`,
      role: 'member' as const,
      locale: 'en' as const,
      token_hash: Buffer.from(`invitation-${i}`.padEnd(32, '.')),
      invited_by: 1,
      created_at: now + i,
      expires_at: now + 86_400_000,
      last_sent_at: now,
    }));
    await t.app.db.insertInto('invitations').values(rows).execute();
    const page = await get('/admin/members');
    const section = html(page).querySelector('#invitations')!;
    expect(section.querySelectorAll('tbody tr')).toHaveLength(200);
    expect(section.text).toContain('203 invitations are waiting for an answer; the 200 most recent are listed here.');
    expect(section.querySelector('tbody tr td')?.text).toBe('invitee202@example.com');

    await t.app.db.deleteFrom('invitations').where('id', '>', 200).execute();
    expect(html(await get('/admin/members')).querySelector('#invitations')!.text).not.toContain('most recent are listed');
  });
});

describe('deactivating a member', () => {
  it('cancels their password links: after a reactivation the old link no longer works', async () => {
    const memberId = await createUser(t.app, { email: 'bruno@example.com' });
    const made = await post(`/admin/members/${memberId}/reset-link`);
    const shown = await t.app.inject({ url: '/admin/members', headers: { cookie: cookiesFrom(made, admin) } });
    const link = new URL(html(shown).querySelector('#outcome-link')!.getAttribute('value')!).pathname;

    expect((await post(`/admin/members/${memberId}/deactivate`)).statusCode).toBe(303);
    expect((await post(`/admin/members/${memberId}/reactivate`)).statusCode).toBe(303);

    expect((await t.app.inject({ url: link })).statusCode).toBe(410);
    const resets = await t.app.db.selectFrom('password_resets').select('used_at').execute();
    expect(resets).toEqual([{ used_at: expect.any(Number) }]);
    const audit = await t.app.db.selectFrom('audit_log').select('details').where('action', '=', 'member.deactivate').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details)).toMatchObject({ status: { before: 'active', after: 'deactivated' }, linksCancelled: 1 });
    const reactivated = await t.app.db.selectFrom('audit_log').select(['actor_id', 'subject_id', 'details']).where('action', '=', 'member.reactivate').execute();
    expect(reactivated).toMatchObject([{ subject_id: String(memberId) }]);
    expect(JSON.parse(reactivated[0]!.details)).toEqual({ status: { before: 'deactivated', after: 'active' } });
  });
});

describe('names as people write them', () => {
  it.each([
    ['👩‍👩‍👧 Famille Durand', '👩‍👩‍👧'],
    ['🇫🇷 Équipe France', '🇫🇷'],
    ['émilie Durand', 'É'],
    ['  Zoé', 'Z'],
  ])('shows the first character of “%s” whole in the avatar', async (name, initial) => {
    await createUser(t.app, { email: 'someone@example.com', name });
    const home = await get('/', await login(t.app, 'someone@example.com'));
    expect(html(home).querySelector('.avatar')?.text).toBe(initial);
    expect(home.body).not.toContain('\uFFFD');
  });

  it('isolates right-to-left names in the header and in the members table', async () => {
    const name = 'سارة بن علي';
    await createUser(t.app, { email: 'sara@example.com', name });
    const home = await get('/', await login(t.app, 'sara@example.com'));
    expect(html(home).querySelector('.user-menu__name bdi')?.text).toBe(name);

    const members = html(await get('/admin/members'));
    const cells = members.querySelectorAll('#members-title ~ table tbody tr td:first-child bdi').map((cell) => cell.text);
    expect(cells).toContain(name);
    expect(members.querySelector('.user-menu__name bdi')?.text).toBe(ADMIN.name);
  });
});
