// Surveys through HTTP: who may create (each setting), building from templates (fr, en), validation
// (fr, en), audiences (who may answer; others 404), opening (k fixed, mode only more private, questions
// locked), answering (required, once, not after the end), results through the privacy core (none vs
// too few vs shown), exports, the published summary, reminders, GDPR hooks, escaping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html, mainText } from '../../../test/helpers/app.js';
import { sendReminders } from '../surveys/reminders.js';
import { findSurvey, makeAnonymous, recordAnswers } from '../surveys/service.js';
import { inDays, surveysWorld, type SurveysWorld } from './surveys-helpers.js';

const surveysDb = (w: SurveysWorld) =>
  w.app.db.withTables<{
    polls_survey_surveys: { id: number; min_group: number | null; anonymous: number; ends_at: number | null; starts_at: number | null; opened_at: number | null };
  }>();

describe('surveys: creating, opening, answering, results', () => {
  let w: SurveysWorld;
  beforeAll(async () => {
    w = await surveysWorld();
  });
  afterAll(async () => w.t.close());

  it('"Surveys" is in the navigation of every signed-in person; anonymous visitors go to sign in', async () => {
    const page = await w.get('/polls/surveys');
    expect(page.statusCode).toBe(200);
    expect(html(page).querySelector('.site-nav a[href="/polls/surveys"]')?.getAttribute('aria-current')).toBe('page');
    const anonymous = await w.get('/polls/surveys', null);
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login/);
  });

  it('who may create: editors by default; members get 404 and see no "New survey"', async () => {
    expect((await w.get('/polls/surveys/new', w.eve)).statusCode).toBe(200);
    expect((await w.get('/polls/surveys/new', w.admin)).statusCode).toBe(200);
    expect((await w.get('/polls/surveys/new', w.bruno)).statusCode).toBe(404);
    expect((await w.post('/polls/surveys/new', { title: 'x', audience: 'everyone', mode: 'anonymous', endsAt: inDays(3) }, w.bruno)).statusCode).toBe(404);
    expect(html(await w.get('/polls/surveys', w.bruno)).querySelector('a[href="/polls/surveys/new"]')).toBe(null);
    expect(html(await w.get('/polls/surveys', w.eve)).querySelector('a[href="/polls/surveys/new"]')).not.toBe(null);
  });

  it('templates: the texts come in the creator’s language (en and fr)', async () => {
    const en = await w.get('/polls/surveys/new?template=dialogue', w.eve);
    expect(html(en).querySelector('#title')?.getAttribute('value')).toBe('Quality of dialogue');
    const id = await w.createSurvey(w.eve, { title: 'Quality of dialogue', template: 'dialogue' });
    const edit = await w.get(`/polls/surveys/${id}/edit`, w.eve);
    expect(html(edit).querySelectorAll('.survey-question__text').map((q) => q.text)).toEqual([
      'Do you feel listened to?',
      'Does useful information reach you in time?',
      'Do you dare to disagree?',
      'What should change first?',
    ]);
    await w.app.db.updateTable('users').set({ role: 'editor' }).where('id', '=', w.fanny.id).execute();
    const fr = await w.get('/polls/surveys/new?template=event', w.fanny);
    expect(html(fr).querySelector('#title')?.getAttribute('value')).toBe('Organisation de l’événement');
    const frId = await w.createSurvey(w.fanny, { title: 'Organisation de l’événement', template: 'event' });
    const frEdit = await w.get(`/polls/surveys/${frId}/edit`, w.fanny);
    expect(html(frEdit).querySelectorAll('.survey-question__text')[0]?.text).toBe('Quel format préférez-vous\u202f?');
    expect(html(await w.get('/polls/surveys/new?template=idea', w.fanny)).querySelector('#title')?.getAttribute('value')).toBe('Pertinence de l’idée');
    await w.app.db.updateTable('users').set({ role: 'member' }).where('id', '=', w.fanny.id).execute();
  });

  it('bad input: clear messages in en and fr, what was typed kept (422)', async () => {
    const en = await w.post('/polls/surveys/new', { title: '', intro: 'Kept <intro>', audience: 'departments', mode: 'anonymous', endsAt: '' }, w.eve);
    expect(en.statusCode).toBe(422);
    const text = mainText(en);
    expect(text).toContain('Say when the survey ends.');
    expect(text).toContain('Choose at least one.');
    expect(html(en).querySelector('#intro')?.text).toBe('Kept <intro>');
    const past = await w.post('/polls/surveys/new', { title: 'T', audience: 'everyone', mode: 'anonymous', endsAt: '2001-01-01T10:00' }, w.eve);
    expect(mainText(past)).toContain('The end must be in the future.');
    await w.app.db.updateTable('users').set({ role: 'editor' }).where('id', '=', w.fanny.id).execute();
    const fr = await w.post('/polls/surveys/new', { title: 'Titre gardé', audience: 'everyone', mode: 'anonymous', endsAt: 'nonsense' }, w.fanny);
    expect(fr.statusCode).toBe(422);
    expect(mainText(fr)).toContain('Saisissez une date valide.');
    expect(html(fr).querySelector('#title')?.getAttribute('value')).toBe('Titre gardé');
    await w.app.db.updateTable('users').set({ role: 'member' }).where('id', '=', w.fanny.id).execute();
    // A question: choices needed for a choice question.
    const id = await w.createSurvey(w.eve);
    const q = await w.post(`/polls/surveys/${id}/questions`, { qtext: 'Which one?', qtype: 'single', qoptions: 'Only one' }, w.eve);
    expect(q.statusCode).toBe(422);
    expect(mainText(q)).toContain('Offer at least two choices');
    expect(html(q).querySelector('#qtext')?.getAttribute('value')).toBe('Which one?');
  });

  it('building: questions added, moved up and down, deleted (plain forms); escaped everywhere', async () => {
    const id = await w.createSurvey(w.eve, { title: '<script>alert(1)</script> survey' });
    await w.addQuestion(w.eve, id, { qtext: 'First <b>', qtype: 'short' });
    await w.addQuestion(w.eve, id, { qtext: 'Second', qtype: 'scale', qrequired: '1' });
    await w.addQuestion(w.eve, id, { qtext: 'Third', qtype: 'multiple', qoptions: 'A\nB\nC', qmin: '1', qmax: '2' });
    const [first, second, third] = await w.questionIds(id);
    expect((await w.post(`/polls/surveys/${id}/questions/${third}/up`, {}, w.eve)).statusCode).toBe(303);
    expect((await w.post(`/polls/surveys/${id}/questions/${first}/delete`, {}, w.eve)).statusCode).toBe(303);
    const edit = await w.get(`/polls/surveys/${id}/edit`, w.eve);
    expect(html(edit).querySelectorAll('.survey-question__text').map((q) => q.text)).toEqual(['Third', 'Second']);
    expect(second).toBeDefined();
    expect(edit.body).not.toContain('<script>alert(1)</script>');
    expect(edit.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; survey');
    // Someone else's draft: 404 (it exists, but not for them), even to edit.
    expect((await w.get(`/polls/surveys/${id}`, w.bruno)).statusCode).toBe(404);
    expect((await w.get(`/polls/surveys/${id}/edit`, w.bruno)).statusCode).toBe(404);
    expect((await w.post(`/polls/surveys/${id}/questions`, { qtext: 'x', qtype: 'short' }, w.bruno)).statusCode).toBe(404);
    // The admin manages every survey.
    expect((await w.get(`/polls/surveys/${id}/edit`, w.admin)).statusCode).toBe(200);
  });

  it('opening fixes k on the survey, for good; questions are locked; the mode only becomes more private', async () => {
    const id = await w.createSurvey(w.eve, { mode: 'identified' });
    expect((await w.post(`/polls/surveys/${id}/open`, {}, w.eve)).statusCode).toBe(422); // no question yet
    await w.addQuestion(w.eve, id, { qtext: 'How?', qtype: 'short' });
    await w.app.db.updateTable('organisation').set({ privacy_min_group: 4 }).execute();
    await w.open(w.eve, id);
    expect((await surveysDb(w).selectFrom('polls_survey_surveys').select('min_group').where('id', '=', id).executeTakeFirstOrThrow()).min_group).toBe(4);
    await w.app.db.updateTable('organisation').set({ privacy_min_group: 7 }).execute();
    await w.open(w.eve, id); // opening again changes nothing
    await w.post(`/polls/surveys/${id}/edit`, { title: 'Renamed', audience: 'everyone', mode: 'identified', endsAt: inDays(5) }, w.eve);
    expect((await surveysDb(w).selectFrom('polls_survey_surveys').select('min_group').where('id', '=', id).executeTakeFirstOrThrow()).min_group).toBe(4);
    await w.app.db.updateTable('organisation').set({ privacy_min_group: 5 }).execute();
    // Locked questions.
    expect((await w.post(`/polls/surveys/${id}/questions`, { qtext: 'Late', qtype: 'short' }, w.eve)).statusCode).toBe(409);
    // identified -> anonymous: allowed while nobody answered.
    expect((await w.post(`/polls/surveys/${id}/edit`, { title: 'Renamed', audience: 'everyone', mode: 'anonymous', endsAt: inDays(5) }, w.eve)).statusCode).toBe(303);
    expect((await surveysDb(w).selectFrom('polls_survey_surveys').select('anonymous').where('id', '=', id).executeTakeFirstOrThrow()).anonymous).toBe(1);
    // anonymous -> identified: refused, with a message.
    const back = await w.post(`/polls/surveys/${id}/edit`, { title: 'Renamed', audience: 'everyone', mode: 'identified', endsAt: inDays(5) }, w.eve);
    expect(back.statusCode).toBe(422);
    expect(mainText(back)).toContain('can only become more private');
    expect((await surveysDb(w).selectFrom('polls_survey_surveys').select('anonymous').where('id', '=', id).executeTakeFirstOrThrow()).anonymous).toBe(1);
  });

  it('identified -> anonymous is refused once someone answered', async () => {
    const id = await w.createSurvey(w.eve, { mode: 'identified' });
    await w.addQuestion(w.eve, id, { qtext: 'How?', qtype: 'short' });
    await w.open(w.eve, id);
    const [q] = await w.questionIds(id);
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'Fine' }, w.bruno)).statusCode).toBe(303);
    const refused = await w.post(`/polls/surveys/${id}/edit`, { title: 'T', audience: 'everyone', mode: 'anonymous', endsAt: inDays(5) }, w.eve);
    expect(refused.statusCode).toBe(422);
    expect(mainText(refused)).toContain('Someone has answered already');
    // The form no longer offers what it would refuse: the mode is shown, with why, and kept as it is.
    const form = html(await w.get(`/polls/surveys/${id}/edit`, w.eve));
    expect(form.querySelectorAll('input[type="radio"][name="mode"]')).toHaveLength(0);
    expect(form.querySelector('input[type="hidden"][name="mode"]')?.getAttribute('value')).toBe('identified');
    expect(form.querySelector('#mode')?.text).toContain('Someone has answered already: the mode can no longer change.');
    const saved = await w.post(`/polls/surveys/${id}/edit`, { title: 'Renamed', audience: 'everyone', mode: 'identified', endsAt: inDays(5) }, w.eve);
    expect(saved.statusCode).toBe(303);
  });

  it('audiences: everyone, a space, departments, sites; who is outside gets 404 (page and answer)', async () => {
    const make = async (fields: Record<string, string | string[]>, who = w.eve) => {
      const id = await w.createSurvey(who, fields);
      await w.addQuestion(who, id, { qtext: 'Q', qtype: 'short' });
      await w.open(who, id);
      return id;
    };
    const cases: Array<[Record<string, string | string[]>, string[], string[]]> = [
      [{ audience: 'everyone' }, ['bruno', 'carla', 'dan', 'fanny'], []],
      [{ audience: 'space', space: String(w.team) }, ['bruno', 'dan'], ['carla', 'fanny']],
      [{ audience: 'departments', departments: [String(w.sales)] }, ['bruno', 'carla'], ['dan', 'fanny']],
      [{ audience: 'sites', sites: [String(w.paris)] }, ['carla', 'dan'], ['bruno', 'fanny']],
    ];
    const who = { bruno: w.bruno, carla: w.carla, dan: w.dan, fanny: w.fanny } as const;
    for (const [fields, inside, outside] of cases) {
      // A space audience: created by the space's admin under the spaceAdmins setting, else by an admin member.
      const id = fields.audience === 'space' ? await (async () => {
        await w.app.plugins.saveSettings('polls', w.admin.id, { pollCreators: 'members', surveyCreators: 'spaceAdmins' });
        const made = await make(fields, w.dan);
        await w.app.plugins.saveSettings('polls', w.admin.id, { pollCreators: 'members', surveyCreators: 'editors' });
        return made;
      })() : await make(fields);
      const [q] = await w.questionIds(id);
      for (const name of inside) {
        expect((await w.get(`/polls/surveys/${id}`, who[name as keyof typeof who])).statusCode, `${fields.audience} ${name}`).toBe(200);
        if (name !== 'dan' || fields.audience !== 'space') {
          expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'ok' }, who[name as keyof typeof who])).statusCode, `${fields.audience} ${name} answers`).toBe(303);
        }
      }
      for (const name of outside) {
        expect((await w.get(`/polls/surveys/${id}`, who[name as keyof typeof who])).statusCode, `${fields.audience} ${name}`).toBe(404);
        expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'no' }, who[name as keyof typeof who])).statusCode, `${fields.audience} ${name} answers`).toBe(404);
      }
      // Listed to answer only for the audience.
      const listed = (page: Awaited<ReturnType<SurveysWorld['get']>>) => html(page).querySelector(`.survey-list a[href="/polls/surveys/${id}"]`) !== null;
      for (const name of outside) expect(listed(await w.get('/polls/surveys', who[name as keyof typeof who])), `${fields.audience} ${name} list`).toBe(false);
    }
  });

  it('who may create: "admins" keeps editors out; "spaceAdmins" lets a space admin create for their own space only', async () => {
    await w.app.plugins.saveSettings('polls', w.admin.id, { pollCreators: 'members', surveyCreators: 'admins' });
    expect((await w.get('/polls/surveys/new', w.eve)).statusCode).toBe(404);
    expect((await w.get('/polls/surveys/new', w.admin)).statusCode).toBe(200);
    await w.app.plugins.saveSettings('polls', w.admin.id, { pollCreators: 'members', surveyCreators: 'spaceAdmins' });
    expect((await w.get('/polls/surveys/new', w.eve)).statusCode).toBe(200);
    expect((await w.get('/polls/surveys/new', w.dan)).statusCode).toBe(200);
    expect((await w.get('/polls/surveys/new', w.bruno)).statusCode).toBe(404); // a member of Team, not its admin
    const everyone = await w.post('/polls/surveys/new', { title: 'For all', audience: 'everyone', mode: 'anonymous', endsAt: inDays(3) }, w.dan);
    expect(everyone.statusCode).toBe(422);
    expect(mainText(everyone)).toContain('You may not create a survey for this audience.');
    const made = await w.post('/polls/surveys/new', { title: 'For Team', audience: 'space', space: String(w.team), mode: 'anonymous', endsAt: inDays(3) }, w.dan);
    expect(made.statusCode).toBe(303);
    // Their draft cannot be widened to everyone afterwards.
    const widened = await w.post(String(made.headers.location).replace(/#.*/, ''), { title: 'For Team', audience: 'everyone', mode: 'anonymous', endsAt: inDays(3) }, w.dan);
    expect(widened.statusCode).toBe(422);
    expect(mainText(widened)).toContain('You may not create a survey for this audience.');
    await w.app.plugins.saveSettings('polls', w.admin.id, { pollCreators: 'members', surveyCreators: 'editors' });
    expect((await w.get('/polls/surveys/new', w.dan)).statusCode).toBe(404);
  });
});

