// The plugin's notification types (src/plugins/contract.ts, PluginNotificationType): a survey's
// reminder to the people of its audience who have not answered yet, and the invitation to a poll's
// author, once the poll has closed by itself, to post the outcome ("you said / we did"). Both are
// shown, mailed and held by quiet hours like the core's notifications, and vanish when moot.
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import type { PluginNotificationType } from '../../src/plugins/contract.js';
import { loadViewer } from '../../src/policy/viewer.js';
import { pollsDb } from './polls/kind.js';
import { findSurvey, hasAnswered, inAudience, surveyState, unitsOf } from './surveys/service.js';

import { POLL_OUTCOME, SURVEY_REMINDER } from './notification-names.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whether the person still has to answer the survey: open, in its audience (as of now), not answered. */
async function stillToAnswer(db: Kysely<Database>, surveyId: number, userId: number, now: number) {
  const survey = await findSurvey(db, surveyId);
  if (!survey || surveyState(survey, now) !== 'open') return null;
  if (await hasAnswered(db, survey.id, userId)) return null;
  const user = await db.selectFrom('users').select(['id', 'email', 'name', 'role', 'locale', 'status']).where('id', '=', userId).executeTakeFirst();
  if (!user || user.status !== 'active') return null;
  const viewer = await loadViewer(db, user, null);
  return inAudience(survey, viewer, await unitsOf(db, userId)) ? survey : null;
}

export const notificationTypes: PluginNotificationType[] = [
  {
    name: SURVEY_REMINDER,
    label: (t) => t('plugins.polls.notifications.surveyReminder.label'),
    email: 'immediate',
    // Its recipients are exactly those who have not answered: nobody may read them as a list.
    confidential: true,
    async describe(notification, { db, t, now }) {
      if (notification.subjectId === null) return null;
      const survey = await stillToAnswer(db, notification.subjectId, notification.userId, now);
      if (!survey) return null;
      // When it closes, counted from now (the list and the email say it when they are read or sent).
      const text =
        survey.endsAt === null
          ? t('plugins.polls.notifications.surveyReminder.text', { title: survey.title })
          : t('plugins.polls.notifications.surveyReminder.textClosing', { title: survey.title, count: Math.max(1, Math.ceil((survey.endsAt - now) / DAY_MS)) });
      return { text, href: `/polls/surveys/${survey.id}` };
    },
  },
  {
    name: POLL_OUTCOME,
    label: (t) => t('plugins.polls.notifications.pollOutcome.label'),
    email: 'digest',
    async describe(notification, { db, t }) {
      if (notification.contentId === null) return null;
      const poll = await pollsDb(db).selectFrom('polls_polls').select(['question', 'outcome', 'closed_at']).where('content_id', '=', notification.contentId).executeTakeFirst();
      // Posted meanwhile, or reopened: nothing left to do.
      if (!poll || poll.closed_at === null || (poll.outcome ?? '') !== '') return null;
      return {
        text: t('plugins.polls.notifications.pollOutcome.text', { question: poll.question }),
        href: `/polls/${notification.contentId}#poll-${notification.contentId}-outcome`,
      };
    },
  },
];

export const notificationMessages = {
  fr: {
    notifications: {
      surveyReminder: {
        label: 'Rappels des enquêtes auxquelles je n’ai pas répondu',
        text: 'Rappel : l’enquête « {title} » attend votre réponse',
        textClosing: {
          one: 'Rappel : l’enquête « {title} » attend votre réponse ; elle se termine d’ici un jour',
          other: 'Rappel : l’enquête « {title} » attend votre réponse ; elle se termine d’ici {count} jours',
        },
      },
      pollOutcome: {
        label: 'Mes sondages clos : en publier la suite',
        text: 'Votre sondage « {question} » est clos : dites à tous ce que vous en retenez',
      },
    },
  },
  en: {
    notifications: {
      surveyReminder: {
        label: 'Reminders of surveys I have not answered',
        text: 'Reminder: the survey “{title}” is waiting for your answers',
        textClosing: {
          one: 'Reminder: the survey “{title}” is waiting for your answers; it closes within a day',
          other: 'Reminder: the survey “{title}” is waiting for your answers; it closes within {count} days',
        },
      },
      pollOutcome: {
        label: 'My closed polls: post the outcome',
        text: 'Your poll “{question}” has closed: tell everyone what comes of it',
      },
    },
  },
};
