// The core migrations, in order. Append only: a migration that has landed is never edited.
import type { MigrationSet } from '../src/db/migrate.js';
import * as foundation from './0001-foundation.js';
import * as rateLimitCounters from './0002-rate-limit-counters.js';
import * as spacesAndContent from './0003-spaces-and-content.js';
import * as people from './0004-people.js';
import * as follows from './0005-follows.js';
import * as emailDelivery from './0006-email-delivery.js';
import * as search from './0007-search.js';
import * as coveringFeedIndex from './0008-covering-feed-index.js';
import * as plugins from './0009-plugins.js';
import * as organisationBrand from './0010-organisation-brand.js';
import * as privacy from './0011-privacy.js';
import * as pluginNotifications from './0012-plugin-notifications.js';

export const coreMigrations: MigrationSet = {
  '0001-foundation': foundation,
  '0002-rate-limit-counters': rateLimitCounters,
  '0003-spaces-and-content': spacesAndContent,
  '0004-people': people,
  '0005-follows': follows,
  '0006-email-delivery': emailDelivery,
  '0007-search': search,
  '0008-covering-feed-index': coveringFeedIndex,
  '0009-plugins': plugins,
  '0010-organisation-brand': organisationBrand,
  '0011-privacy': privacy,
  '0012-plugin-notifications': pluginNotifications,
};
