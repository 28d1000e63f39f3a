// The links plugin's pages, mounted under /links (404 while the plugin is disabled): every link the
// viewer may see (/links), a space's links (its "Links" tab), adding and editing a link. Deleting one
// is the core's (/content/:id/delete, from the link's actions menu), like any content item. Each
// handler parses, asks the policy, calls the service, renders, as the core's routes do.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { visibleContentSubject } from '../../src/content/subjects.js';
import { Forbidden, NotFound } from '../../src/http/errors.js';
import { Field, parseForm, withError, type FieldErrors } from '../../src/http/form.js';
import { idParam, optionalId, single } from '../../src/http/params.js';
import { refundIfThrows } from '../../src/http/rate-limits.js';
import { isPartialRequest } from '../../src/http/render.js';
import { listFeed } from '../../src/features/feed/queries.js';
import { findSpace, type SpaceRow } from '../../src/features/spaces/queries.js';
import type { PluginContext } from '../../src/plugins/contract.js';
import { spaceHeader } from '../../src/plugins/layout.js';
import { authorize, can, type Viewer } from '../../src/policy/index.js';
import { DESCRIPTION_MAX, KIND, TITLE_MAX, URL_MAX } from './kind.js';
import { addLink, findLink, updateLink } from './service.js';
import { checkUrl } from './url.js';

const LinkFields = {
  title: Field.text({ max: TITLE_MAX }),
  url: Field.text({ max: URL_MAX }),
  description: Field.optional(Field.text({ max: DESCRIPTION_MAX })),
};
// The space comes with the form as a hidden field (`space`), read apart: it decides who may add.
const LinkForm = Type.Object(LinkFields);

type IdParams = { Params: { id: string } };
type SpaceParams = { Params: { spaceId: string } };

/** What views/form.eta reads. */
interface FormPage {
  space: SpaceRow;
  values: Record<string, string>;
  errors: FieldErrors;
  /** Editing: the link's content id. */
  contentId?: number;
  /** Why the whole form was refused, above its fields. */
  formError?: string;
}

