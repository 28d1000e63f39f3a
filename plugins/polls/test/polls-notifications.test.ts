// The plugin's notification types, through the core's notification paths (src/notifications/plugin-types.ts):
// a survey's reminders to those who have not answered (in the app, by email, held by quiet hours,
// gone once answered, hidden while the plugin is off, recipients never listed to anyone) and the
// invitation to a poll's author to post the outcome once the poll has closed by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html, mainText } from '../../../test/helpers/app.js';
import { emailStates, mailsTo, parisWeek, PUBLIC_URL, unsubscribeLinkIn } from '../../../test/helpers/email.js';
import { disablePlugin, enablePlugin } from '../../../test/helpers/plugins.js';
import type { TestSmtp } from '../../../test/helpers/smtp.js';
import type { Person } from '../../../test/helpers/spaces.js';
import { translator } from '../../../src/i18n/index.js';
import { SURVEY_REMINDER } from '../notification-names.js';
import { notificationTypes } from '../notifications.js';
import { jobs } from '../polls/jobs.js';
import { reminderDue, sendReminders } from '../surveys/reminders.js';
import type { Survey } from '../surveys/service.js';
import { pollsWorld, type PollsWorld } from './polls-helpers.js';
import { inDays, surveysWorld, surveysWorldWithMail, type SurveysWorld } from './surveys-helpers.js';

const DAY = 86_400_000;
const REMINDER = 'polls.survey-reminder';

/** The visible entries of a person's notification list (text and link). */
async function entries(w: { get: SurveysWorld['get'] }, who: Person) {
  const page = html(await w.get('/notifications', who));
  return page.querySelectorAll('.notification').map((li) => ({ text: li.textContent.replace(/[\t\n\r ]+/g, ' ').trim(), unread: li.classList.contains('notification--unread') }));
}

/** The bell's unread count on a page (0 when it shows none). */
async function bellCount(w: { get: SurveysWorld['get'] }, who: Person): Promise<number> {
  const count = html(await w.get('/account', who)).querySelector('.notification-bell__count');
  return count ? Number(count.textContent) : 0;
}

async function reminderRows(w: SurveysWorld, userId?: number) {
  let query = w.app.db.selectFrom('notifications').selectAll().where('type', '=', REMINDER);
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  return query.execute();
}

describe('survey reminders: when', () => {
  const base: Survey = {
    id: 1,
    authorId: 1,
    title: 'S',
    intro: '',
    audience: 'everyone',
    spaceId: null,
    departments: [],
    sites: [],
    anonymous: true,
    minGroup: 5,
    startsAt: Date.parse('2026-12-01T09:00:00Z'),
    endsAt: Date.parse('2026-12-15T17:00:00Z'),
    openedAt: Date.parse('2026-11-30T09:00:00Z'),
    summary: '',
    summaryHtml: '',
    summaryPublished: false,
    createdAt: 0,
    sliceBy: null,
  };
  const due = (today: string, last: string | null = null, survey = base) => reminderDue(survey, last, today, 'Europe/Paris');

  it('not on the opening day nor the two after; on the third, then every three days; never twice a day', () => {
    expect(due('2026-12-01')).toBe(false);
    expect(due('2026-12-02')).toBe(false);
    expect(due('2026-12-03')).toBe(false);
    expect(due('2026-12-04')).toBe(true);
    expect(due('2026-12-04', '2026-12-04')).toBe(false);
    expect(due('2026-12-05', '2026-12-04')).toBe(false);
    expect(due('2026-12-06', '2026-12-04')).toBe(false);
    expect(due('2026-12-07', '2026-12-04')).toBe(true);
  });

  it('on the last day whatever the rhythm; an end at midnight makes the day before the last', () => {
    expect(due('2026-12-15', '2026-12-14')).toBe(true);
    expect(due('2026-12-15', '2026-12-15')).toBe(false);
    const midnight = { ...base, endsAt: Date.parse('2026-12-14T23:00:00Z') }; // 00:00 on the 15th in Paris
    expect(due('2026-12-14', '2026-12-13', midnight)).toBe(true);
  });

  it('a survey without a start counts from when it was opened', () => {
    const opened = { ...base, startsAt: null };
    expect(due('2026-11-30', null, opened)).toBe(false);
    expect(due('2026-12-03', null, opened)).toBe(true);
  });
});

