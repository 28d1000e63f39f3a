// /admin/settings: the organisation's policies (who may create spaces, posting in the company space).
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Field, parseForm } from '../../http/form.js';
import { authorize } from '../../policy/index.js';
import { readSettings } from './queries.js';
import { saveSettings } from './service.js';

const SettingsForm = Type.Object({
  spaceCreation: Field.choice(['everyone', 'admins'] as const),
  memberPostsInCompany: Field.choice(['yes', 'no'] as const),
});

export default async function settingsRoutes(app: FastifyInstance) {
  app.get('/admin/settings', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    // Read fresh, not from the request's cached copy: the form shows what is stored.
    const settings = await readSettings(app.db);
    return reply.render('settings/index', {
      title: request.t('settings.title'),
      values: { spaceCreation: settings.spaceCreation, memberPostsInCompany: settings.memberPostsInCompany ? 'yes' : 'no' },
      errors: {},
    });
  });

  app.post('/admin/settings', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    const form = parseForm(SettingsForm, request.body, request.t);
    if (!form.ok) {
      return reply.render('settings/index', { title: request.t('settings.title'), values: form.values, errors: form.errors }, { status: 422 });
    }
    const changed = await saveSettings(app.db, request.user.id, {
      spaceCreation: form.value.spaceCreation,
      memberPostsInCompany: form.value.memberPostsInCompany === 'yes',
    });
    // The organisation row is cached for every request: the next one must read the new policies.
    if (changed) app.organisation.forget();
    reply.flash(changed ? 'settings.flash.saved' : 'settings.flash.unchanged', undefined, changed ? 'success' : 'info');
    return reply.redirectTo('/admin/settings');
  });
}
