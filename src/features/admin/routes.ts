// The administration: its home (/admin: the sections, and the plugins' dashboard widgets), the
// organisation's profile (organisation-routes.ts) and the audit log (/admin/audit). Admins only.
import type { FastifyInstance } from 'fastify';
import { single } from '../../http/params.js';
import { authorize } from '../../policy/index.js';
import { actionLabel, describeDetails, subjectTypeLabel } from './audit-entries.js';
import organisationRoutes from './organisation-routes.js';
import { auditActions, auditActors, listAudit, type ActorFilter, type AuditFilters } from './queries.js';

const ACTION_FILTER = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/;
const ID = /^[1-9]\d{0,15}$/;

/** The filters in the address; anything that is not one (too long, odd characters) is no filter. */
function filtersOf(query: Record<string, unknown>): AuditFilters {
  const action = single(query.action);
  const actor = single(query.actor);
  let actorFilter: ActorFilter | null = null;
  if (actor === 'system') actorFilter = 'system';
  else if (actor && ID.test(actor)) actorFilter = Number(actor);
  return { action: action && action.length <= 100 && ACTION_FILTER.test(action) ? action : null, actor: actorFilter };
}

/** The address of a page of the log with the same filters. */
function auditUrl(filters: AuditFilters, position: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (filters.action) params.set('action', filters.action);
  if (filters.actor !== null && filters.actor !== undefined) params.set('actor', String(filters.actor));
  for (const [name, value] of Object.entries(position)) params.set(name, value);
  const query = params.toString();
  return query ? `/admin/audit?${query}` : '/admin/audit';
}

/** The families of actions ("member" for "member.deactivate"), each with its actions, for the filter. */
function actionGroups(actions: string[]): Array<{ family: string; actions: string[] }> {
  const groups = new Map<string, string[]>();
  for (const action of actions) {
    const family = action.includes('.') ? action.slice(0, action.indexOf('.')) : action;
    groups.set(family, [...(groups.get(family) ?? []), action]);
  }
  return [...groups].map(([family, list]) => ({ family, actions: list }));
}

export default async function adminRoutes(app: FastifyInstance) {
  await app.register(organisationRoutes);

  app.get('/admin', async (request, reply) => {
    authorize(request.user, 'admin.access');
    const widgets = await app.plugins.adminWidgets(request);
    return reply.render('admin/index', { title: request.t('admin.home.title'), widgets });
  });

  app.get('/admin/audit', async (request, reply) => {
    authorize(request.user, 'admin.access');
    const query = request.query as Record<string, unknown>;
    const filters = filtersOf(query);
    const [page, actions, actors] = await Promise.all([
      listAudit(app.db, filters, { older: single(query.older), newer: single(query.newer) }),
      auditActions(app.db),
      auditActors(app.db),
    ]);
    const t = request.t;
    return reply.render('admin/audit', {
      title: t('admin.audit.title'),
      filters: { action: filters.action ?? '', actor: filters.actor === null || filters.actor === undefined ? '' : String(filters.actor) },
      filtered: Boolean(filters.action) || (filters.actor !== null && filters.actor !== undefined),
      actionGroups: actionGroups(actions).map((group) => ({
        family: group.family,
        actions: group.actions.map((action) => ({ value: action, label: actionLabel(action, t) })),
      })),
      actors,
      entries: page.entries.map((entry) => ({
        id: entry.id,
        at: entry.created_at,
        actor: entry.actor_id === null ? null : { id: entry.actor_id, name: entry.actor_name },
        action: entry.action,
        actionLabel: actionLabel(entry.action, t),
        subject: {
          type: subjectTypeLabel(entry.subject_type, t),
          id: entry.subject_id,
          name: entry.subject_name,
          href: entry.subject_type === 'user' && entry.subject_name !== null ? `/people/${entry.subject_id}` : null,
        },
        details: describeDetails(entry.details, t),
      })),
      newerUrl: page.newer ? auditUrl(filters, { newer: page.newer }) : null,
      olderUrl: page.older ? auditUrl(filters, { older: page.older }) : null,
      newestUrl: auditUrl(filters),
    });
  });
}