describe('survey reminders: in the app', () => {
  let w: SurveysWorld;
  let id: number;
  let q: number;
  beforeAll(async () => {
    w = await surveysWorld();
    // Sales: eve (owner), bruno, carla. Opened three days ago.
    id = await w.createSurvey(w.eve, { title: 'Canteen <b>survey</b>', audience: 'departments', departments: [String(w.sales)], startsAt: inDays(-3).replace(/T.*/, 'T00:00'), endsAt: inDays(20) });
    await w.addQuestion(w.eve, id, { qtext: 'Anything?', qtype: 'short' });
    await w.open(w.eve, id);
    [q] = (await w.questionIds(id)) as [number];
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'already' }, w.bruno)).statusCode).toBe(303);
    expect(await sendReminders(w.app.db, Date.now())).toBe(1);
  });
  afterAll(async () => w.t.close());

  it('only the people of the audience who have not answered get one (not the owner, not others)', async () => {
    expect((await reminderRows(w)).map((r) => r.user_id)).toEqual([w.carla.id]);
    expect(await bellCount(w, w.carla)).toBe(1);
    for (const other of [w.bruno, w.eve, w.dan, w.fanny]) expect(await bellCount(w, other), String(other.id)).toBe(0);
    // Not twice the same day.
    expect(await sendReminders(w.app.db, Date.now())).toBe(0);
    expect(await reminderRows(w)).toHaveLength(1);
  });

  it('reads as a sentence with the survey’s title (escaped) and leads to the survey', async () => {
    const list = await entries(w, w.carla);
    expect(list).toHaveLength(1);
    // It ends in 20 days: the reminder says so, counted from now.
    expect(list[0]!.text).toContain('Reminder: the survey “Canteen <b>survey</b>” is waiting for your answers; it closes within 20 days');
    expect(list[0]!.unread).toBe(true);
    const [row] = await reminderRows(w, w.carla.id);
    const opened = await w.post(`/notifications/${row!.id}/read`, {}, w.carla);
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe(`/polls/surveys/${id}`);
    expect(await bellCount(w, w.carla)).toBe(0);
    // Someone else's notification: 404.
    expect((await w.post(`/notifications/${row!.id}/read`, {}, w.bruno)).statusCode).toBe(404);
  });

  it('says when the survey closes, counted from when it is read; nothing of the kind without an end', async () => {
    const [row] = await reminderRows(w, w.carla.id);
    const survey = await w.app.db.selectFrom('polls_survey_surveys' as never).select('ends_at' as never).where('id' as never, '=', id as never).executeTakeFirstOrThrow();
    const endsAt = (survey as { ends_at: number }).ends_at;
    const reminder = notificationTypes.find((type) => type.name === SURVEY_REMINDER)!;
    const notification = { id: row!.id, userId: w.carla.id, subjectId: id, contentId: null, spaceId: null, actorId: null, createdAt: Date.now() };
    const text = async (now: number) => (await reminder.describe(notification, { db: w.app.db, t: translator('en'), now }))?.text;
    expect(await text(endsAt - 5 * 3_600_000)).toMatch(/; it closes within a day$/);
    expect(await text(endsAt - 2 * 86_400_000 - 1)).toMatch(/; it closes within 3 days$/);
    await w.app.db.updateTable('polls_survey_surveys' as never).set({ ends_at: null } as never).where('id' as never, '=', id as never).execute();
    try {
      expect(await text(Date.now())).toBe('Reminder: the survey “Canteen <b>survey</b>” is waiting for your answers');
    } finally {
      await w.app.db.updateTable('polls_survey_surveys' as never).set({ ends_at: endsAt } as never).where('id' as never, '=', id as never).execute();
    }
  });

  it('in French for a French reader', async () => {
    const fanny = w.fanny;
    await w.app.db.updateTable('users').set({ department_id: w.sales }).where('id', '=', fanny.id).execute();
    try {
      await w.app.db.updateTable('polls_survey_surveys' as never).set({ last_reminder_day: null } as never).where('id' as never, '=', id as never).execute();
      await sendReminders(w.app.db, Date.now());
      expect((await entries(w, fanny))[0]!.text).toContain('Rappel\u202f: l’enquête «\u00a0Canteen <b>survey</b>\u00a0» attend votre réponse\u202f; elle se termine d’ici 20\u00a0jours');
    } finally {
      await w.app.db.updateTable('users').set({ department_id: null }).where('id', '=', fanny.id).execute();
      await w.app.db.deleteFrom('notifications').where('user_id', '=', fanny.id).execute();
    }
  });

  it('a new reminder replaces the earlier one: one entry per survey', async () => {
    await w.app.db.updateTable('polls_survey_surveys' as never).set({ last_reminder_day: null } as never).where('id' as never, '=', id as never).execute();
    await sendReminders(w.app.db, Date.now());
    expect(await reminderRows(w, w.carla.id)).toHaveLength(1);
    expect(await entries(w, w.carla)).toHaveLength(1);
  });

  it('hidden while the plugin is switched off, back when it is on again', async () => {
    await disablePlugin(w.app, 'polls');
    expect(await bellCount(w, w.carla)).toBe(0);
    expect(await entries(w, w.carla)).toEqual([]);
    await enablePlugin(w.app, 'polls', w.admin.id);
    expect(await bellCount(w, w.carla)).toBe(1);
  });

  it('the preference page has a line for it while the plugin is on; turned off in the app, it is not shown', async () => {
    const page = html(await w.get('/account/notifications', w.carla));
    const row = page.querySelector(`[id="inApp-${REMINDER}"]`)?.closest('tr');
    expect(row?.querySelector('th')?.textContent).toContain('Reminders of surveys I have not answered');
    expect(page.querySelector(`[id="email-${REMINDER}"]`)?.getAttribute('checked')).toBe('');
    // Everything as shown, but this type off in the app.
    const form: Record<string, string> = { digestFrequency: 'organisation', quietHours: 'organisation' };
    for (const input of page.querySelectorAll('.notification-choices input')) {
      const name = input.getAttribute('name')!;
      if (input.getAttribute('type') === 'checkbox' && input.hasAttribute('checked')) form[name] = '1';
      if (input.getAttribute('type') === 'radio' && input.hasAttribute('checked')) form[name] = input.getAttribute('value')!;
    }
    delete form[`inApp-${REMINDER}`];
    expect((await w.post('/account/notifications', form, w.carla)).statusCode).toBe(303);
    expect(await bellCount(w, w.carla)).toBe(0);
    form[`inApp-${REMINDER}`] = '1';
    expect((await w.post('/account/notifications', form, w.carla)).statusCode).toBe(303);
    expect(await bellCount(w, w.carla)).toBe(1);
    // Plugin off: no line.
    await disablePlugin(w.app, 'polls');
    expect(html(await w.get('/account/notifications', w.carla)).querySelector(`[id="inApp-${REMINDER}"]`)).toBe(null);
    await enablePlugin(w.app, 'polls', w.admin.id);
  });

  it('answering removes the person’s reminders in the same step: no row says “reminded” beside “answered”', async () => {
    expect(await reminderRows(w, w.carla.id)).toHaveLength(1);
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'done now' }, w.carla)).statusCode).toBe(303);
    expect(await reminderRows(w, w.carla.id)).toEqual([]);
    expect(await bellCount(w, w.carla)).toBe(0);
  });

  /** An open survey of the Tech department (Dan), opened three days ago, and today's reminders sent. */
  async function techSurveyReminded(title: string): Promise<number> {
    const id = await w.createSurvey(w.eve, { title, audience: 'departments', departments: [String(w.tech)], startsAt: inDays(-3).replace(/T.*/, 'T00:00'), endsAt: inDays(20) });
    await w.addQuestion(w.eve, id, { qtext: 'Q', qtype: 'short' });
    await w.open(w.eve, id);
    await sendReminders(w.app.db, Date.now());
    return id;
  }

  it('once the survey is closed its reminders go; a person who left the audience no longer sees theirs', async () => {
    const other = await techSurveyReminded('Second');
    expect(await bellCount(w, w.dan)).toBe(1);
    // Dan moves to Sales: the reminder no longer concerns him (not listed, then not counted).
    await w.app.db.updateTable('users').set({ department_id: w.sales }).where('id', '=', w.dan.id).execute();
    expect(await entries(w, w.dan)).toEqual([]);
    expect(await bellCount(w, w.dan)).toBe(0);
    await w.app.db.updateTable('users').set({ department_id: w.tech }).where('id', '=', w.dan.id).execute();
    // Closed by its owner: gone.
    await w.app.db.updateTable('polls_survey_surveys' as never).set({ last_reminder_day: null } as never).where('id' as never, '=', other as never).execute();
    await sendReminders(w.app.db, Date.now());
    expect(await reminderRows(w, w.dan.id)).toHaveLength(1);
    expect((await w.post(`/polls/surveys/${other}/close`, {}, w.eve)).statusCode).toBe(303);
    expect(await reminderRows(w, w.dan.id)).toEqual([]);
  });

  it('a reminder past the survey’s end is not shown, even before anything removes it', async () => {
    const third = await techSurveyReminded('Third');
    expect(await bellCount(w, w.dan)).toBe(1);
    await w.app.db.updateTable('notifications').set({ expires_at: Date.now() - 1000 }).where('user_id', '=', w.dan.id).where('subject_id', '=', third).execute();
    expect(await bellCount(w, w.dan)).toBe(0);
    expect(await entries(w, w.dan)).toEqual([]);
  });

  it('deleting the survey deletes its reminders', async () => {
    const fourth = await techSurveyReminded('Fourth');
    const before = (await reminderRows(w, w.dan.id)).filter((r) => r.subject_id === fourth);
    expect(before).toHaveLength(1);
    expect((await w.post(`/polls/surveys/${fourth}/delete`, { confirm: 'yes' }, w.eve)).statusCode).toBe(303);
    expect((await reminderRows(w, w.dan.id)).filter((r) => r.subject_id === fourth)).toEqual([]);
  });
});

