// Rules about content items and their comments. A private space's content follows its space: whoever
// may not see the space sees none of it.
import type { CommentSubject, ContentSubject } from './subjects.js';
import { moderates, seesSpace } from './space-rules.js';
import { isAdmin, type Viewer } from './viewer.js';

/** Deleted content can be restored by an admin for this long; after that it is purged. */
export const RESTORE_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

export function isPublished(content: Pick<ContentSubject, 'publishedAt'>, now = Date.now()): boolean {
  return content.publishedAt !== null && content.publishedAt <= now;
}

const isAuthor = (user: Viewer, item: { authorId: number | null }) => item.authorId !== null && item.authorId === user.id;

/**
 * Seeing one item: its space must be visible, it must not be deleted nor of a kind switched off; drafts and scheduled items are
 * the author's alone; hidden items stay visible to their author (with the reason) and to moderators.
 */
export function seesContent(user: Viewer, content: ContentSubject): boolean {
  if (!seesSpace(user, content.space) || content.deletedAt !== null || content.kindOff) return false;
  if (!isPublished(content) && !isAuthor(user, content)) return false;
  if (content.hiddenAt !== null && !isAuthor(user, content) && !moderates(user, content.space)) return false;
  return true;
}

/** Open to conversation: seen, published and not hidden. */
const isLive = (user: Viewer, content: ContentSubject) => seesContent(user, content) && isPublished(content) && content.hiddenAt === null;

/** Seeing one comment: its item is seen, it is not deleted; a hidden one only by its author and moderators. */
export const seesComment = (user: Viewer, comment: CommentSubject) =>
  seesContent(user, comment.content) &&
  comment.deletedAt === null &&
  (comment.hiddenAt === null || isAuthor(user, comment) || moderates(user, comment.content.space));

export const contentRules = {
  'content.view': seesContent,
  'content.edit': (user: Viewer, content: ContentSubject) => seesContent(user, content) && isAuthor(user, content),
  'content.delete': (user: Viewer, content: ContentSubject) => seesContent(user, content) && (isAuthor(user, content) || isAdmin(user)),
  'content.hide': (user: Viewer, content: ContentSubject) =>
    seesContent(user, content) && content.hiddenAt === null && moderates(user, content.space),
  'content.restore': (user: Viewer, content: ContentSubject) =>
    isAdmin(user) && content.deletedAt !== null && content.deletedAt > Date.now() - RESTORE_WINDOW_MS,
  'content.comment': (user: Viewer, content: ContentSubject) => isLive(user, content) && content.commentsEnabled,
  'content.react': isLive,
  'content.report': (user: Viewer, content: ContentSubject) => isLive(user, content) && !isAuthor(user, content),
  // The author wrote it: their confirmation would only make the count lie.
  'content.confirmRead': (user: Viewer, content: ContentSubject) => isLive(user, content) && content.mustRead && !isAuthor(user, content),
  'mustRead.track': (user: Viewer, content: ContentSubject) =>
    seesContent(user, content) && content.mustRead && (isAuthor(user, content) || isAdmin(user)),
  'comment.edit': (user: Viewer, comment: CommentSubject) => seesComment(user, comment) && isAuthor(user, comment),
  'comment.delete': (user: Viewer, comment: CommentSubject) =>
    seesComment(user, comment) && (isAuthor(user, comment) || isAdmin(user)),
  'comment.hide': (user: Viewer, comment: CommentSubject) =>
    seesComment(user, comment) && comment.hiddenAt === null && moderates(user, comment.content.space),
  'comment.report': (user: Viewer, comment: CommentSubject) =>
    seesComment(user, comment) && comment.hiddenAt === null && !isAuthor(user, comment) && isLive(user, comment.content),
};
