// Posts: the composer's page (/posts/new), publishing (POST /posts) and editing (/posts/:id/edit).
// Registers the 'post' content kind. Each handler parses, asks the policy, calls the service, renders.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AttachmentRef } from '../../content/items.js';
import { loadContentSubject } from '../../content/subjects.js';
import { Forbidden, NotFound } from '../../http/errors.js';
import { Field, parseForm, withError, type FieldErrors } from '../../http/form.js';
import { readForm } from '../../http/multipart.js';
import { idParam } from '../../http/params.js';
import { safeNextPath } from '../../http/redirects.js';
import { authorize, can, type ContentSubject, type Viewer } from '../../policy/index.js';
import { claimedAttachmentIds, receiveAttachments, uploadContext } from '../attachments/service.js';
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
}

const spaceIdOf = (value: unknown): number | null => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : null);

export default async function postsRoutes(app: FastifyInstance) {
  app.contentKinds.register(postKind);

  /**
   * The space a post goes to: 404 when the viewer may not know it exists, 403 when they see it but
   * may not post there (the company space, when the organisation keeps it to editors).
   */
  async function spaceToPostIn(viewer: Viewer, spaceId: number) {
    const space = await findSpace(app.db, spaceId);
    if (!space || !can(viewer, 'space.view', space)) throw new NotFound();
    if (!can(viewer, 'space.post', space)) {
      throw new Forbidden(space.visibility === 'company' ? 'posts.errors.companyReserved' : 'posts.errors.notMember');
    }
    return space;
  }

  function renderComposerPage(request: FastifyRequest, reply: FastifyReply, composer: Composer, status = 200) {
    return reply.render('posts/new', { title: request.t('posts.new.title'), composer }, { status });
  }

  app.get('/posts/new', async (request, reply) => {
    authorize(request.user, 'app.use');
    const spaces = await postingSpaces(app.db, request.user);
    const asked = spaceIdOf((request.query as Record<string, unknown>).space);
    if (asked !== null && !spaces.some((s) => s.id === asked)) await spaceToPostIn(request.user, asked);
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
    const read = await readForm(request);
    let form = parseForm(PostForm, read.fields, request.t);
    const spaceId = spaceIdOf(form.values.space);
    if (spaceId !== null) await spaceToPostIn(viewer, spaceId);
    else if (form.values.space) form = withError(form, 'space', request.t('validation.choice'));
    const files = await receiveAttachments(uploadContext(app, viewer.id), read, { field: 'files', purpose: 'file', t: request.t });
    if (files.error) form = withError(form, 'files', files.error);
    if (!form.ok) {
      const composer: Composer = {
        spaces: await postingSpaces(app.db, viewer),
        selectedSpaceId: spaceId,
        values: form.values,
        errors: form.errors,
        pending: files.pending,
        next: null,
      };
      return renderComposerPage(request, reply, composer, 422);
    }
    const id = await publishPost(app.db, { spaceId: spaceId!, authorId: viewer.id, body: form.value.body, attachmentIds: files.ids });
    request.log.info({ contentId: id }, 'post published');
    reply.flash('posts.flash.published');
    return reply.redirectTo(safeNextPath(form.value.next, `/content/${id}`));
  });

  /** The post to edit: 404 unless the viewer sees it, 403 unless they wrote it. */
  async function postToEdit(viewer: Viewer | null, id: string): Promise<{ viewer: Viewer; subject: ContentSubject; post: PostForEdit }> {
    authorize(viewer, 'app.use');
    const subject = await loadContentSubject(app.db, idParam(id));
    if (!subject || subject.kind !== postKind.kind || !can(viewer, 'content.view', subject)) throw new NotFound();
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
    const { viewer, post } = await postToEdit(request.user, request.params.id);
    const read = await readForm(request);
    let form = parseForm(EditForm, read.fields, request.t);
    const own = new Set(post.attachments.map((a) => a.id));
    const removing = claimedAttachmentIds(read.fields, 'removeAttachmentIds').filter((id) => own.has(id));
    const files = await receiveAttachments(uploadContext(app, viewer.id), read, { field: 'files', purpose: 'file', t: request.t });
    if (files.error) form = withError(form, 'files', files.error);
    if (!form.ok) {
      return renderEditPage(request, reply, { post, values: form.values, errors: form.errors, pending: files.pending, removing }, 422);
    }
    const { removedFiles } = await updatePost(app.db, { contentId: post.contentId, actorId: viewer.id, body: form.value.body, attachmentIds: files.ids, removeAttachmentIds: removing });
    await removeStoredFiles(app.config.dataDir, removedFiles);
    reply.flash('posts.flash.saved');
    return reply.redirectTo(`/content/${post.contentId}`);
  });
}
