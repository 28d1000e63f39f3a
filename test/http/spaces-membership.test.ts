// Joining, leaving, requests, invitations, removal and roles: who may do each (outsiders of a private
// space get 404 everywhere), what each leaves in the database, who is notified, what is audited, and
// that a space never loses its last admin.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, createTestApp, html, mainText, setupOrganisation, type TestApp } from '../helpers/app.js';
import { addSpaceMember, createSpace } from '../helpers/content.js';
import { auditActions, membership, navSpaces, noticeText, notificationsOf, pendingKind, person, type Person } from '../helpers/spaces.js';

let t: TestApp;
let admin: string;
const ADMIN_ID = 1;
let sam: Person; // admin of both spaces
let mia: Person; // member of both spaces
let otto: Person; // in no space
let openId: number;
let privateId: number;

beforeEach(async () => {
  t = await createTestApp();
  admin = await setupOrganisation(t.app);
  sam = await person(t.app, 'sam@example.com', { name: 'Sam Admin' });
  mia = await person(t.app, 'mia@example.com', { name: 'Mia Member' });
  otto = await person(t.app, 'otto@example.com', { name: 'Otto Outsider' });
  openId = await createSpace(t.app, { name: 'Gardening', members: [[sam.id, 'admin'], [mia.id, 'member']] });
  privateId = await createSpace(t.app, { name: 'Secret Board', visibility: 'private', members: [[sam.id, 'admin'], [mia.id, 'member']] });
});
afterEach(async () => t.close());

const get = (url: string, cookie = admin) => t.app.inject({ url, headers: { cookie } });
const post = (url: string, cookie = admin, payload: Record<string, string> = {}) => t.app.inject({ method: 'POST', url, headers: { cookie }, payload });
/** The page a POST redirected to, with its flash. */
const follow = async (response: Awaited<ReturnType<typeof post>>, cookie: string) => get(response.headers.location as string, cookiesFrom(response, cookie));

/** Every POST route of a space, for one person id where one is needed. */
const actions = (spaceId: number | string, userId: number) => [
  `/spaces/${spaceId}/join`,
  `/spaces/${spaceId}/leave`,
  `/spaces/${spaceId}/request`,
  `/spaces/${spaceId}/request/cancel`,
  `/spaces/${spaceId}/invitation/accept`,
  `/spaces/${spaceId}/invitation/decline`,
  `/spaces/${spaceId}/requests/${userId}/approve`,
  `/spaces/${spaceId}/requests/${userId}/deny`,
  `/spaces/${spaceId}/invitations`,
  `/spaces/${spaceId}/invitations/${userId}/cancel`,
  `/spaces/${spaceId}/members/${userId}/remove`,
  `/spaces/${spaceId}/members/${userId}/role`,
  `/spaces/${spaceId}/edit`,
];

async function snapshot() {
  return {
    members: await t.app.db.selectFrom('space_members').selectAll().orderBy('space_id').orderBy('user_id').execute(),
    requests: await t.app.db.selectFrom('space_requests').selectAll().orderBy('space_id').orderBy('user_id').execute(),
    spaces: await t.app.db.selectFrom('spaces').select(['id', 'name', 'visibility']).orderBy('id').execute(),
  };
}