describe('surveys: answering and results', () => {
  let w: SurveysWorld;
  let id: number;
  let qs: number[];
  beforeAll(async () => {
    w = await surveysWorld();
    id = await w.createSurvey(w.eve, { title: 'Canteen' });
    await w.addQuestion(w.eve, id, { qtext: 'Food?', qtype: 'single', qoptions: 'Good\nBad', qrequired: '1' });
    await w.addQuestion(w.eve, id, { qtext: 'Recommend?', qtype: 'nps' });
    await w.addQuestion(w.eve, id, { qtext: 'Ideas?', qtype: 'long' });
    await w.addQuestion(w.eve, id, { qtext: 'Days?', qtype: 'multiple', qoptions: 'Mon\nTue\nWed', qmax: '2' });
    await w.open(w.eve, id);
    qs = await w.questionIds(id);
  });
  afterAll(async () => w.t.close());

  it('the privacy statement states the mode, k, who sees what and how long answers are kept', async () => {
    const text = mainText(await w.get(`/polls/surveys/${id}`));
    expect(text).toContain('This survey is anonymous');
    expect(text).toContain('Results are shown only once the survey has closed, and only if at least 5 people have answered.');
    expect(text).toContain('Answers are kept until the survey is deleted.');
    const fr = mainText(await w.get(`/polls/surveys/${id}`, w.fanny));
    expect(fr).toContain('Cette enquête est anonyme');
    expect(fr).toContain('qu’une fois l’enquête close, et seulement si au moins 5 personnes');
  });

  it('required questions and bad choices are refused with clear messages (en, fr), nothing typed lost', async () => {
    const [food, , ideas, days] = qs as [number, number, number, number];
    const missing = await w.post(`/polls/surveys/${id}`, { [`q${ideas}`]: 'Kept idea', [`q${days}`]: ['0', '1', '2'] });
    expect(missing.statusCode).toBe(422);
    expect(mainText(missing)).toContain('Answer this question.');
    expect(mainText(missing)).toContain('Choose at most 2 answers.');
    expect(html(missing).querySelector(`#q${ideas}`)?.text).toBe('Kept idea');
    expect(html(missing).querySelectorAll(`input[name="q${days}"][checked]`).length).toBe(3);
    const fr = await w.post(`/polls/surveys/${id}`, { [`q${food}`]: '7' }, w.fanny);
    expect(fr.statusCode).toBe(422);
    expect(mainText(fr)).toContain('Choisissez parmi les réponses proposées.');
    // Nothing was recorded: they may still answer.
    expect(mainText(await w.get(`/polls/surveys/${id}`))).not.toContain('already answered');
  });

  it('anonymous results wait for the close: nothing while open (not even none / too few / a count below k); shown once closed at k; answering twice refused', async () => {
    const [food, nps, ideas] = qs as [number, number, number, number];
    const results = () => w.get(`/polls/surveys/${id}/results`, w.eve);
    const pendingPage = async () => {
      const page = await results();
      expect(page.statusCode).toBe(200);
      const main = html(page).querySelector('main')!;
      expect(main.querySelector('.survey-result__pending')?.text).toContain('shown once it has closed');
      expect(main.querySelectorAll('.survey-result').length).toBe(0);
      expect(main.text).not.toContain('No answers yet.');
      expect(main.text).not.toContain('Too few answers');
      expect(main.querySelector('a[href$="/results.csv"]')).toBe(null);
      expect((await w.get(`/polls/surveys/${id}/results.csv`, w.eve)).statusCode).toBe(404);
      expect((await w.get(`/polls/surveys/${id}/results.csv`, w.admin)).statusCode).toBe(404);
      return main.text;
    };
    await pendingPage();
    const crowd = [w.bruno, w.carla, w.dan, ...(await w.people(3, 'resp'))];
    for (const [i, p] of crowd.slice(0, 5).entries()) {
      if (i === 4) expect(await pendingPage()).not.toMatch(/\b4 (answers?|people)\b/); // not even how many
      const r = await w.post(`/polls/surveys/${id}`, { [`q${food}`]: i < 3 ? '0' : '1', [`q${nps}`]: String(6 + i), [`q${ideas}`]: `idea number ${i}` }, p);
      expect(r.statusCode).toBe(303);
    }
    // At k and still open: the participation count, no result (the owner cannot watch answers arrive).
    const atK = await pendingPage();
    expect(atK).toContain('5 people have answered.');
    expect(atK).not.toContain('idea number');
    expect(atK).not.toContain('Recommendation score');
    const again = await w.post(`/polls/surveys/${id}`, { [`q${food}`]: '1' }, w.bruno);
    expect(again.statusCode).toBe(409);
    expect(mainText(again)).toContain('You have already answered');
    // Closed: shown, through the privacy core.
    expect((await w.post(`/polls/surveys/${id}/close`, {}, w.eve)).statusCode).toBe(303);
    const shown = await results();
    const text = mainText(shown);
    expect(html(shown).querySelector('.survey-result__pending')).toBe(null);
    expect(text).toContain('5 answers');
    expect(text).toContain('3 (60%)');
    // 6, 7, 8, 9, 10: 2 promoters, 2 passives, 1 detractor: (2 - 1) / 5 = 20.
    expect(text).toContain('Recommendation score: 20');
    expect(text).toContain('Average: 8.0');
    for (let i = 0; i < 5; i++) expect(text).toContain(`idea number ${i}`);
    expect(html(shown).querySelector('.survey-bar__fill')?.getAttribute('width')).toBe('60');
    // Closed for good: a later end sent through the edit form does not reopen it, nobody may answer.
    const reopen = await w.post(`/polls/surveys/${id}/edit`, { title: 'Canteen', mode: 'anonymous', endsAt: inDays(30) }, w.eve);
    expect(reopen.statusCode).toBe(303);
    const row = await surveysDb(w).selectFrom('polls_survey_surveys').select('ends_at').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.ends_at!).toBeLessThanOrEqual(Date.now());
    expect(html(await w.get(`/polls/surveys/${id}/edit`, w.eve)).querySelector('#endsAt')).toBe(null);
    expect((await w.post(`/polls/surveys/${id}`, { [`q${food}`]: '0' }, crowd[5]!)).statusCode).toBe(409);
    expect(mainText(await results())).toContain('5 answers');
  });

  it('a closed anonymous survey below k: "too few" (not "no answers"), and no count', async () => {
    const small = await w.createSurvey(w.eve, { title: 'Small' });
    await w.addQuestion(w.eve, small, { qtext: 'Ok?', qtype: 'single', qoptions: 'Yes\nNo' });
    await w.addQuestion(w.eve, small, { qtext: 'Nobody answers this', qtype: 'short' });
    await w.open(w.eve, small);
    const [q] = await w.questionIds(small);
    for (const p of [w.bruno, w.carla]) expect((await w.post(`/polls/surveys/${small}`, { [`q${q}`]: '0' }, p)).statusCode).toBe(303);
    await w.post(`/polls/surveys/${small}/close`, {}, w.eve);
    const page = html(await w.get(`/polls/surveys/${small}/results`, w.eve));
    const sections = page.querySelectorAll('.survey-result').map((section) => section.text);
    expect(sections[0]).toContain('Too few answers to show results without identifying people.');
    expect(sections[1]).toContain('No answers yet.');
    expect(page.querySelector('main')!.text).not.toMatch(/\b2 (answers?|people)\b/);
    const csv = await w.get(`/polls/surveys/${small}/results.csv`, w.eve);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain('"Yes"');
  });

  it('the audience sees no results, only the published summary; CSV of aggregates; no raw export for anonymous', async () => {
    expect((await w.get(`/polls/surveys/${id}/results`, w.bruno)).statusCode).toBe(404);
    expect((await w.get(`/polls/surveys/${id}/results.csv`, w.bruno)).statusCode).toBe(404);
    const csv = await w.get(`/polls/surveys/${id}/results.csv`, w.eve);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('"Good"');
    expect(csv.body).not.toContain('Bruno');
    expect((await w.get(`/polls/surveys/${id}/answers.csv`, w.eve)).statusCode).toBe(404);
    expect((await w.get(`/polls/surveys/${id}/answers.csv`, w.admin)).statusCode).toBe(404);
    expect((await w.post(`/polls/surveys/${id}/summary`, { summary: 'You said **food**. We did <script>x</script>', publish: '1' }, w.eve)).statusCode).toBe(303);
    const summary = await w.get(`/polls/surveys/${id}/results`, w.bruno);
    expect(summary.statusCode).toBe(200);
    expect(html(summary).querySelector('.prose strong')?.text).toBe('food');
    expect(summary.body).not.toContain('<script>x');
    expect(mainText(summary)).not.toContain('idea number');
  });

  it('answering after the end is refused; closed surveys list their summary', async () => {
    await surveysDb(w).updateTable('polls_survey_surveys').set({ ends_at: Date.now() - 1000 }).where('id', '=', id).execute();
    const late = await w.post(`/polls/surveys/${id}`, { [`q${qs[0]}`]: '0' }, w.fanny);
    expect(late.statusCode).toBe(409);
    expect(mainText(late)).toContain('Cette enquête est terminée.');
    const list = await w.get('/polls/surveys', w.fanny);
    expect(html(list).querySelector(`.survey-list--closed a[href="/polls/surveys/${id}/results"]`)?.text).toBe('Ce que vous avez dit, ce que nous faisons');
  });
});

