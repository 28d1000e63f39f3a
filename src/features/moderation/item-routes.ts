// What can be done to one content item or comment from its actions menu: delete (after a confirm
// page), hide with a reason, unhide, report with a reason. Each GET shows the step; each POST acts
// and redirects. Anything the viewer may not see answers 404 before the policy is asked about the act.
import type { FastifyInstance } from 'fastify';
import { parseForm, type FieldErrors } from '../../http/form.js';
import { authorize, type Viewer } from '../../policy/index.js';
import { findOpenReport, type ContentSummary } from './queries.js';
import { HideForm, ReportForm } from './forms.js';
import { deleteContent, fileReport, hideComment, hideContent, unhideComment, unhideContent } from './service.js';
import { commentFor, commentUrl, contentFor, contentUrl, summaryOfComment, summaryOfContent } from './targets.js';

type IdParams = { Params: { id: string } };

interface FormPage {
  summary: ContentSummary;
  action: string;
  cancelUrl: string;
  values?: Record<string, string>;
  errors?: FieldErrors;
  alreadyReported?: boolean;
}

export default async function moderationItemRoutes(app: FastifyInstance) {
  const viewer = (user: Viewer | null): Viewer => {
    authorize(user, 'app.use');
    return user;
  };

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
    await deleteContent(app.db, request.user.id, content);
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
    await hideContent(app.db, request.user.id, content, form.value.reason);
    reply.flash('moderation.flash.hidden');
    return reply.redirectTo(contentUrl(content));
  });

  app.post<IdParams>('/content/:id/unhide', async (request, reply) => {
    const content = await contentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'content.moderate', content);
    await unhideContent(app.db, request.user.id, content);
    reply.flash('moderation.flash.unhidden');
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
    await hideComment(app.db, request.user.id, comment.subject, form.value.reason);
    reply.flash('moderation.flash.commentHidden');
    return reply.redirectTo(commentUrl(comment));
  });

  app.post<IdParams>('/comments/:id/unhide', async (request, reply) => {
    const comment = await commentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'comment.moderate', comment.subject);
    await unhideComment(app.db, request.user.id, comment.subject);
    reply.flash('moderation.flash.commentUnhidden');
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
      alreadyReported: (await findOpenReport(app.db, request.user.id, { contentId: content.id, commentId: null })) !== undefined,
    };
    return reply.render('moderation/report', { title: request.t('moderation.report.title'), ...page, values: {}, errors: {} });
  });

  app.post<IdParams>('/content/:id/report', async (request, reply) => {
    const content = await contentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'content.report', content);
    const form = parseForm(ReportForm, request.body, request.t);
    const page = async (): Promise<FormPage> => ({
      summary: await summaryOfContent(app, request.t, content),
      action: `/content/${content.id}/report`,
      cancelUrl: contentUrl(content),
    });
    if (!form.ok) {
      return reply.render('moderation/report', { title: request.t('moderation.report.title'), ...(await page()), values: form.values, errors: form.errors }, { status: 422 });
    }
    const result = await fileReport(app.db, request.user.id, { content }, form.value.reason);
    if (!result.ok) {
      return reply.render('moderation/report', { title: request.t('moderation.report.title'), ...(await page()), alreadyReported: true }, { status: 409 });
    }
    reply.flash('moderation.flash.reported');
    return reply.redirectTo(contentUrl(content));
  });

  app.get<IdParams>('/comments/:id/report', async (request, reply) => {
    const comment = await commentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'comment.report', comment.subject);
    const page: FormPage = {
      summary: await summaryOfComment(app, request.t, comment),
      action: `/comments/${comment.subject.id}/report`,
      cancelUrl: commentUrl(comment),
      alreadyReported: (await findOpenReport(app.db, request.user.id, { contentId: comment.subject.content.id, commentId: comment.subject.id })) !== undefined,
    };
    return reply.render('moderation/report', { title: request.t('moderation.report.commentTitle'), ...page, values: {}, errors: {} });
  });

  app.post<IdParams>('/comments/:id/report', async (request, reply) => {
    const comment = await commentFor(app, viewer(request.user), request.params.id);
    authorize(request.user, 'comment.report', comment.subject);
    const form = parseForm(ReportForm, request.body, request.t);
    const page = async (): Promise<FormPage> => ({
      summary: await summaryOfComment(app, request.t, comment),
      action: `/comments/${comment.subject.id}/report`,
      cancelUrl: commentUrl(comment),
    });
    if (!form.ok) {
      return reply.render('moderation/report', { title: request.t('moderation.report.commentTitle'), ...(await page()), values: form.values, errors: form.errors }, { status: 422 });
    }
    const result = await fileReport(app.db, request.user.id, { content: comment.subject.content, comment: comment.subject }, form.value.reason);
    if (!result.ok) {
      return reply.render('moderation/report', { title: request.t('moderation.report.commentTitle'), ...(await page()), alreadyReported: true }, { status: 409 });
    }
    reply.flash('moderation.flash.reported');
    return reply.redirectTo(commentUrl(comment));
  });
}