describe('who may act on a space', () => {
  it('sends visitors to sign in, whatever the id', async () => {
    for (const url of [...actions(privateId, mia.id), ...actions(987654, 1), ...actions('abc', 1)]) {
      const response = await post(url, '', { person: 'otto@example.com', role: 'admin', name: 'x', visibility: 'open' });
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toMatch(/^\/login/);
    }
  });

  it('answers 404 to an outsider of a private space for every action, as for a space that does not exist', async () => {
    // A request of theirs waiting elsewhere must not open other doors.
    const before = await snapshot();
    for (const url of [...actions(privateId, mia.id), ...actions(privateId, otto.id), ...actions(987654, mia.id)]) {
      const response = await post(url, otto.cookie, { person: 'otto@example.com', role: 'admin', name: 'Taken', visibility: 'open', key: 'guess' });
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).not.toContain('Secret Board');
    }
    expect(await snapshot()).toEqual(before);
    expect(await notificationsOf(t.app, sam.id)).toEqual([]);
  });

  it('refuses managers’ actions to plain members (403: they know the space)', async () => {
    const before = await snapshot();
    for (const url of actions(privateId, sam.id).filter((u) => /requests|invitations|members\/|edit/.test(u))) {
      expect((await post(url, mia.cookie, { person: 'otto@example.com', role: 'member', name: 'x', visibility: 'open' })).statusCode, url).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('sends a deactivated member to sign in: their session ended', async () => {
    expect((await post(`/admin/members/${mia.id}/deactivate`)).statusCode).toBe(303);
    for (const url of actions(privateId, sam.id)) {
      const response = await post(url, mia.cookie);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toMatch(/^\/login/);
    }
    expect(await membership(t.app, privateId, mia.id)).toBe('member');
  });
});

describe('joining and leaving', () => {
  it('joins an open space, once, whatever the number of clicks', async () => {
    const joined = await post(`/spaces/${openId}/join`, otto.cookie);
    expect(joined.statusCode).toBe(303);
    expect(joined.headers.location).toBe(`/spaces/${openId}`);
    const page = await follow(joined, otto.cookie);
    expect(noticeText(page)).toBe('Welcome to Gardening!');
    expect(navSpaces(page)).toEqual(['Gardening']);
    expect(await membership(t.app, openId, otto.id)).toBe('member');
    // Already a member (a second click, another tab): told so, nothing changes.
    const again = await post(`/spaces/${openId}/join`, otto.cookie);
    expect(again.statusCode).toBe(303);
    expect(noticeText(await follow(again, otto.cookie))).toBe(`You are already a member of Gardening.`);

    // Several at once (double clicks on two tabs): one membership, no error.
    const ivy = await person(t.app, 'ivy@example.com');
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(`/spaces/${openId}/join`, ivy.cookie)));
    for (const answer of answers) expect(answer.statusCode).toBe(303);
    expect(await t.app.db.selectFrom('space_members').select('user_id').where('space_id', '=', openId).where('user_id', '=', ivy.id).execute()).toHaveLength(1);
  });

  it('never joins a private space, not even for an admin who sees it', async () => {
    expect((await post(`/spaces/${privateId}/join`, otto.cookie)).statusCode).toBe(404);
    expect((await post(`/spaces/${privateId}/join`)).statusCode).toBe(403);
    expect(await membership(t.app, privateId, otto.id)).toBe(null);
    expect(await membership(t.app, privateId, ADMIN_ID)).toBe(null);
  });

  it('leaves a space, and its name leaves the header', async () => {
    const left = await post(`/spaces/${privateId}/leave`, mia.cookie);
    expect(left.statusCode).toBe(303);
    expect(left.headers.location).toBe('/spaces');
    const page = await follow(left, mia.cookie);
    expect(noticeText(page)).toBe('You have left Secret Board.');
    expect(navSpaces(page)).toEqual(['Gardening']);
    expect(page.body).not.toContain('Secret Board</bdi>');
    expect(await membership(t.app, privateId, mia.id)).toBe(null);
    // Not a member any more: nothing to leave, nothing to see.
    expect((await post(`/spaces/${privateId}/leave`, mia.cookie)).statusCode).toBe(404);
    expect((await post(`/spaces/${openId}/leave`, otto.cookie)).statusCode).toBe(403);
  });

  it('never lets the last admin leave; another active admin must be named first', async () => {
    const refused = await post(`/spaces/${openId}/leave`, sam.cookie);
    expect(refused.headers.location).toBe(`/spaces/${openId}`);
    expect(noticeText(await follow(refused, sam.cookie))).toBe('You are the last admin of Gardening: make another member an admin before you leave.');
    expect(await membership(t.app, openId, sam.id)).toBe('admin');

    // A deactivated admin does not count.
    const dee = await person(t.app, 'dee@example.com');
    await addSpaceMember(t.app, openId, dee.id, 'admin');
    expect((await post(`/admin/members/${dee.id}/deactivate`)).statusCode).toBe(303);
    await post(`/spaces/${openId}/leave`, sam.cookie);
    expect(await membership(t.app, openId, sam.id)).toBe('admin');

    expect((await post(`/spaces/${openId}/members/${mia.id}/role`, sam.cookie, { role: 'admin' })).statusCode).toBe(303);
    expect((await post(`/spaces/${openId}/leave`, sam.cookie)).headers.location).toBe('/spaces');
    expect(await membership(t.app, openId, sam.id)).toBe(null);
  });

  it('lets only one of two last admins leave when both try at once', async () => {
    await t.app.db.updateTable('space_members').set({ role: 'admin' }).where('space_id', '=', openId).where('user_id', '=', mia.id).execute();
    await Promise.all([post(`/spaces/${openId}/leave`, sam.cookie), post(`/spaces/${openId}/leave`, mia.cookie)]);
    const admins = await t.app.db.selectFrom('space_members').select('user_id').where('space_id', '=', openId).where('role', '=', 'admin').execute();
    expect(admins).toHaveLength(1);
  });
});

