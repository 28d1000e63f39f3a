// Posts: the composer's page (/posts/new), publishing (POST /posts) and editing (/posts/:id/edit).
// Registers the 'post' content kind. Each handler parses, asks the policy, calls the service, renders.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AttachmentRef } from '../../content/items.js';
import { visibleContentSubject } from '../../content/subjects.js';
import { Forbidden, NotFound } from '../../http/errors.js';
import { Field, parseForm, withError, type FieldErrors } from '../../http/form.js';
import { readForm } from '../../http/multipart.js';
import { optionalId } from '../../http/params.js';
import { refundIfThrows } from '../../http/rate-limits.js';
import { safeNextPath } from '../../http/redirects.js';
import { authorize, can, type ContentSubject, type Viewer } from '../../policy/index.js';
import { AttachmentsTaken, claimedAttachmentIds, receiveAttachments, stillPending, uploadContext } from '../attachments/service.js';
import { removeStoredFiles } from '../attachments/storage.js';
import { findSpace } from '../spaces/queries.js';
import { POST_MAX_LENGTH, postKind } from './kind.js';
import { findPostForEdit, postingSpaces, type PostForEdit, type PostingSpace } from './queries.js';
import { publishPost, updatePost } from './service.js';

const PostForm = Type.Object({
  space: Field.text({ max: 15 }),
  body: Field.text({ max: POST_MAX_LENGTH }),
  next: Field.optional(Type.String({ maxLength: 2000 })),
});
const EditForm = Type.Object({ body: Field.text({ max: POST_MAX_LENGTH }) });

type IdParams = { Params: { id: string } };

/** What views/posts/composer.eta reads as `it.composer`. */
export interface Composer {
  spaces: PostingSpace[];
  selectedSpaceId: number | null;
  values: Record<string, string>;
  errors: FieldErrors;
  pending: AttachmentRef[];
  /** Where to go once published: undefined for the page the composer is on, null for the new post. */
  next?: string | null;
  /** Why the whole form was refused (the space may no longer be posted in), above its fields. */
  formError?: string;
}

