// Slices of an identified survey's results by department or site (respondents' current profile),
// through the privacy core's `slices` with the survey's fixed k: counts per slice, a slice below k
// "too few", the difference rule hiding a second slice, the "No department"/"No site" group, who may
// see them (404 as the results page), anonymous surveys never sliced (a forged ?slice changes
// nothing), an invalid value meaning none, the CSV through the same rules, escaping, fr and en.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html, mainText } from '../../../test/helpers/app.js';
import type { Person } from '../../../test/helpers/spaces.js';
import type { Translate } from '../../../src/i18n/index.js';
import { surveySlices } from '../surveys/results.js';
import { findSurvey } from '../surveys/service.js';
import { surveysWorld, type SurveysWorld } from './surveys-helpers.js';

const TOO_FEW = 'Too few answers to show results without identifying people.';
const HIDDEN = 'Hidden: otherwise a small group could be worked out by difference.';

/** The text of one slice block of one question (by its key: a unit id or "none"), or null. */
function sliceText(page: LightMyRequestResponse, questionId: number, key: string | number): string | null {
  const block = html(page).querySelector(`section[aria-labelledby="result-${questionId}"] .survey-slice[data-slice="${key}"]`);
  return block ? block.textContent.replace(/\s+/g, ' ').trim() : null;
}