describe('survey reminders: a space’s survey', () => {
  let w: SurveysWorld;
  beforeAll(async () => {
    w = await surveysWorld();
  });
  afterAll(async () => w.t.close());

  it('hidden while the plugin is switched off in the space', async () => {
    await w.app.plugins.saveSettings('polls', w.admin.id, { pollCreators: 'members', surveyCreators: 'spaceAdmins' });
    const id = await w.createSurvey(w.dan, { title: 'Team check', audience: 'space', space: String(w.team), startsAt: inDays(-3).replace(/T.*/, 'T00:00'), endsAt: inDays(20) });
    await w.addQuestion(w.dan, id, { qtext: 'Q', qtype: 'short' });
    await w.open(w.dan, id);
    await sendReminders(w.app.db, Date.now());
    // Team: bruno (member), dan (admin and owner).
    expect(await bellCount(w, w.bruno)).toBe(1);
    await w.app.plugins.setSpaceSwitch('polls', w.team, false, w.dan.id);
    expect(await bellCount(w, w.bruno)).toBe(0);
    expect(await entries(w, w.bruno)).toEqual([]);
    await w.app.plugins.setSpaceSwitch('polls', w.team, true, w.dan.id);
    expect(await bellCount(w, w.bruno)).toBe(1);
  });
});

