// The administration's plugins section (/admin/plugins): the plugins by stage of the method, enabling
// and disabling them, each plugin's settings, purging a disabled plugin's data (after an export), and
// the stage packs. Admins only (policy 'settings.manage'). Every change goes through `app.plugins`,
// which audits it. The per-space switch for space admins is in space-routes.ts.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { NotFound } from '../../http/errors.js';
import { Field, parseForm, type FieldErrors } from '../../http/form.js';
import { formatDateTime } from '../../http/view-helpers.js';
import { authorize } from '../../policy/index.js';
import type { Stage } from '../../plugins/contract.js';
import { PLUGIN_ID } from '../../plugins/loader.js';
import type { PluginInfo } from '../../plugins/runtime.js';
import { checkSettings } from '../../plugins/settings.js';
import {
  formValues,
  listOf,
  presentPlugin,
  refusalMessage,
  settingFields,
  slotLabels,
  STAGES,
  stageText,
  type PresentContext,
} from './present.js';
import { contentCount, peopleNames, tableRowCounts } from './queries.js';
import spaceFeatureRoutes from './space-routes.js';

type IdParams = { Params: { id: string } };
type StageParams = { Params: { n: string } };

const PurgeForm = Type.Object({ confirm: Field.text({ max: 100 }) });

/** An installed plugin named in the address; 404 for anything else. */
function installed(request: FastifyRequest, id: string): PluginInfo {
  if (!PLUGIN_ID.test(id)) throw new NotFound();
  const info = request.server.plugins.get(id);
  if (!info) throw new NotFound();
  return info;
}

/** A stage named in the address (1, 2 or 3); 404 for anything else. */
function stageParam(value: string): Stage {
  const stage = STAGES.find((s) => String(s) === value);
  if (stage === undefined) throw new NotFound();
  return stage;
}

/** Today's date in the organisation's time zone, as 2026-11-30 (export file names). */
function isoDay(millis: number, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...(timeZone ? { timeZone } : {}) }).format(millis);
}

