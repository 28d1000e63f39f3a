// The polls plugin's notification types at the edges: the invitation to post a poll's outcome (reopened,
// posted before the job), deleting a survey, the reminders of a survey that ended, the order their rows
// are written in, and the admins' outbox after someone answers while their reminder email is held.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html } from '../../../test/helpers/app.js';
import { parisWeek } from '../../../test/helpers/email.js';
import type { Person } from '../../../test/helpers/spaces.js';
import { person } from '../../../test/helpers/spaces.js';
import { jobs } from '../polls/jobs.js';
import { notifyReminders, sendReminders } from '../surveys/reminders.js';
import { findSurvey } from '../surveys/service.js';
import { pollFields, pollsWorld, type PollsWorld } from './polls-helpers.js';
import { inDays, surveysWorld, surveysWorldWithMail, type SurveysWorld } from './surveys-helpers.js';

const DAY = 86_400_000;
const REMINDER = 'polls.survey-reminder';
const OUTCOME = 'polls.poll-outcome';

type World = { get(url: string, who?: Person | null): Promise<{ body: string }> };

/** The bell's unread count on a page (0 when it shows none). */
async function bellCount(w: World, who: Person): Promise<number> {
  const count = html(await w.get('/account', who) as never).querySelector('.notification-bell__count');
  return count ? Number(count.textContent) : 0;
}

/** The entries of a person's notification list. */
async function listed(w: World, who: Person): Promise<string[]> {
  return html(await w.get('/notifications', who) as never).querySelectorAll('.notification').map((li) => li.textContent.replace(/\s+/g, ' ').trim());
}

/** The plugin's every-minute job that closes due polls, run at `now`. */
const runCloseJob = (db: unknown, now = Date.now()) => jobs[0]!.run({ id: 0, type: 'polls.close-due-polls', payload: {}, attempt: 1, now, db } as never);

describe('the invitation to post a poll’s outcome', () => {
  let w: PollsWorld;
  beforeAll(async () => {
    w = await pollsWorld();
  });
  afterAll(async () => w.t.close());

  async function closedByTheJob(question: string): Promise<number> {
    const id = await w.addPoll(w.bruno, w.team, { question, closesAt: new Date(Date.now() + DAY).toISOString().slice(0, 16) });
    await w.app.db.updateTable('polls_polls' as never).set({ closes_at: Date.now() - 1000 } as never).where('content_id' as never, '=', id as never).execute();
    return id;
  }

  it('reopening the poll takes the invitation away: the bell does not count what the list does not show', async () => {
    const id = await closedByTheJob('Reopened?');
    await runCloseJob(w.app.db);
    expect(await w.app.db.selectFrom('notifications').select('id').where('type', '=', OUTCOME).where('content_id', '=', id).execute()).toHaveLength(1);
    expect((await w.post(`/polls/${id}/reopen`, {}, w.bruno)).statusCode).toBe(303);
    // Bell first (reading the list marks moot entries read).
    const bell = await bellCount(w, w.bruno);
    const entries = await listed(w, w.bruno);
    expect({ bell, entries: entries.length }).toEqual({ bell: entries.length, entries: entries.length });
    await w.app.db.deleteFrom('notifications').where('user_id', '=', w.bruno.id).execute();
  });

  it('an outcome posted once the closing time has passed, before the job ran: no invitation (nothing counted and not listed)', async () => {
    const id = await closedByTheJob('Posted early?');
    // The poll counts as closed from its closing time: its author may post the outcome at once.
    expect((await w.post(`/polls/${id}/outcome`, { outcome: 'Done already.' }, w.bruno)).statusCode).toBe(303);
    await runCloseJob(w.app.db);
    expect(await w.app.db.selectFrom('notifications').select('id').where('type', '=', OUTCOME).where('content_id', '=', id).execute()).toEqual([]);
    expect(await bellCount(w, w.bruno)).toBe(0);
  });
});