describe('survey reminders: by email', () => {
  let smtp: TestSmtp;
  let w: SurveysWorld;
  let close: () => Promise<void>;
  const week = parisWeek();
  beforeAll(async () => {
    ({ w, smtp, close } = await surveysWorldWithMail());
  });
  afterAll(async () => close());

  /** An open Sales survey (bruno and carla to answer) that runs over the test's week. */
  async function salesSurvey(title: string): Promise<number> {
    const id = await w.createSurvey(w.eve, { title, audience: 'departments', departments: [String(w.sales)], endsAt: new Date(week.at('friday', '18:00', 1)).toISOString().slice(0, 16) });
    await w.addQuestion(w.eve, id, { qtext: 'Q', qtype: 'short' });
    await w.open(w.eve, id);
    return id;
  }

  it('mailed at once on a working day, with its link and an unsubscribe link for this type that works', async () => {
    const id = await salesSurvey('Mail survey');
    const tuesday = week.at('tuesday', '10:00');
    await sendReminders(w.app.db, tuesday);
    await w.app.jobs.runDue(tuesday);
    await w.app.jobs.runDue(tuesday);
    const [mail] = mailsTo(smtp, 'carla@example.com');
    expect(mail?.subject).toContain('Reminder: the survey “Mail survey” is waiting for your answers');
    expect(mail?.text).toContain(`${PUBLIC_URL}/polls/surveys/${id}`);
    expect(mail?.text).toContain('Stop emails about reminders of surveys I have not answered');
    expect(mailsTo(smtp, 'eve@example.com')).toEqual([]);
    // The unsubscribe link of this type, without signing in.
    const link = new URL(unsubscribeLinkIn(mail!));
    const done = await w.app.inject({ method: 'POST', url: link.pathname });
    expect(done.statusCode).toBe(200);
    const pref = await w.app.db.selectFrom('notification_preferences').selectAll().where('user_id', '=', w.carla.id).where('type', '=', REMINDER).executeTakeFirst();
    expect(pref?.email).toBe('off');
    // An altered link does nothing.
    const altered = await w.app.inject({ method: 'POST', url: link.pathname.replace(REMINDER, 'mention') });
    expect(altered.statusCode).toBe(404);
  });

  it('held by quiet hours, with its recipients hidden from the admins’ outbox; an answer before morning means no email', async () => {
    await salesSurvey('Evening survey');
    const wednesday = week.at('wednesday', '21:00');
    const before = smtp.messages.length;
    await sendReminders(w.app.db, wednesday);
    await w.app.jobs.runDue(wednesday);
    expect(smtp.messages.length).toBe(before);
    const states = (await emailStates(w.app, w.bruno.id)).filter((n) => n.type === REMINDER);
    expect(states.at(-1)?.email_state).toBe('queued');
    // The outbox lists the held email without saying whose it is.
    const outbox = mainText(await w.get('/admin/notifications', w.admin));
    expect(outbox).toContain('(not shown: who receives these is private)');
    expect(outbox).not.toContain('Bruno Petit');
    expect(outbox).not.toContain('bruno@example.com');
    // Carla answers in the evening: her held reminder is never mailed. Bruno's is, in the morning.
    const [evening] = (await w.app.db.selectFrom('polls_survey_surveys' as never).select('id' as never).where('title' as never, '=', 'Evening survey' as never).execute()) as Array<{ id: number }>;
    const [q] = await w.questionIds(evening!.id);
    expect((await w.post(`/polls/surveys/${evening!.id}`, { [`q${q}`]: 'yes' }, w.carla)).statusCode).toBe(303);
    const thursday = week.at('thursday', '07:30');
    await w.app.jobs.runDue(thursday);
    await w.app.jobs.runDue(thursday);
    expect(mailsTo(smtp, 'bruno@example.com').map((m) => m.subject)).toContainEqual(expect.stringContaining('“Evening survey”'));
    expect(mailsTo(smtp, 'carla@example.com').map((m) => m.subject)).not.toContainEqual(expect.stringContaining('“Evening survey”'));
  });
});