describe('surveys: identified surveys, exports, reminders, GDPR', () => {
  let w: SurveysWorld;
  beforeAll(async () => {
    w = await surveysWorld();
  });
  afterAll(async () => w.t.close());

  it('identified: names only to the owner and the admins, in the answers export', async () => {
    const id = await w.createSurvey(w.eve, { mode: 'identified', title: 'Named' });
    await w.addQuestion(w.eve, id, { qtext: 'Pick', qtype: 'single', qoptions: 'Red\nBlue' });
    await w.open(w.eve, id);
    const [q] = await w.questionIds(id);
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: '1' }, w.bruno)).statusCode).toBe(303);
    const owner = await w.get(`/polls/surveys/${id}/answers.csv`, w.eve);
    expect(owner.statusCode).toBe(200);
    expect(owner.body).toContain('"Bruno Petit","bruno@example.com","Blue"');
    expect((await w.get(`/polls/surveys/${id}/answers.csv`, w.admin)).statusCode).toBe(200);
    expect((await w.get(`/polls/surveys/${id}/answers.csv`, w.carla)).statusCode).toBe(404);
    // An editor who does not own it: 404 too.
    const other = await w.people(1, 'ed');
    await w.app.db.updateTable('users').set({ role: 'editor' }).where('id', '=', other[0]!.id).execute();
    expect((await w.get(`/polls/surveys/${id}/answers.csv`, other[0]!)).statusCode).toBe(404);
    // The privacy statement says who sees names.
    expect(mainText(await w.get(`/polls/surveys/${id}`, w.carla))).toContain('only the survey’s owner and the administrators see your answers with your name');
    // GDPR: the person's identified answers in their export; erased with them.
    const exported = JSON.stringify(await w.app.plugins.exportUser(w.bruno.id));
    expect(exported).toContain('Blue');
  });

  it('reminders go only to people of the audience who have not answered; the list is stored nowhere', async () => {
    const id = await w.createSurvey(w.eve, { audience: 'departments', departments: [String(w.sales)], startsAt: inDays(-3).replace(/T.*/, 'T00:00') });
    await w.addQuestion(w.eve, id, { qtext: 'Q', qtype: 'short' });
    await w.open(w.eve, id);
    const [q] = await w.questionIds(id);
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'answered' }, w.bruno)).statusCode).toBe(303);
    const sent: Array<[number, number[]]> = [];
    const count = await sendReminders(w.app.db, Date.now(), async (_db, survey, userIds) => {
      sent.push([survey.id, [...userIds]]);
    });
    const forThis = sent.filter(([s]) => s === id).flatMap(([, ids]) => ids);
    // Sales: eve (the owner, not reminded), bruno (answered), carla.
    expect(forThis).toEqual([w.carla.id]);
    expect(count).toBeGreaterThanOrEqual(1);
    // Once a day.
    const again: number[] = [];
    await sendReminders(w.app.db, Date.now(), async (_db, survey, userIds) => {
      if (survey.id === id) again.push(...userIds);
    });
    expect(again).toEqual([]);
    // No page shows who has not answered.
    const results = mainText(await w.get(`/polls/surveys/${id}/results`, w.admin));
    expect(results).not.toContain('Carla');
  });

  it('a scheduled survey: k fixed when opened, answers refused before its start, accepted from then', async () => {
    const id = await w.createSurvey(w.eve, { startsAt: inDays(2), endsAt: inDays(9) });
    await w.addQuestion(w.eve, id, { qtext: 'Later?', qtype: 'short' });
    await w.open(w.eve, id);
    expect((await surveysDb(w).selectFrom('polls_survey_surveys').select('min_group').where('id', '=', id).executeTakeFirstOrThrow()).min_group).toBe(5);
    const [q] = await w.questionIds(id);
    const early = await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'too early' }, w.carla);
    expect(early.statusCode).toBe(409);
    expect(mainText(early)).toContain('This survey is not open for answers.');
    await surveysDb(w).updateTable('polls_survey_surveys').set({ starts_at: Date.now() - 1000 }).where('id', '=', id).execute();
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'now' }, w.carla)).statusCode).toBe(303);
  });

  it('erasing a person deletes their identified answers and their participation; their export lists them first', async () => {
    const id = await w.createSurvey(w.eve, { mode: 'identified', title: 'To erase' });
    await w.addQuestion(w.eve, id, { qtext: 'Say', qtype: 'short' });
    await w.open(w.eve, id);
    const [q] = await w.questionIds(id);
    const [gone] = await w.people(1, 'gone');
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'erase-me-42' }, gone!)).statusCode).toBe(303);
    expect(JSON.stringify(await w.app.plugins.exportUser(gone!.id))).toContain('erase-me-42');
    await w.app.db.transaction().execute((trx) => w.app.plugins.eraseUser(trx, gone!.id, Date.now()));
    const s = w.app.db.withTables<{ polls_survey_named_answers: { user_id: number }; polls_survey_participation: { user_id: number } }>();
    expect(await s.selectFrom('polls_survey_named_answers').select('user_id').where('user_id', '=', gone!.id).execute()).toEqual([]);
    expect(await s.selectFrom('polls_survey_participation').select('user_id').where('user_id', '=', gone!.id).execute()).toEqual([]);
  });
});

