// The admins' download of the plugin's data (GET /admin/plugins/polls/export, offered before a purge)
// never holds what would tell who voted or answered what, even by comparing two downloads: the
// plugin's `privateTables` (confidential votes with their voters, anonymous counters and answers, who
// has answered) are named, neither copied nor counted; the purge page does not count them either.
// The shown results stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionIds, pollsWorld, type PollsWorld } from './polls-helpers.js';
import { surveysWorld, type SurveysWorld } from './surveys-helpers.js';

interface Download {
  tables: Record<string, Array<Record<string, unknown>>>;
  withheld?: { reason: string; tables: string[] };
}

async function download(w: { get: PollsWorld['get'] }, admin: PollsWorld['admin']): Promise<Download> {
  const response = await w.get('/admin/plugins/polls/export', admin);
  expect(response.statusCode).toBe(200);
  return JSON.parse(response.body) as Download;
}

describe('the admins’ download of the polls plugin’s data: polls', () => {
  let w: PollsWorld;
  beforeAll(async () => {
    w = await pollsWorld();
  });
  afterAll(async () => w.t.close());

  it('holds no vote with its voter, and names the tables it left out without counting them', async () => {
    const confidential = await w.addPoll(w.bruno, w.team, { mode: 'confidential' });
    const [monday] = (await optionIds(w.app, confidential)) as [number];
    expect((await w.post(`/polls/${confidential}/vote`, { option: String(monday) }, w.voters[0]!)).statusCode).toBe(303);
    const data = await download(w, w.admin);
    expect(data.tables.polls_votes).toBeUndefined();
    expect(data.withheld?.tables).toContain('polls_votes');
    expect(JSON.stringify(data.withheld)).not.toMatch(/\d/);
    // The polls themselves are there.
    expect(data.tables.polls_polls?.map((row) => row.content_id)).toContain(confidential);
  });

  it('two downloads around an anonymous vote do not tell who voted what', async () => {
    const anonymous = await w.addPoll(w.bruno, w.team, { mode: 'anonymous' });
    const [, thursday] = (await optionIds(w.app, anonymous)) as [number, number];
    for (const voter of w.voters.slice(0, 3)) expect((await w.post(`/polls/${anonymous}/vote`, { option: String(thursday) }, voter)).statusCode).toBe(303);
    const before = await download(w, w.admin);
    expect((await w.post(`/polls/${anonymous}/vote`, { option: String(thursday) }, w.voters[3]!)).statusCode).toBe(303);
    const after = await download(w, w.admin);
    for (const data of [before, after]) {
      expect(data.tables.polls_anonymous_counts).toBeUndefined();
      expect(data.tables.polls_participation).toBeUndefined();
    }
    // Nothing about them moves between the two.
    expect(after.withheld).toEqual(before.withheld);
  });

  it('the purge page does not count the private tables either (a count moving would tell how many options a colleague ticked)', async () => {
    const confidential = await w.addPoll(w.bruno, w.team, { mode: 'confidential', type: 'multiple', minChoices: '1', maxChoices: '3' });
    const options = await optionIds(w.app, confidential);
    const purgeText = async () => (await w.get('/admin/plugins/polls/purge', w.admin)).body;
    const before = await purgeText();
    expect((await w.post(`/polls/${confidential}/vote`, { option: options.map(String) }, w.voters[1]!)).statusCode).toBe(303);
    const after = await purgeText();
    expect(before).toContain('The table polls_votes: private (what people answered), not counted');
    const privateLines = (page: string) => page.split('\n').filter((line) => /polls_(votes|participation|anonymous_counts|pending_voters|survey_answers|survey_participation)\b/.test(line));
    expect(privateLines(after)).toEqual(privateLines(before));
    // A table that is not private keeps its count.
    expect(after).toMatch(/The table polls_options: \d+ rows/);
  });
});

describe('the admins’ download of the polls plugin’s data: surveys', () => {
  let w: SurveysWorld;
  beforeAll(async () => {
    w = await surveysWorld();
  });
  afterAll(async () => w.t.close());

  it('two downloads around an anonymous answer do not give the person’s answers', async () => {
    const id = await w.createSurvey(w.eve, { mode: 'anonymous', title: 'Anonymous' });
    await w.addQuestion(w.eve, id, { qtext: 'Anything to add?', qtype: 'short' });
    await w.open(w.eve, id);
    const [q] = (await w.questionIds(id)) as [number];
    const before = await download(w, w.admin);
    expect((await w.post(`/polls/surveys/${id}`, { [`q${q}`]: 'secret-of-bruno-7731' }, w.bruno)).statusCode).toBe(303);
    const after = await download(w, w.admin);
    expect(JSON.stringify(after)).not.toContain('secret-of-bruno-7731');
    expect(after.tables.polls_survey_participation).toBeUndefined();
    expect(after.withheld?.tables).toEqual(expect.arrayContaining(['polls_survey_answers', 'polls_survey_participation']));
    expect(after.withheld).toEqual(before.withheld);
    // The survey and its questions are there.
    expect(after.tables.polls_survey_questions?.map((row) => row.survey_id)).toContain(id);
  });
});
