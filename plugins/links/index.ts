// "Useful links": a space tab of links worth keeping (the handbook, the booking tool, the supplier's
// portal), each one a content item of kind 'link' with its comments and reactions. Hameau's example
// plugin: docs/plugins.md walks through it file by file.
import { definePlugin } from '../../src/plugins/contract.js';
import { hooks } from './hooks.js';
import { linkKind } from './kind.js';
import { migrations } from './migrations.js';
import routes from './routes.js';
import { slots } from './slots.js';

export default definePlugin({
  id: 'links',
  name: { fr: 'Liens utiles', en: 'Useful links' },
  description: {
    fr: 'Un onglet « Liens » dans chaque espace\u202f: les adresses utiles à l’équipe, commentées et retrouvées par la recherche.',
    en: 'A "Links" tab in every space: the addresses the team needs, with comments, and found by search.',
  },
  stage: 2,
  version: '1.0.0',
  hameau: '^0.1.0',
  recommended: true,
  perSpace: true,
  staffSees: {
    fr: 'Un onglet « Liens » dans les espaces, un bouton « Nouveau lien » à côté de « Publier », les liens dans le fil et la recherche.',
    en: 'A "Links" tab in spaces, a "New link" button beside "Publish", links in the feed and in search.',
  },
  migrations,
  tables: ['links_links'],
  routes,
  contentKinds: [linkKind],
  stylesheets: ['links.css'],
  slots,
  hooks,
  settings: {
    membersMayAdd: {
      type: 'boolean',
      default: true,
      label: { fr: 'Les membres d’un espace ajoutent des liens', en: 'Members of a space add links' },
      hint: {
        fr: 'Sinon, seuls les responsables de l’espace (et les administrateurs) en ajoutent.',
        en: 'Otherwise only the space’s admins (and the organisation’s) add them.',
      },
    },
    linksPerPage: {
      type: 'number',
      default: 20,
      min: 5,
      max: 50,
      integer: true,
      label: { fr: 'Liens par page', en: 'Links per page' },
    },
  },
});