describe('surveys: results sliced by department or site (identified surveys)', () => {
  let w: SurveysWorld;
  let id: number;
  let pick: number;
  let multi: number;
  let scale: number;
  let nps: number;
  let text: number;
  let rnd: number;
  let sl: Person[];

  beforeAll(async () => {
    w = await surveysWorld();
    // k = 3 for this organisation (fixed on the survey when it opens).
    await w.app.db.updateTable('organisation').set({ privacy_min_group: 3 }).execute();
    // A department whose name is user text (escaped everywhere); it sorts first.
    rnd = (await w.app.db.insertInto('departments').values({ name: '<b>R&D</b>', sort_name: '<b>r&d</b>' }).returning('id').executeTakeFirstOrThrow()).id;
    sl = await w.people(7, 'sl');
    const place = (p: Person, department_id: number | null) => w.app.db.updateTable('users').set({ department_id }).where('id', '=', p.id).execute();
    // Sales: bruno, carla, sl0, sl1 (4). Tech: dan, sl2, sl3 (3). R&D: sl4 (1). No department: fanny, sl5, sl6 (3).
    await place(sl[0]!, w.sales);
    await place(sl[1]!, w.sales);
    await place(sl[2]!, w.tech);
    await place(sl[3]!, w.tech);
    await place(sl[4]!, rnd);
    id = await w.createSurvey(w.eve, { mode: 'identified', title: 'Sliced' });
    await w.addQuestion(w.eve, id, { qtext: 'Pick', qtype: 'single', qoptions: 'Red\nBlue' });
    await w.addQuestion(w.eve, id, { qtext: 'Several', qtype: 'multiple', qoptions: 'A\nB\nC' });
    await w.addQuestion(w.eve, id, { qtext: 'How much?', qtype: 'scale' });
    await w.addQuestion(w.eve, id, { qtext: 'Recommend?', qtype: 'nps' });
    await w.addQuestion(w.eve, id, { qtext: 'Say more', qtype: 'short' });
    await w.open(w.eve, id);
    [pick, multi, scale, nps, text] = (await w.questionIds(id)) as [number, number, number, number, number];
    const answer = async (p: Person, red: boolean, several: string[], level: string, recommend: string) => {
      const r = await w.post(`/polls/surveys/${id}`, { [`q${pick}`]: red ? '0' : '1', [`q${multi}`]: several, [`q${scale}`]: level, [`q${nps}`]: recommend, [`q${text}`]: `words of person ${p.id}` }, p);
      expect(r.statusCode).toBe(303);
    };
    // Sales: Red, Red, Red, Blue; A+B each; scale 4; 0-10: 10, 10, 9, 3 (3 promoters, 1 detractor: 50).
    await answer(w.bruno, true, ['0', '1'], '4', '10');
    await answer(w.carla, true, ['0', '1'], '4', '10');
    await answer(sl[0]!, true, ['0', '1'], '4', '9');
    await answer(sl[1]!, false, ['0', '1'], '4', '3');
    // Tech: Blue x3.
    for (const p of [w.dan, sl[2]!, sl[3]!]) await answer(p, false, ['2'], '5', '8');
    // R&D: one person.
    await answer(sl[4]!, true, ['2'], '1', '0');
    // No department: Blue, Blue, Red; scale 2.
    await answer(w.fanny, false, ['2'], '2', '5');
    await answer(sl[5]!, false, ['2'], '2', '5');
    await answer(sl[6]!, true, ['2'], '2', '5');
  });
  afterAll(async () => w.t.close());

  const results = (query = '', who: Person = w.eve) => w.get(`/polls/surveys/${id}/results${query}`, who);

  it('the results page offers "Slice by" (a GET form with a label and a button), none chosen by default', async () => {
    const page = await results();
    expect(page.statusCode).toBe(200);
    const form = html(page).querySelector('form.survey-slice-form');
    expect(form?.getAttribute('method')).toBe('get');
    expect(form?.getAttribute('action')).toBe(`/polls/surveys/${id}/results`);
    expect(form?.querySelector('label[for="slice"]')?.text).toBe('Slice by');
    expect(form?.querySelectorAll('#slice option').map((o) => [o.getAttribute('value'), o.text])).toEqual([
      ['', 'No slicing'],
      ['department', 'Department'],
      ['site', 'Site'],
    ]);
    expect(form?.querySelector('#slice option[selected]')?.getAttribute('value')).toBe('');
    expect(form?.querySelector('button[type="submit"]')?.text).toBe('Show');
    expect(html(page).querySelector('.survey-slices')).toBe(null);
  });

  it('by department: each slice with its counts (choices, multiple, scale, 0-10); free texts are not sliced', async () => {
    const page = await results('?slice=department');
    expect(page.statusCode).toBe(200);
    expect(html(page).querySelector('#slice option[selected]')?.getAttribute('value')).toBe('department');
    expect(html(page).querySelector(`#slices-${pick}`)?.text).toBe('By department');
    const sales = sliceText(page, pick, w.sales)!;
    expect(sales).toContain('Sales');
    expect(sales).toContain('4 answers');
    expect(sales).toContain('Red 3 (75%)');
    expect(sales).toContain('Blue 1 (25%)');
    expect(sliceText(page, multi, w.sales)).toContain('A 4 (100%)');
    expect(sliceText(page, multi, w.sales)).toContain('C 0 (0%)');
    expect(sliceText(page, scale, w.sales)).toContain('Average: 4.0');
    expect(sliceText(page, nps, w.sales)).toContain('Recommendation score: 50');
    // The overall result is still there, above its slices.
    expect(html(page).querySelector(`section[aria-labelledby="result-${pick}"] > p.muted`)?.text).toBe('11 answers');
    // Free text: no slices at all.
    expect(html(page).querySelector(`section[aria-labelledby="result-${text}"] .survey-slices`)).toBe(null);
    // The rule is explained with the survey's k.
    expect(mainText(page)).toContain('Each group is shown only from 3 answers on');
  });

  it('a slice below k says "too few" with no count; the difference rule hides a second slice', async () => {
    const page = await results('?slice=department');
    for (const q of [pick, multi, scale, nps]) {
      const small = sliceText(page, q, rnd)!;
      expect(small).toContain(TOO_FEW);
      expect(small).not.toMatch(/\d answers?|\(\d+%\)|Average/);
      // Tech has 3 (= k) but would give R&D away as total minus the others: hidden.
      const tech = sliceText(page, q, w.tech)!;
      expect(tech).toContain(HIDDEN);
      expect(tech).not.toMatch(/\d answers?|\(\d+%\)|Average/);
    }
  });

  it('people without a department form the "No department" group (and R&D’s name is escaped)', async () => {
    const page = await results('?slice=department');
    const none = sliceText(page, pick, 'none')!;
    expect(none).toContain('No department');
    expect(none).toContain('3 answers');
    expect(none).toContain('Red 1 (33%)');
    expect(none).toContain('Blue 2 (67%)');
    expect(sliceText(page, scale, 'none')).toContain('Average: 2.0');
    expect(html(page).querySelector(`#slice-${pick}-${rnd}`)?.text).toBe('<b>R&D</b>');
    expect(page.body).not.toContain('<b>R&D</b>');
    expect(page.body).toContain('&lt;b&gt;R&amp;D&lt;/b&gt;');
  });

  it('by site: Lyon (1) and Paris (2) too few, "No site" shown; the department is read from the current profile', async () => {
    const page = await results('?slice=site');
    expect(html(page).querySelector(`#slices-${pick}`)?.text).toBe('By site');
    expect(sliceText(page, pick, w.lyon)).toContain(TOO_FEW);
    expect(sliceText(page, pick, w.paris)).toContain(TOO_FEW);
    const none = sliceText(page, pick, 'none')!;
    expect(none).toContain('No site');
    expect(none).toContain('8 answers');
    // Moving sl4 from R&D to Sales changes the slices (the profile as it is now).
    await w.app.db.updateTable('users').set({ department_id: w.sales }).where('id', '=', sl[4]!.id).execute();
    const moved = await results('?slice=department');
    expect(sliceText(moved, pick, w.sales)).toContain('5 answers');
    expect(sliceText(moved, pick, w.sales)).toContain('Red 4 (80%)');
    expect(sliceText(moved, pick, rnd)).toContain(TOO_FEW);
    await w.app.db.updateTable('users').set({ department_id: rnd }).where('id', '=', sl[4]!.id).execute();
  });

  it('who may see slices: the owner and admins; a member or another editor gets 404, as for the results page', async () => {
    expect(sliceText(await results('?slice=department', w.admin), pick, w.sales)).toContain('4 answers');
    expect((await results('?slice=department', w.bruno)).statusCode).toBe(404);
    expect((await w.get(`/polls/surveys/${id}/results.csv?slice=department`, w.bruno)).statusCode).toBe(404);
    const [editor] = await w.people(1, 'other-editor');
    await w.app.db.updateTable('users').set({ role: 'editor' }).where('id', '=', editor!.id).execute();
    expect((await results('?slice=department', editor!)).statusCode).toBe(404);
    expect((await w.get(`/polls/surveys/${id}/results.csv?slice=site`, editor!)).statusCode).toBe(404);
  });

  it('an invalid or repeated slice value means none: the page, not an error', async () => {
    for (const query of ['?slice=nonsense', '?slice=', '?slice=department&slice=site', '?slice=Department', '?slice[]=site']) {
      const page = await results(query);
      expect(page.statusCode).toBe(200);
      expect(html(page).querySelector('#slice option[selected]')?.getAttribute('value')).toBe('');
      expect(html(page).querySelector('.survey-slices')).toBe(null);
    }
    const csv = await w.get(`/polls/surveys/${id}/results.csv?slice=nonsense`, w.eve);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain('"Sales"');
  });

  it('the CSV gains the same slices through the same rules (too few, hidden, counts); without ?slice it is as before', async () => {
    const page = await results('?slice=department');
    expect(html(page).querySelector(`a[href="/polls/surveys/${id}/results.csv?slice=department"]`)?.text).toBe('Export the aggregated results by department (CSV)');
    const csv = await w.get(`/polls/surveys/${id}/results.csv?slice=department`, w.eve);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="survey-${id}-results-by-department.csv"`);
    const body = csv.body;
    expect(body).toContain('"Pick","Everyone","11","Red","5","45.5",""');
    expect(body).toContain('"Pick","Sales","4","Red","3","75",""');
    expect(body).toContain('"Pick","Sales","4","Blue","1","25",""');
    expect(body).toContain('"Pick","<b>R&D</b>","","","","","Too few answers to show results without identifying people"');
    expect(body).toContain('"Pick","Tech","","","","","Hidden so that small groups cannot be worked out by difference"');
    expect(body).toContain('"Pick","No department","3","Blue","2","66.7",""');
    expect(body).toContain('"Recommend?","Sales","4","Promoters (9-10)","3","75",""');
    expect(body).toContain('"Recommend?","Sales: average","4","Average","","","8"');
    expect(body).toContain('"Recommend?","Tech: average","","","","","Hidden so that small groups cannot be worked out by difference"');
    // No count of R&D anywhere, and free texts are not sliced.
    expect(body).not.toMatch(/"<b>R&D<\/b>","\d/);
    expect(body).not.toMatch(/"Say more","(Sales|Tech|No department)"/);
    const site = await w.get(`/polls/surveys/${id}/results.csv?slice=site`, w.eve);
    expect(site.body).toContain('"Pick","No site","8"');
    expect(site.body).toContain('"Pick","Lyon","","","","","Too few answers to show results without identifying people"');
    // Without ?slice: no slice rows.
    const plain = await w.get(`/polls/surveys/${id}/results.csv`, w.eve);
    expect(plain.body).toContain('"Pick","Everyone","11"');
    expect(plain.body).not.toContain('"Sales"');
    expect(plain.body).not.toContain('No department');
  });

  it('French: the control, headings, groups and messages', async () => {
    await w.app.db.updateTable('users').set({ role: 'admin' }).where('id', '=', w.fanny.id).execute();
    try {
      const page = await results('?slice=department', w.fanny);
      expect(page.statusCode).toBe(200);
      expect(html(page).querySelector('label[for="slice"]')?.text).toBe('Ventiler par');
      expect(html(page).querySelectorAll('#slice option').map((o) => o.text)).toEqual(['Pas de ventilation', 'Service', 'Site']);
      expect(html(page).querySelector('form.survey-slice-form button')?.text).toBe('Afficher');
      expect(html(page).querySelector(`#slices-${pick}`)?.text).toBe('Par service');
      expect(sliceText(page, pick, 'none')).toContain('Sans service');
      // (Read without folding whitespace: the narrow no-break space before ":" is kept.)
      expect(html(page).querySelector(`section[aria-labelledby="result-${pick}"] .survey-slice[data-slice="${w.tech}"] .survey-result__hidden`)?.text).toBe(
        'Masqué\u202f: sinon un petit groupe pourrait se déduire par différence.',
      );
      expect(sliceText(page, pick, rnd)).toContain('Trop peu de réponses pour montrer les résultats sans identifier des personnes.');
      expect(html(await results('?slice=site', w.fanny)).querySelector(`#slices-${pick}`)?.text).toBe('Par site');
      expect(sliceText(await results('?slice=site', w.fanny), pick, 'none')).toContain('Sans site');
      const csv = await w.get(`/polls/surveys/${id}/results.csv?slice=department`, w.fanny);
      expect(csv.body).toContain('"Pick","Sans service","3"');
      expect(csv.body).toContain('"Recommend?","Sales\u202f: moyenne"');
    } finally {
      await w.app.db.updateTable('users').set({ role: 'member' }).where('id', '=', w.fanny.id).execute();
    }
  });
});

