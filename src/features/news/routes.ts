// News articles: the 'news' content kind, the form to write, schedule and edit an article, and the
// author's drafts. Must-read routes live in must-read-routes.ts. Handlers parse, ask the policy,
// call the service, render; a refused form comes back (422) with everything typed and uploaded.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AttachmentRef } from '../../content/items.js';
import { visibleContentSubject } from '../../content/subjects.js';
import { Forbidden, NotFound } from '../../http/errors.js';
import { Field, parseForm, withError, type FieldErrors, type FormResult } from '../../http/form.js';
import { readForm } from '../../http/multipart.js';
import { idParam, optionalId } from '../../http/params.js';
import { formatDateTime } from '../../http/view-helpers.js';
import { authorize, can, type Viewer } from '../../policy/index.js';
import { isAdmin } from '../../policy/viewer.js';
import { AttachmentsTaken, claimedAttachmentIds, receiveAttachments, stillPending, uploadContext } from '../attachments/service.js';
import { newsKind } from './kind.js';
import mustReadRoutes from './must-read-routes.js';
import {
  findArticleForEdit,
  findSpace,
  listDrafts,
  publishableSpaces,
  recentCategories,
  spaceSubject,
  type ArticleForEdit,
  type SpaceOption,
} from './queries.js';
import { createArticle, updateArticle, type ArticleInput } from './service.js';
import { endOfZonedDay, pinnedUntilInput, toZonedDateTimeInput, zonedDateTimeToUtc } from './zoned-time.js';

export const TITLE_MAX = 200;
export const BODY_MAX = 50_000;
export const CATEGORY_MAX = 60;

const ACTIONS = ['draft', 'publish', 'schedule', 'save'] as const;
type Action = (typeof ACTIONS)[number];

const ArticleForm = Type.Object({
  spaceId: Field.optional(Field.text({ max: 15 })),
  title: Field.text({ max: TITLE_MAX }),
  body: Field.text({ max: BODY_MAX }),
  category: Field.optional(Field.text({ max: CATEGORY_MAX })),
  pinnedUntil: Field.optional(Field.text({ max: 10 })),
  commentsEnabled: Field.optional(Field.choice(['1'])),
  mustRead: Field.optional(Field.choice(['1'])),
  /** Admins only, with must-read: its emails ignore quiet hours (src/features/email-notifications). */
  urgent: Field.optional(Field.choice(['1'])),
  removeCover: Field.optional(Field.choice(['1'])),
  action: Field.choice(ACTIONS),
  scheduledAt: Field.optional(Field.text({ max: 16 })),
});

type IdParams = { Params: { id: string } };

interface FormState {
  /** The article being edited; absent for a new one. */
  article?: ArticleForEdit;
  spaces: SpaceOption[];
  values: Record<string, string>;
  errors: FieldErrors;
  pendingCover: AttachmentRef[];
  pendingFiles: AttachmentRef[];
  /** The article's files still ticked (all of them when the form opens). */
  keepFileIds: number[];
  /** Why the whole form was refused (the author may no longer publish), above its fields. */
  formError?: string;
}