export default async function linksRoutes(app: FastifyInstance, plugin: PluginContext): Promise<void> {
  const perPage = () => Number(plugin.settings().linksPerPage);

  /** A space the viewer may see, where links are on: 404 otherwise, whether it exists or not. */
  async function linkSpace(viewer: Viewer, spaceId: number | null): Promise<SpaceRow> {
    const space = spaceId === null ? undefined : await findSpace(app.db, spaceId);
    if (!space || !can(viewer, 'space.view', space)) throw new NotFound();
    plugin.requireSpace(space.id);
    return space;
  }

  /** Why the viewer may not add a link in this space (a message key), or null when they may. */
  function refusalToAdd(viewer: Viewer, space: SpaceRow): string | null {
    if (!can(viewer, 'space.post', space)) return space.visibility === 'company' ? 'plugins.links.errors.companyReserved' : 'plugins.links.errors.notMember';
    // The setting keeps adding links to the space's admins (and the organisation's).
    if (plugin.settings().membersMayAdd !== true && !can(viewer, 'space.manage', space)) return 'plugins.links.errors.adminsOnly';
    return null;
  }

  function renderForm(request: FastifyRequest, reply: FastifyReply, page: FormPage, status = 200) {
    const editing = page.contentId !== undefined;
    const title = request.t(editing ? 'plugins.links.form.editTitle' : 'plugins.links.form.newTitle', { space: page.space.name });
    return reply.render('/plugins/links/form', { title, ...page }, { status, ...(request.method === 'GET' ? {} : { keepUrl: true }) });
  }

  /** The fields checked, the address included: the values to store, or the form with its errors. */
  function readLink(request: FastifyRequest, body: unknown) {
    const form = parseForm(LinkForm, body, request.t);
    const typedUrl = form.values.url ?? '';
    const url = typedUrl ? checkUrl(typedUrl) : null;
    const checked = url && !url.ok ? withError(form, 'url', request.t(`plugins.links.errors.url.${url.problem}`)) : form;
    if (!checked.ok || !url || !url.ok) return { ok: false as const, form: checked };
    return {
      ok: true as const,
      form: checked,
      link: { title: checked.value.title, url: url.url, host: url.host, description: checked.value.description ?? '' },
    };
  }

  // ---- Lists ----------------------------------------------------------------------------------------

  // Every link the viewer may see, newest first; ?author= for one person's (the profile section's "all").
  app.get('/', async (request, reply) => {
    authorize(request.user, 'app.use');
    const query = request.query as Record<string, unknown>;
    const after = single(query.after) ?? undefined;
    const authorId = optionalId(query.author);
    const feed = await listFeed(app, request.user, { kind: KIND, limit: perPage(), ...(authorId !== null ? { authorId } : {}), ...(after ? { after } : {}) });
    const moreUrl = authorId !== null ? `/links?author=${authorId}` : '/links';
    // Cards' titles are h2 under the page's h1.
    const list = { items: feed.items, next: feed.next, moreUrl, headingLevel: 2, emptyMessage: request.t('plugins.links.list.empty') };
    if (after && isPartialRequest(request)) return reply.render('content/list', { ...list, continuation: true });
    return reply.render('/plugins/links/index', { ...list, title: request.t('plugins.links.list.title') });
  });

  // The space's "Links" tab: its header and tabs, "Add a link", its links newest first.
  app.get<SpaceParams>('/spaces/:spaceId', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const space = await linkSpace(viewer, idParam(request.params.spaceId));
    const after = single((request.query as Record<string, unknown>).after) ?? undefined;
    const feed = await listFeed(app, viewer, { spaceId: space.id, kind: KIND, limit: perPage(), ...(after ? { after } : {}) });
    const list = { items: feed.items, next: feed.next, moreUrl: `/links/spaces/${space.id}`, emptyMessage: request.t('plugins.links.space.empty') };
    if (after && isPartialRequest(request)) return reply.render('content/list', { ...list, continuation: true });
    return reply.render('/plugins/links/space', {
      ...list,
      // What views/spaces/space-header.eta needs: the space, its member count, the viewer's role, its tabs.
      ...(await spaceHeader(app, request, space, 'links')),
      title: request.t('plugins.links.space.title', { space: space.name }),
      mayAdd: refusalToAdd(viewer, space) === null,
    });
  });

  // ---- Adding ---------------------------------------------------------------------------------------

  app.get('/new', async (request, reply) => {
    authorize(request.user, 'app.use');
    const space = await linkSpace(request.user, optionalId((request.query as Record<string, unknown>).space));
    const refusal = refusalToAdd(request.user, space);
    if (refusal) throw new Forbidden(refusal);
    return renderForm(request, reply, { space, values: {}, errors: {} });
  });

  app.post('/new', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const space = await linkSpace(viewer, optionalId(body.space));
    const writing = await app.limiters.contentWritesPerUser.reserve(request, String(viewer.id));
    const read = readLink(request, body);
    const values = { ...read.form.values, space: String(space.id) };
    // Refused in the space meanwhile (left it, the setting changed): what was typed comes back.
    const refusal = refusalToAdd(viewer, space);
    if (refusal || !read.ok) {
      await writing.refund();
      const errors = read.ok ? {} : read.form.ok ? {} : read.form.errors;
      return renderForm(request, reply, { space, values, errors, ...(refusal ? { formError: request.t(refusal) } : {}) }, refusal ? 403 : 422);
    }
    const id = await refundIfThrows(writing, addLink(app.db, { ...read.link, spaceId: space.id, authorId: viewer.id }));
    request.log.info({ contentId: id }, 'link shared');
    await app.plugins.emit('content.created', { contentId: id, kind: KIND, spaceId: space.id, authorId: viewer.id });
    reply.flash('plugins.links.flash.added');
    return reply.redirectTo(`/links/spaces/${space.id}`);
  });

  // ---- Editing --------------------------------------------------------------------------------------

  /** The link to edit: 404 unless the viewer sees it (and links are on in its space), 403 unless they may edit it. */
  async function linkToEdit(request: FastifyRequest<IdParams>) {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const subject = await visibleContentSubject(app, viewer, request.params.id, KIND);
    plugin.requireSpace(subject.space.id);
    authorize(viewer, 'content.edit', subject);
    const [space, link] = await Promise.all([findSpace(app.db, subject.space.id), findLink(app.db, subject.id)]);
    if (!space || !link) throw new NotFound();
    return { viewer, subject, space, link };
  }

  app.get<IdParams>('/:id/edit', async (request, reply) => {
    const { subject, space, link } = await linkToEdit(request);
    return renderForm(request, reply, { space, contentId: subject.id, values: { title: link.title, url: link.url, description: link.description }, errors: {} });
  });

  app.post<IdParams>('/:id/edit', async (request, reply) => {
    const { viewer, subject, space } = await linkToEdit(request);
    const read = readLink(request, request.body);
    if (!read.ok) return renderForm(request, reply, { space, contentId: subject.id, values: read.form.values, errors: read.form.ok ? {} : read.form.errors }, 422);
    await updateLink(app.db, subject.id, read.link);
    await app.plugins.emit('content.updated', { contentId: subject.id, kind: KIND, spaceId: subject.space.id, editorId: viewer.id });
    reply.flash('plugins.links.flash.saved');
    return reply.redirectTo(`/content/${subject.id}`);
  });
}