describe('surveys: open surveys’ settings, the per-space switch, a mode changed under an answer', () => {
  let w: SurveysWorld;
  beforeAll(async () => {
    w = await surveysWorld();
  });
  afterAll(async () => w.t.close());

  it('an open survey for a space or departments can still be renamed (its audience kept, whatever is sent)', async () => {
    await w.app.plugins.saveSettings('polls', w.admin.id, { pollCreators: 'members', surveyCreators: 'spaceAdmins' });
    const forTeam = await w.createSurvey(w.dan, { audience: 'space', space: String(w.team) });
    await w.app.plugins.saveSettings('polls', w.admin.id, { pollCreators: 'members', surveyCreators: 'editors' });
    const forSales = await w.createSurvey(w.eve, { audience: 'departments', departments: [String(w.sales)] });
    for (const [id, owner] of [[forTeam, w.dan], [forSales, w.eve]] as const) {
      await w.addQuestion(owner, id, { qtext: 'Q', qtype: 'short' });
      await w.open(owner, id);
      // What the form of an open survey sends (no space, no departments), plus a widened audience that must be ignored.
      const saved = await w.post(`/polls/surveys/${id}/edit`, { title: 'Renamed open', audience: 'everyone', mode: 'anonymous', endsAt: inDays(6) }, owner);
      expect(saved.statusCode, mainText(saved).slice(0, 300)).toBe(303);
      const survey = (await findSurvey(w.app.db, id))!;
      expect(survey.title).toBe('Renamed open');
      expect(survey.audience).toBe(id === forTeam ? 'space' : 'departments');
    }
    expect((await w.get(`/polls/surveys/${forSales}`, w.dan)).statusCode).toBe(404); // Tech: still outside
  });

  it('a space that switched the plugin off: its surveys 404 for everyone (owner included), are not listed, not offered, not reminded', async () => {
    await w.app.plugins.saveSettings('polls', w.admin.id, { pollCreators: 'members', surveyCreators: 'spaceAdmins' });
    const id = await w.createSurvey(w.dan, { title: 'Team only', audience: 'space', space: String(w.team), startsAt: inDays(-3).replace(/T.*/, 'T00:00') });
    await w.addQuestion(w.dan, id, { qtext: 'Q', qtype: 'short' });
    await w.open(w.dan, id);
    const [q] = await w.questionIds(id);
    expect((await w.get(`/polls/surveys/${id}`, w.bruno)).statusCode).toBe(200);
    expect((await w.app.plugins.setSpaceSwitch('polls', w.team, false, w.dan.id)).ok).toBe(true);
    for (const who of [w.bruno, w.dan, w.admin]) {
      expect((await w.get(`/polls/surveys/${id}`, who)).statusCode).toBe(404);
      expect((await w.get(`/polls/surveys/${id}/results`, who)).statusCode).toBe(404);
      expect((await w.get(`/polls/surveys/${id}/edit`, who)).statusCode).toBe(404);
      expect(html(await w.get('/polls/surveys', who)).querySelector(`a[href^="/polls/surveys/${id}"]`)).toBe(null);
    }
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'x' }, w.bruno)).statusCode).toBe(404);
    const refused = await w.post('/polls/surveys/new', { title: 'Again', audience: 'space', space: String(w.team), mode: 'anonymous', endsAt: inDays(3) }, w.dan);
    expect(refused.statusCode).toBe(422);
    expect(mainText(refused)).toContain('Polls and surveys are switched off in this space.');
    expect(html(await w.get('/polls/surveys/new', w.dan)).querySelector(`#space option[value="${w.team}"]`)).toBe(null);
    const reminded: number[] = [];
    await sendReminders(w.app.db, Date.now(), async (_db, survey) => {
      reminded.push(survey.id);
    });
    expect(reminded).not.toContain(id);
    // Switched on again: back.
    await w.app.plugins.setSpaceSwitch('polls', w.team, true, w.dan.id);
    expect((await w.get(`/polls/surveys/${id}`, w.bruno)).statusCode).toBe(200);
    expect(html(await w.get('/polls/surveys/new', w.dan)).querySelector(`#space option[value="${w.team}"]`)).not.toBe(null);
    await w.app.plugins.saveSettings('polls', w.admin.id, { pollCreators: 'members', surveyCreators: 'editors' });
  });

  it('an empty or odd value is not a choice (it used to count as the first option)', async () => {
    const id = await w.createSurvey(w.eve);
    await w.addQuestion(w.eve, id, { qtext: 'Days?', qtype: 'multiple', qoptions: 'Mon\nTue' });
    await w.open(w.eve, id);
    const [q] = await w.questionIds(id);
    for (const bad of [[''], ['0', ''], ['1e0'], [' 1'], ['-0']]) {
      const r = await w.post(`/polls/surveys/${id}`, { [`q${q}`]: bad }, w.carla);
      expect(r.statusCode, JSON.stringify(bad)).toBe(422);
      expect(mainText(r)).toContain('Choose among the answers offered.');
    }
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: ['1', '0'] }, w.carla)).statusCode).toBe(303);
  });

  it('an answer sent while the survey turned anonymous is stored anonymously (the mode is read in the transaction)', async () => {
    const id = await w.createSurvey(w.eve, { mode: 'identified' });
    await w.addQuestion(w.eve, id, { qtext: 'Say', qtype: 'short' });
    await w.open(w.eve, id);
    const [q] = await w.questionIds(id);
    const stale = (await findSurvey(w.app.db, id))!; // loaded by the answer's request: identified
    expect(stale.anonymous).toBe(false);
    expect(await makeAnonymous(w.app.db, id)).toBe(true); // the owner, meanwhile
    expect(await recordAnswers(w.app.db, stale, w.carla.id, new Map([[q!, 'raced-answer-77']]))).toBe(true);
    const s = w.app.db.withTables<{ polls_survey_named_answers: { survey_id: number; value: string }; polls_survey_answers: { survey_id: number; value: string } }>();
    expect(await s.selectFrom('polls_survey_named_answers').select('value').where('survey_id', '=', id).execute()).toEqual([]);
    expect(await s.selectFrom('polls_survey_answers').select('value').where('survey_id', '=', id).execute()).toEqual([{ value: 'raced-answer-77' }]);
  });
});