describe('requests to join a private space', () => {
  async function requestLinkKey(): Promise<string> {
    const members = html(await get(`/spaces/${privateId}/members`, sam.cookie));
    return new URL(members.querySelector('#request-link')!.getAttribute('value')!).searchParams.get('key')!;
  }

  it('tells the space admins, lists the request for them, and tells the requester when approved', async () => {
    const key = await requestLinkKey();
    expect((await post(`/spaces/${privateId}/request`, otto.cookie, { key })).statusCode).toBe(303);
    // Asking again changes nothing and tells nobody again.
    const again = await post(`/spaces/${privateId}/request`, otto.cookie, { key });
    expect(noticeText(await follow(again, otto.cookie))).toBe('Your request to join Secret Board is already waiting for an answer.');
    expect(await notificationsOf(t.app, sam.id)).toEqual([{ type: 'space-request', space_id: privateId, actor_id: otto.id }]);
    expect(await notificationsOf(t.app, mia.id)).toEqual([]);
    expect(await notificationsOf(t.app, ADMIN_ID)).toEqual([]);

    const members = html(await get(`/spaces/${privateId}/members`, sam.cookie));
    const requests = members.querySelector('section[aria-labelledby="space-requests-title"]')!;
    expect(requests.text).toContain('Otto Outsider');
    expect(requests.text).toContain('otto@example.com');
    // A plain member sees no requests.
    expect(html(await get(`/spaces/${privateId}/members`, mia.cookie)).querySelector('section[aria-labelledby="space-requests-title"]')).toBe(null);
    // Nor may a member approve.
    expect((await post(`/spaces/${privateId}/requests/${otto.id}/approve`, mia.cookie)).statusCode).toBe(403);

    const approved = await post(`/spaces/${privateId}/requests/${otto.id}/approve`, sam.cookie);
    expect(approved.headers.location).toBe(`/spaces/${privateId}/members`);
    expect(noticeText(await follow(approved, sam.cookie))).toBe('Otto Outsider is now a member of Secret Board.');
    expect(await membership(t.app, privateId, otto.id)).toBe('member');
    expect(await pendingKind(t.app, privateId, otto.id)).toBe(null);
    expect(await notificationsOf(t.app, otto.id)).toEqual([{ type: 'space-request-approved', space_id: privateId, actor_id: sam.id }]);
    expect((await get(`/spaces/${privateId}`, otto.cookie)).statusCode).toBe(200);

    // Approving what is no longer waiting: a message, nothing else.
    const stale = await post(`/spaces/${privateId}/requests/${otto.id}/approve`, sam.cookie);
    expect(noticeText(await follow(stale, sam.cookie))).toBe('That request is no longer waiting for an answer.');
  });

  it('tells the organisation admins when the space has no active admin', async () => {
    const lonely = await createSpace(t.app, { name: 'Orphans', visibility: 'private' });
    await post(`/spaces/${lonely}/request`, admin); // the admin sees it and may ask: not notified of their own request
    expect(await notificationsOf(t.app, ADMIN_ID)).toEqual([]);
    expect((await post(`/spaces/${lonely}/requests/${ADMIN_ID}/approve`, admin)).statusCode).toBe(303);
    expect(await membership(t.app, lonely, ADMIN_ID)).toBe('member');
  });

  it('turns a request down, and lets the requester withdraw one', async () => {
    const key = await requestLinkKey();
    await post(`/spaces/${privateId}/request`, otto.cookie, { key });
    const denied = await post(`/spaces/${privateId}/requests/${otto.id}/deny`, sam.cookie);
    expect(noticeText(await follow(denied, sam.cookie))).toBe('The request of Otto Outsider is turned down.');
    expect(await pendingKind(t.app, privateId, otto.id)).toBe(null);
    expect(await membership(t.app, privateId, otto.id)).toBe(null);
    // Turned down: back outside, the space is invisible again.
    expect((await get(`/spaces/${privateId}`, otto.cookie)).statusCode).toBe(404);

    await post(`/spaces/${privateId}/request`, otto.cookie, { key });
    const withdrawn = await post(`/spaces/${privateId}/request/cancel`, otto.cookie);
    expect(withdrawn.headers.location).toBe('/spaces');
    expect(noticeText(await follow(withdrawn, otto.cookie))).toBe('Your request to join Secret Board is withdrawn.');
    expect(await pendingKind(t.app, privateId, otto.id)).toBe(null);
    expect((await post(`/spaces/${privateId}/request/cancel`, otto.cookie)).statusCode).toBe(404);
  });

  it('is for private spaces only: an open space is joined', async () => {
    expect((await post(`/spaces/${openId}/request`, otto.cookie)).statusCode).toBe(403);
    expect(await pendingKind(t.app, openId, otto.id)).toBe(null);
  });
});

