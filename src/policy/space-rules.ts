// Rules about spaces: who sees, joins, leaves, manages, posts and publishes in them.
import type { SpaceRole } from '../db/schema.js';
import type { SpaceSubject } from './subjects.js';
import { isAdmin, isEditor, type Viewer } from './viewer.js';

/** The viewer's role in a space: everyone is a member of the company space, which admins administer. */
export function spaceRole(user: Viewer, space: SpaceSubject): SpaceRole | null {
  if (space.visibility === 'company') return isAdmin(user) ? 'admin' : 'member';
  return user.spaceRoles.get(space.id) ?? null;
}

/** Admins moderate every space; space admins moderate theirs. */
export function moderates(user: Viewer, space: SpaceSubject): boolean {
  return isAdmin(user) || spaceRole(user, space) === 'admin';
}

/** Private spaces are seen by their members only, and by admins, who answer for the whole organisation. */
export function seesSpace(user: Viewer, space: SpaceSubject): boolean {
  return space.visibility !== 'private' || spaceRole(user, space) !== null || isAdmin(user);
}

export const spaceRules = {
  'space.create': (user: Viewer) => isAdmin(user) || user.organisationPolicy.spaceCreation === 'everyone',
  'space.view': seesSpace,
  'space.join': (user: Viewer, space: SpaceSubject) => space.visibility === 'open' && spaceRole(user, space) === null,
  'space.requestJoin': (user: Viewer, space: SpaceSubject) => space.visibility === 'private' && spaceRole(user, space) === null,
  'space.leave': (user: Viewer, space: SpaceSubject) => space.visibility !== 'company' && spaceRole(user, space) !== null,
  'space.manage': moderates,
  'space.post': (user: Viewer, space: SpaceSubject) =>
    space.visibility === 'company'
      ? isEditor(user) || user.organisationPolicy.memberPostsInCompany
      : spaceRole(user, space) !== null,
  // Editors publish where they belong; admins anywhere.
  'news.publish': (user: Viewer, space: SpaceSubject) => isEditor(user) && (isAdmin(user) || spaceRole(user, space) !== null),
};
