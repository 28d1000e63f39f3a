// /spaces/:id/features: a space's admins switch off (or on again) in their space the enabled plugins
// that allow it (`perSpace`). As for the space's other admin pages: a space the viewer may not see
// answers 404, one they see but do not administer 403. The runtime audits every switch.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFound } from '../../http/errors.js';
import { Field, parseForm, type FieldErrors } from '../../http/form.js';
import { idParam } from '../../http/params.js';
import { authorize, can, type Viewer } from '../../policy/index.js';
import { spaceHeader } from '../../plugins/layout.js';
import { findSpace, type SpaceRow } from '../spaces/queries.js';

type IdParams = { Params: { id: string } };

const SwitchForm = Type.Object({ plugin: Field.text({ max: 40 }), state: Field.choice(['on', 'off'] as const) });

export default async function spaceFeatureRoutes(app: FastifyInstance) {
  /** A space the viewer administers: 404 when they may not see it, 403 when they see it only. */
  async function administeredSpace(request: FastifyRequest, id: string): Promise<{ viewer: Viewer; space: SpaceRow }> {
    authorize(request.user, 'app.use');
    const space = await findSpace(app.db, idParam(id));
    if (!space || !can(request.user, 'space.view', space)) throw new NotFound();
    authorize(request.user, 'space.manage', space);
    return { viewer: request.user, space };
  }

  /** The plugins that can be switched in a space: enabled, and declaring `perSpace`. */
  const switchable = () => app.plugins.list().filter((info) => info.status === 'enabled' && info.spaceSwitch);

  async function render(request: FastifyRequest, reply: FastifyReply, space: SpaceRow, form: { errors?: FieldErrors; status?: number } = {}) {
    const header = await spaceHeader(app, request, space, 'features');
    const locale = request.locale;
    return reply.render(
      'plugins-admin/space-features',
      {
        ...header,
        title: request.t('pluginsAdmin.space.title', { name: space.name }),
        features: switchable().map((info) => {
          const name = info.definition!.name[locale];
          const on = app.plugins.enabledIn(info.id, space.id);
          return {
            id: info.id,
            name,
            description: info.definition!.description[locale],
            on,
            button: on ? request.t('pluginsAdmin.space.switchOff', { name }) : request.t('pluginsAdmin.space.switchOn', { name }),
          };
        }),
        errors: form.errors ?? {},
      },
      { status: form.status ?? 200, ...(request.method === 'GET' ? {} : { keepUrl: true }) },
    );
  }

  app.get<IdParams>('/spaces/:id/features', async (request, reply) => {
    const { space } = await administeredSpace(request, request.params.id);
    return render(request, reply, space);
  });

  app.post<IdParams>('/spaces/:id/features', async (request, reply) => {
    const { viewer, space } = await administeredSpace(request, request.params.id);
    const form = parseForm(SwitchForm, request.body, request.t);
    const plugin = form.ok ? switchable().find((info) => info.id === form.value.plugin) : undefined;
    if (!form.ok || !plugin) {
      return render(request, reply, space, { errors: { features: request.t('pluginsAdmin.space.unknown') }, status: 422 });
    }
    const on = form.value.state === 'on';
    const result = await app.plugins.setSpaceSwitch(plugin.id, space.id, on, viewer.id);
    if (!result.ok) return render(request, reply, space, { errors: { features: request.t('pluginsAdmin.space.unknown') }, status: 422 });
    const name = plugin.definition!.name[request.locale];
    reply.flash(on ? 'pluginsAdmin.flash.spaceOn' : 'pluginsAdmin.flash.spaceOff', { name, space: space.name });
    return reply.redirectTo(`/spaces/${space.id}/features`);
  });
}