describe('invitations', () => {
  it('invites an active person by email or by name, who is notified and accepts', async () => {
    const invited = await post(`/spaces/${privateId}/invitations`, sam.cookie, { person: '  OTTO@example.com ' });
    expect(invited.headers.location).toBe(`/spaces/${privateId}/members`);
    expect(noticeText(await follow(invited, sam.cookie))).toBe('Otto Outsider is invited to Secret Board.');
    expect(await pendingKind(t.app, privateId, otto.id)).toBe('invitation');
    expect(await notificationsOf(t.app, otto.id)).toEqual([{ type: 'space-invitation', space_id: privateId, actor_id: sam.id }]);

    // Listed for the managers, and for the invitee on /spaces with the answers.
    expect(html(await get(`/spaces/${privateId}/members`, sam.cookie)).querySelector('section[aria-labelledby="space-invitations-title"]')?.text).toContain('Otto Outsider');
    const directory = html(await get('/spaces', otto.cookie));
    const invitation = directory.querySelector('section[aria-labelledby="spaces-invitations-title"]')!;
    expect(invitation.text).toContain('You are invited to join Secret Board.');
    expect(invitation.querySelector(`form[action="/spaces/${privateId}/invitation/accept"]`)).not.toBe(null);

    const accepted = await post(`/spaces/${privateId}/invitation/accept`, otto.cookie);
    expect(accepted.headers.location).toBe(`/spaces/${privateId}`);
    const page = await follow(accepted, otto.cookie);
    expect(noticeText(page)).toBe('Welcome to Secret Board!');
    expect(navSpaces(page)).toEqual(['Secret Board']);
    expect(await membership(t.app, privateId, otto.id)).toBe('member');
    expect(await pendingKind(t.app, privateId, otto.id)).toBe(null);

    // By name: case and accents do not matter.
    const zoe = await person(t.app, 'zoe@example.com', { name: 'Zoé Durand' });
    expect((await post(`/spaces/${openId}/invitations`, sam.cookie, { person: 'zoe  DURAND' })).statusCode).toBe(303);
    expect(await pendingKind(t.app, openId, zoe.id)).toBe('invitation');
    // An open space's invitee answers on the space page itself.
    const openPage = html(await get(`/spaces/${openId}`, zoe.cookie));
    expect(openPage.querySelector('.space-header__notice')?.text).toBe('You are invited to join this space.');
    const declined = await post(`/spaces/${openId}/invitation/decline`, zoe.cookie);
    expect(declined.headers.location).toBe('/spaces');
    expect(noticeText(await follow(declined, zoe.cookie))).toBe('You declined the invitation to Gardening.');
    expect(await pendingKind(t.app, openId, zoe.id)).toBe(null);
    expect(await membership(t.app, openId, zoe.id)).toBe(null);
  });

  it.each([
    ['nobody@example.com', 'Nobody active in the organisation has the email address or the name “nobody@example.com”.'],
    ['Mia Member', 'Mia Member is already a member of this space.'],
    ['deactivated@example.com', 'Nobody active in the organisation has the email address or the name “deactivated@example.com”.'],
    ['Twin Name', 'Several people are called “Twin Name”: enter the email address of the one you mean.'],
    ['', 'This field is required.'],
    ['<script>alert(1)</script>', 'Nobody active in the organisation has the email address or the name “<script>alert(1)</script>”.'],
  ])('refuses to invite “%s” with a clear message, keeping what was typed', async (typed, message) => {
    const gone = await person(t.app, 'deactivated@example.com', { name: 'Gone' });
    expect((await post(`/admin/members/${gone.id}/deactivate`)).statusCode).toBe(303);
    await person(t.app, 'twin1@example.com', { name: 'Twin Name' });
    await person(t.app, 'twin2@example.com', { name: 'twin name' });
    const before = await snapshot();
    const response = await post(`/spaces/${privateId}/invitations`, sam.cookie, { person: typed });
    expect(response.statusCode).toBe(422);
    const page = html(response);
    expect(page.querySelector('#invite-person-error')?.text.replace(/\s+/g, ' ').trim()).toBe(`Error: ${message}`);
    expect(page.querySelector('input#invite-person')?.getAttribute('value')).toBe(typed);
    expect(response.body).not.toContain('<script>alert(1)');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a second invitation, and lets a manager cancel one', async () => {
    await post(`/spaces/${privateId}/invitations`, sam.cookie, { person: 'otto@example.com' });
    const twice = await post(`/spaces/${privateId}/invitations`, sam.cookie, { person: 'otto@example.com' });
    expect(twice.statusCode).toBe(422);
    expect(mainText(twice)).toContain('Otto Outsider has already been invited to this space.');
    expect(await notificationsOf(t.app, otto.id)).toHaveLength(1);

    expect((await post(`/spaces/${privateId}/invitations/${otto.id}/cancel`, mia.cookie)).statusCode).toBe(403);
    const cancelled = await post(`/spaces/${privateId}/invitations/${otto.id}/cancel`, sam.cookie);
    expect(noticeText(await follow(cancelled, sam.cookie))).toBe('The invitation is cancelled.');
    expect(await pendingKind(t.app, privateId, otto.id)).toBe(null);
    // Invitation gone: the private space is invisible again, and accepting is a 404.
    expect((await get(`/spaces/${privateId}`, otto.cookie)).statusCode).toBe(404);
    expect((await post(`/spaces/${privateId}/invitation/accept`, otto.cookie)).statusCode).toBe(404);
    expect(await membership(t.app, privateId, otto.id)).toBe(null);
  });

  it('lets in at once someone who had asked to join', async () => {
    const key = new URL(html(await get(`/spaces/${privateId}/members`, sam.cookie)).querySelector('#request-link')!.getAttribute('value')!).searchParams.get('key')!;
    await post(`/spaces/${privateId}/request`, otto.cookie, { key });
    const invited = await post(`/spaces/${privateId}/invitations`, sam.cookie, { person: 'otto@example.com' });
    expect(noticeText(await follow(invited, sam.cookie))).toBe('Otto Outsider is now a member of Secret Board.');
    expect(await membership(t.app, privateId, otto.id)).toBe('member');
    expect((await notificationsOf(t.app, otto.id)).map((n) => n.type)).toEqual(['space-request-approved']);
  });

  it('answers an accept without an invitation with a message on a visible space', async () => {
    const response = await post(`/spaces/${openId}/invitation/accept`, otto.cookie);
    expect(noticeText(await follow(response, otto.cookie))).toBe('There is no invitation to answer for Gardening.');
    expect(await membership(t.app, openId, otto.id)).toBe(null);
  });
});

