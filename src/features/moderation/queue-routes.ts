// /admin/moderation: the queue of open reports, for admins (everything) and space admins (their
// spaces), and its decisions: dismiss, hide with a reason, delete. Each decision closes the reports it
// answers and is written to the audit log (service.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseForm, type FieldErrors } from '../../http/form.js';
import { optionalId } from '../../http/params.js';
import { authorize, type Viewer } from '../../policy/index.js';
import { DismissForm, HideForm } from './forms.js';
import { listQueue } from './queries.js';
import { deleteContent, deleteReportedComment, dismissReports, hideComment, hideContent } from './service.js';
import { commentFor, contentFor } from './targets.js';

type IdParams = { Params: { id: string } };

const QUEUE = '/admin/moderation';

/** A queue entry's forms are told apart by this key ("content-12", "comment-40"). */
export const entryKey = (target: { contentId: number; commentId: number | null }) =>
  target.commentId === null ? `content-${target.contentId}` : `comment-${target.commentId}`;

export default async function moderationQueueRoutes(app: FastifyInstance) {
  const moderator = (user: Viewer | null): Viewer => {
    authorize(user, 'moderation.queue');
    return user;
  };

  async function renderQueue(
    request: FastifyRequest,
    reply: FastifyReply,
    failed?: { key: string; form: 'hide' | 'dismiss'; values: Record<string, string>; errors: FieldErrors },
  ) {
    const user = moderator(request.user);
    const query = request.query as Record<string, unknown>;
    const after = optionalId(query.after);
    const page = await listQueue(app.db, app.contentKinds, user, request.t, { after: failed ? null : after });
    return reply.render(
      'moderation/queue',
      { title: request.t('moderation.queue.title'), entries: page.entries, next: page.next, failed: failed ?? null, entryKey },
      { status: failed ? 422 : 200, keepUrl: request.method !== 'GET' },
    );
  }

  app.get(QUEUE, async (request, reply) => renderQueue(request, reply));

  function decided(reply: FastifyReply, key: string, count = 1) {
    if (count === 0) reply.flash('moderation.flash.alreadyDecided', undefined, 'info');
    else reply.flash(key);
    return reply.redirectTo(QUEUE);
  }

  app.post<IdParams>(`${QUEUE}/content/:id/dismiss`, async (request, reply) => {
    const user = moderator(request.user);
    const content = await contentFor(app, user, request.params.id);
    authorize(user, 'content.moderate', content);
    const form = parseForm(DismissForm, request.body, request.t);
    if (!form.ok) return renderQueue(request, reply, { key: entryKey({ contentId: content.id, commentId: null }), form: 'dismiss', values: form.values, errors: form.errors });
    const count = await dismissReports(app.db, user.id, { contentId: content.id, commentId: null }, form.value.note ?? null);
    return decided(reply, 'moderation.flash.dismissed', count);
  });

  app.post<IdParams>(`${QUEUE}/content/:id/hide`, async (request, reply) => {
    const user = moderator(request.user);
    const content = await contentFor(app, user, request.params.id);
    authorize(user, 'content.hide', content);
    const form = parseForm(HideForm, request.body, request.t);
    if (!form.ok) return renderQueue(request, reply, { key: entryKey({ contentId: content.id, commentId: null }), form: 'hide', values: form.values, errors: form.errors });
    return decided(reply, 'moderation.flash.hidden', Number(await hideContent(app.db, user.id, content, form.value.reason)));
  });

  app.post<IdParams>(`${QUEUE}/content/:id/delete`, async (request, reply) => {
    const user = moderator(request.user);
    const content = await contentFor(app, user, request.params.id);
    authorize(user, 'content.delete', content);
    const deleted = await deleteContent(app.db, user.id, content);
    if (deleted) await app.plugins.emit('content.deleted', { contentId: content.id, kind: content.kind, spaceId: content.space.id, actorId: user.id });
    return decided(reply, 'moderation.flash.deleted', Number(deleted));
  });

  app.post<IdParams>(`${QUEUE}/comments/:id/dismiss`, async (request, reply) => {
    const user = moderator(request.user);
    const comment = await commentFor(app, user, request.params.id);
    authorize(user, 'comment.moderate', comment.subject);
    const target = { contentId: comment.subject.content.id, commentId: comment.subject.id };
    const form = parseForm(DismissForm, request.body, request.t);
    if (!form.ok) return renderQueue(request, reply, { key: entryKey(target), form: 'dismiss', values: form.values, errors: form.errors });
    return decided(reply, 'moderation.flash.dismissed', await dismissReports(app.db, user.id, target, form.value.note ?? null));
  });

  app.post<IdParams>(`${QUEUE}/comments/:id/hide`, async (request, reply) => {
    const user = moderator(request.user);
    const comment = await commentFor(app, user, request.params.id);
    authorize(user, 'comment.hide', comment.subject);
    const form = parseForm(HideForm, request.body, request.t);
    if (!form.ok) {
      return renderQueue(request, reply, { key: entryKey({ contentId: comment.subject.content.id, commentId: comment.subject.id }), form: 'hide', values: form.values, errors: form.errors });
    }
    return decided(reply, 'moderation.flash.commentHidden', Number(await hideComment(app.db, user.id, comment.subject, form.value.reason)));
  });

  app.post<IdParams>(`${QUEUE}/comments/:id/delete`, async (request, reply) => {
    const user = moderator(request.user);
    const comment = await commentFor(app, user, request.params.id);
    authorize(user, 'comment.delete', comment.subject);
    return decided(reply, 'moderation.flash.commentDeleted', Number(await deleteReportedComment(app.db, user.id, comment.subject)));
  });
}