describe('deleting a survey', () => {
  let w: SurveysWorld;
  beforeAll(async () => {
    w = await surveysWorld();
  });
  afterAll(async () => w.t.close());

  it('keeps the invitation of a poll whose id happens to be the survey’s (subject ids of two kinds)', async () => {
    // A poll of Bruno's in Team, closed by the job: its invitation's subject_id is the poll's content id.
    expect((await w.post('/polls/new', { space: String(w.team), ...pollFields({ question: 'Same id?' }) }, w.bruno)).statusCode).toBe(303);
    const poll = (await w.app.db.selectFrom('content').select('id').where('kind', '=', 'poll').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    await w.app.db.updateTable('polls_polls' as never).set({ closes_at: Date.now() - 1000 } as never).where('content_id' as never, '=', poll as never).execute();
    await runCloseJob(w.app.db);
    const invitation = await w.app.db.selectFrom('notifications').select(['id', 'subject_id']).where('type', '=', OUTCOME).executeTakeFirstOrThrow();
    expect(invitation.subject_id).toBe(poll);
    // A survey with the same number (surveys and content count separately).
    let survey = 0;
    while (survey < poll) survey = await w.createSurvey(w.eve, { title: `Survey ${survey}` });
    expect(survey).toBe(poll);
    expect((await w.post(`/polls/surveys/${survey}/delete`, { confirm: 'yes' }, w.eve)).statusCode).toBe(303);
    // The poll's invitation is not the survey's: it must still be there.
    expect(await w.app.db.selectFrom('notifications').select('id').where('id', '=', invitation.id).executeTakeFirst()).toEqual({ id: invitation.id });
  });
});

describe('reminders of a survey that has ended', () => {
  let w: SurveysWorld;
  beforeAll(async () => {
    w = await surveysWorld();
  });
  afterAll(async () => w.t.close());

  it('are deleted once it ends by its date, as when it is closed by hand: the list of who never answered is not kept', async () => {
    const endsAt = inDays(2);
    const id = await w.createSurvey(w.eve, { title: 'Ends by itself', audience: 'departments', departments: [String(w.sales)], startsAt: inDays(-3).replace(/T.*/, 'T00:00'), endsAt });
    await w.addQuestion(w.eve, id, { qtext: 'Q', qtype: 'short' });
    await w.open(w.eve, id);
    expect(await sendReminders(w.app.db, Date.now())).toBe(2);
    // Bruno and Carla never answer; the survey ends; the hourly job keeps running afterwards.
    const end = (await w.app.db.selectFrom('polls_survey_surveys' as never).select('ends_at' as never).where('id' as never, '=', id as never).executeTakeFirstOrThrow()) as { ends_at: number };
    for (const hours of [1, 2, 24, 24 * 30]) await sendReminders(w.app.db, end.ends_at + hours * 3_600_000);
    const left = await w.app.db.selectFrom('notifications').select(['user_id']).where('type', '=', REMINDER).where('subject_id', '=', id).execute();
    // Kept, they would say for ever (hidden by expires_at, but stored) exactly who did not answer.
    expect(left).toEqual([]);
  });

  it('the ids of the reminders left do not tell who answered after a reminder (rows not written in audience order)', async () => {
    // Sales: Bruno, Carla and ten more; Eve owns the survey.
    const more: Person[] = [];
    for (let i = 0; i < 10; i++) more.push(await person(w.app, `sales${i}@example.com`, { name: `Sales Person${i}` }));
    await w.app.db.updateTable('users').set({ department_id: w.sales }).where('id', 'in', more.map((p) => p.id)).execute();
    const id = await w.createSurvey(w.eve, { title: 'Gaps', audience: 'departments', departments: [String(w.sales)], startsAt: inDays(-3).replace(/T.*/, 'T00:00'), endsAt: inDays(20) });
    await w.addQuestion(w.eve, id, { qtext: 'Q', qtype: 'short' });
    await w.open(w.eve, id);
    await sendReminders(w.app.db, Date.now());
    const written = await w.app.db.selectFrom('notifications').select(['id', 'user_id']).where('type', '=', REMINDER).where('subject_id', '=', id).orderBy('id').execute();
    const audience = [w.bruno, w.carla, ...more].map((p) => p.id).sort((a, b) => a - b);
    expect(written.map((r) => r.user_id).sort((a, b) => a - b)).toEqual(audience);
    const [q] = await w.questionIds(id);
    // Carla answers after the reminder (her answer is stored with today's date); her reminder goes.
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'gap answer' }, w.carla)).statusCode).toBe(303);
    // Written with consecutive ids in the audience's order, the reminders left would show one id
    // missing between Bruno's row and the next one: the only person between them in that order is
    // Carla, so "reminded on day D, answered since" would name her, beside the anonymous answers
    // dated from D on.
    const rows = await w.app.db.selectFrom('notifications').select(['id', 'user_id']).where('type', '=', REMINDER).where('subject_id', '=', id).orderBy('id').execute();
    expect(rows.map((r) => r.user_id)).not.toContain(w.carla.id);
    // Rows are written in an order unrelated to the people (shuffled; 12 people: 1 chance in 479
    // million of coming out in the audience's order by accident).
    expect(written.map((r) => r.user_id)).not.toEqual(audience);
  });
});

