// The daily reminder: for each open survey, the people of its audience who have not answered yet,
// once a day at most. The list is computed here, used to send, and never stored or shown to anyone
// (not the owner, not the admins): only polls_survey_surveys.last_reminder_day records that a
// reminder went out that day.
import type { Kysely } from 'kysely';
import type { Database } from '../../../src/db/schema.js';
import type { PluginJob } from '../../../src/plugins/contract.js';
import { answerDay } from '../../../src/privacy/index.js';
import { audienceIds, listSurveys, sdb, surveyState, type Survey } from './service.js';

export type Deliver = (db: Kysely<Database>, survey: Survey, userIds: readonly number[], now: number) => Promise<void>;

/**
 * Sends today's reminders. `deliver` receives the non-respondents of one survey. Until the lead adds
 * a notification type for surveys, the default delivery does nothing visible (see the report).
 */
export async function sendReminders(db: Kysely<Database>, now: number, deliver: Deliver): Promise<number> {
  const organisation = await db.selectFrom('organisation').select('time_zone').executeTakeFirst();
  const today = answerDay(now, organisation?.time_zone ?? 'Europe/Paris');
  const s = sdb(db);
  let sent = 0;
  for (const survey of await listSurveys(db)) {
    if (surveyState(survey, now) !== 'open') continue;
    const row = await s.selectFrom('polls_survey_surveys').select('last_reminder_day').where('id', '=', survey.id).executeTakeFirst();
    if (row?.last_reminder_day === today) continue;
    // A space that switched the plugin off gets no reminder about it.
    if (survey.audience === 'space' && survey.spaceId !== null) {
      const off = await db.selectFrom('plugin_space_off').select('space_id').where('plugin_id', '=', 'polls').where('space_id', '=', survey.spaceId).executeTakeFirst();
      if (off) continue;
    }
    // Not on the day it opened: people just got it.
    if (survey.startsAt !== null && answerDay(survey.startsAt, organisation?.time_zone ?? 'Europe/Paris') === today) continue;
    const answered = new Set((await s.selectFrom('polls_survey_participation').select('user_id').where('survey_id', '=', survey.id).execute()).map((r) => r.user_id));
    const pending = (await audienceIds(db, survey)).filter((id) => !answered.has(id) && id !== survey.authorId);
    await s.updateTable('polls_survey_surveys').set({ last_reminder_day: today }).where('id', '=', survey.id).execute();
    if (pending.length > 0) await deliver(db, survey, pending, now);
    sent += pending.length;
  }
  return sent;
}

/** Where reminders go; replaceable in tests. */
export const delivery: { deliver: Deliver } = { deliver: async () => {} };

export const reminderJob: PluginJob = {
  name: 'survey-reminders',
  next: (now) => now + 24 * 3_600_000,
  run: async (job) => {
    await sendReminders(job.db, job.now, delivery.deliver);
  },
};
