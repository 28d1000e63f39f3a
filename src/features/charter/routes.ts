// The usage charter: /charter (read and accept), /admin/charter (write and publish a new version,
// see acceptance counts), and the gate that sends whoever has not accepted the current version to it.
// Wrapped with fastify-plugin so that the gate's preHandler covers every route of Hameau.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Field, parseForm, type FieldErrors } from '../../http/form.js';
import { safeNextPath } from '../../http/redirects.js';
import { authorize } from '../../policy/index.js';
import { CharterState, charterGate } from './gate.js';
import { acceptedAt, currentCharter, listVersions } from './queries.js';
import { acceptCharter, CHARTER_MAX, publishCharter } from './service.js';

const CharterForm = Type.Object({ body: Field.text({ max: CHARTER_MAX }) });
const AcceptForm = Type.Object({ versionId: Type.String({ pattern: '^\\d{1,15}$' }), next: Field.optional(Type.String({ maxLength: 2000 })) });

async function charterRoutes(app: FastifyInstance) {
  const state = new CharterState(app.db);
  app.addHook('preHandler', charterGate(state));

  // The pages themselves stay in their own context.
  await app.register(async (pages) => {
    pages.get('/charter', async (request, reply) => {
      authorize(request.user, 'app.use');
      const charter = await currentCharter(app.db);
      const query = request.query as Record<string, unknown>;
      return reply.render('charter/show', {
        title: request.t('charter.title'),
        charter: charter ?? null,
        acceptedAt: charter ? await acceptedAt(app.db, charter.id, request.user.id) : null,
        next: safeNextPath(query.next),
      });
    });

    pages.post('/charter/accept', async (request, reply) => {
      authorize(request.user, 'app.use');
      const form = parseForm(AcceptForm, request.body, request.t);
      const next = safeNextPath(form.values.next);
      if (!form.ok) return reply.redirectTo('/charter');
      const versionId = Number(form.value.versionId);
      const outcome = await acceptCharter(app.db, request.user.id, versionId);
      if (outcome === 'outdated') {
        // Published anew while they read: they must read the new one.
        reply.flash('charter.flash.outdated', undefined, 'error');
        return reply.redirectTo(`/charter?next=${encodeURIComponent(next)}`);
      }
      state.accepted(request.user.id, versionId);
      reply.flash('charter.flash.accepted');
      return reply.redirectTo(next === '/charter' ? '/' : next);
    });

    async function renderAdmin(request: FastifyRequest, reply: FastifyReply, form?: { values: Record<string, string>; errors: FieldErrors }) {
      const [charter, listed] = await Promise.all([currentCharter(app.db), listVersions(app.db)]);
      return reply.render(
        'charter/admin',
        {
          title: request.t('charter.admin.title'),
          values: form?.values ?? { body: charter?.body ?? '' },
          errors: form?.errors ?? {},
          versions: listed.versions,
          activeUsers: listed.activeUsers,
          currentId: charter?.id ?? null,
        },
        { status: form ? 422 : 200 },
      );
    }

    pages.get('/admin/charter', async (request, reply) => {
      authorize(request.user, 'charter.manage');
      return renderAdmin(request, reply);
    });

    pages.post('/admin/charter', async (request, reply) => {
      authorize(request.user, 'charter.manage');
      const form = parseForm(CharterForm, request.body, request.t);
      if (!form.ok) return renderAdmin(request, reply, form);
      const versionId = await publishCharter(app.db, request.user.id, form.value.body);
      state.published(versionId);
      reply.flash('charter.flash.published');
      return reply.redirectTo('/admin/charter');
    });
  });
}

export default fp(charterRoutes, { name: 'hameau-charter', dependencies: ['hameau-render', 'hameau-request-context'] });