describe('the admins’ outbox after someone answers while their reminder email is held', () => {
  let w: SurveysWorld;
  let close: () => Promise<void>;
  const week = parisWeek();
  beforeAll(async () => {
    ({ w, close } = await surveysWorldWithMail());
  });
  afterAll(async () => close());

  it('no entry stands out: the held reminder of the person who answered is not shown apart from the others', async () => {
    const id = await w.createSurvey(w.eve, { title: 'Held', audience: 'departments', departments: [String(w.sales)], endsAt: new Date(week.at('friday', '18:00', 1)).toISOString().slice(0, 16) });
    await w.addQuestion(w.eve, id, { qtext: 'Q', qtype: 'short' });
    await w.open(w.eve, id);
    // Wednesday evening: Bruno's and Carla's reminder emails wait for the end of the quiet hours.
    const wednesday = week.at('wednesday', '21:00');
    expect(await sendReminders(w.app.db, wednesday)).toBe(2);
    await w.app.jobs.runDue(wednesday);
    const rowsOf = async () =>
      html(await w.get('/admin/notifications', w.admin))
        .querySelectorAll('.outbox__entry')
        .map((tr) => tr.querySelectorAll('td').slice(0, 2).map((td) => td.textContent.replace(/\s+/g, ' ').trim()).join(' | '));
    expect(await rowsOf()).toHaveLength(2);
    // Carla answers in the evening.
    const [q] = await w.questionIds(id);
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'evening answer' }, w.carla)).statusCode).toBe(303);
    // Her entry must not turn into "(deleted) | Other" in the audience's order (the second of two):
    // the admin would read who answered since the reminder.
    const rows = await rowsOf();
    expect(new Set(rows).size, rows.join('\n')).toBeLessThanOrEqual(1);
    expect(rows.join('\n')).not.toContain('(deleted)');
  });
});

describe('survey reminders: a person who answers while the reminders are being written', () => {
  let w: SurveysWorld;
  beforeAll(async () => {
    w = await surveysWorld();
  });
  afterAll(async () => w.t.close());

  // sendReminders reads who has answered, then notifyReminders writes the reminders in another
  // transaction; an answer in between (recordAnswers deletes the person's reminders) must not be
  // followed by a fresh reminder: a row "was reminded" beside "has answered".
  it('writes no reminder for someone who has answered by the time the reminders are written', async () => {
    const id = await w.createSurvey(w.eve, { title: 'Race', audience: 'departments', departments: [String(w.sales)], startsAt: inDays(-3).replace(/T.*/, 'T00:00'), endsAt: inDays(20) });
    await w.addQuestion(w.eve, id, { qtext: 'Q', qtype: 'short' });
    await w.open(w.eve, id);
    const [q] = (await w.questionIds(id)) as [number];
    // The pending list as sendReminders computed it: Bruno and Carla. Carla answers right then.
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'answered' }, w.carla)).statusCode).toBe(303);
    const survey = (await findSurvey(w.app.db, id))!;
    await notifyReminders(w.app.db, survey, [w.bruno.id, w.carla.id], Date.now());
    const reminded = await w.app.db.selectFrom('notifications').select('user_id').where('type', '=', 'polls.survey-reminder').where('subject_id', '=', id).execute();
    expect(reminded.map((r) => r.user_id)).toEqual([w.bruno.id]);
  });
});

describe('survey reminders: a delivery that fails', () => {
  let w: SurveysWorld;
  beforeAll(async () => {
    w = await surveysWorld();
  });
  afterAll(async () => w.t.close());

  it('is tried again at the next run the same day (the day is marked only once they are written)', async () => {
    const id = await w.createSurvey(w.eve, { title: 'Retry', audience: 'departments', departments: [String(w.sales)], startsAt: inDays(-3).replace(/T.*/, 'T00:00'), endsAt: inDays(20) });
    await w.addQuestion(w.eve, id, { qtext: 'Q', qtype: 'short' });
    await w.open(w.eve, id);
    await expect(
      sendReminders(w.app.db, Date.now(), async () => {
        throw new Error('the database was busy');
      }),
    ).rejects.toThrow('the database was busy');
    expect(await sendReminders(w.app.db, Date.now())).toBe(2);
    const reminded = await w.app.db.selectFrom('notifications').select('user_id').where('type', '=', 'polls.survey-reminder').where('subject_id', '=', id).execute();
    expect(reminded.map((r) => r.user_id).sort((a, b) => a - b)).toEqual([w.bruno.id, w.carla.id].sort((a, b) => a - b));
  });
});
