// The polls part through HTTP: creating (who may, validation in fr and en, nothing typed lost,
// escaping), voting in every mode (who sees which names), anonymous results below and at k, results
// visibility rules, double vote, closed polls, private spaces, mode changes, closing job, outcome,
// search, export and erasure, the per-space switch.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html, mainText } from '../../../test/helpers/app.js';
import { companySpaceId } from '../../../test/helpers/content.js';
import { createPost } from '../../../test/helpers/content.js';
import { hrefs, searchUrl } from '../../../test/helpers/search.js';
import type { Person } from '../../../test/helpers/spaces.js';
import { loadPoll, type Poll } from '../polls/kind.js';
import { migrations } from '../polls/migrations.js';
import { castVote, closePoll, updatePoll } from '../polls/service.js';
import { optionIds, pollsWorld, VOTER_NAMES, type PollsWorld } from './polls-helpers.js';

let w: PollsWorld;
beforeEach(async () => {
  w = await pollsWorld();
});
afterEach(async () => {
  await w.t.close();
});

const HX = { 'hx-request': 'true', 'hx-request-type': 'partial' };
const DAY = 86_400_000;

/** The text of the poll's results region, whitespace folded. */
async function resultsText(id: number, who: Person): Promise<string> {
  const page = await w.get(`/polls/${id}`, who);
  expect(page.statusCode).toBe(200);
  return (html(page).querySelector('.poll-results')?.text ?? '').replace(/\s+/g, ' ').trim();
}

async function vote(id: number, who: Person, payload: Record<string, string | string[]>, headers: Record<string, string> = {}) {
  return w.post(`/polls/${id}/vote`, payload, who, headers);
}

async function setMinGroup(k: number) {
  await w.app.db.updateTable('organisation').set({ privacy_min_group: k }).execute();
}

/** Makes a poll anonymous as its edit form does, from the copy given (loaded before). */
const makeAnonymous = (poll: Poll) => updatePoll(w.app.db, poll, { question: poll.question, description: poll.description, closesAt: poll.closesAt, mode: 'anonymous' });

/**
 * Runs `meanwhile` just before the next transaction starts: in a vote request, after the route has
 * loaded the poll and before castVote writes (two requests at once, made certain).
 */
function beforeNextTransaction(meanwhile: () => Promise<unknown>) {
  const db = w.app.db;
  const original = db.transaction.bind(db);
  db.transaction = (() => {
    db.transaction = original;
    const builder = original();
    return {
      execute: async <T>(fn: Parameters<typeof builder.execute<T>>[0]) => {
        await meanwhile();
        return builder.execute(fn);
      },
    };
  }) as unknown as typeof db.transaction;
}

/** A poll's named votes and participation rows. */
async function rowsOf(id: number) {
  const db = w.app.db.withTables<{ polls_votes: { poll_id: number; user_id: number; option_id: number | null }; polls_participation: { poll_id: number; user_id: number } }>();
  return {
    named: await db.selectFrom('polls_votes').select(['user_id', 'option_id']).where('poll_id', '=', id).execute(),
    participants: (await db.selectFrom('polls_participation').select('user_id').where('poll_id', '=', id).execute()).map((r) => r.user_id),
  };
}

