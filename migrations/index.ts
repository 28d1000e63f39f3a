// The core migrations, in order. Append only: a migration that has landed is never edited.
import type { MigrationSet } from '../src/db/migrate.js';
import * as foundation from './0001-foundation.js';
import * as rateLimitCounters from './0002-rate-limit-counters.js';
import * as spacesAndContent from './0003-spaces-and-content.js';
import * as coveringFeedIndex from './0008-covering-feed-index.js';

export const coreMigrations: MigrationSet = {
  '0001-foundation': foundation,
  '0002-rate-limit-counters': rateLimitCounters,
  '0003-spaces-and-content': spacesAndContent,
  '0008-covering-feed-index': coveringFeedIndex,
};
