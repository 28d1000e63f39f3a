// The policy's rules about spaces and content, as a table of who may do what.
import { describe, expect, it } from 'vitest';
import type { Role, SpaceRole } from '../../src/db/schema.js';
import { can, type ContentSubject, type SpaceSubject, type Viewer } from '../../src/policy/index.js';
import { RESTORE_WINDOW_MS } from '../../src/policy/content-rules.js';

const company: SpaceSubject = { id: 1, visibility: 'company' };
const open: SpaceSubject = { id: 2, visibility: 'open' };
const secret: SpaceSubject = { id: 3, visibility: 'private' };

function viewer(id: number, role: Role, spaces: Array<[number, SpaceRole]> = [], policy: Partial<Viewer['organisationPolicy']> = {}): Viewer {
  return {
    id,
    email: `u${id}@example.com`,
    name: `User ${id}`,
    role,
    locale: 'en',
    spaceRoles: new Map(spaces),
    memberSpaces: spaces.map(([spaceId, spaceRole]) => ({ id: spaceId, name: `Space ${spaceId}`, role: spaceRole })),
    organisationPolicy: { spaceCreation: 'everyone', memberPostsInCompany: true, ...policy },
  };
}

const author = viewer(10, 'member', [[3, 'member']]);
const member = viewer(11, 'member');
const secretMember = viewer(12, 'member', [[3, 'member']]);
const secretAdmin = viewer(13, 'member', [[3, 'admin']]);
const editor = viewer(14, 'editor');
const admin = viewer(15, 'admin');

function item(space: SpaceSubject, overrides: Partial<ContentSubject> = {}): ContentSubject {
  return { id: 100, kind: 'post', authorId: author.id, space, publishedAt: Date.now() - 1000, deletedAt: null, hiddenAt: null, mustRead: false, commentsEnabled: true, kindOff: false, ...overrides };
}

describe('spaces', () => {
  it('private spaces are seen by their members and admins only', () => {
    expect([member, secretMember, secretAdmin, admin].map((v) => can(v, 'space.view', secret))).toEqual([false, true, true, true]);
    expect([member, admin].map((v) => can(v, 'space.view', open))).toEqual([true, true]);
  });

  it('open spaces are joined, private ones requested; nobody joins or leaves the company space', () => {
    expect(can(member, 'space.join', open)).toBe(true);
    expect(can(member, 'space.join', secret)).toBe(false);
    expect(can(member, 'space.requestJoin', secret)).toBe(true);
    expect(can(secretMember, 'space.requestJoin', secret)).toBe(false);
    expect(can(member, 'space.join', company)).toBe(false);
    expect(can(member, 'space.leave', company)).toBe(false);
    expect(can(secretMember, 'space.leave', secret)).toBe(true);
  });

  it('space admins and admins manage a space; only admins manage the company space', () => {
    expect([member, secretMember, secretAdmin, admin].map((v) => can(v, 'space.manage', secret))).toEqual([false, false, true, true]);
    expect([secretAdmin, editor, admin].map((v) => can(v, 'space.manage', company))).toEqual([false, false, true]);
  });

  it('members post in their spaces; the company space follows the organisation setting', () => {
    expect(can(member, 'space.post', secret)).toBe(false);
    expect(can(secretMember, 'space.post', secret)).toBe(true);
    expect(can(member, 'space.post', open)).toBe(false);
    const restricted = viewer(16, 'member', [], { memberPostsInCompany: false });
    expect(can(restricted, 'space.post', company)).toBe(false);
    expect(can(viewer(17, 'editor', [], { memberPostsInCompany: false }), 'space.post', company)).toBe(true);
  });

  it('editors publish news where they belong, admins anywhere, members nowhere', () => {
    expect(can(member, 'news.publish', company)).toBe(false);
    expect(can(editor, 'news.publish', company)).toBe(true);
    expect(can(editor, 'news.publish', secret)).toBe(false);
    expect(can(viewer(18, 'editor', [[3, 'member']]), 'news.publish', secret)).toBe(true);
    expect(can(admin, 'news.publish', secret)).toBe(true);
  });

  it('space creation follows the organisation setting', () => {
    expect(can(member, 'space.create')).toBe(true);
    expect(can(viewer(19, 'member', [], { spaceCreation: 'admins' }), 'space.create')).toBe(false);
    expect(can(viewer(20, 'admin', [], { spaceCreation: 'admins' }), 'space.create')).toBe(true);
  });
});

