// The polls part of the polls plugin (see ../part.ts): the 'poll' content kind, its pages under
// /polls, the composer action, its hooks and the job that closes polls at their closing date.
// Results are read only through the privacy core (src/privacy). README.md explains the storage.
import type { PollsPart } from '../part.js';
import { hooks } from './hooks.js';
import { jobs } from './jobs.js';
import { pollKind } from './kind.js';
import { messages } from './messages.js';
import { migrations } from './migrations.js';
import routes from './routes.js';
import { slots } from './slots.js';

export const part: PollsPart = {
  migrations,
  tables: ['polls_pending_voters', 'polls_anonymous_shown', 'polls_anonymous_counts', 'polls_participation', 'polls_votes', 'polls_options', 'polls_polls'],
  routes,
  contentKinds: [pollKind],
  slots,
  hooks,
  jobs,
  messages,
};
