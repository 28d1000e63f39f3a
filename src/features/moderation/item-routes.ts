// What can be done to one content item or comment from its actions menu: delete (after a confirm
// page), hide with a reason, unhide, report with a reason. Each GET shows the step; each POST acts
// and redirects. Anything the viewer may not see answers 404 before the policy is asked about the act.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseForm, type FieldErrors } from '../../http/form.js';
import { refundIfThrows } from '../../http/rate-limits.js';
import { authorize, type Viewer } from '../../policy/index.js';
import { findOpenReport, findRecentDismissal, type ContentSummary, type ReportTarget } from './queries.js';
import { HideForm, ReportForm } from './forms.js';
import {
  deleteContent,
  fileReport,
  hideComment,
  hideContent,
  REPORT_AGAIN_AFTER_DISMISSAL_MS,
  unhideComment,
  unhideContent,
} from './service.js';
import { commentFor, commentUrl, contentFor, contentUrl, summaryOfComment, summaryOfContent } from './targets.js';

type IdParams = { Params: { id: string } };

interface FormPage {
  summary: ContentSummary;
  action: string;
  cancelUrl: string;
  values?: Record<string, string>;
  errors?: FieldErrors;
  alreadyReported?: boolean;
  /** This person's report about it was dismissed less than a day ago: when they may report it again. */
  reportAgainFrom?: number;
}

