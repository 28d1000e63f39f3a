// The surveys part of the polls plugin (see ../part.ts and README.md): pages of their own under
// /polls/surveys, anonymous or identified answers, results only through src/privacy.
import type { PollsPart } from '../part.js';
import { hooks } from './hooks.js';
import { messages } from './messages.js';
import { migrations, tables } from './migrations.js';
import surveyRoutes from './routes.js';
import { slots } from './slots.js';

export const part: PollsPart = {
  migrations,
  tables,
  routes: surveyRoutes,
  slots,
  hooks,
  // The daily reminders (reminders.ts: sendReminders, tested) are registered once they can be delivered:
  // a plugin has no notification type of its own yet (issue 6, still open).
  jobs: [],
  messages,
};
