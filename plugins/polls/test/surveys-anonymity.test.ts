// The anonymity proof for anonymous surveys: after five known people answer, nothing pairs a person
// with their answer: no table row, no schema path, no page of the database file (after a WAL
// checkpoint), no log line, no HTML page, no notification, no export, no search result. And the
// same search on an identified survey DOES find the pairing (so this proof can fail).
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html, mainText } from '../../../test/helpers/app.js';
import { answerLocations, findPairings, type PairingSubject } from '../../../test/helpers/anonymity.js';
import { person, type Person } from '../../../test/helpers/spaces.js';
import { sendReminders } from '../surveys/reminders.js';
import { surveysWorld, type SurveysWorld } from './surveys-helpers.js';

const JOIN_ALLOWED = ['polls_survey_surveys', 'polls_survey_questions'];
const NAMES = ['Ottilie Quenneville', 'Barnabé Zaroukian', 'Wilhelmina Achterberg', 'Casimir Oyelaran', 'Ysolde Parmentier'];

describe('surveys: anonymity proof', () => {
  let w: SurveysWorld;
  let dbFile: string;
  let id: number;
  let respondents: Array<Person & { name: string; email: string; answer: string }>;
  let qs: number[];
  beforeAll(async () => {
    w = await surveysWorld();
    dbFile = path.join(w.t.dataDir, 'hameau.db');
    id = await w.createSurvey(w.eve, { title: 'Anonymous climate' });
    await w.addQuestion(w.eve, id, { qtext: 'Your words', qtype: 'long', qrequired: '1' });
    await w.addQuestion(w.eve, id, { qtext: 'Mood', qtype: 'single', qoptions: 'Sunny-7f3a\nRainy-7f3a' });
    await w.addQuestion(w.eve, id, { qtext: 'Score', qtype: 'nps' });
    await w.open(w.eve, id);
    qs = await w.questionIds(id);
    respondents = [];
    for (const [i, name] of NAMES.entries()) {
      const email = `${name.split(' ')[0]!.toLowerCase()}@example.com`;
      const p = await person(w.app, email, { name });
      respondents.push({ ...p, name, email, answer: `answer-${i}-zq${i * 7919} ${name.split(' ')[1]!.slice(0, 3)}x` });
    }
    // Everyone is reminded first (notifications with the person and the survey), then answers.
    expect(await sendReminders(w.app.db, Date.now() + 3 * 86_400_000)).toBeGreaterThanOrEqual(NAMES.length);
    for (const [i, r] of respondents.entries()) {
      // A refused attempt first (a bad score): what was typed comes back to them, and goes nowhere else.
      const refused = await w.post(`/polls/surveys/${id}`, { [`q${qs[0]}`]: r.answer, [`q${qs[2]}`]: '11' }, r);
      if (refused.statusCode !== 422 || !refused.body.includes(r.answer)) throw new Error(`expected a 422 keeping the text: ${refused.statusCode}`);
      const response = await w.post(`/polls/surveys/${id}`, { [`q${qs[0]}`]: r.answer, [`q${qs[1]}`]: String(i % 2), [`q${qs[2]}`]: String(i + 5) }, r);
      if (response.statusCode !== 303) throw new Error(`answer refused: ${response.statusCode}`);
    }
    // Their reminders went with their answers (the others' remain).
    const reminded = await w.app.db.selectFrom('notifications').select('user_id').where('type', '=', 'polls.survey-reminder').execute();
    if (reminded.some((r) => respondents.some((p) => p.id === r.user_id))) throw new Error('a respondent still has a reminder');
    if (reminded.length === 0) throw new Error('expected reminders for those who have not answered');
  });
  afterAll(async () => w.t.close());

  const subjects = (): PairingSubject[] => respondents.map((r) => ({ userId: r.id, email: r.email, name: r.name, answer: r.answer }));

  it('the answers were stored (so the search below can fail), in polls_survey_answers only', () => {
    const where = answerLocations(dbFile, w.t.logs, respondents.map((r) => r.answer));
    for (const found of where) expect(Object.keys(found.tables)).toEqual(['polls_survey_answers']);
  });

  it('no table row, schema path, database file page or log line pairs a respondent with their answer', () => {
    expect(findPairings(dbFile, w.t.logs, subjects(), { joinAllowed: JOIN_ALLOWED })).toEqual([]);
    // Not even the answer alone in a log line.
    for (const r of respondents) expect(JSON.stringify(w.t.logs)).not.toContain(r.answer);
  });

  it('storage: no user id, no time (not even the day), random ids in a table without rowid; participation has no time', async () => {
    const db = w.app.db;
    const columns = async (table: string) => (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows.map((r) => r.name);
    expect(await columns('polls_survey_answers')).toEqual(['id', 'survey_id', 'question_id', 'value']);
    expect(await columns('polls_survey_participation')).toEqual(['survey_id', 'user_id']);
    const rows = await db.withTables<{ polls_survey_answers: { id: string; survey_id: number } }>().selectFrom('polls_survey_answers').select(['id']).where('survey_id', '=', id).execute();
    expect(rows.length).toBe(15);
    for (const row of rows) expect(row.id).toMatch(/^[0-9a-f]{32}$/);
    // Nothing in the file holds today's date next to the answers (the day alone would link a lone
    // respondent's answers together, and to the access log's time of their POST).
    const today = new Date().toISOString().slice(0, 10);
    const answerRows = (await sql<Record<string, unknown>>`select * from polls_survey_answers`.execute(db)).rows;
    expect(JSON.stringify(answerRows)).not.toContain(today);
    // No rowid: a table scan follows the random ids, never the order people answered in.
    await expect(sql`select rowid from polls_survey_answers`.execute(db)).rejects.toThrow();
    const scanned = (await sql<{ id: string; question_id: number }>`select id, question_id from polls_survey_answers`.execute(db)).rows;
    const texts = scanned.filter((r) => r.question_id === qs[0]).map((r) => r.id);
    expect(texts).toEqual([...texts].sort());
    // No foreign key from answers to users.
    const keys = (await sql<{ table: string }>`select "table" from pragma_foreign_key_list('polls_survey_answers')`.execute(db)).rows.map((r) => r.table);
    expect(keys).not.toContain('users');
  });

  it('no page, export or notification pairs them: results shuffled without time, no names, exports aggregates only', async () => {
    // While open, the owner sees no result at all (answers cannot be watched arriving).
    const open = mainText(await w.get(`/polls/surveys/${id}/results`, w.eve));
    for (const r of respondents) expect(open).not.toContain(r.answer);
    expect((await w.get(`/polls/surveys/${id}/results.csv`, w.eve)).statusCode).toBe(404);
    expect((await w.post(`/polls/surveys/${id}/close`, {}, w.eve)).statusCode).toBe(303);
    const results = await w.get(`/polls/surveys/${id}/results`, w.eve);
    const text = mainText(results);
    for (const r of respondents) {
      expect(text).toContain(r.answer); // shown at k...
      expect(text).not.toContain(r.name); // ...with nobody's name
    }
    expect(html(results).querySelectorAll('.survey-texts time').length).toBe(0);
    const admin = mainText(await w.get(`/polls/surveys/${id}/results`, w.admin));
    for (const r of respondents) expect(admin).not.toContain(r.name);
    // The respondent's own page says they answered, never what.
    for (const r of respondents) {
      const own = mainText(await w.get(`/polls/surveys/${id}`, r));
      expect(own).toContain('You have already answered');
      expect(own).not.toContain(r.answer);
    }
    // Exports: aggregated CSV without names; no raw export; the person's own data export has no answer.
    const csv = (await w.get(`/polls/surveys/${id}/results.csv`, w.admin)).body;
    for (const r of respondents) expect(csv).not.toContain(r.name);
    expect((await w.get(`/polls/surveys/${id}/answers.csv`, w.admin)).statusCode).toBe(404);
    for (const r of respondents) {
      const exported = JSON.stringify(await w.app.plugins.exportUser(r.id));
      expect(exported).toContain('Anonymous climate'); // they answered it: that is about them
      expect(exported).not.toContain(r.answer);
      expect(exported).not.toContain('Sunny-7f3a');
      expect(exported).not.toContain('Rainy-7f3a');
    }
    // Notifications and search hold nothing of the answers.
    const notifications = await w.app.db.selectFrom('notifications').selectAll().execute();
    for (const r of respondents) expect(JSON.stringify(notifications)).not.toContain(r.answer);
    for (const r of respondents) {
      const search = await w.get(`/search?q=${encodeURIComponent(r.answer.split(' ')[0]!)}`, w.admin);
      expect(search.body).not.toContain(r.answer);
    }
  });

  it('the same proof finds the pairing in an identified survey (it can fail)', async () => {
    const named = await w.createSurvey(w.eve, { title: 'Named one', mode: 'identified' });
    await w.addQuestion(w.eve, named, { qtext: 'Words', qtype: 'short' });
    await w.open(w.eve, named);
    const [q] = await w.questionIds(named);
    const r = respondents[0]!;
    const answer = 'identified-answer-k2v9 Quenx';
    expect((await w.post(`/polls/surveys/${named}`, { [`q${q}`]: answer }, r)).statusCode).toBe(303);
    const found = findPairings(dbFile, w.t.logs, [{ userId: r.id, email: r.email, name: r.name, answer }], { joinAllowed: JOIN_ALLOWED });
    expect(found.map((f) => `${f.kind} ${f.where}`)).toContain('row polls_survey_named_answers');
  });
});