export default async function newsRoutes(app: FastifyInstance) {
  app.contentKinds.register(newsKind);
  await app.register(mustReadRoutes);

  const timeZone = (request: FastifyRequest) => request.organisation?.time_zone ?? 'UTC';
  const store = { db: app.db, dataDir: app.config.dataDir };

  async function renderForm(request: FastifyRequest, reply: FastifyReply, viewer: Viewer, state: FormState, status = 200) {
    const editing = state.article !== undefined;
    return reply.render(
      'news/form',
      {
        title: request.t(editing ? 'news.form.editTitle' : 'news.form.newTitle'),
        article: state.article ?? null,
        published: state.article ? isPublished(state.article) : false,
        spaces: state.spaces,
        categories: await recentCategories(app.db, viewer),
        values: state.values,
        errors: state.errors,
        pendingCover: state.pendingCover,
        pendingFiles: state.pendingFiles,
        keepFileIds: state.keepFileIds,
        formError: state.formError,
        limits: { title: TITLE_MAX, body: BODY_MAX, category: CATEGORY_MAX },
      },
      { status, keepUrl: request.method !== 'GET' },
    );
  }

  /** The article to edit, if the viewer may see it (404 otherwise) and edit it (403 otherwise). */
  async function editableArticle(viewer: Viewer, id: string): Promise<ArticleForEdit> {
    const subject = await visibleContentSubject(app, viewer, id, newsKind.kind);
    authorize(viewer, 'content.edit', subject);
    const article = await findArticleForEdit(app.db, subject.id);
    if (!article) throw new NotFound();
    return article;
  }

  app.get<{ Querystring: { space?: string } }>('/news/new', async (request, reply) => {
    authorize(request.user, 'app.use');
    const spaces = await publishableSpaces(app.db, request.user);
    if (spaces.length === 0) throw new Forbidden();
    let spaceId = spaces[0]!.id;
    if (typeof request.query.space === 'string') {
      const space = await findSpace(app.db, idParam(request.query.space));
      if (!space || !can(request.user, 'space.view', spaceSubject(space))) throw new NotFound();
      if (!spaces.some((s) => s.id === space.id)) throw new Forbidden();
      spaceId = space.id;
    }
    return renderForm(request, reply, request.user, {
      spaces,
      values: { spaceId: String(spaceId), commentsEnabled: '1', action: 'publish' },
      errors: {},
      pendingCover: [],
      pendingFiles: [],
      keepFileIds: [],
    });
  });

  app.post('/news/new', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const spaces = await publishableSpaces(app.db, viewer);
    if (spaces.length === 0) {
      // No longer an editor (or no space left to publish in) since the form was opened: it comes
      // back with what was typed and why (403); its files are not kept, they could go nowhere.
      const form = parseForm(ArticleForm, (await readForm(request)).fields, request.t);
      return renderForm(
        request,
        reply,
        viewer,
        { spaces, values: form.values, errors: {}, pendingCover: [], pendingFiles: [], keepFileIds: [], formError: request.t('news.form.mayNoLongerPublish') },
        403,
      );
    }
    const submitted = await readSubmission(request, viewer);
    let form = submitted.form;
    const space = spaces.find((s) => String(s.id) === submitted.form.values.spaceId);
    if (!space) form = withError(form, 'spaceId', request.t('news.form.spaceNotAllowed'));
    const input = checkArticle(request, form, { published: false, space: space ?? null, viewer });
    if (!input.ok || !space) {
      return renderForm(request, reply, viewer, { spaces, ...submitted.state, keepFileIds: [], values: input.values, errors: errorsOf(input) }, 422);
    }
    let id: number;
    try {
      id = await createArticle(store, { spaceId: space.id, authorId: viewer.id }, { ...input.value, ...submitted.ids });
    } catch (error) {
      if (!(error instanceof AttachmentsTaken)) throw error;
      return renderForm(request, reply, viewer, { spaces, ...(await stillPendingState(viewer, submitted.state)), keepFileIds: [], values: input.values, errors: takenError(request) }, 409);
    }
    // A draft is nobody's news yet; a scheduled article is announced when it gets its date (docs/gdpr.md, "Events").
    if (input.value.publishedAt !== null) await app.plugins.emit('content.created', { contentId: id, kind: newsKind.kind, spaceId: space.id, authorId: viewer.id });
    flashSaved(request, reply, input.value.publishedAt, false);
    return reply.redirectTo(`/content/${id}`);
  });

  app.get<IdParams>('/news/:id/edit', async (request, reply) => {
    authorize(request.user, 'app.use');
    const article = await editableArticle(request.user, request.params.id);
    return renderForm(request, reply, request.user, {
      article,
      spaces: [article.space],
      values: valuesOf(article, timeZone(request)),
      errors: {},
      pendingCover: [],
      pendingFiles: [],
      keepFileIds: article.files.map((f) => f.id),
    });
  });

  app.post<IdParams>('/news/:id/edit', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const article = await editableArticle(viewer, request.params.id);
    const submitted = await readSubmission(request, viewer);
    const published = isPublished(article);
    const input = checkArticle(request, submitted.form, { published, space: article.space, viewer, pinnedUntil: article.pinnedUntil });
    const own = new Set(article.files.map((f) => f.id));
    const keepFileIds = claimedAttachmentIds(submitted.fields, 'keepFileIds').filter((id) => own.has(id));
    if (!input.ok) {
      return renderForm(request, reply, viewer, { article, spaces: [article.space], ...submitted.state, keepFileIds, values: input.values, errors: errorsOf(input) }, 422);
    }
    try {
      await updateArticle(store, article, viewer.id, { ...input.value, ...submitted.ids, keepFileIds });
    } catch (error) {
      if (!(error instanceof AttachmentsTaken)) throw error;
      const state = await stillPendingState(viewer, submitted.state);
      return renderForm(request, reply, viewer, { article, spaces: [article.space], ...state, keepFileIds, values: input.values, errors: takenError(request) }, 409);
    }
    if (article.publishedAt !== null) {
      await app.plugins.emit('content.updated', { contentId: article.id, kind: newsKind.kind, spaceId: article.space.id, editorId: viewer.id });
    } else if (input.value.publishedAt !== null) {
      // A draft published or scheduled: created, as far as anyone else can tell.
      await app.plugins.emit('content.created', { contentId: article.id, kind: newsKind.kind, spaceId: article.space.id, authorId: article.authorId ?? viewer.id });
    }
    flashSaved(request, reply, published ? article.publishedAt : input.value.publishedAt, published);
    return reply.redirectTo(`/content/${article.id}`);
  });

  app.get<{ Querystring: { before?: string } }>('/news/drafts', async (request, reply) => {
    authorize(request.user, 'app.use');
    const before = optionalId(request.query.before);
    const [page, spaces] = await Promise.all([listDrafts(app.db, request.user, { before }), publishableSpaces(app.db, request.user)]);
    return reply.render('news/drafts', {
      title: request.t('news.drafts.title'),
      drafts: page.drafts,
      next: page.next,
      mayPublish: spaces.length > 0,
      now: Date.now(),
    });
  });

  /** The pickers of a form whose files were claimed meanwhile by another request: what is still pending. */
  async function stillPendingState(viewer: Viewer, state: { pendingCover: AttachmentRef[]; pendingFiles: AttachmentRef[] }) {
    return { pendingCover: await stillPending(app.db, viewer.id, state.pendingCover), pendingFiles: await stillPending(app.db, viewer.id, state.pendingFiles) };
  }

  const takenError = (request: FastifyRequest): FieldErrors => ({ files: request.t('attachments.errors.taken') });

  /**
   * Reads the form and stores its uploads as pending attachments of the author, so that a refused
   * form keeps them: covers (images only) and other files apart, each with its own message.
   */
  async function readSubmission(request: FastifyRequest, viewer: Viewer) {
    const submitted = await readForm(request);
    // The checkbox lists of ids (coverIds, attachmentIds, keepFileIds) are read apart: parseForm
    // ignores them, and would refuse them as repeated fields.
    let form: FormResult<ArticleFields> = parseForm(ArticleForm, submitted.fields, request.t);

    const context = uploadContext(app, viewer.id);
    const cover = await receiveAttachments(context, submitted, { field: 'cover', idsName: 'coverIds', purpose: 'cover', imagesOnly: true, t: request.t });
    const files = await receiveAttachments(context, submitted, { field: 'files', purpose: 'file', t: request.t });
    if (cover.error) form = withError(form, 'cover', cover.error);
    if (files.error) form = withError(form, 'files', files.error);
    return {
      form,
      fields: submitted.fields,
      ids: { coverIds: cover.ids, fileIds: files.ids },
      state: { pendingCover: cover.pending, pendingFiles: files.pending },
    };
  }

  /** The rules beyond the schema: where it may go, dates in the future, who may publish. */
  function checkArticle(
    request: FastifyRequest,
    parsed: FormResult<ArticleFields>,
    context: { published: boolean; space: SpaceOption | null; viewer: Viewer; pinnedUntil?: number | null },
  ): FormResult<Omit<ArticleInput, 'coverIds' | 'fileIds'> & { removeCover: boolean }> {
    let form: FormResult<unknown> = parsed;
    const values = parsed.values;
    const zone = timeZone(request);
    const now = Date.now();

    let pinnedUntil: number | null = null;
    if (values.pinnedUntil) {
      pinnedUntil = endOfZonedDay(values.pinnedUntil, zone);
      if (pinnedUntil === null) form = withError(form, 'pinnedUntil', request.t('news.form.invalidDate'));
      // A pin that has run out may stay as it was: editing the text must not ask for a new one.
      else if (pinnedUntil <= now && pinnedUntil !== context.pinnedUntil) form = withError(form, 'pinnedUntil', request.t('news.form.pinnedInPast'));
    }

    // A published article stays published: whatever the button said, it is saved.
    const action: Action = context.published ? 'save' : ((values.action as Action | undefined) ?? 'publish');
    let publishedAt: number | null = null;
    if (action === 'save' && !context.published) form = withError(form, 'action', request.t('validation.choice'));
    if (action === 'publish') publishedAt = now;
    if (action === 'schedule') {
      const at = values.scheduledAt ? zonedDateTimeToUtc(values.scheduledAt, zone) : null;
      if (!values.scheduledAt) form = withError(form, 'scheduledAt', request.t('news.form.scheduleMissing'));
      else if (at === null) form = withError(form, 'scheduledAt', request.t('news.form.invalidDateTime'));
      else if (at <= now) form = withError(form, 'scheduledAt', request.t('news.form.scheduleInPast'));
      publishedAt = at;
    }
    if ((action === 'publish' || action === 'schedule') && context.space && !can(context.viewer, 'news.publish', spaceSubject(context.space))) {
      form = withError(form, 'action', request.t('news.form.mayNotPublish'));
    }

    if (!form.ok || !parsed.ok) return { ok: false, errors: form.ok ? {} : form.errors, values, secrets: {} };
    const value = parsed.value;
    return {
      ok: true,
      values,
      secrets: {},
      value: {
        title: value.title,
        body: value.body,
        category: value.category ?? null,
        pinnedUntil,
        commentsEnabled: value.commentsEnabled === '1',
        mustRead: value.mustRead === '1',
        // Only an admin's form says anything about urgency; anyone else's leaves it as it is.
        urgent: isAdmin(context.viewer) ? value.mustRead === '1' && value.urgent === '1' : undefined,
        removeCover: value.removeCover === '1',
        publishedAt: context.published ? null : publishedAt,
      },
    };
  }

  function flashSaved(request: FastifyRequest, reply: FastifyReply, publishedAt: number | null, wasPublished: boolean) {
    if (wasPublished) return reply.flash('news.flash.saved');
    if (publishedAt === null) return reply.flash('news.flash.draftSaved');
    if (publishedAt > Date.now()) {
      return reply.flash('news.flash.scheduled', { date: formatDateTime(request.locale, publishedAt, timeZone(request)) });
    }
    return reply.flash('news.flash.published');
  }
}

type ArticleFields = typeof ArticleForm.static;

const isPublished = (article: Pick<ArticleForEdit, 'publishedAt'>, now = Date.now()) => article.publishedAt !== null && article.publishedAt <= now;

/** The form's values for an article as saved. */
function valuesOf(article: ArticleForEdit, timeZone: string): Record<string, string> {
  const scheduled = article.publishedAt !== null && article.publishedAt > Date.now();
  return {
    title: article.title,
    body: article.body,
    category: article.category ?? '',
    pinnedUntil: article.pinnedUntil !== null ? pinnedUntilInput(article.pinnedUntil, timeZone) : '',
    ...(article.commentsEnabled ? { commentsEnabled: '1' } : {}),
    ...(article.mustRead ? { mustRead: '1' } : {}),
    ...(article.urgent ? { urgent: '1' } : {}),
    action: isPublished(article) ? 'save' : scheduled ? 'schedule' : 'draft',
    scheduledAt: scheduled ? toZonedDateTimeInput(article.publishedAt!, timeZone) : '',
  };
}

function errorsOf(result: FormResult<unknown>): FieldErrors {
  return result.ok ? {} : result.errors;
}