describe('surveys: anonymous surveys are never sliced', () => {
  let w: SurveysWorld;
  beforeAll(async () => {
    w = await surveysWorld();
    await w.app.db.updateTable('organisation').set({ privacy_min_group: 3 }).execute();
  });
  afterAll(async () => w.t.close());

  it('no "Slice by" but one sentence saying why; a forged ?slice=department changes neither the page nor the CSV', async () => {
    const id = await w.createSurvey(w.eve, { mode: 'anonymous', title: 'Secret' });
    await w.addQuestion(w.eve, id, { qtext: 'Pick', qtype: 'single', qoptions: 'Red\nBlue' });
    await w.addQuestion(w.eve, id, { qtext: 'Score', qtype: 'scale' });
    await w.open(w.eve, id);
    const [pick, scale] = await w.questionIds(id);
    const crowd = [w.bruno, w.carla, w.dan, w.fanny, ...(await w.people(2, 'anon'))];
    for (const [i, p] of crowd.entries()) {
      expect((await w.post(`/polls/surveys/${id}`, { [`q${pick}`]: i % 2 ? '0' : '1', [`q${scale}`]: String(1 + (i % 5)) }, p)).statusCode).toBe(303);
    }
    const sentence = 'Anonymous surveys are not sliced by department or site: storing a department or site beside an answer would make a small group’s answers identifiable in the database itself.';
    // While open (results pending) and once closed: the sentence, no form, no slices.
    for (const stage of ['open', 'closed']) {
      if (stage === 'closed') expect((await w.post(`/polls/surveys/${id}/close`, {}, w.eve)).statusCode).toBe(303);
      const plain = await w.get(`/polls/surveys/${id}/results`, w.eve);
      const forged = await w.get(`/polls/surveys/${id}/results?slice=department`, w.eve);
      expect(forged.statusCode).toBe(200);
      expect(mainText(plain)).toContain(sentence);
      for (const page of [plain, forged]) {
        expect(html(page).querySelector('form.survey-slice-form')).toBe(null);
        expect(html(page).querySelector('#slice')).toBe(null);
        expect(html(page).querySelector('.survey-slices')).toBe(null);
        expect(mainText(page)).not.toContain('By department');
        expect(mainText(page)).not.toContain('Sales');
      }
      expect(mainText(forged)).toBe(mainText(plain));
    }
    const csv = await w.get(`/polls/surveys/${id}/results.csv`, w.eve);
    const forgedCsv = await w.get(`/polls/surveys/${id}/results.csv?slice=department`, w.eve);
    expect(forgedCsv.statusCode).toBe(200);
    expect(forgedCsv.body).toBe(csv.body);
    expect(forgedCsv.headers['content-disposition']).toBe(`attachment; filename="survey-${id}-results.csv"`);
    expect(forgedCsv.body).not.toContain('Sales');
    expect((await w.get(`/polls/surveys/${id}/results.csv?slice=site`, w.eve)).body).toBe(csv.body);
    // And below the routes: the slicing function gives nothing for an anonymous survey.
    const survey = (await findSurvey(w.app.db, id))!;
    expect(await surveySlices(w.app.db, survey, 'department', ((key: string) => key) as Translate)).toEqual([]);
    expect(await surveySlices(w.app.db, { ...survey, anonymous: false }, 'department', ((key: string) => key) as Translate)).not.toEqual([]);
  });

  it('French: the sentence on the anonymous survey’s results page', async () => {
    const id = await w.createSurvey(w.eve, { mode: 'anonymous', title: 'Secret fr' });
    await w.addQuestion(w.eve, id, { qtext: 'Pick', qtype: 'single', qoptions: 'Red\nBlue' });
    await w.open(w.eve, id);
    await w.app.db.updateTable('users').set({ role: 'admin' }).where('id', '=', w.fanny.id).execute();
    try {
      const page = await w.get(`/polls/surveys/${id}/results?slice=site`, w.fanny);
      expect(html(page).querySelector('.survey-slices__anonymous')?.text).toBe(
        'Les enquêtes anonymes ne sont pas ventilées par service ni par site\u202f: enregistrer le service ou le site à côté d’une réponse rendrait identifiables, dans la base de données même, les réponses d’un petit groupe.',
      );
      expect(html(page).querySelector('#slice')).toBe(null);
    } finally {
      await w.app.db.updateTable('users').set({ role: 'member' }).where('id', '=', w.fanny.id).execute();
    }
  });
});