describe('removing members and changing roles', () => {
  it('removes a member, audited; a plain member may not', async () => {
    expect((await post(`/spaces/${privateId}/members/${sam.id}/remove`, mia.cookie)).statusCode).toBe(403);
    const removed = await post(`/spaces/${privateId}/members/${mia.id}/remove`, sam.cookie);
    expect(removed.headers.location).toBe(`/spaces/${privateId}/members`);
    expect(noticeText(await follow(removed, sam.cookie))).toBe('Mia Member is no longer a member of Secret Board.');
    expect(await membership(t.app, privateId, mia.id)).toBe(null);
    expect((await auditActions(t.app)).map((a) => [a.action, a.subject_id, JSON.parse(a.details)])).toEqual([
      ['space.removeMember', String(privateId), { userId: mia.id, role: 'member' }],
    ]);
    // Someone who is not a member: 404.
    expect((await post(`/spaces/${privateId}/members/${mia.id}/remove`, sam.cookie)).statusCode).toBe(404);
    expect((await post(`/spaces/${privateId}/members/987654/remove`, sam.cookie)).statusCode).toBe(404);
  });

  it('never removes or demotes the last admin, with a clear message', async () => {
    const removal = await post(`/spaces/${privateId}/members/${sam.id}/remove`);
    expect(noticeText(await follow(removal, admin))).toBe('Sam Admin is the last admin of this space and cannot be removed: make another member an admin first.');
    const demotion = await post(`/spaces/${privateId}/members/${sam.id}/role`, sam.cookie, { role: 'member' });
    expect(noticeText(await follow(demotion, sam.cookie))).toBe('Sam Admin is the last admin of this space: make another member an admin first.');
    expect(await membership(t.app, privateId, sam.id)).toBe('admin');
    expect(await auditActions(t.app)).toEqual([]);
  });

  it('changes roles, audited, and lets an admin step down once another admin exists', async () => {
    const promoted = await post(`/spaces/${privateId}/members/${mia.id}/role`, sam.cookie, { role: 'admin' });
    expect(noticeText(await follow(promoted, sam.cookie))).toBe('Mia Member is now: Space admin.');
    expect(await membership(t.app, privateId, mia.id)).toBe('admin');
    // Mia, now an admin, manages the space.
    expect(html(await get(`/spaces/${privateId}/members`, mia.cookie)).querySelector('form[action$="/invitations"]')).not.toBe(null);

    expect((await post(`/spaces/${privateId}/members/${sam.id}/role`, sam.cookie, { role: 'member' })).statusCode).toBe(303);
    expect(await membership(t.app, privateId, sam.id)).toBe('member');
    // Stepped down: no longer a manager.
    expect((await post(`/spaces/${privateId}/members/${mia.id}/role`, sam.cookie, { role: 'member' })).statusCode).toBe(403);
    expect((await auditActions(t.app)).map((a) => [a.action, JSON.parse(a.details)])).toEqual([
      ['space.changeRole', { userId: mia.id, before: 'member', after: 'admin' }],
      ['space.changeRole', { userId: sam.id, before: 'admin', after: 'member' }],
    ]);
  });

  it('refuses a role that is not one', async () => {
    for (const role of ['owner', '', 'editor']) {
      const response = await post(`/spaces/${privateId}/members/${mia.id}/role`, sam.cookie, { role });
      expect(noticeText(await follow(response, sam.cookie))).toBe('Choose a role from the list.');
    }
    expect(await membership(t.app, privateId, mia.id)).toBe('member');
  });

  it('lets an organisation admin manage any space, and a space admin remove themselves only if not the last', async () => {
    expect((await post(`/spaces/${privateId}/members/${mia.id}/role`, admin, { role: 'admin' })).statusCode).toBe(303);
    const self = await post(`/spaces/${privateId}/members/${sam.id}/remove`, sam.cookie);
    // Out of a private space they no longer see: back to the directory.
    expect(self.headers.location).toBe('/spaces');
    expect(await membership(t.app, privateId, sam.id)).toBe(null);
  });
});
