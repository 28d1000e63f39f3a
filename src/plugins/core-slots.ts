// The core fills the plugins' slots the way a plugin does, so the contract is exercised on every page:
// "People" in the main navigation, "New article" beside the home page's composer, a space's "Settings"
// and "Features" tabs (for those who manage the space) and the administration's "Needs attention"
// widget are slot entries. Also registers the main navigation's per-request entries (layout.ts).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { countOpenInvitations } from '../auth/invitations.js';
import type { Database } from '../db/schema.js';
import { EMAIL_JOB_TYPES } from '../features/email-notifications/delivery.js';
import { can } from '../policy/index.js';
import { isAdmin, isEditor } from '../policy/viewer.js';
import pluginsLayout from './layout.js';

/** Spaces listed one by one in the widget's join requests (the oldest requests first). */
const REQUEST_SPACES_SHOWN = 5;

/** What the "Needs attention" widget shows (views/admin/widget-attention.eta reads it as `it.attention`). */
export interface Attention {
  /** Entries of the moderation queue: reported items and comments not decided yet. */
  reports: number;
  /** Spaces with requests to join waiting, the oldest first (REQUEST_SPACES_SHOWN of them). */
  requests: Array<{ spaceId: number; name: string; count: number }>;
  /** Spaces with requests beyond those listed. */
  moreRequestSpaces: number;
  /** Invitations to the organisation neither accepted nor cancelled (expired ones included). */
  invitations: number;
  /** Notification emails and digests that failed (the outbox of /admin/notifications). */
  failedEmails: number;
  /** Nothing to show: the widget says so. */
  empty: boolean;
}

/**
 * The administration's "Needs attention" counts: a few small queries on indexed columns, for the
 * admin home only. Counts the moderation queue's entries as /admin/moderation lists them (an item or
 * a comment reported several times is one entry; deleted ones are not there).
 */
export async function attentionCounts(db: Kysely<Database>): Promise<Attention> {
  const [reports, requests, invitations, failedEmails] = await Promise.all([
    db
      .selectFrom((eb) =>
        eb
          .selectFrom('reports as r')
          .innerJoin('content as c', 'c.id', 'r.content_id')
          .leftJoin('comments as m', 'm.id', 'r.comment_id')
          .select('r.content_id')
          .where('r.status', '=', 'open')
          .where('c.deleted_at', 'is', null)
          .where((eb) => eb.or([eb('r.comment_id', 'is', null), eb('m.deleted_at', 'is', null)]))
          .groupBy(['r.content_id', 'r.comment_id'])
          .as('entries'),
      )
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('space_requests as q')
      .innerJoin('users as u', 'u.id', 'q.user_id')
      .innerJoin('spaces as s', 's.id', 'q.space_id')
      .select(['s.id', 's.name', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min('q.created_at').as('first')])
      .where('q.kind', '=', 'request')
      .where('u.status', '=', 'active')
      .groupBy(['s.id', 's.name'])
      .orderBy('first')
      .orderBy('s.id')
      .execute(),
    countOpenInvitations(db),
    db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'failed')
      .where('type', 'in', [...EMAIL_JOB_TYPES])
      .executeTakeFirstOrThrow(),
  ]);
  const attention = {
    reports: Number(reports.n),
    requests: requests.slice(0, REQUEST_SPACES_SHOWN).map((row) => ({ spaceId: row.id, name: row.name, count: Number(row.n) })),
    moreRequestSpaces: Math.max(0, requests.length - REQUEST_SPACES_SHOWN),
    invitations,
    failedEmails: Number(failedEmails.n),
  };
  return { ...attention, empty: attention.reports + requests.length + attention.invitations + attention.failedEmails === 0 };
}

/** Whether some enabled plugin may be switched off per space: its admins then have a "Features" tab. */
function anythingToSwitch(app: FastifyInstance): boolean {
  return app.plugins.enabledDefinitions().some((definition) => definition.perSpace === true);
}

export default fp(
  async (app) => {
    app.plugins.addCoreSlots({
      navigation: [{ label: (t) => t('people.nav'), href: '/people' }],
      spaceTabs: [
        {
          label: (t) => t('spaces.page.edit'),
          href: (space) => `/spaces/${space.id}/edit`,
          visible: (viewer, space) => can(viewer, 'space.manage', space),
        },
        {
          // The plugins its admins may switch off in the space (src/features/plugins-admin/space-routes.ts).
          label: (t) => t('pluginsAdmin.space.nav'),
          href: (space) => `/spaces/${space.id}/features`,
          visible: (viewer, space) => can(viewer, 'space.manage', space) && anythingToSwitch(app),
        },
      ],
      composerActions: [
        {
          label: (t) => t('feed.newArticle'),
          href: (space) => (space ? `/news/new?space=${space.id}` : '/news/new'),
          // Beside the home page's composer only: a space's page has "New article" in its header,
          // shown whether or not the viewer may post there. Editors belong to the company space, so
          // they may publish somewhere (news.publish).
          visible: (viewer, space) => space === null && isEditor(viewer),
        },
      ],
      adminWidgets: [
        {
          title: (t) => t('coreSlots.attention.title'),
          template: 'admin/widget-attention',
          // The admin home is for admins only; the widget says nothing to anyone else.
          load: async ({ db, viewer }) => (isAdmin(viewer) ? { attention: await attentionCounts(db) } : null),
        },
      ],
    });
    await app.register(pluginsLayout);
  },
  { name: 'hameau-core-slots', dependencies: ['hameau-request-context'] },
);
