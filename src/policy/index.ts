// Who may do what. Every access decision in Hameau is made here, in one vocabulary:
// `can(user, action, subject)` to ask, `authorize(user, action, subject)` to insist.
import type { Role, UserStatus } from '../db/schema.js';
import { Forbidden, Unauthenticated } from '../http/errors.js';
import type { CommentSubject, ContentSubject, SpaceSubject } from './subjects.js';
import { contentRules, seesComment, seesContent } from './content-rules.js';
import { moderates, spaceRules } from './space-rules.js';
import { isAdmin, type Viewer } from './viewer.js';

export type { Viewer } from './viewer.js';
export type { CommentSubject, ContentSubject, SpaceSubject } from './subjects.js';

/** A member as seen by rules about members (their own record, or someone an admin manages). */
export interface MemberSubject {
  id: number;
  role: Role;
  status: UserStatus;
}

interface Rules {
  /** See the home page and anything open to every member. */
  'app.use': undefined;
  /** Reach the administration (the header's link to it). */
  'admin.access': undefined;
  /** See the members page, and the counts of members and invitations that summarise it. */
  'member.list': undefined;
  /** Invite, send an invitation again, cancel one. */
  'member.invite': undefined;
  'member.changeRole': MemberSubject;
  'member.deactivate': MemberSubject;
  'member.reactivate': MemberSubject;
  'member.issueResetLink': MemberSubject;
  /** Erase a deactivated member's data (GDPR): src/features/members/erase-routes.ts. */
  'member.erase': MemberSubject;
  'session.end': { userId: number };
  /** Change the organisation's settings (spaces policy, posting in the company space). */
  'settings.manage': undefined;
  'charter.manage': undefined;
  /** See the moderation queue: admins (everything) and space admins (their spaces). */
  'moderation.queue': undefined;
  /** See and restore deleted content within its 30 days. */
  'content.restore': ContentSubject;
  'space.create': undefined;
  'space.view': SpaceSubject;
  'space.join': SpaceSubject;
  'space.requestJoin': SpaceSubject;
  'space.leave': SpaceSubject;
  /** Edit the space, invite, answer requests, remove members, change their roles. */
  'space.manage': SpaceSubject;
  'space.post': SpaceSubject;
  'news.publish': SpaceSubject;
  'content.view': ContentSubject;
  'content.edit': ContentSubject;
  'content.delete': ContentSubject;
  'content.hide': ContentSubject;
  'content.comment': ContentSubject;
  'content.react': ContentSubject;
  'content.report': ContentSubject;
  'content.confirmRead': ContentSubject;
  /** See who confirmed a must-read, remind the others, export the list. */
  'mustRead.track': ContentSubject;
  'comment.edit': CommentSubject;
  'comment.delete': CommentSubject;
  'comment.hide': CommentSubject;
  'comment.report': CommentSubject;
  /** See one comment (a hidden one: its author and moderators). */
  'comment.view': CommentSubject;
  /** Decide about reports on an item or a comment, lift a hide: whoever moderates its space. */
  'content.moderate': ContentSubject;
  'comment.moderate': CommentSubject;
  /** Edit a person's profile (job, department, photo...): the person themselves, and admins; nobody once their data is erased. */
  'profile.edit': { id: number; status?: UserStatus };
  /** Departments, sites, extra profile fields, CSV import of people. */
  'people.manage': undefined;
}

export type Action = keyof Rules;

/** The subject an action is about, as a rest parameter: none for general actions. */
export type Subject<A extends Action> = Rules[A] extends undefined ? [] : [Rules[A]];

const rules: { [A in Action]: (user: Viewer, subject: Rules[A]) => boolean } = {
  ...spaceRules,
  ...contentRules,
  'settings.manage': isAdmin,
  'charter.manage': isAdmin,
  'moderation.queue': (user) => isAdmin(user) || [...user.spaceRoles.values()].includes('admin'),
  'app.use': () => true,
  'admin.access': isAdmin,
  'member.list': isAdmin,
  'member.invite': isAdmin,
  // Admins cannot demote or deactivate themselves: the organisation must never lose its last admin by mistake.
  'member.changeRole': (user, member) => isAdmin(user) && member.id !== user.id,
  'member.deactivate': (user, member) => isAdmin(user) && member.id !== user.id && member.status === 'active',
  'member.reactivate': (user, member) => isAdmin(user) && member.status === 'deactivated',
  'member.issueResetLink': (user, member) => isAdmin(user) && member.id !== user.id && member.status === 'active',
  'member.erase': (user, member) => isAdmin(user) && member.id !== user.id && member.status === 'deactivated',
  'session.end': (user, session) => session.userId === user.id,
  'comment.view': seesComment,
  'content.moderate': (user, content) => seesContent(user, content) && moderates(user, content.space),
  'comment.moderate': (user, comment) => seesComment(user, comment) && moderates(user, comment.content.space),
  'profile.edit': (user, person) => person.status !== 'erased' && (person.id === user.id || isAdmin(user)),
  'people.manage': isAdmin,
};

/**
 * Asks whether `user` may do `action` (on `subject`). Anonymous visitors may do nothing here.
 *
 * Templates ask the same question through `it.can(action, subject)`, bound to the viewer.
 *
 * @example
 * if (can(request.user, 'member.invite')) showInviteButton();
 */
export function can<A extends Action>(
  user: Viewer | null,
  action: A,
  ...subject: Subject<A>
): boolean {
  if (!user) return false;
  return rules[action](user, subject[0] as Rules[A]);
}

/**
 * Like `can`, but throws: Unauthenticated (-> login page) for visitors, Forbidden (-> 403) otherwise.
 * Narrows `user` to a signed-in user for the rest of the handler.
 */
export function authorize<A extends Action>(
  user: Viewer | null,
  action: A,
  ...subject: Subject<A>
): asserts user is Viewer {
  if (!user) throw new Unauthenticated();
  if (!can(user, action, ...subject)) throw new Forbidden();
}
