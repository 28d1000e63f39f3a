// The thing a moderation route acts on, loaded for the viewer: a content item or a comment they may
// see, else 404 (never 403: a private space's content must not even be known to exist).
import type { FastifyInstance } from 'fastify';
import { visibleContentSubject } from '../../content/subjects.js';
import { NotFound } from '../../http/errors.js';
import { idParam } from '../../http/params.js';
import type { Translate } from '../../i18n/index.js';
import { can, type ContentSubject, type Viewer } from '../../policy/index.js';
import { describeContent, EXCERPT_LENGTH, loadComments, type CommentRecord, type ContentSummary } from './queries.js';
import { excerpt, plainText } from '../../content/markdown.js';

/** The content item `id` names, when the viewer may see it. */
export async function contentFor(app: FastifyInstance, viewer: Viewer, id: string): Promise<ContentSubject> {
  return visibleContentSubject(app, viewer, id);
}

/** The comment `id` names, when the viewer may see it. */
export async function commentFor(app: FastifyInstance, viewer: Viewer, id: string): Promise<CommentRecord> {
  const commentId = idParam(id);
  const comment = (await loadComments(app.db, [commentId])).get(commentId);
  if (!comment || !can(viewer, 'comment.view', comment.subject)) throw new NotFound();
  return comment;
}

/** How a form page names what it acts on. */
export async function summaryOfContent(app: FastifyInstance, t: Translate, content: ContentSubject): Promise<ContentSummary> {
  return (await describeContent(app.db, app.contentKinds, t, [content])).get(content.id)!;
}

/** A comment, named by its item's title and the start of its own text. */
export async function summaryOfComment(app: FastifyInstance, t: Translate, comment: CommentRecord): Promise<ContentSummary> {
  const item = await summaryOfContent(app, t, comment.subject.content);
  return { title: t('moderation.commentOn', { title: item.title }), excerpt: excerpt(plainText(comment.body), EXCERPT_LENGTH) };
}

/** Where a content item or a comment is read. */
export const contentUrl = (content: { id: number }) => `/content/${content.id}`;
export const commentUrl = (comment: CommentRecord) => `/content/${comment.subject.content.id}#comment-${comment.subject.id}`;