describe('creating a poll', () => {
  it('is offered beside "Publish" to members, and created with its options', async () => {
    const space = await w.get(`/spaces/${w.team}`);
    expect(space.body).toContain(`/polls/new?space=${w.team}`);
    const id = await w.addPoll(w.bruno, w.team, { description: 'For **Friday**' });
    const page = await w.get(`/polls/${id}`, w.voters[0]);
    expect(page.statusCode).toBe(200);
    const root = html(page);
    expect(root.querySelector('h1')?.text).toBe('Which day for the team lunch?');
    expect(root.querySelectorAll('input[name="option"]').map((i) => (i.parentNode?.text ?? '').trim())).toEqual(['Monday', 'Thursday', 'Friday']);
    // The purpose is shown to voters.
    expect(root.querySelector('.poll__facts')?.text).toContain('Measure the relevance of an idea');
    // In the feed of the space, as a card, and on its content page.
    const feed = await w.get(`/spaces/${w.team}`, w.voters[0]);
    expect(feed.body).toContain(`href="/polls/${id}"`);
    const content = await w.get(`/content/${id}`, w.voters[0]);
    expect(content.statusCode).toBe(200);
    // The content page loads the viewer's panel with htmx, and links to the poll's page without it.
    expect(content.body).toContain(`hx-get="/polls/${id}/panel"`);
    expect(content.body).toContain(`href="/polls/${id}"`);
  });

  it('emits content.created and is found by search (question and options, never votes)', async () => {
    const id = await w.addPoll(w.bruno, w.team, { question: 'Quarterly offsite venue', options: 'Lighthouse\nVineyard' });
    const [a] = await optionIds(w.app, id);
    await vote(id, w.voters[0]!, { option: String(a) });
    expect(hrefs(await w.get(searchUrl('offsite'), w.voters[1]))).toContain(`/content/${id}`);
    expect(hrefs(await w.get(searchUrl('Vineyard'), w.voters[1]))).toContain(`/content/${id}`);
    // A voter's name finds no poll.
    expect(hrefs(await w.get(searchUrl('Quinault'), w.voters[1])).filter((h) => h === `/content/${id}`)).toEqual([]);
    // Not found by someone who may not see it: a poll in the private Board.
    const secret = await w.addPoll(w.bruno, w.board, { question: 'Boardroom secret ballot' });
    expect(hrefs(await w.get(searchUrl('Boardroom'), w.olga))).not.toContain(`/content/${secret}`);
  });

  it('refuses people who may not post in the space (403) and spaces they may not see (404)', async () => {
    // Olga sees the open Team space but is not a member.
    expect((await w.get(`/polls/new?space=${w.team}`, w.olga)).statusCode).toBe(403);
    expect((await w.get(`/spaces/${w.team}`, w.olga)).body).not.toContain('/polls/new?space=');
    const refused = await w.post('/polls/new', { space: String(w.team), question: 'Mine?', options: 'a\nb', type: 'single', mode: 'public', results: 'always', purpose: 'relevance' }, w.olga);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Mine?');
    expect((await w.get(`/polls/new?space=${w.board}`, w.olga)).statusCode).toBe(404);
    expect((await w.get('/polls/new?space=9999')).statusCode).toBe(404);
    expect((await w.get(`/polls/new?space=${w.team}`, null)).statusCode).toBe(303);
  });

  it('without a space named, the form is for the company-wide space (the feed), not a dead end', async () => {
    const page = await w.get('/polls/new', w.bruno);
    expect(page.statusCode).toBe(200);
    const company = await companySpaceId(w.app);
    expect(html(page).querySelector('form input[name="space"]')?.getAttribute('value')).toBe(String(company));
  });

  it('keeps creation to editors and admins when the setting says so', async () => {
    await w.app.plugins.saveSettings('polls', w.admin.id, { pollCreators: 'editors' });
    expect((await w.get(`/polls/new?space=${w.team}`)).statusCode).toBe(403);
    expect((await w.get(`/spaces/${w.team}`)).body).not.toContain('/polls/new?space=');
    await w.app.db.updateTable('users').set({ role: 'editor' }).where('id', '=', w.bruno.id).execute();
    expect((await w.get(`/polls/new?space=${w.team}`)).statusCode).toBe(200);
    expect((await w.get(`/spaces/${w.team}`)).body).toContain('/polls/new?space=');
  });

  it('says what is wrong, in English and French, keeping everything typed', async () => {
    const typed = { space: String(w.team), question: 'Où <b>déjeuner</b> ?', options: 'A\na\nC', type: 'multiple', minChoices: '3', maxChoices: '2', mode: 'anonymous', results: 'always', purpose: 'other', purposeOther: '', closesAt: '2001-01-01T10:00', description: 'Détails « gardés »' };
    const en = await w.post('/polls/new', typed);
    expect(en.statusCode).toBe(422);
    const text = html(en).querySelector('.error-summary')?.text ?? '';
    expect(text).toContain('The answer “a” is offered twice.');
    expect(text).toContain('Say what the purpose of the poll is.');
    expect(text).toContain('The closing date must be in the future.');
    expect(en.body).toContain('Où &lt;b&gt;déjeuner&lt;/b&gt; ?');
    expect(en.body).not.toContain('<b>déjeuner</b>');
    expect(en.body).toContain('Détails « gardés »');
    expect(html(en).querySelector('select[name="mode"] option[selected]')?.getAttribute('value')).toBe('anonymous');
    expect(html(en).querySelector('#minChoices')?.getAttribute('value')).toBe('3');
    // In French: the viewer's locale.
    await w.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', w.bruno.id).execute();
    const fr = await w.post('/polls/new', { ...typed, purposeOther: 'x', options: 'A\nB\nC' });
    const frText = html(fr).querySelector('.error-summary')?.text ?? '';
    expect(frText).toContain('Le maximum est plus petit que le minimum.');
    expect(frText).toContain('La date de clôture doit être dans le futur.');
    const missing = await w.post('/polls/new', { space: String(w.team) });
    const missingText = html(missing).querySelector('.error-summary')?.text ?? '';
    for (const message of ['Écrivez la question.', 'Choisissez un type de sondage.', 'Choisissez la confidentialité des votes.', 'Choisissez qui voit les résultats.', 'Choisissez l’objectif du sondage.']) {
      expect(missingText).toContain(message);
    }
  });

  it('checks the options: 2 to 20, at most 200 characters, dates for an event', async () => {
    const post = (fields: Record<string, string>) => w.post('/polls/new', { space: String(w.team), question: 'Q', type: 'single', mode: 'public', results: 'always', purpose: 'event', ...fields });
    expect((await post({ options: 'only one' })).body).toContain('Offer at least 2 answers, one per line.');
    expect((await post({ options: Array.from({ length: 21 }, (_, i) => `o${i}`).join('\n') })).body).toContain('Offer at most 20 answers.');
    expect((await post({ options: `${'x'.repeat(201)}\nb` })).body).toContain('is longer than 200 characters');
    expect((await post({ type: 'dates', options: '2027-02-30\n2027-03-01' })).body).toContain('is not a date like');
    expect((await post({ type: 'dates', options: '2027-03-01\n2027-03-02 18:30' })).statusCode).toBe(303);
    expect((await post({ type: 'rating', scale: '7' })).body).toContain('Choose the scale.');
    expect((await post({ type: 'rating', scale: '10' })).statusCode).toBe(303);
  });
});

