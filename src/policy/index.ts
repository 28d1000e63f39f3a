// Who may do what. Every access decision in Hameau is made here, in one vocabulary:
// `can(user, action, subject)` to ask, `authorize(user, action, subject)` to insist.
import type { CurrentUser } from '../auth/sessions.js';
import type { Role, UserStatus } from '../db/schema.js';
import { Forbidden, Unauthenticated } from '../http/errors.js';

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
  'session.end': { userId: number };
}

export type Action = keyof Rules;

/** The subject an action is about, as a rest parameter: none for general actions. */
export type Subject<A extends Action> = Rules[A] extends undefined ? [] : [Rules[A]];

const isAdmin = (user: CurrentUser) => user.role === 'admin';

const rules: { [A in Action]: (user: CurrentUser, subject: Rules[A]) => boolean } = {
  'app.use': () => true,
  'admin.access': isAdmin,
  'member.list': isAdmin,
  'member.invite': isAdmin,
  // Admins cannot demote or deactivate themselves: the organisation must never lose its last admin by mistake.
  'member.changeRole': (user, member) => isAdmin(user) && member.id !== user.id,
  'member.deactivate': (user, member) => isAdmin(user) && member.id !== user.id && member.status === 'active',
  'member.reactivate': (user, member) => isAdmin(user) && member.status === 'deactivated',
  'member.issueResetLink': (user, member) => isAdmin(user) && member.id !== user.id && member.status === 'active',
  'session.end': (user, session) => session.userId === user.id,
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
  user: CurrentUser | null,
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
  user: CurrentUser | null,
  action: A,
  ...subject: Subject<A>
): asserts user is CurrentUser {
  if (!user) throw new Unauthenticated();
  if (!can(user, action, ...subject)) throw new Forbidden();
}