describe('content', () => {
  it("a private space's content is seen by nobody outside it", () => {
    const post = item(secret);
    expect([author, member, secretMember, admin].map((v) => can(v, 'content.view', post))).toEqual([true, false, true, true]);
    expect(can(member, 'content.comment', post)).toBe(false);
    expect(can(member, 'content.react', post)).toBe(false);
    expect(can(member, 'content.report', post)).toBe(false);
  });

  it('drafts and scheduled items are the author’s alone', () => {
    for (const publishedAt of [null, Date.now() + 60_000]) {
      const draft = item(company, { publishedAt });
      expect([author, member, admin].map((v) => can(v, 'content.view', draft))).toEqual([true, false, false]);
      expect(can(author, 'content.comment', draft)).toBe(false);
    }
  });

  it('hidden items stay visible to their author and moderators, closed to conversation', () => {
    const hidden = item(secret, { hiddenAt: Date.now() });
    expect([author, secretMember, secretAdmin, admin].map((v) => can(v, 'content.view', hidden))).toEqual([true, false, true, true]);
    expect(can(author, 'content.comment', hidden)).toBe(false);
    expect(can(secretAdmin, 'content.hide', hidden)).toBe(false);
  });

  it('deleted items are seen by nobody; admins restore them within 30 days', () => {
    const deleted = item(company, { deletedAt: Date.now() - 1000 });
    expect([author, admin].map((v) => can(v, 'content.view', deleted))).toEqual([false, false]);
    expect(can(admin, 'content.restore', deleted)).toBe(true);
    expect(can(author, 'content.restore', deleted)).toBe(false);
    expect(can(admin, 'content.restore', item(company, { deletedAt: Date.now() - RESTORE_WINDOW_MS - 1000 }))).toBe(false);
  });

  it('authors edit; authors and admins delete; moderators hide', () => {
    const post = item(secret);
    expect([author, secretAdmin, admin].map((v) => can(v, 'content.edit', post))).toEqual([true, false, false]);
    expect([author, secretAdmin, admin].map((v) => can(v, 'content.delete', post))).toEqual([true, false, true]);
    expect([author, secretMember, secretAdmin, admin].map((v) => can(v, 'content.hide', post))).toEqual([false, false, true, true]);
  });

  it('comments follow the comments switch; nobody reports their own item', () => {
    expect(can(member, 'content.comment', item(company, { commentsEnabled: false }))).toBe(false);
    expect(can(author, 'content.report', item(company))).toBe(false);
    expect(can(member, 'content.report', item(company))).toBe(true);
  });

  it('must-reads are confirmed by readers and tracked by their author and admins', () => {
    const mustRead = item(company, { mustRead: true });
    expect(can(member, 'content.confirmRead', mustRead)).toBe(true);
    expect(can(member, 'content.confirmRead', item(company))).toBe(false);
    expect(can(author, 'content.confirmRead', mustRead)).toBe(false);
    expect([author, member, editor, admin].map((v) => can(v, 'mustRead.track', mustRead))).toEqual([true, false, false, true]);
  });

  it('comments: authors edit, authors and admins delete, moderators hide', () => {
    const comment = { id: 1, authorId: secretMember.id, deletedAt: null, hiddenAt: null, content: item(secret) };
    expect([secretMember, author, secretAdmin, admin].map((v) => can(v, 'comment.edit', comment))).toEqual([true, false, false, false]);
    expect([secretMember, author, secretAdmin, admin].map((v) => can(v, 'comment.delete', comment))).toEqual([true, false, false, true]);
    expect([secretMember, author, secretAdmin, admin].map((v) => can(v, 'comment.hide', comment))).toEqual([false, false, true, true]);
    expect(can(member, 'comment.report', comment)).toBe(false);
    expect(can(author, 'comment.report', comment)).toBe(true);
  });

  it('anonymous visitors may do nothing', () => {
    expect(can(null, 'content.view', item(company))).toBe(false);
    expect(can(null, 'space.view', company)).toBe(false);
  });
});