export default async function moderationItemRoutes(app: FastifyInstance) {
  const viewer = (user: Viewer | null): Viewer => {
    authorize(user, 'app.use');
    return user;
  };

  /** What the report page says before the form: already reported (open), or dismissed less than a day ago. */
  async function reportState(user: Viewer, target: ReportTarget): Promise<Pick<FormPage, 'alreadyReported' | 'reportAgainFrom'>> {
    if ((await findOpenReport(app.db, user.id, target)) !== undefined) return { alreadyReported: true };
    const dismissedAt = await findRecentDismissal(app.db, user.id, target, Date.now() - REPORT_AGAIN_AFTER_DISMISSAL_MS);
    return dismissedAt === undefined ? {} : { reportAgainFrom: dismissedAt + REPORT_AGAIN_AFTER_DISMISSAL_MS };
  }

  /**
   * Files a report from the form (POST .../report). Counted against the reporter's rate limit only
   * when it is filed; a refused form comes back with the reason typed.
   */
  async function report(
    request: FastifyRequest,
    reply: FastifyReply,
    user: Viewer,
    about: Parameters<typeof fileReport>[2],
    page: () => Promise<FormPage>,
    title: string,
    doneUrl: string,
  ) {
    const filing = await app.limiters.reportsPerUser.reserve(request, String(user.id));
    const form = parseForm(ReportForm, request.body, request.t);
    if (!form.ok) {
      await filing.refund();
      return reply.render('moderation/report', { title, ...(await page()), values: form.values, errors: form.errors }, { status: 422 });
    }
    const result = await refundIfThrows(filing, fileReport(app.db, user.id, about, form.value.reason));
    if (!result.ok) {
      await filing.refund();
      const state = result.problem === 'alreadyReported' ? { alreadyReported: true } : { reportAgainFrom: result.until };
      return reply.render('moderation/report', { title, ...(await page()), ...state, values: form.values, errors: {} }, { status: 409 });
    }
    reply.flash('moderation.flash.reported');
    return reply.redirectTo(doneUrl);
  }

  // Delete: the author, or an admin. A confirm page first, so that it works without JavaScript.
  app.get<IdParams>('/content/:id/delete', async (request, reply) => {
    const content = await contentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'content.delete', content);
    const page: FormPage = { summary: await summaryOfContent(app, request.t, content), action: `/content/${content.id}/delete`, cancelUrl: contentUrl(content) };
    return reply.render('moderation/confirm-delete', { title: request.t('moderation.delete.title'), ...page });
  });

  app.post<IdParams>('/content/:id/delete', async (request, reply) => {
    const content = await contentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'content.delete', content);
    if (await deleteContent(app.db, request.user.id, content)) {
      await app.plugins.emit('content.deleted', { contentId: content.id, kind: content.kind, spaceId: content.space.id, actorId: request.user.id });
    }
    request.log.info({ contentId: content.id }, 'content deleted');
    reply.flash('moderation.flash.deleted');
    return reply.redirectTo('/');
  });

  // Hide and unhide: whoever moderates the item's space.
  app.get<IdParams>('/content/:id/hide', async (request, reply) => {
    const content = await contentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'content.hide', content);
    const page: FormPage = { summary: await summaryOfContent(app, request.t, content), action: `/content/${content.id}/hide`, cancelUrl: contentUrl(content) };
    return reply.render('moderation/hide', { title: request.t('moderation.hide.title'), ...page, values: {}, errors: {} });
  });

  app.post<IdParams>('/content/:id/hide', async (request, reply) => {
    const content = await contentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'content.hide', content);
    const form = parseForm(HideForm, request.body, request.t);
    if (!form.ok) {
      const page: FormPage = { summary: await summaryOfContent(app, request.t, content), action: `/content/${content.id}/hide`, cancelUrl: contentUrl(content) };
      return reply.render('moderation/hide', { title: request.t('moderation.hide.title'), ...page, values: form.values, errors: form.errors }, { status: 422 });
    }
    if (await hideContent(app.db, request.user.id, content, form.value.reason)) reply.flash('moderation.flash.hidden');
    else reply.flash('moderation.flash.alreadyHidden', undefined, 'info');
    return reply.redirectTo(contentUrl(content));
  });

  app.post<IdParams>('/content/:id/unhide', async (request, reply) => {
    const content = await contentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'content.moderate', content);
    if (await unhideContent(app.db, request.user.id, content)) reply.flash('moderation.flash.unhidden');
    else reply.flash('moderation.flash.notHidden', undefined, 'info');
    return reply.redirectTo(contentUrl(content));
  });

  app.get<IdParams>('/comments/:id/hide', async (request, reply) => {
    const comment = await commentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'comment.hide', comment.subject);
    const page: FormPage = { summary: await summaryOfComment(app, request.t, comment), action: `/comments/${comment.subject.id}/hide`, cancelUrl: commentUrl(comment) };
    return reply.render('moderation/hide', { title: request.t('moderation.hide.commentTitle'), ...page, values: {}, errors: {} });
  });

  app.post<IdParams>('/comments/:id/hide', async (request, reply) => {
    const comment = await commentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'comment.hide', comment.subject);
    const form = parseForm(HideForm, request.body, request.t);
    if (!form.ok) {
      const page: FormPage = { summary: await summaryOfComment(app, request.t, comment), action: `/comments/${comment.subject.id}/hide`, cancelUrl: commentUrl(comment) };
      return reply.render('moderation/hide', { title: request.t('moderation.hide.commentTitle'), ...page, values: form.values, errors: form.errors }, { status: 422 });
    }
    if (await hideComment(app.db, request.user.id, comment.subject, form.value.reason)) reply.flash('moderation.flash.commentHidden');
    else reply.flash('moderation.flash.commentAlreadyHidden', undefined, 'info');
    return reply.redirectTo(commentUrl(comment));
  });

  app.post<IdParams>('/comments/:id/unhide', async (request, reply) => {
    const comment = await commentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'comment.moderate', comment.subject);
    if (await unhideComment(app.db, request.user.id, comment.subject)) reply.flash('moderation.flash.commentUnhidden');
    else reply.flash('moderation.flash.commentNotHidden', undefined, 'info');
    return reply.redirectTo(commentUrl(comment));
  });

  // Report: anyone who sees an item (or comment) they did not write.
  app.get<IdParams>('/content/:id/report', async (request, reply) => {
    const content = await contentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'content.report', content);
    const page: FormPage = {
      summary: await summaryOfContent(app, request.t, content),
      action: `/content/${content.id}/report`,
      cancelUrl: contentUrl(content),
      ...(await reportState(request.user, { contentId: content.id, commentId: null })),
    };
    return reply.render('moderation/report', { title: request.t('moderation.report.title'), ...page, values: {}, errors: {} });
  });

  app.post<IdParams>('/content/:id/report', async (request, reply) => {
    const content = await contentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'content.report', content);
    const page = async (): Promise<FormPage> => ({
      summary: await summaryOfContent(app, request.t, content),
      action: `/content/${content.id}/report`,
      cancelUrl: contentUrl(content),
    });
    return report(request, reply, request.user, { content }, page, request.t('moderation.report.title'), contentUrl(content));
  });

  app.get<IdParams>('/comments/:id/report', async (request, reply) => {
    const comment = await commentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'comment.report', comment.subject);
    const page: FormPage = {
      summary: await summaryOfComment(app, request.t, comment),
      action: `/comments/${comment.subject.id}/report`,
      cancelUrl: commentUrl(comment),
      ...(await reportState(request.user, { contentId: comment.subject.content.id, commentId: comment.subject.id })),
    };
    return reply.render('moderation/report', { title: request.t('moderation.report.commentTitle'), ...page, values: {}, errors: {} });
  });

  app.post<IdParams>('/comments/:id/report', async (request, reply) => {
    const comment = await commentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'comment.report', comment.subject);
    const page = async (): Promise<FormPage> => ({
      summary: await summaryOfComment(app, request.t, comment),
      action: `/comments/${comment.subject.id}/report`,
      cancelUrl: commentUrl(comment),
    });
    return report(
      request,
      reply,
      request.user,
      { content: comment.subject.content, comment: comment.subject },
      page,
      request.t('moderation.report.commentTitle'),
      commentUrl(comment),
    );
  });
}
