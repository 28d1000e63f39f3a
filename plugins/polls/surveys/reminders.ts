// Reminders to the people of an open survey's audience who have not answered yet, as the plugin's
// 'survey-reminder' notifications (../notifications.ts): shown in the app and mailed like the core's,
// held by quiet hours, hidden once the person answers or the survey closes. Not every day: three days
// after the survey opened, then every three days, and on its last day. The list of who has not answered
// is computed here, used to send, and never stored or shown to anyone (not the owner, not the admins:
// the outbox hides these recipients); polls_survey_surveys.last_reminder_day only records that a
// reminder went out that day. Answering deletes the person's reminders about the survey (service.ts),
// so no row says "was reminded" beside "has answered".
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../src/db/schema.js';
import { forgetPluginNotifications, notifyFromPlugin } from '../../../src/notifications/plugin-types.js';
import type { PluginJob } from '../../../src/plugins/contract.js';
import { answerDay } from '../../../src/privacy/index.js';
import { SURVEY_REMINDER } from '../notification-names.js';
import { audienceIds, listSurveys, sdb, surveyState, type Survey } from './service.js';

export type Deliver = (db: Kysely<Database>, survey: Survey, userIds: readonly number[], now: number) => Promise<void>;

/** Days between reminders (the first comes this many days after the opening day). */
export const REMINDER_EVERY_DAYS = 3;

const DAY = 86_400_000;
/** Whole days from one 'YYYY-MM-DD' to another. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

/**
 * Whether today is a reminder day for an open survey: not its opening day; its last day (the day of
 * its end, or the day before an end at midnight); or REMINDER_EVERY_DAYS days after its opening and
 * after the last reminder. Never twice a day.
 */
export function reminderDue(survey: Survey, lastReminderDay: string | null, today: string, timeZone: string): boolean {
  if (lastReminderDay === today) return false;
  const opened = survey.startsAt ?? survey.openedAt;
  if (opened === null) return false;
  const openingDay = answerDay(opened, timeZone);
  if (openingDay === today) return false;
  if (survey.endsAt !== null && answerDay(survey.endsAt - 1, timeZone) === today) return true;
  const sinceOpening = daysBetween(openingDay, today);
  const sinceLast = lastReminderDay === null ? Infinity : daysBetween(lastReminderDay, today);
  return sinceOpening >= REMINDER_EVERY_DAYS && sinceLast >= REMINDER_EVERY_DAYS;
}

/**
 * The plugin's notifications: one per person, replacing their earlier reminder about the survey,
 * written in a random order: rows in the order of the people's ids would let a gap (a reminder deleted
 * when its person answered) name who answered since.
 */
export const notifyReminders: Deliver = async (db, survey, userIds, now) => {
  const shuffled = [...userIds];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  await db.transaction().execute(async (trx) => {
    await forgetPluginNotifications(trx, 'polls', { subjectId: survey.id, name: SURVEY_REMINDER });
    // Who answered since the list was made (inside the transaction: exact) gets none.
    const answered = new Set(
      (await sdb(trx as unknown as Kysely<Database>).selectFrom('polls_survey_participation').select('user_id').where('survey_id', '=', survey.id).execute()).map((r) => r.user_id),
    );
    const still = shuffled.filter((userId) => !answered.has(userId));
    if (still.length === 0) return;
    await notifyFromPlugin(
      trx,
      'polls',
      SURVEY_REMINDER,
      still.map((userId) => ({
        userId,
        subjectId: survey.id,
        // Hidden while the plugin is switched off in the survey's space, or the space is not the person's.
        spaceId: survey.audience === 'space' ? survey.spaceId : null,
        expiresAt: survey.endsAt,
      })),
      now,
    );
  });
};

/**
 * Sends today's reminders. `deliver` receives the non-respondents of one survey (the plugin's
 * notifications by default). Returns how many people were reminded.
 */
export async function sendReminders(db: Kysely<Database>, now: number, deliver: Deliver = notifyReminders): Promise<number> {
  const organisation = await db.selectFrom('organisation').select('time_zone').executeTakeFirst();
  const timeZone = organisation?.time_zone ?? 'Europe/Paris';
  const today = answerDay(now, timeZone);
  const s = sdb(db);
  let sent = 0;
  for (const survey of await listSurveys(db)) {
    const state = surveyState(survey, now);
    // Ended by its date: its reminders (exactly those who never answered) go.
    if (state === 'closed') await forgetPluginNotifications(db, 'polls', { subjectId: survey.id, name: SURVEY_REMINDER });
    if (state !== 'open') continue;
    const row = await s.selectFrom('polls_survey_surveys').select('last_reminder_day').where('id', '=', survey.id).executeTakeFirst();
    if (!reminderDue(survey, row?.last_reminder_day ?? null, today, timeZone)) continue;
    // A space that switched the plugin off gets no reminder about it.
    if (survey.audience === 'space' && survey.spaceId !== null) {
      const off = await db.selectFrom('plugin_space_off').select('space_id').where('plugin_id', '=', 'polls').where('space_id', '=', survey.spaceId).executeTakeFirst();
      if (off) continue;
    }
    const answered = new Set((await s.selectFrom('polls_survey_participation').select('user_id').where('survey_id', '=', survey.id).execute()).map((r) => r.user_id));
    const pending = (await audienceIds(db, survey)).filter((id) => !answered.has(id) && id !== survey.authorId);
    if (pending.length > 0) await deliver(db, survey, pending, now);
    // Only once they are written: a delivery that failed is tried again at the next run.
    await s.updateTable('polls_survey_surveys').set({ last_reminder_day: today }).where('id', '=', survey.id).execute();
    sent += pending.length;
  }
  return sent;
}

export const reminderJob: PluginJob = {
  name: 'survey-reminders',
  // Every hour: a reminder day is decided in the organisation's time zone, at most once a day per survey.
  next: (now) => now + 3_600_000,
  run: async (job) => {
    await sendReminders(job.db, job.now);
  },
};