describe('voting and names, per mode', () => {
  it('public: everyone who sees the results sees the voters’ names; a vote can be changed', async () => {
    const id = await w.addPoll(w.bruno, w.team, { mode: 'public' });
    const [monday, thursday] = await optionIds(w.app, id);
    expect((await vote(id, w.voters[0]!, { option: String(monday) })).statusCode).toBe(303);
    expect(await resultsText(id, w.voters[2]!)).toContain(VOTER_NAMES[0]);
    // Changed: the name moves.
    expect((await vote(id, w.voters[0]!, { option: String(thursday) })).statusCode).toBe(303);
    const root = html(await w.get(`/polls/${id}`, w.voters[2]));
    const rows = root.querySelectorAll('.poll-bars__row').map((li) => li.text.replace(/\s+/g, ' '));
    expect(rows[0]).not.toContain(VOTER_NAMES[0]);
    expect(rows[1]).toContain(VOTER_NAMES[0]);
    expect(rows[1]).toContain('1 (100%)');
    // The voter's own choice is checked on their form.
    expect(html(await w.get(`/polls/${id}`, w.voters[0])).querySelector(`input[value="${thursday}"]`)?.getAttribute('checked')).not.toBeUndefined();
  });

  it('confidential: names shown to nobody, not even the author or an admin; counts shown from k; vote changeable', async () => {
    await setMinGroup(3);
    const id = await w.addPoll(w.bruno, w.team, { mode: 'confidential' });
    const [monday, thursday] = await optionIds(w.app, id);
    for (const voter of w.voters.slice(0, 3)) await vote(id, voter, { option: String(monday) });
    expect((await vote(id, w.voters[1]!, { option: String(thursday) })).statusCode).toBe(303);
    for (const who of [w.bruno, w.admin, w.voters[3]!, w.voters[0]!]) {
      const shown = await resultsText(id, who);
      const fragment = (await w.get(`/polls/${id}/panel`, who, HX)).body;
      for (const name of VOTER_NAMES.slice(0, 3)) {
        expect(shown).not.toContain(name.split(' ')[1]);
        expect(fragment).not.toContain(name.split(' ')[1]);
      }
      // The copy taken at the third voter (k = 3); the change alone does not move it (polls-confidential.test.ts).
      expect(shown).toContain('3 voters');
      expect(shown).toMatch(/Monday ?3 \(100%\)/);
    }
    expect(await resultsText(id, w.bruno)).toContain('Voters’ names are shown to nobody.');
    // Stored with names, so the change replaced the vote.
    const rows = await w.app.db.withTables<{ polls_votes: { poll_id: number; user_id: number; option_id: number } }>().selectFrom('polls_votes').select(['user_id', 'option_id']).where('poll_id', '=', id).orderBy('user_id').execute();
    expect(rows).toEqual([
      { user_id: w.voters[0]!.id, option_id: monday },
      { user_id: w.voters[1]!.id, option_id: thursday },
      { user_id: w.voters[2]!.id, option_id: monday },
    ]);
  });

  it('anonymous: results hidden below k ("too few", not "no answers"), shown at k; a second vote is refused', async () => {
    const id = await w.addPoll(w.bruno, w.team, { mode: 'anonymous' });
    const [monday] = await optionIds(w.app, id);
    expect(await resultsText(id, w.bruno)).toContain('No answers yet.');
    for (const voter of w.voters.slice(0, 4)) expect((await vote(id, voter, { option: String(monday) })).statusCode).toBe(303);
    const below = await resultsText(id, w.bruno);
    expect(below).toContain('Too few answers to show results without identifying people.');
    expect(below).not.toContain('4');
    // The fragment says the same.
    const fragment = await w.get(`/polls/${id}/panel`, w.voters[0], HX);
    expect(fragment.body).toContain('Too few answers');
    expect(fragment.body).not.toContain('<html');
    // Double vote: refused, counts unchanged.
    const again = await vote(id, w.voters[0]!, { option: String(monday) });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('You have already voted');
    // The fifth vote (k = 5 by default) shows the results.
    await vote(id, w.voters[4]!, { option: String(monday) });
    const at = await resultsText(id, w.bruno);
    expect(at).toContain('5 voters');
    expect(at).toContain('5 (100%)');
    for (const name of VOTER_NAMES) expect(at).not.toContain(name);
    // A voter has no form any more (the vote cannot be changed).
    expect(html(await w.get(`/polls/${id}`, w.voters[0])).querySelector('form.poll-vote')).toBeNull();
  });

  it('anonymous: shown results move only when k new people have voted, never one vote at a time (not even on closing)', async () => {
    await setMinGroup(3);
    const id = await w.addPoll(w.bruno, w.team, { mode: 'anonymous', results: 'always' });
    const [monday, thursday] = await optionIds(w.app, id);
    for (const voter of w.voters.slice(0, 3)) await vote(id, voter, { option: String(monday) });
    const atK = await resultsText(id, w.bruno);
    expect(atK).toContain('3 voters');
    expect(atK).toContain('3 (100%)');
    expect(html(await w.get(`/polls/${id}`, w.bruno)).querySelector('.poll__groups')?.text.replace(/\s+/g, ' ').trim()).toBe('Results are updated each time at least 3 new people have voted, so that nobody can read a colleague’s vote.');
    // The author watches while one known colleague votes: nothing moves, in the page or the fragment.
    const fourth = await vote(id, w.voters[3]!, { option: String(thursday) }, HX);
    expect(fourth.statusCode).toBe(200);
    expect(fourth.body).toContain('3 voters');
    expect(fourth.body).not.toContain('4 voters');
    expect(await resultsText(id, w.bruno)).toBe(atK);
    await vote(id, w.voters[4]!, { option: String(thursday) });
    expect(await resultsText(id, w.bruno)).toBe(atK);
    // Closing does not reveal the last votes either (they would be read from the difference).
    expect((await w.post(`/polls/${id}/close`, {})).statusCode).toBe(303);
    expect(await resultsText(id, w.bruno)).toContain('3 (100%)');
    expect((await w.post(`/polls/${id}/reopen`, {})).statusCode).toBe(303);
    // The third new vote (k = 3 new people): the results move, by three people at once.
    await vote(id, w.voters[5]!, { option: String(thursday) });
    const next = await resultsText(id, w.bruno);
    expect(next).toContain('6 voters');
    expect(next).toContain('3 (50%)');
  });

  it('anonymous: k is the organisation’s when the poll is created, and stays fixed on the poll', async () => {
    await setMinGroup(3);
    const id = await w.addPoll(w.bruno, w.team, { mode: 'anonymous' });
    await setMinGroup(8);
    const later = await w.addPoll(w.bruno, w.team, { mode: 'anonymous' });
    for (const voter of w.voters.slice(0, 3)) {
      for (const poll of [id, later]) await vote(poll, voter, { option: String((await optionIds(w.app, poll))[0]) });
    }
    expect(await resultsText(id, w.bruno)).toContain('3 voters');
    expect(await resultsText(later, w.bruno)).toContain('Too few answers');
    expect((await w.get(`/polls/${later}`)).body).toContain('Results are shown from 8 answers.');
  });

  it('htmx: a vote swaps the panel, whose results region is aria-live', async () => {
    const id = await w.addPoll(w.bruno, w.team);
    const [monday] = await optionIds(w.app, id);
    const response = await vote(id, w.voters[0]!, { option: String(monday) }, HX);
    expect(response.statusCode).toBe(200);
    const root = html(response);
    expect(root.querySelector(`#poll-${id}-panel`)).not.toBeNull();
    expect(root.querySelector('.poll-results')?.getAttribute('aria-live')).toBe('polite');
    expect(response.body).toContain('Your vote is recorded.');
    expect(response.body).not.toContain('<html');
  });
});

