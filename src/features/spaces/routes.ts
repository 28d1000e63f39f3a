// /spaces: the directory, creating and editing a space, the space page (its feed and composer), its
// members, and every membership action. A private space is invisible to whoever may not see it:
// every URL naming it answers 404, as for an id that does not exist, except to a person it invited,
// who asked to join, or who holds its request link (request-link.ts), who see a preview.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appSecret } from '../../db/secrets.js';
import { NotFound } from '../../http/errors.js';
import { Field, parseForm, type FieldErrors } from '../../http/form.js';
import type { AttachmentRef } from '../../content/items.js';
import { readForm, type ReadForm } from '../../http/multipart.js';
import { idParam, single } from '../../http/params.js';
import { refundIfThrows } from '../../http/rate-limits.js';
import { isPartialRequest } from '../../http/render.js';
import { authorize, can, type Viewer } from '../../policy/index.js';
import { AttachmentsTaken, receiveAttachments, stillPending, uploadContext } from '../attachments/service.js';
import { removeStoredFiles } from '../attachments/storage.js';
import { listFeed } from '../feed/queries.js';
import {
  countActiveMembers,
  DIRECTORY_SECTIONS,
  findActivePerson,
  findCompanySpace,
  findInvitee,
  findPending,
  findSpace,
  findSpaceMember,
  listMyPending,
  listSpaceMembers,
  listSpacePending,
  listSpaces,
  type DirectorySection,
  type SpaceRow,
} from './queries.js';
import { RequestLinks } from './request-link.js';
import {
  acceptInvitation,
  approveRequest,
  cancelInvitation,
  cancelRequest,
  changeMemberRole,
  createSpace,
  declineInvitation,
  denyRequest,
  invite,
  joinOpenSpace,
  leaveSpace,
  removeMember,
  requestToJoin,
  updateSpace,
} from './service.js';
import { followButton } from '../notifications/follow-state.js';
import { composerActionLinks, spaceHeader } from '../../plugins/layout.js';

const NAME_MAX = 100;
const DESCRIPTION_MAX = 1000;
const VISIBILITIES = ['open', 'private'] as const;
const ROLES = ['admin', 'member'] as const;

const spaceFields = {
  name: Field.text({ max: NAME_MAX }),
  description: Field.optional(Field.text({ max: DESCRIPTION_MAX })),
};
const CreateForm = Type.Object({ ...spaceFields, visibility: Field.choice(VISIBILITIES) });
const EditForm = Type.Object({
  ...spaceFields,
  // The company space has no visibility to choose.
  visibility: Field.optional(Field.choice(VISIBILITIES)),
  confirmVisibility: Field.optional(Field.choice(['yes'])),
});
const InviteForm = Type.Object({ person: Field.text({ max: 254 }) });
const RoleForm = Type.Object({ role: Field.choice(ROLES) });

type IdParams = { Params: { id: string } };
type MemberParams = { Params: { id: string; userId: string } };