export default async function postsRoutes(app: FastifyInstance) {
  app.contentKinds.register(postKind);

  /**
   * Why the viewer may not post in a space: throws 404 when they may not know it exists; the message
   * key when they see it but may not post there (the company space, when the organisation keeps it
   * to editors; a space they are not, or no longer, a member of); null when they may.
   */
  async function refusalToPostIn(viewer: Viewer, spaceId: number): Promise<string | null> {
    const space = await findSpace(app.db, spaceId);
    if (!space || !can(viewer, 'space.view', space)) throw new NotFound();
    if (can(viewer, 'space.post', space)) return null;
    return space.visibility === 'company' ? 'posts.errors.companyReserved' : 'posts.errors.notMember';
  }

  function renderComposerPage(request: FastifyRequest, reply: FastifyReply, composer: Composer, status = 200) {
    return reply.render('posts/new', { title: request.t('posts.new.title'), composer }, { status });
  }

  app.get('/posts/new', async (request, reply) => {
    authorize(request.user, 'app.use');
    const spaces = await postingSpaces(app.db, request.user);
    const asked = optionalId((request.query as Record<string, unknown>).space);
    if (asked !== null && !spaces.some((s) => s.id === asked)) {
      const refusal = await refusalToPostIn(request.user, asked);
      if (refusal) throw new Forbidden(refusal);
    }
    return renderComposerPage(request, reply, {
      spaces,
      selectedSpaceId: asked ?? spaces[0]?.id ?? null,
      values: {},
      errors: {},
      pending: [],
      next: null,
    });
  });

  // A reload of the page a refused post was shown again on.
  app.get('/posts', async (request, reply) => {
    authorize(request.user, 'app.use');
    return reply.redirectTo('/posts/new');
  });

  app.post('/posts', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    // Counted before the form is read (a flood is refused before its files are stored), given back
    // when the post is refused: only posts published count.
    const writing = await app.limiters.contentWritesPerUser.reserve(request, String(viewer.id));
    const read = await refundIfThrows(writing, readForm(request));
    let form = parseForm(PostForm, read.fields, request.t);
    const spaceId = optionalId(form.values.space);
    // The space may have become closed to the viewer while they typed: the composer comes back with
    // what they wrote (403), unless they may not even see the space any more (404).
    const refusal = spaceId !== null ? await refundIfThrows(writing, refusalToPostIn(viewer, spaceId)) : null;
    if (spaceId === null && form.values.space) form = withError(form, 'space', request.t('validation.choice'));
    const files = await refundIfThrows(writing, receiveAttachments(uploadContext(app, viewer.id), read, { field: 'files', purpose: 'file', t: request.t }));
    if (files.error) form = withError(form, 'files', files.error);
    const refuse = async (status: number, errors: FieldErrors, pending: AttachmentRef[], formError?: string) => {
      await writing.refund();
      const composer: Composer = {
        spaces: await postingSpaces(app.db, viewer),
        selectedSpaceId: spaceId,
        values: form.values,
        errors,
        pending,
        next: null,
        ...(formError ? { formError } : {}),
      };
      return renderComposerPage(request, reply, composer, status);
    };
    if (refusal) return refuse(403, form.ok ? {} : form.errors, files.pending, request.t(refusal));
    if (!form.ok) return refuse(422, form.errors, files.pending);
    let id: number;
    try {
      id = await publishPost(app.db, { spaceId: spaceId!, authorId: viewer.id, body: form.value.body, attachmentIds: files.ids });
    } catch (error) {
      if (!(error instanceof AttachmentsTaken)) {
        await writing.refund();
        throw error;
      }
      return refuse(409, { files: request.t('attachments.errors.taken') }, await stillPending(app.db, viewer.id, files.pending));
    }
    request.log.info({ contentId: id }, 'post published');
    await app.plugins.emit('content.created', { contentId: id, kind: postKind.kind, spaceId: spaceId!, authorId: viewer.id });
    reply.flash('posts.flash.published');
    return reply.redirectTo(safeNextPath(form.value.next, `/content/${id}`));
  });

  /** The post to edit: 404 unless the viewer sees it, 403 unless they wrote it. */
  async function postToEdit(viewer: Viewer | null, id: string): Promise<{ viewer: Viewer; subject: ContentSubject; post: PostForEdit }> {
    authorize(viewer, 'app.use');
    const subject = await visibleContentSubject(app, viewer, id, postKind.kind);
    authorize(viewer, 'content.edit', subject);
    const post = await findPostForEdit(app.db, subject.id);
    if (!post) throw new NotFound();
    return { viewer, subject, post };
  }

  function renderEditPage(
    request: FastifyRequest,
    reply: FastifyReply,
    page: { post: PostForEdit; values: Record<string, string>; errors: FieldErrors; pending: AttachmentRef[]; removing: number[] },
    status = 200,
  ) {
    return reply.render('posts/edit', { title: request.t('posts.edit.title'), ...page }, { status });
  }

  app.get<IdParams>('/posts/:id/edit', async (request, reply) => {
    const { post } = await postToEdit(request.user, request.params.id);
    return renderEditPage(request, reply, { post, values: { body: post.body }, errors: {}, pending: [], removing: [] });
  });

  app.post<IdParams>('/posts/:id/edit', async (request, reply) => {
    const { viewer, subject, post } = await postToEdit(request.user, request.params.id);
    const read = await readForm(request);
    let form = parseForm(EditForm, read.fields, request.t);
    const own = new Set(post.attachments.map((a) => a.id));
    const removing = claimedAttachmentIds(read.fields, 'removeAttachmentIds').filter((id) => own.has(id));
    const files = await receiveAttachments(uploadContext(app, viewer.id), read, { field: 'files', purpose: 'file', t: request.t });
    if (files.error) form = withError(form, 'files', files.error);
    if (!form.ok) {
      return renderEditPage(request, reply, { post, values: form.values, errors: form.errors, pending: files.pending, removing }, 422);
    }
    let removedFiles: string[];
    try {
      ({ removedFiles } = await updatePost(app.db, { contentId: post.contentId, actorId: viewer.id, body: form.value.body, attachmentIds: files.ids, removeAttachmentIds: removing }));
    } catch (error) {
      if (!(error instanceof AttachmentsTaken)) throw error;
      const pending = await stillPending(app.db, viewer.id, files.pending);
      return renderEditPage(request, reply, { post, values: form.values, errors: { files: request.t('attachments.errors.taken') }, pending, removing }, 409);
    }
    await removeStoredFiles(app.config.dataDir, removedFiles);
    await app.plugins.emit('content.updated', { contentId: post.contentId, kind: postKind.kind, spaceId: subject.space.id, editorId: viewer.id });
    reply.flash('posts.flash.saved');
    return reply.redirectTo(`/content/${post.contentId}`);
  });
}
