// The surveys part of the polls plugin (see ../part.ts and README.md): pages of their own under
// /polls/surveys, anonymous or identified answers, results only through src/privacy.
import type { PollsPart } from '../part.js';
import { hooks } from './hooks.js';
import { messages } from './messages.js';
import { migrations, tables } from './migrations.js';
import { reminderJob } from './reminders.js';
import surveyRoutes from './routes.js';
import { slots } from './slots.js';

export const part: PollsPart = {
  migrations,
  tables,
  routes: surveyRoutes,
  slots,
  hooks,
  // Reminders to those who have not answered (reminders.ts), as the plugin's 'survey-reminder' notifications.
  jobs: [reminderJob],
  messages,
};