export default async function spacesRoutes(app: FastifyInstance) {
  const links = new RequestLinks(await appSecret(app.db, 'space-request-links'));

  /** A space the viewer may see; 404 otherwise, whether it exists or not. */
  async function visibleSpace(request: FastifyRequest, id: string): Promise<{ viewer: Viewer; space: SpaceRow }> {
    authorize(request.user, 'app.use');
    const space = await findSpace(app.db, idParam(id));
    if (!space || !can(request.user, 'space.view', space)) throw new NotFound();
    return { viewer: request.user, space };
  }

  /** A space whose membership the viewer manages (the company space's is everyone: nothing to manage). */
  async function managedSpace(request: FastifyRequest, id: string): Promise<{ viewer: Viewer; space: SpaceRow }> {
    const found = await visibleSpace(request, id);
    authorize(found.viewer, 'space.manage', found.space);
    if (found.space.visibility === 'company') throw new NotFound();
    return found;
  }

  /**
   * A space the viewer may see, or one they were invited to, asked to join or hold the request link
   * of (the only ways someone outside a private space learns its name). 404 for anything else.
   */
  async function reachableSpace(request: FastifyRequest, id: string, key?: unknown) {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const space = await findSpace(app.db, idParam(id));
    if (!space) throw new NotFound();
    const pending = await findPending(app.db, space.id, viewer.id);
    const visible = can(viewer, 'space.view', space);
    const keyed = links.matches(space.id, key);
    if (!visible && !pending && !keyed) throw new NotFound();
    return { viewer, space, pending, visible, keyed };
  }

  /** The image field of a space form: a new upload, or the one kept from a refused form (images only). */
  function receiveImage(request: FastifyRequest, viewer: Viewer, form: ReadForm) {
    return receiveAttachments(uploadContext(app, viewer.id), form, { field: 'image', idsName: 'imageIds', purpose: 'space-image', imagesOnly: true, t: request.t });
  }

  /** The picker of views/attachments/picker.eta for the space image. */
  const imagePicker = (request: FastifyRequest, pending: AttachmentRef[]) => ({ name: 'image', idsName: 'imageIds', imagesOnly: true, pending, label: request.t('spaces.form.image') });

  // ---- The directory ------------------------------------------------------------------------------

  app.get('/spaces', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const query = request.query as Record<string, unknown>;
    const only = DIRECTORY_SECTIONS.find((s) => s === query.section) ?? null;
    const sections: readonly DirectorySection[] = only ? [only] : DIRECTORY_SECTIONS;
    const after = only ? single(query.after) : null;
    const company = only ? null : await findCompanySpace(app.db);
    const invitationsAfter = single(query.invitationsAfter);
    const requestsAfter = single(query.requestsAfter);
    const noPending = { rows: [], next: null };
    const [companyCount, invitations, requests, ...pages] = await Promise.all([
      company ? countActiveMembers(app.db, [company.id]).then((counts) => counts.get(company.id) ?? 0) : 0,
      only ? noPending : listMyPending(app.db, viewer.id, 'invitation', invitationsAfter),
      only ? noPending : listMyPending(app.db, viewer.id, 'request', requestsAfter),
      ...sections.map((section) => listSpaces(app.db, viewer, section, after)),
    ]);
    return reply.render('spaces/index', {
      title: request.t('spaces.directory.title'),
      only,
      after,
      company: company ? { ...company, memberCount: companyCount } : null,
      invitations: invitations.rows,
      invitationsNext: invitations.next,
      invitationsAfter,
      requests: requests.rows,
      requestsNext: requests.next,
      requestsAfter,
      sections: sections.map((section, index) => ({ section, page: pages[index]! })),
    });
  });

  // ---- Creating and editing -----------------------------------------------------------------------

  app.get('/spaces/new', async (request, reply) => {
    authorize(request.user, 'space.create');
    return reply.render('spaces/new', { title: request.t('spaces.form.newTitle'), values: { visibility: 'open' }, errors: {}, picker: imagePicker(request, []) });
  });

  app.post('/spaces/new', async (request, reply) => {
    authorize(request.user, 'space.create');
    const viewer = request.user;
    // Counted before the form is read (a flood is refused before its image is stored), given back
    // when the form is refused: only spaces created count.
    const creation = await app.limiters.spaceCreationsPerUser.reserve(request, String(viewer.id));
    const received = await refundIfThrows(creation, readForm(request));
    const image = await refundIfThrows(creation, receiveImage(request, viewer, received));
    const form = parseForm(CreateForm, received.fields, request.t);
    const renderRefused = (errors: FieldErrors, pending: AttachmentRef[], status: number) =>
      reply.render(
        'spaces/new',
        { title: request.t('spaces.form.newTitle'), values: form.values, errors, picker: imagePicker(request, pending) },
        { status, keepUrl: true },
      );
    if (!form.ok || image.error) {
      await creation.refund();
      return renderRefused({ ...(form.ok ? {} : form.errors), ...(image.error ? { image: image.error } : {}) }, image.pending, 422);
    }
    let id: number;
    try {
      id = await createSpace(app.db, viewer.id, { ...form.value, description: form.value.description ?? '', imageIds: image.ids });
    } catch (error) {
      await creation.refund();
      if (!(error instanceof AttachmentsTaken)) throw error;
      const pending = await stillPending(app.db, viewer.id, image.pending);
      return renderRefused({ image: request.t('attachments.errors.taken') }, pending, 409);
    }
    reply.flash('spaces.flash.created', { name: form.value.name });
    return reply.redirectTo(`/spaces/${id}`);
  });

  app.get<IdParams>('/spaces/:id/edit', async (request, reply) => {
    const { viewer, space } = await visibleSpace(request, request.params.id);
    authorize(viewer, 'space.manage', space);
    const values: Record<string, string> = { name: space.name, description: space.description };
    if (space.visibility !== 'company') values.visibility = space.visibility;
    return reply.render('spaces/edit', {
      ...(await spaceHeader(app, request, space, 'edit')),
      title: request.t('spaces.form.editTitle', { name: space.name }),
      values,
      errors: {},
      picker: imagePicker(request, []),
    });
  });

  app.post<IdParams>('/spaces/:id/edit', async (request, reply) => {
    const { viewer, space } = await visibleSpace(request, request.params.id);
    authorize(viewer, 'space.manage', space);
    const received = await readForm(request);
    const image = await receiveImage(request, viewer, received);
    const form = parseForm(EditForm, received.fields, request.t);
    const errors: FieldErrors = { ...(form.ok ? {} : form.errors), ...(image.error ? { image: image.error } : {}) };
    // The company space keeps its visibility; another space keeps its own unless the form says otherwise.
    const visibility = space.visibility === 'company' ? undefined : (form.ok && form.value.visibility) || space.visibility;
    // Changing who may see a space is asked twice: the form comes back explaining what it will do.
    const visibilityChanges = form.ok && visibility !== undefined && visibility !== space.visibility;
    if (visibilityChanges && form.value.confirmVisibility !== 'yes') {
      errors.confirmVisibility = request.t(`spaces.form.confirmVisibility.${visibility}.required`);
    }
    if (!form.ok || Object.keys(errors).length > 0) {
      return reply.render(
        'spaces/edit',
        {
          ...(await spaceHeader(app, request, space, 'edit')),
          title: request.t('spaces.form.editTitle', { name: space.name }),
          values: form.values,
          errors,
          picker: imagePicker(request, image.pending),
          confirmFor: visibilityChanges ? visibility : null,
        },
        { status: 422, keepUrl: true },
      );
    }
    let replaced: string[];
    try {
      replaced = await updateSpace(app.db, viewer.id, space, {
        name: form.value.name,
        description: form.value.description ?? '',
        ...(visibility ? { visibility } : {}),
        imageIds: image.ids,
      });
    } catch (error) {
      if (!(error instanceof AttachmentsTaken)) throw error;
      return reply.render(
        'spaces/edit',
        {
          ...(await spaceHeader(app, request, space, 'edit')),
          title: request.t('spaces.form.editTitle', { name: space.name }),
          values: form.values,
          errors: { image: request.t('attachments.errors.taken') },
          picker: imagePicker(request, await stillPending(app.db, viewer.id, image.pending)),
          confirmFor: null,
        },
        { status: 409, keepUrl: true },
      );
    }
    await removeStoredFiles(app.config.dataDir, replaced);
    if (!visibilityChanges) reply.flash('spaces.flash.saved', { name: form.value.name });
    else reply.flash(visibility === 'private' ? 'spaces.flash.savedNow.private' : 'spaces.flash.savedNow.open', { name: form.value.name });
    return reply.redirectTo(`/spaces/${space.id}`);
  });

  // ---- The space page and its members -------------------------------------------------------------

  app.get<IdParams>('/spaces/:id', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const { viewer, space, pending, visible, keyed } = await reachableSpace(request, request.params.id, query.key);
    if (!visible) {
      // Invited, asked to join, or holding the request link: the name and description, nothing more.
      return reply.render('spaces/preview', {
        title: space.name,
        space,
        pending,
        requestKey: keyed && !pending ? links.keyFor(space.id) : null,
      });
    }
    const after = single(query.after) ?? undefined;
    // The next cards for infinite scroll go in place of the list's "more" element: nothing else is needed.
    const continuation = after !== undefined && isPartialRequest(request);
    const [feed, header] = await Promise.all([
      listFeed(app, viewer, { spaceId: space.id, ...(after ? { after } : {}) }),
      continuation ? null : spaceHeader(app, request, space, 'feed'),
    ]);
    const list = { items: feed.items, next: feed.next, moreUrl: `/spaces/${space.id}`, continuation, emptyMessage: request.t('spaces.page.empty') };
    if (continuation || !header) return reply.render('content/list', list);
    return reply.render('spaces/show', {
      ...list,
      ...header,
      title: space.name,
      follow: await followButton(app, viewer.id, { kind: 'space', id: space.id }),
      composer: can(viewer, 'space.post', space)
        ? { spaces: [{ id: space.id, name: space.name }], selectedSpaceId: space.id, values: {}, errors: {}, pending: [], actions: composerActionLinks(app, request, space) }
        : null,
    });
  });

  async function renderMembers(
    request: FastifyRequest,
    reply: FastifyReply,
    viewer: Viewer,
    space: SpaceRow,
    form: { values?: Record<string, string>; errors?: FieldErrors; status?: number } = {},
  ) {
    const query = request.query as Record<string, unknown>;
    const manages = can(viewer, 'space.manage', space) && space.visibility !== 'company';
    const get = request.method === 'GET';
    const after = get ? single(query.after) : null;
    const requestsAfter = get ? single(query.requestsAfter) : null;
    const invitationsAfter = get ? single(query.invitationsAfter) : null;
    const noPending = { rows: [], next: null };
    const [page, requests, invitations, header] = await Promise.all([
      listSpaceMembers(app.db, space, after),
      manages ? listSpacePending(app.db, space.id, 'request', requestsAfter) : noPending,
      manages ? listSpacePending(app.db, space.id, 'invitation', invitationsAfter) : noPending,
      spaceHeader(app, request, space, 'members'),
    ]);
    return reply.render(
      'spaces/members',
      {
        ...header,
        title: request.t('spaces.members.title', { name: space.name }),
        members: page.rows,
        after,
        next: page.next,
        manages,
        requests: requests.rows,
        requestsNext: requests.next,
        requestsAfter,
        invitations: invitations.rows,
        invitationsNext: invitations.next,
        invitationsAfter,
        requestLink: manages && space.visibility === 'private' ? app.config.publicUrl.replace(/\/$/, '') + links.pathFor(space.id) : null,
        values: form.values ?? {},
        errors: form.errors ?? {},
      },
      { status: form.status ?? 200, ...(request.method === 'GET' ? {} : { keepUrl: true }) },
    );
  }

  app.get<IdParams>('/spaces/:id/members', async (request, reply) => {
    const { viewer, space } = await visibleSpace(request, request.params.id);
    return renderMembers(request, reply, viewer, space);
  });

  // ---- Joining and leaving ------------------------------------------------------------------------

  app.post<IdParams>('/spaces/:id/join', async (request, reply) => {
    const { viewer, space } = await visibleSpace(request, request.params.id);
    // A second click (or a second tab) finds the person already in: say so rather than refuse.
    if (space.visibility === 'open' && viewer.spaceRoles.has(space.id)) {
      reply.flash('spaces.flash.alreadyMember', { name: space.name });
      return reply.redirectTo(`/spaces/${space.id}`);
    }
    authorize(viewer, 'space.join', space);
    const result = await joinOpenSpace(app.db, space.id, viewer.id);
    if (result === 'notOpen') reply.flash('spaces.flash.notOpen', { name: space.name }, 'error');
    else reply.flash(result === 'joined' ? 'spaces.flash.joined' : 'spaces.flash.alreadyMember', { name: space.name });
    return reply.redirectTo(`/spaces/${space.id}`);
  });

  app.post<IdParams>('/spaces/:id/leave', async (request, reply) => {
    const { viewer, space } = await visibleSpace(request, request.params.id);
    authorize(viewer, 'space.leave', space);
    const result = await leaveSpace(app.db, space.id, viewer.id);
    if (result === 'lastAdmin') {
      reply.flash('spaces.flash.lastAdminLeave', { name: space.name }, 'error');
      return reply.redirectTo(`/spaces/${space.id}`);
    }
    reply.flash('spaces.flash.left', { name: space.name });
    return reply.redirectTo('/spaces');
  });

  app.post<IdParams>('/spaces/:id/request', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { viewer, space, pending } = await reachableSpace(request, request.params.id, body.key);
    authorize(viewer, 'space.requestJoin', space);
    if (pending === 'invitation') {
      reply.flash('spaces.flash.alreadyInvited', { name: space.name }, 'info');
      return reply.redirectTo(`/spaces/${space.id}`);
    }
    // Only requests actually sent count: asking again for one already waiting is not limited.
    const sending = pending === 'request' ? null : await app.limiters.joinRequestsPerUser.reserve(request, String(viewer.id));
    const asking = requestToJoin(app.db, space.id, viewer.id);
    const result = sending ? await refundIfThrows(sending, asking) : await asking;
    if (result !== 'requested') await sending?.refund();
    reply.flash(result === 'requested' ? 'spaces.flash.requested' : 'spaces.flash.requestPending', { name: space.name }, result === 'requested' ? 'success' : 'info');
    return reply.redirectTo(`/spaces/${space.id}`);
  });

  app.post<IdParams>('/spaces/:id/request/cancel', async (request, reply) => {
    const { viewer, space, visible } = await reachableSpace(request, request.params.id);
    const cancelled = await cancelRequest(app.db, space.id, viewer.id);
    if (!cancelled && !visible) throw new NotFound();
    if (cancelled) reply.flash('spaces.flash.requestCancelled', { name: space.name });
    return reply.redirectTo(visible ? `/spaces/${space.id}` : '/spaces');
  });

  app.post<IdParams>('/spaces/:id/invitation/accept', async (request, reply) => {
    const { viewer, space, visible } = await reachableSpace(request, request.params.id);
    if (!(await acceptInvitation(app.db, space.id, viewer.id))) {
      if (!visible) throw new NotFound();
      reply.flash('spaces.flash.noInvitation', { name: space.name }, 'error');
      return reply.redirectTo(`/spaces/${space.id}`);
    }
    reply.flash('spaces.flash.joined', { name: space.name });
    return reply.redirectTo(`/spaces/${space.id}`);
  });

  app.post<IdParams>('/spaces/:id/invitation/decline', async (request, reply) => {
    const { viewer, space, visible } = await reachableSpace(request, request.params.id);
    if (!(await declineInvitation(app.db, space.id, viewer.id))) {
      if (!visible) throw new NotFound();
      reply.flash('spaces.flash.noInvitation', { name: space.name }, 'error');
      return reply.redirectTo(`/spaces/${space.id}`);
    }
    reply.flash('spaces.flash.declined', { name: space.name });
    return reply.redirectTo('/spaces');
  });

  // ---- What managers do ---------------------------------------------------------------------------

  app.post<MemberParams>('/spaces/:id/requests/:userId/approve', async (request, reply) => {
    const { viewer, space } = await managedSpace(request, request.params.id);
    const person = await findActivePerson(app.db, idParam(request.params.userId));
    if (person && (await approveRequest(app.db, viewer.id, space.id, person.id))) {
      reply.flash('spaces.flash.approved', { name: person.name, space: space.name });
    } else {
      reply.flash('spaces.flash.noRequest', undefined, 'error');
    }
    return reply.redirectTo(`/spaces/${space.id}/members`);
  });

  app.post<MemberParams>('/spaces/:id/requests/:userId/deny', async (request, reply) => {
    const { space } = await managedSpace(request, request.params.id);
    const person = await findActivePerson(app.db, idParam(request.params.userId));
    if (person && (await denyRequest(app.db, space.id, person.id))) reply.flash('spaces.flash.denied', { name: person.name });
    else reply.flash('spaces.flash.noRequest', undefined, 'error');
    return reply.redirectTo(`/spaces/${space.id}/members`);
  });

  app.post<IdParams>('/spaces/:id/invitations', async (request, reply) => {
    const { viewer, space } = await managedSpace(request, request.params.id);
    const form = parseForm(InviteForm, request.body, request.t);
    if (!form.ok) return renderMembers(request, reply, viewer, space, { values: form.values, errors: form.errors, status: 422 });
    const lookup = await findInvitee(app.db, form.value.person);
    if (!lookup.ok) {
      const errors = { person: request.t(`spaces.invite.${lookup.problem}`, { person: form.value.person }) };
      return renderMembers(request, reply, viewer, space, { values: form.values, errors, status: 422 });
    }
    const result = await invite(app.db, viewer.id, space.id, lookup.person.id);
    if (result === 'alreadyMember' || result === 'alreadyInvited') {
      const errors = { person: request.t(`spaces.invite.${result}`, { name: lookup.person.name }) };
      return renderMembers(request, reply, viewer, space, { values: form.values, errors, status: 422 });
    }
    reply.flash(result === 'invited' ? 'spaces.flash.invited' : 'spaces.flash.approved', { name: lookup.person.name, space: space.name });
    return reply.redirectTo(`/spaces/${space.id}/members`);
  });

  app.post<MemberParams>('/spaces/:id/invitations/:userId/cancel', async (request, reply) => {
    const { space } = await managedSpace(request, request.params.id);
    const userId = idParam(request.params.userId);
    if (await cancelInvitation(app.db, space.id, userId)) reply.flash('spaces.flash.invitationCancelled');
    else reply.flash('spaces.flash.noInvitationToCancel', undefined, 'error');
    return reply.redirectTo(`/spaces/${space.id}/members`);
  });

  app.post<MemberParams>('/spaces/:id/members/:userId/remove', async (request, reply) => {
    const { viewer, space } = await managedSpace(request, request.params.id);
    const member = await findSpaceMember(app.db, space.id, idParam(request.params.userId));
    if (!member) throw new NotFound();
    const result = await removeMember(app.db, viewer.id, space.id, member);
    if (result === 'lastAdmin') reply.flash('spaces.flash.lastAdminRemove', { name: member.name }, 'error');
    else reply.flash('spaces.flash.removed', { name: member.name, space: space.name });
    // Whoever removed themselves from a private space may no longer see it.
    const withoutIt = { ...viewer, spaceRoles: new Map([...viewer.spaceRoles].filter(([id]) => id !== space.id)) };
    const seesAfter = member.id !== viewer.id || result !== 'done' || can(withoutIt, 'space.view', space);
    return reply.redirectTo(seesAfter ? `/spaces/${space.id}/members` : '/spaces');
  });

  app.post<MemberParams>('/spaces/:id/members/:userId/role', async (request, reply) => {
    const { viewer, space } = await managedSpace(request, request.params.id);
    const member = await findSpaceMember(app.db, space.id, idParam(request.params.userId));
    if (!member) throw new NotFound();
    const form = parseForm(RoleForm, request.body, request.t);
    if (!form.ok) {
      reply.flash('spaces.flash.invalidRole', undefined, 'error');
      return reply.redirectTo(`/spaces/${space.id}/members`);
    }
    const result = await changeMemberRole(app.db, viewer.id, space.id, member, form.value.role);
    if (result === 'lastAdmin') reply.flash('spaces.flash.lastAdminDemote', { name: member.name }, 'error');
    else if (result === 'notMember') throw new NotFound();
    else reply.flash('spaces.flash.roleChanged', { name: member.name, role: request.t(`spaces.roles.${form.value.role}`) });
    return reply.redirectTo(`/spaces/${space.id}/members`);
  });
}