describe('polls: the invitation to post the outcome', () => {
  let w: PollsWorld;
  beforeAll(async () => {
    w = await pollsWorld();
  });
  /** The plugin's every-minute job, now (the queue would run it within a minute). */
  const closeDuePolls = () => jobs[0]!.run({ id: 0, type: 'polls.close-due-polls', payload: {}, attempt: 1, now: Date.now(), db: w.app.db } as never);
  afterAll(async () => w.t.close());

  it('its author is invited once the poll closes by itself; posting the outcome ends it', async () => {
    const id = await w.addPoll(w.bruno, w.team, { question: 'Lunch <i>place</i>?', closesAt: new Date(Date.now() + DAY).toISOString().slice(0, 16) });
    // Its closing time has come (a notification dated in the future would not be listed yet).
    await w.app.db.updateTable('polls_polls' as never).set({ closes_at: Date.now() - 1000 } as never).where('content_id' as never, '=', id as never).execute();
    await closeDuePolls();
    const rows = await w.app.db.selectFrom('notifications').selectAll().where('type', '=', 'polls.poll-outcome').execute();
    expect(rows.map((r) => [r.user_id, r.content_id])).toEqual([[w.bruno.id, id]]);
    const list = html(await w.get('/notifications', w.bruno)).querySelectorAll('.notification');
    expect(list.map((li) => li.textContent.replace(/\s+/g, ' '))).toContainEqual(expect.stringContaining('Your poll “Lunch <i>place</i>?” has closed: tell everyone what comes of it'));
    const opened = await w.post(`/notifications/${rows[0]!.id}/read`, {}, w.bruno);
    expect(opened.headers.location).toBe(`/polls/${id}#poll-${id}-outcome`);
    // The voters hear nothing of it.
    for (const voter of w.voters) expect(await w.app.db.selectFrom('notifications').select('id').where('user_id', '=', voter.id).where('type', '=', 'polls.poll-outcome').executeTakeFirst()).toBeUndefined();
    expect((await w.post(`/polls/${id}/outcome`, { outcome: 'Thursday it is.' }, w.bruno)).statusCode).toBe(303);
    expect(await w.app.db.selectFrom('notifications').select('id').where('type', '=', 'polls.poll-outcome').execute()).toEqual([]);
  });

  it('closed by its author by hand: no invitation (the poll’s page asks them)', async () => {
    const id = await w.addPoll(w.bruno, w.team, { question: 'Manual close?' });
    expect((await w.post(`/polls/${id}/close`, {}, w.bruno)).statusCode).toBe(303);
    await closeDuePolls();
    expect(await w.app.db.selectFrom('notifications').select('id').where('type', '=', 'polls.poll-outcome').where('content_id', '=', id).execute()).toEqual([]);
  });
});