describe('refusals', () => {
  it('checks choices: one for single choice, min and max for multiple choice, the scale, the dates', async () => {
    const single = await w.addPoll(w.bruno, w.team);
    const [a, b] = await optionIds(w.app, single);
    expect((await vote(single, w.voters[0]!, { option: [String(a), String(b)] })).body).toContain('Choose only one answer.');
    expect((await vote(single, w.voters[0]!, {})).statusCode).toBe(422);
    expect((await vote(single, w.voters[0]!, { option: '999999' })).body).toContain('This answer is not part of the poll.');
    const multiple = await w.addPoll(w.bruno, w.team, { type: 'multiple', options: 'a\nb\nc\nd', minChoices: '2', maxChoices: '3' });
    const ids = (await optionIds(w.app, multiple)).map(String);
    expect((await vote(multiple, w.voters[0]!, { option: ids.slice(0, 1) })).body).toContain('Choose at least 2 answers.');
    const tooMany = await vote(multiple, w.voters[0]!, { option: ids });
    expect(tooMany.body).toContain('Choose at most 3 answers.');
    // Nothing typed is lost: the four boxes are still checked.
    expect(html(tooMany).querySelectorAll('input[name="option"][checked]').map((i) => i.getAttribute('value'))).toEqual(ids);
    await w.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', w.voters[0]!.id).execute();
    const fr = await vote(multiple, w.voters[0]!, { option: ids.slice(0, 1) });
    expect(html(fr).querySelectorAll('input[name="option"][checked]').map((i) => i.getAttribute('value'))).toEqual(ids.slice(0, 1));
    expect(html(fr).querySelector('.field__error')?.text).toBe('Choisissez au moins 2 réponses.');
    await w.app.db.updateTable('users').set({ locale: 'en' }).where('id', '=', w.voters[0]!.id).execute();
    expect((await vote(multiple, w.voters[0]!, { option: ids.slice(0, 3) })).statusCode).toBe(303);
    const rating = await w.addPoll(w.bruno, w.team, { type: 'rating', scale: '10' });
    const outside = await vote(rating, w.voters[0]!, { value: '11' });
    expect(outside.body).toContain('This rating is outside the scale.');
    expect(html(outside).querySelector('input[name="value"][checked]')).toBeNull();
    expect((await vote(rating, w.voters[0]!, { value: '-1' })).statusCode).toBe(422);
    expect((await vote(rating, w.voters[0]!, { value: '0' })).statusCode).toBe(303);
    expect(await resultsText(rating, w.bruno)).toContain('Average: 0.0');
    const dates = await w.addPoll(w.bruno, w.team, { type: 'dates', options: '2030-03-01\n2030-03-02', purpose: 'event' });
    const [d1, d2] = await optionIds(w.app, dates);
    expect((await vote(dates, w.voters[0]!, {})).body).toContain('Answer for at least one date.');
    const perhaps = await vote(dates, w.voters[0]!, { [`date-${d1}`]: 'perhaps', [`date-${d2}`]: 'no' });
    expect(perhaps.statusCode).toBe(422);
    expect(html(perhaps).querySelector(`input[name="date-${d2}"][checked]`)?.getAttribute('value')).toBe('no');
    expect((await vote(dates, w.voters[0]!, { [`date-${d1}`]: 'yes', [`date-${d2}`]: 'maybe' })).statusCode).toBe(303);
    expect(await resultsText(dates, w.voters[1]!)).toContain(VOTER_NAMES[0]);
  });

  it('refuses a vote after closing (409), and a non-member of a private space (404)', async () => {
    const id = await w.addPoll(w.bruno, w.team);
    const [a] = await optionIds(w.app, id);
    expect((await w.post(`/polls/${id}/close`, {}, w.voters[0])).statusCode).toBe(403);
    expect((await w.post(`/polls/${id}/close`, {})).statusCode).toBe(303);
    const late = await vote(id, w.voters[0]!, { option: String(a) });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('This poll is closed');
    await w.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', w.voters[0]!.id).execute();
    expect((await vote(id, w.voters[0]!, { option: String(a) })).body).toContain('Ce sondage est clos\u202F: il n’est plus possible de voter.');
    // Reopened by an admin: voting again.
    expect((await w.post(`/polls/${id}/reopen`, {}, w.admin)).statusCode).toBe(303);
    expect((await vote(id, w.voters[0]!, { option: String(a) })).statusCode).toBe(303);

    const secret = await w.addPoll(w.bruno, w.board);
    const [s] = await optionIds(w.app, secret);
    for (const url of [`/polls/${secret}`, `/polls/${secret}/panel`, `/polls/${secret}/edit`]) expect((await w.get(url, w.olga)).statusCode).toBe(404);
    expect((await vote(secret, w.olga, { option: String(s) })).statusCode).toBe(404);
    // Every POST says 404 to someone outside the private space (never 403, which would confirm the poll).
    for (const action of ['close', 'reopen', 'outcome', 'edit']) expect((await w.post(`/polls/${secret}/${action}`, { outcome: 'x', question: 'Q', mode: 'anonymous', closesAt: '' }, w.olga)).statusCode, action).toBe(404);
    expect((await w.post('/polls/new', { space: String(w.board), question: 'Q', options: 'a\nb', type: 'single', mode: 'public', results: 'always', purpose: 'event' }, w.olga)).statusCode).toBe(404);
    // A content id that is not a poll is not found either.
    const post = await createPost(w.app, { spaceId: w.team, authorId: w.bruno.id, body: 'Not a poll' });
    for (const url of [`/polls/${post}`, `/polls/${post}/panel`]) expect((await w.get(url, w.bruno)).statusCode, url).toBe(404);
    expect((await vote(post, w.bruno, { option: '1' })).statusCode).toBe(404);
    expect((await vote(secret, w.voters[1]!, { option: String(s) })).statusCode).toBe(404);
    expect((await vote(secret, w.voters[0]!, { option: String(s) })).statusCode).toBe(303);
    const count = await w.app.db.withTables<{ polls_votes: { poll_id: number } }>().selectFrom('polls_votes').select((eb) => eb.fn.countAll<number>().as('n')).where('poll_id', '=', secret).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  // Review of issue 6: castVote trusted the mode of the poll the route had loaded; made anonymous
  // meanwhile, the poll got a named vote (and the person could vote a second time).
  it('a vote racing a change to anonymous never leaves a named vote in an anonymous poll', async () => {
    for (const from of ['public', 'confidential'] as const) {
      const id = await w.addPoll(w.bruno, w.team, { mode: from });
      const [monday] = (await optionIds(w.app, id)) as [number];
      const stale = (await loadPoll(w.app.db, id))!;
      await makeAnonymous(stale);
      expect(await castVote(w.app.db, stale, w.voters[0]!.id, { kind: 'options', optionIds: [monday] })).toBe('pollChanged');
      expect(await rowsOf(id), `${from} → anonymous: a named vote in an anonymous poll`).toEqual({ named: [], participants: [] });
    }
  });

  it('a vote racing a change of mode or a closing is refused (409), says so in en and fr and keeps what was ticked', async () => {
    for (const from of ['public', 'confidential'] as const) {
      const id = await w.addPoll(w.bruno, w.team, { mode: from });
      const [, thursday] = (await optionIds(w.app, id)) as [number, number];
      const loaded = (await loadPoll(w.app.db, id))!;
      beforeNextTransaction(() => makeAnonymous(loaded));
      const raced = await vote(id, w.voters[0]!, { option: String(thursday) });
      expect(raced.statusCode, from).toBe(409);
      expect(raced.body).toContain('This poll changed while you were voting: check it and vote again.');
      const page = html(raced);
      // The poll as it is now (anonymous), with the answer they ticked still ticked.
      expect(page.querySelectorAll('input[name="option"][checked]').map((i) => i.getAttribute('value'))).toEqual([String(thursday)]);
      expect(page.text).toContain('Anonymous: your answer is linked to you nowhere');
      expect(await rowsOf(id)).toEqual({ named: [], participants: [] });
      // Voting again, knowingly: recorded once, anonymously.
      expect((await vote(id, w.voters[0]!, { option: String(thursday) })).statusCode).toBe(303);
      expect(await rowsOf(id)).toEqual({ named: [], participants: [w.voters[0]!.id] });
    }
    // Closed meanwhile, in French, with htmx (the panel alone).
    await w.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', w.voters[1]!.id).execute();
    const id = await w.addPoll(w.bruno, w.team, { mode: 'confidential' });
    const [monday] = (await optionIds(w.app, id)) as [number];
    beforeNextTransaction(() => closePoll(w.app.db, id));
    const raced = await vote(id, w.voters[1]!, { option: String(monday) }, HX);
    expect(raced.statusCode).toBe(409);
    expect(raced.body).not.toContain('<html');
    expect(raced.body).toContain('Ce sondage a changé pendant votre vote\u202F: vérifiez-le et votez à nouveau.');
    expect(await rowsOf(id)).toEqual({ named: [], participants: [] });
  });

  // Tried as a new user would: a page loaded while the poll was confidential, the poll made anonymous
  // in another tab, then a vote (or a changed vote) sent from the first page.
  it('a vote sent from a page that showed another mode is refused (409) and says what the mode now means', async () => {
    const id = await w.addPoll(w.bruno, w.team, { mode: 'confidential' });
    const [monday, thursday] = (await optionIds(w.app, id)) as [number, number];
    expect((await vote(id, w.voters[2]!, { option: String(monday) })).statusCode).toBe(303);
    const seen = html(await w.get(`/polls/${id}`, w.voters[3]!)).querySelector('form.poll-vote input[name="seenMode"]');
    expect(seen?.getAttribute('value')).toBe('confidential');
    await makeAnonymous((await loadPoll(w.app.db, id))!);
    // A first vote, and a changed vote of someone who had voted: both told, nothing recorded.
    for (const [voter, option] of [[w.voters[3]!, thursday], [w.voters[2]!, thursday]] as const) {
      const refused = await vote(id, voter, { option: String(option), seenMode: 'confidential' });
      expect(refused.statusCode).toBe(409);
      expect(mainText(refused)).toContain('This poll changed while you were voting: check it and vote again. Your vote was not recorded. Anonymous: your answer is linked to you nowhere; it cannot be changed.');
      // The page as it is now: a form for whoever has not voted yet, carrying the new mode.
      const form = html(refused).querySelector('form.poll-vote input[name="seenMode"]');
      expect(form?.getAttribute('value')).toBe(voter === w.voters[3] ? 'anonymous' : undefined);
    }
    expect((await rowsOf(id)).participants).toEqual([w.voters[2]!.id]);
    // Sent again from the page as it is now: recorded.
    expect((await vote(id, w.voters[3]!, { option: String(thursday), seenMode: 'anonymous' })).statusCode).toBe(303);
  });

  it('answers 404 where the plugin is switched off in the space', async () => {
    const id = await w.addPoll(w.bruno, w.team);
    await w.app.plugins.setSpaceSwitch('polls', w.team, false, w.admin.id);
    expect((await w.get(`/polls/new?space=${w.team}`)).statusCode).toBe(404);
    expect((await w.get(`/polls/${id}`)).statusCode).toBe(404);
    expect((await vote(id, w.voters[0]!, { option: '1' })).statusCode).toBe(404);
  });
});

describe('results visibility', () => {
  it('after voting, after closing, only to the author', async () => {
    const afterVoting = await w.addPoll(w.bruno, w.team, { results: 'afterVoting' });
    const afterClosing = await w.addPoll(w.bruno, w.team, { results: 'afterClosing' });
    const author = await w.addPoll(w.bruno, w.team, { results: 'author' });
    for (const id of [afterVoting, afterClosing, author]) await vote(id, w.voters[0]!, { option: String((await optionIds(w.app, id))[0]) });

    expect(await resultsText(afterVoting, w.voters[1]!)).toContain('The results are shown once you have voted.');
    expect(await resultsText(afterVoting, w.voters[0]!)).toContain('1 voter');
    expect((await w.get(`/polls/${afterVoting}/panel`, w.voters[1], HX)).body).not.toContain(VOTER_NAMES[0]);

    expect(await resultsText(afterClosing, w.voters[0]!)).toContain('The results are shown when the poll closes.');
    expect(await resultsText(afterClosing, w.bruno)).toContain('1 voter');
    await w.post(`/polls/${afterClosing}/close`, {});
    expect(await resultsText(afterClosing, w.voters[1]!)).toContain(VOTER_NAMES[0]);

    expect(await resultsText(author, w.voters[0]!)).toContain('Only the poll’s author sees the results.');
    expect(await resultsText(author, w.admin)).toContain('Only the poll’s author');
    expect(await resultsText(author, w.bruno)).toContain(VOTER_NAMES[0]);
    // The htmx answer to a vote follows the same rule.
    const voted = await vote(author, w.voters[1]!, { option: String((await optionIds(w.app, author))[0]) }, HX);
    expect(voted.body).not.toContain(VOTER_NAMES[0]);
  });
});

describe('mode changes', () => {
  it('only towards more privacy, with a clear message', async () => {
    const id = await w.addPoll(w.bruno, w.team, { mode: 'confidential' });
    expect((await w.get(`/polls/${id}/edit`, w.voters[0])).statusCode).toBe(403);
    const form = html(await w.get(`/polls/${id}/edit`));
    expect(form.querySelectorAll('select[name="mode"] option').map((o) => o.getAttribute('value'))).toEqual(['confidential', 'anonymous']);
    const refused = await w.post(`/polls/${id}/edit`, { question: 'Changed?', mode: 'public', closesAt: '' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('The mode can only become more private');
    expect(refused.body).toContain('Changed?');
    const anonymous = await w.addPoll(w.bruno, w.team, { mode: 'anonymous' });
    for (const mode of ['public', 'confidential']) expect((await w.post(`/polls/${anonymous}/edit`, { question: 'Q', mode, closesAt: '' })).statusCode).toBe(422);
  });

  it('confidential → anonymous turns named votes into counts and deletes them; k is fixed then', async () => {
    await setMinGroup(3);
    const id = await w.addPoll(w.bruno, w.team, { mode: 'confidential' });
    const [monday, thursday] = await optionIds(w.app, id);
    await vote(id, w.voters[0]!, { option: String(monday) });
    await vote(id, w.voters[1]!, { option: String(monday) });
    await vote(id, w.voters[2]!, { option: String(thursday) });
    expect((await w.post(`/polls/${id}/edit`, { question: 'Which day for the team lunch?', mode: 'anonymous', closesAt: '' })).statusCode).toBe(303);
    const db = w.app.db.withTables<{ polls_votes: { poll_id: number }; polls_anonymous_counts: { poll_id: number; answer_key: string; count: number }; polls_participation: { poll_id: number; user_id: number } }>();
    expect(await db.selectFrom('polls_votes').selectAll().where('poll_id', '=', id).execute()).toEqual([]);
    expect(await db.selectFrom('polls_anonymous_counts').select(['answer_key', 'count']).where('poll_id', '=', id).orderBy('answer_key').execute()).toEqual(
      [
        { answer_key: String(monday), count: 2 },
        { answer_key: String(thursday), count: 1 },
      ].sort((x, y) => x.answer_key.localeCompare(y.answer_key)),
    );
    expect((await db.selectFrom('polls_participation').select('user_id').where('poll_id', '=', id).execute()).length).toBe(3);
    const text = await resultsText(id, w.voters[3]!);
    expect(text).toContain('3 voters');
    // They voted already: no second vote.
    expect((await vote(id, w.voters[0]!, { option: String(thursday) })).statusCode).toBe(409);
  });
});

describe('closing and outcome', () => {
  it('the job closes due polls; the author is invited to post the outcome, shown on the poll (escaped markdown)', async () => {
    const now = Date.now();
    const due = await w.addPoll(w.bruno, w.team, { closesAt: new Date(now + DAY + 7_200_000).toISOString().slice(0, 16) });
    const notDue = await w.addPoll(w.bruno, w.team, { closesAt: new Date(now + 5 * DAY).toISOString().slice(0, 16) });
    expect(html(await w.get(`/polls/${due}`)).querySelector('.poll-panel__closed')).toBeNull();
    // The outcome waits for the close.
    expect((await w.post(`/polls/${due}/outcome`, { outcome: 'early' })).statusCode).toBe(422);
    await w.app.jobs.runDue(now + 2 * DAY);
    const db = w.app.db.withTables<{ polls_polls: { content_id: number; closed_at: number | null } }>();
    const rows = await db.selectFrom('polls_polls').select(['content_id', 'closed_at']).orderBy('content_id').execute();
    expect(rows.find((r) => r.content_id === due)?.closed_at).not.toBeNull();
    expect(rows.find((r) => r.content_id === notDue)?.closed_at).toBeNull();

    const authorPage = await w.get(`/polls/${due}`);
    expect(authorPage.body).toContain('The poll is closed: tell the voters what came of it');
    expect((await w.get(`/polls/${due}`, w.voters[0])).body).not.toContain('tell the voters');
    expect((await w.post(`/polls/${due}/outcome`, { outcome: 'x' }, w.voters[0])).statusCode).toBe(403);
    // An admin may close and reopen, but the outcome speaks for the author: refused, and no form offered.
    expect((await w.post(`/polls/${due}/outcome`, { outcome: 'x' }, w.admin)).statusCode).toBe(403);
    const adminPage = html(await w.get(`/polls/${due}`, w.admin));
    expect(adminPage.querySelector('form.poll-outcome')).toBeNull();
    expect(adminPage.querySelector(`form[action="/polls/${due}/reopen"]`)).not.toBeNull();
    expect(html(authorPage).querySelector('form.poll-outcome')).not.toBeNull();
    // A box to write in, empty, never a list of the poll's answers (the page holds them too).
    const box = html(authorPage).querySelector(`form.poll-outcome #poll-${due}-outcome`);
    expect(box?.tagName).toBe('TEXTAREA');
    expect(box?.text).toBe('');
    expect(html(authorPage).querySelector('form.poll-outcome select')).toBeNull();
    expect((await w.post(`/polls/${due}/outcome`, { outcome: '' })).body).toContain('Write what was decided.');
    expect((await w.post(`/polls/${due}/outcome`, { outcome: 'We chose **Friday** <script>alert(1)</script>' })).statusCode).toBe(303);
    const page = await w.get(`/polls/${due}`, w.voters[0]);
    const outcome = html(page).querySelector('.poll__outcome');
    expect(outcome?.innerHTML).toContain('<strong>Friday</strong>');
    expect(page.body).not.toContain('<script>alert(1)</script>');
    // The author's box now holds what they wrote, to edit it.
    expect(html(await w.get(`/polls/${due}`)).querySelector(`#poll-${due}-outcome`)?.text).toBe('We chose **Friday** <script>alert(1)</script>');
    expect((await w.get(`/polls/${due}`)).body).not.toContain('tell the voters');
    // On the card in the feed too.
    expect((await w.get(`/spaces/${w.team}`, w.voters[0])).body).toContain('<strong>Friday</strong>');
  });
});

describe('escaping and shuffling', () => {
  it('escapes the question, options and purpose everywhere', async () => {
    const id = await w.addPoll(w.bruno, w.team, { question: '<img src=x onerror=alert(1)>?', options: '<b>bold</b>\n"quoted" & more', purpose: 'other', purposeOther: '<i>why</i>' });
    for (const url of [`/polls/${id}`, `/content/${id}`, `/spaces/${w.team}`]) {
      const page = await w.get(url, w.voters[0]);
      expect(page.body).not.toContain('<img src=x');
      expect(page.body).not.toContain('<b>bold</b>');
      expect(page.body).not.toContain('<i>why</i>');
    }
    expect((await w.get(`/polls/${id}`)).body).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });

  it('shuffles the options per person, the same on every visit', async () => {
    const labels = Array.from({ length: 12 }, (_, i) => `Option ${i + 1}`);
    const id = await w.addPoll(w.bruno, w.team, { options: labels.join('\n'), shuffle: 'on' });
    const order = async (who: Person) => html(await w.get(`/polls/${id}`, who)).querySelectorAll('input[name="option"]').map((i) => (i.parentNode?.text ?? '').trim());
    const first = await order(w.voters[0]!);
    expect(await order(w.voters[0]!)).toEqual(first);
    expect([...first].sort()).toEqual([...labels].sort());
    const others = await Promise.all(w.voters.slice(1).map(order));
    expect(others.some((o) => o.join() !== first.join()) || first.join() !== labels.join()).toBe(true);
  });
});

describe('export and erasure', () => {
  it('exports the person’s polls and named votes, never anonymous answers; erasure removes votes and participation', async () => {
    const pub = await w.addPoll(w.bruno, w.team, { question: 'Public one', options: 'Apples\nPears' });
    const anon = await w.addPoll(w.bruno, w.team, { question: 'Anonymous one', options: 'Secret-Kiwi\nSecret-Mango', mode: 'anonymous' });
    await vote(pub, w.voters[0]!, { option: String((await optionIds(w.app, pub))[0]) });
    await vote(anon, w.voters[0]!, { option: String((await optionIds(w.app, anon))[1]) });
    const exported = JSON.stringify(await w.app.plugins.exportUser(w.voters[0]!.id));
    expect(exported).toContain('Apples');
    expect(exported).not.toContain('Secret-Mango');
    expect(exported).not.toContain('Secret-Kiwi');
    expect(exported).toContain('cannot be exported');
    const authored = JSON.stringify(await w.app.plugins.exportUser(w.bruno.id));
    expect(authored).toContain('Anonymous one');

    await w.app.db.transaction().execute((trx) => w.app.plugins.eraseUser(trx, w.voters[0]!.id, Date.now()));
    const db = w.app.db.withTables<{ polls_votes: { user_id: number }; polls_participation: { user_id: number } }>();
    expect(await db.selectFrom('polls_votes').selectAll().where('user_id', '=', w.voters[0]!.id).execute()).toEqual([]);
    expect(await db.selectFrom('polls_participation').selectAll().where('user_id', '=', w.voters[0]!.id).execute()).toEqual([]);
  });

  // Review of issue 6: an anonymous poll counted its respondents as its participation rows, which an
  // erasure deletes while the answer stays in the counters: percentages above 100.
  it('an erased voter’s anonymous answer is still counted as a respondent (no percentage above 100)', async () => {
    await setMinGroup(3);
    const id = await w.addPoll(w.bruno, w.team, { mode: 'anonymous' });
    const [monday] = (await optionIds(w.app, id)) as [number];
    for (const voter of w.voters.slice(0, 3)) await vote(id, voter, { option: String(monday) });
    expect(await resultsText(id, w.bruno)).toContain('3 voters');
    await w.app.db.transaction().execute((trx) => w.app.plugins.eraseUser(trx, w.voters[0]!.id, Date.now()));
    expect(await resultsText(id, w.bruno)).toContain('3 (100%)');
    // Three new people: the copy moves (k = 3), counting the erased person's answer and the person.
    for (const voter of w.voters.slice(3, 6)) await vote(id, voter, { option: String(monday) });
    const text = await resultsText(id, w.bruno);
    expect(text).toContain('6 voters');
    expect(text).toContain('6 (100%)');
    // One more: not shown alone.
    await vote(id, w.bruno, { option: String(monday) });
    expect(await resultsText(id, w.bruno)).toBe(text);
  });

  it('anonymous polls from before the respondents’ count get it from their participation and counters (migration)', async () => {
    await setMinGroup(3);
    const single = await w.addPoll(w.bruno, w.team, { mode: 'anonymous' });
    const multiple = await w.addPoll(w.bruno, w.team, { mode: 'anonymous', type: 'multiple', minChoices: '1', maxChoices: '3' });
    const [monday] = (await optionIds(w.app, single)) as [number];
    const [mMonday, mThursday] = (await optionIds(w.app, multiple)) as [number, number];
    for (const voter of w.voters.slice(0, 4)) {
      await vote(single, voter, { option: String(monday) });
      expect((await vote(multiple, voter, { option: [String(mMonday), String(mThursday)] })).statusCode).toBe(303);
    }
    // As the database was: no column, and an erasure that took a participation row of each poll.
    await w.app.db.transaction().execute((trx) => w.app.plugins.eraseUser(trx, w.voters[0]!.id, Date.now()));
    await sql`alter table polls_polls drop column anonymous_respondents`.execute(w.app.db);
    await sql`update polls_polls set shown_respondents = 2 where content_id = ${single}`.execute(w.app.db);
    await migrations['004-polls-anonymous-respondents']!.up(w.app.db);
    const rows = await w.app.db
      .withTables<{ polls_polls: { content_id: number; anonymous_respondents: number; shown_respondents: number } }>()
      .selectFrom('polls_polls')
      .select(['content_id', 'anonymous_respondents', 'shown_respondents'])
      .where('content_id', 'in', [single, multiple])
      .orderBy('content_id')
      .execute();
    // Single choice: one answer per person, so 4 answers are 4 people (3 rows left); the copy (taken
    // at 3) likewise. Multiple choice: the largest counter (4) proves 4 people at least.
    expect(rows).toEqual([
      { content_id: single, anonymous_respondents: 4, shown_respondents: 3 },
      { content_id: multiple, anonymous_respondents: 4, shown_respondents: 3 },
    ]);
    expect(await resultsText(single, w.bruno)).toContain('3 (100%)');
  });
});

describe('logs', () => {
  it('never hold a vote’s content (answers go in POST bodies, the log says only which poll)', async () => {
    const id = await w.addPoll(w.bruno, w.team, { options: 'Zebra-Answer\nOkapi-Answer', mode: 'anonymous' });
    const [, okapi] = await optionIds(w.app, id);
    w.t.logs.length = 0;
    await vote(id, w.voters[0]!, { option: String(okapi) });
    const logged = JSON.stringify(w.t.logs);
    expect(logged).toContain(`/polls/${id}/vote`);
    expect(logged).not.toContain('Okapi');
    expect(logged).not.toMatch(new RegExp(`option[^a-z]{0,6}${okapi}\\b`));
    // A sanity check that the logs are captured at all.
    expect(w.t.logs.some((line) => line.msg === 'poll vote')).toBe(true);
  });
});