async function pluginsAdminRoutes(app: FastifyInstance) {
  async function presentContext(request: FastifyRequest, infos: readonly PluginInfo[]): Promise<PresentContext> {
    return {
      runtime: app.plugins,
      t: request.t,
      locale: request.locale,
      people: await peopleNames(app.db, infos.map((info) => info.enabledBy)),
      dateTime: (millis) => formatDateTime(request.locale, millis, request.organisation?.time_zone),
    };
  }

  /** The section's page; `refusal` explains an action that was refused (status 409). */
  async function renderIndex(request: FastifyRequest, reply: FastifyReply, refusal: string | null = null, status = 200) {
    const all = app.plugins.list();
    const context = await presentContext(request, all);
    // The stage pack's POST forgets the cached organisation row, so this is the stored stage.
    const stage = Math.min(3, Math.max(1, request.organisation?.stage ?? 1));
    const loaded = all.filter((info) => info.definition !== null);
    return reply.render(
      'plugins-admin/index',
      {
        title: request.t('pluginsAdmin.title'),
        refusal,
        pinned: app.config.pinnedPlugins !== null,
        currentStage: stage,
        stages: STAGES.map((n) => ({
          n,
          ...stageText(n, request.t),
          current: n === stage,
          plugins: loaded.filter((info) => info.definition!.stage === n).map((info) => presentPlugin(info, context)),
        })),
        problems: all.filter((info) => info.definition === null).map((info) => presentPlugin(info, context)),
        next: stage < 3 ? { n: stage + 1, ...stageText(stage + 1, request.t) } : null,
        back: stage > 1 ? { n: stage - 1, ...stageText(stage - 1, request.t) } : null,
      },
      { status, ...(request.method === 'GET' ? {} : { keepUrl: true }) },
    );
  }

  /** A plugin's own page: what it is, its toggle, its settings form (what was typed and the problems, when refused). */
  async function renderPlugin(
    request: FastifyRequest,
    reply: FastifyReply,
    info: PluginInfo,
    form: { values?: Record<string, string>; errors?: FieldErrors; refusal?: string | null; status?: number } = {},
  ) {
    const context = await presentContext(request, [info]);
    const plugin = presentPlugin(info, context);
    const schema = info.definition?.settings;
    return reply.render(
      'plugins-admin/plugin',
      {
        title: request.t('pluginsAdmin.plugin.title', { name: plugin.name }),
        plugin,
        stage: plugin.stage === null ? null : { n: plugin.stage, ...stageText(plugin.stage, request.t) },
        refusal: form.refusal ?? null,
        fields: settingFields(schema, request.t, request.locale),
        values: form.values ?? formValues(schema, info.settings),
        errors: form.errors ?? {},
        idPrefix: 'setting-',
      },
      { status: form.status ?? 200, ...(request.method === 'GET' ? {} : { keepUrl: true }) },
    );
  }

  app.get('/admin/plugins', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    return renderIndex(request, reply);
  });

  // ---- Enabling and disabling ----------------------------------------------------------------------

  for (const action of ['enable', 'disable'] as const) {
    app.post<IdParams>(`/admin/plugins/:id/${action}`, async (request, reply) => {
      authorize(request.user, 'settings.manage');
      const info = installed(request, request.params.id);
      const admin = request.user;
      const result = action === 'enable' ? await app.plugins.enable(info.id, admin.id) : await app.plugins.disable(info.id, admin.id);
      // The plugin's own page sends `from=plugin` to come back to it.
      const fromPlugin = (request.body as Record<string, unknown> | undefined)?.from === 'plugin';
      if (!result.ok) {
        if (result.problem === 'unknown') throw new NotFound();
        const message = refusalMessage(result, info, app.plugins, request.t, request.locale);
        return fromPlugin
          ? renderPlugin(request, reply, app.plugins.get(info.id)!, { refusal: message, status: 409 })
          : renderIndex(request, reply, message, 409);
      }
      const name = info.definition?.name[request.locale] ?? info.id;
      if (action === 'enable') reply.flash(result.changed ? 'pluginsAdmin.flash.enabled' : 'pluginsAdmin.flash.alreadyEnabled', { name });
      else reply.flash(result.changed ? 'pluginsAdmin.flash.disabled' : 'pluginsAdmin.flash.alreadyDisabled', { name }, result.changed ? 'success' : 'info');
      return reply.redirectTo(fromPlugin ? `/admin/plugins/${info.id}` : `/admin/plugins#plugin-${info.id}`);
    });
  }

  // ---- A plugin's page and settings ----------------------------------------------------------------

  app.get<IdParams>('/admin/plugins/:id', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    return renderPlugin(request, reply, installed(request, request.params.id));
  });

  app.post<IdParams>('/admin/plugins/:id', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    const info = installed(request, request.params.id);
    const schema = info.definition?.settings;
    if (!info.definition || Object.keys(schema ?? {}).length === 0) throw new NotFound();
    const check = checkSettings(schema, request.body, request.t);
    if (!check.ok) return renderPlugin(request, reply, info, { values: check.typed, errors: check.errors, status: 422 });
    const result = await app.plugins.saveSettings(info.id, request.user.id, check.values);
    if (!result.ok) throw new NotFound();
    const name = info.definition.name[request.locale];
    if (result.changed) reply.flash('pluginsAdmin.flash.settingsSaved', { name });
    else reply.flash('pluginsAdmin.flash.settingsUnchanged', { name }, 'info');
    return reply.redirectTo(`/admin/plugins/${info.id}`);
  });

  // ---- Purging a disabled plugin's data ------------------------------------------------------------

  app.get<IdParams>('/admin/plugins/:id/export', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    const info = installed(request, request.params.id);
    const data = await app.plugins.exportData(info.id);
    if (!data) throw new NotFound();
    const day = isoDay(Date.now(), request.organisation?.time_zone);
    return reply
      .header('Content-Type', 'application/json; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${info.id}-data-${day}.json"`)
      .header('Cache-Control', 'no-store')
      .send(JSON.stringify(data, null, 2));
  });

  async function renderPurge(request: FastifyRequest, reply: FastifyReply, info: PluginInfo, form: { values?: Record<string, string>; errors?: FieldErrors; refusal?: string | null; status?: number } = {}) {
    const definition = info.definition!;
    const name = definition.name[request.locale];
    const [tables, items] = await Promise.all([
      tableRowCounts(app.db, definition.tables ?? [], definition.privateTables ?? []),
      contentCount(app.db, (definition.contentKinds ?? []).map((kind) => kind.kind)),
    ]);
    return reply.render(
      'plugins-admin/purge',
      {
        title: request.t('pluginsAdmin.purge.title', { name }),
        // The stored state: a failed plugin stored as enabled must be disabled before its purge.
        plugin: { id: info.id, name, enabled: info.stateEnabled },
        tables,
        contentItems: items,
        spacesOff: app.plugins.spacesOff(info.id).size,
        hasSettings: Object.keys(definition.settings ?? {}).length > 0,
        refusal: form.refusal ?? null,
        values: form.values ?? {},
        errors: form.errors ?? {},
      },
      { status: form.status ?? 200, ...(request.method === 'GET' ? {} : { keepUrl: true }) },
    );
  }

  app.get<IdParams>('/admin/plugins/:id/purge', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    const info = installed(request, request.params.id);
    if (!info.definition) throw new NotFound();
    return renderPurge(request, reply, info);
  });

  app.post<IdParams>('/admin/plugins/:id/purge', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    const info = installed(request, request.params.id);
    if (!info.definition) throw new NotFound();
    const name = info.definition.name[request.locale];
    const form = parseForm(PurgeForm, request.body, request.t);
    if (info.stateEnabled) {
      return renderPurge(request, reply, info, { values: form.values, refusal: request.t('pluginsAdmin.purge.stillEnabled', { name }), status: 409 });
    }
    if (!form.ok || form.value.confirm !== info.id) {
      const errors = { confirm: form.ok || form.values.confirm ? request.t('pluginsAdmin.purge.mismatch', { id: info.id }) : request.t('validation.required') };
      return renderPurge(request, reply, info, { values: form.values, errors, status: 422 });
    }
    const result = await app.plugins.purge(info.id, request.user.id);
    if (!result.ok) {
      if (result.problem === 'unknown') throw new NotFound();
      return renderPurge(request, reply, app.plugins.get(info.id)!, { values: form.values, refusal: request.t('pluginsAdmin.purge.stillEnabled', { name }), status: 409 });
    }
    reply.flash('pluginsAdmin.flash.purged', { name });
    return reply.redirectTo(`/admin/plugins/${info.id}`);
  });

  // ---- Stage packs ---------------------------------------------------------------------------------

  app.get<StageParams>('/admin/plugins/stage/:n', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    const to = stageParam(request.params.n);
    const plan = await app.plugins.stagePlan(to);
    const t = request.t;
    const locale = request.locale;
    const describe = (info: PluginInfo) => ({
      id: info.id,
      name: info.definition?.name[locale] ?? info.id,
      staffSees: info.definition?.staffSees?.[locale] ?? null,
      stage: info.definition?.stage ?? null,
      slots: slotLabels(info, t),
    });
    return reply.render('plugins-admin/stage', {
      title: t('pluginsAdmin.stage.title', { n: to }),
      from: { n: plan.from, ...stageText(plan.from, t) },
      to: { n: to, ...stageText(to, t) },
      direction: to > plan.from ? 'forward' : to < plan.from ? 'back' : 'same',
      enable: plan.enable.map(describe),
      disable: plan.disable.map(describe),
      locked: plan.locked.map((info) => ({ ...describe(info), enabled: info.status === 'enabled' })),
    });
  });

  app.post<StageParams>('/admin/plugins/stage/:n', async (request, reply) => {
    authorize(request.user, 'settings.manage');
    const to = stageParam(request.params.n);
    const plan = await app.plugins.moveToStage(to, request.user.id);
    // The organisation row (its stage) is cached for every request.
    app.organisation.forget();
    const failed = plan.enable.filter((info) => app.plugins.get(info.id)?.status === 'failed').map((info) => info.definition?.name[request.locale] ?? info.id);
    if (failed.length > 0) reply.flash('pluginsAdmin.flash.stageFailed', { n: to, names: listOf(failed, request.locale) }, 'error');
    else reply.flash('pluginsAdmin.flash.stageMoved', { n: to, stage: stageText(to, request.t).title }, 'success');
    return reply.redirectTo('/admin/plugins');
  });
}

export default fp(
  async (app: FastifyInstance) => {
    await app.register(pluginsAdminRoutes);
    await app.register(spaceFeatureRoutes);
  },
  { name: 'hameau-plugins-admin', dependencies: ['hameau-request-context', 'hameau-render'] },
);