describe('surveys: deleting one', () => {
  let w: SurveysWorld;
  beforeAll(async () => {
    w = await surveysWorld();
  });
  afterAll(async () => w.t.close());

  it('its owner (or an admin) deletes it after ticking the box: the survey, its answers and who answered are gone', async () => {
    const id = await w.createSurvey(w.eve, { title: 'Old <b>survey</b>' });
    await w.addQuestion(w.eve, id, { qtext: 'Anything?', qtype: 'short' });
    await w.open(w.eve, id);
    const [q] = (await w.questionIds(id)) as [number];
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'Something to forget' })).statusCode).toBe(303);
    const rows = async () => {
      const db = w.app.db.withTables<{ polls_survey_answers: { survey_id: number }; polls_survey_participation: { survey_id: number }; polls_survey_questions: { survey_id: number } }>();
      const count = async (table: 'polls_survey_answers' | 'polls_survey_participation' | 'polls_survey_questions') =>
        (await db.selectFrom(table).select('survey_id').where('survey_id', '=', id).execute()).length;
      return [await count('polls_survey_answers'), await count('polls_survey_participation'), await count('polls_survey_questions')];
    };
    expect(await rows()).toEqual([1, 1, 1]);

    // Others never reach the page: a member who answered, another editor.
    expect((await w.get(`/polls/surveys/${id}/delete`)).statusCode).toBe(404);
    expect((await w.post(`/polls/surveys/${id}/delete`, { confirm: 'yes' })).statusCode).toBe(404);

    // The page says what goes; without the box ticked, nothing is deleted (en, fr).
    const page = await w.get(`/polls/surveys/${id}/delete`, w.eve);
    expect(page.statusCode).toBe(200);
    expect(mainText(page)).toContain('Delete the survey “Old <b>survey</b>”');
    expect(mainText(page)).toContain('and so is the record of who answered');
    expect(html(page).querySelector('a[href$="/delete"]')).toBeNull();
    const unticked = await w.post(`/polls/surveys/${id}/delete`, {}, w.eve);
    expect(unticked.statusCode).toBe(422);
    expect(mainText(unticked)).toContain('Tick the box to confirm the deletion.');
    expect(html(unticked).querySelector('#confirm')?.getAttribute('aria-describedby')).toBe('confirm-error');
    expect(await rows()).toEqual([1, 1, 1]);
    expect(html(await w.get(`/polls/surveys/${id}/edit`, w.eve)).querySelector(`a[href="/polls/surveys/${id}/delete"]`)).not.toBeNull();

    const deleted = await w.post(`/polls/surveys/${id}/delete`, { confirm: 'yes' }, w.eve);
    expect(deleted.statusCode).toBe(303);
    expect(deleted.headers.location).toBe('/polls/surveys');
    expect(await rows()).toEqual([0, 0, 0]);
    expect((await w.get(`/polls/surveys/${id}`, w.eve)).statusCode).toBe(404);
    expect((await w.get(`/polls/surveys/${id}`)).statusCode).toBe(404);

    // An admin may delete anyone's.
    const other = await w.createSurvey(w.eve, { title: 'Another' });
    expect((await w.post(`/polls/surveys/${other}/delete`, { confirm: 'yes' }, w.admin)).statusCode).toBe(303);
    expect((await w.get(`/polls/surveys/${other}/edit`, w.eve)).statusCode).toBe(404);
  });
});
