// Confidential polls protect their voters in their results as anonymous polls do: what they show is a
// saved copy of their counts, taken again only when at least k new people have voted since the last
// copy (a changed vote shows with the next copy but does not count towards it), and nothing below k
// voters in total. The same for every viewer (the
// author included) and everywhere (poll page, panel fragment, the answer to an htmx vote, the content
// page, the feed card); each voter still sees their own vote. Public polls stay live, with names.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html } from '../../../test/helpers/app.js';
import type { Person } from '../../../test/helpers/spaces.js';
import { migrations } from '../polls/migrations.js';
import { optionIds, pollsWorld, VOTER_NAMES, type PollsWorld } from './polls-helpers.js';

let w: PollsWorld;
beforeEach(async () => {
  w = await pollsWorld();
  // k = 3: the organisation's, fixed on a poll when it becomes confidential or anonymous.
  await w.app.db.updateTable('organisation').set({ privacy_min_group: 3 }).execute();
});
afterEach(async () => {
  await w.t.close();
});

const HX = { 'hx-request': 'true', 'hx-request-type': 'partial' };
const TOO_FEW = 'Too few answers to show results without identifying people.';
const NOTE = 'Results are updated each time at least 3 new people have voted, so that nobody can read a colleague’s vote; changed votes show then.';

const fold = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The text of the poll's results region on its page, whitespace folded. */
async function resultsText(id: number, who: Person): Promise<string> {
  const page = await w.get(`/polls/${id}`, who);
  expect(page.statusCode).toBe(200);
  return fold(html(page).querySelector('.poll-results')?.text ?? '');
}

/** The same region in the panel fragment the content page loads with htmx. */
async function fragmentText(id: number, who: Person): Promise<string> {
  const fragment = await w.get(`/polls/${id}/panel`, who, HX);
  expect(fragment.statusCode).toBe(200);
  expect(fragment.body).not.toContain('<html');
  return fold(html(fragment).querySelector('.poll-results')?.text ?? '');
}

async function vote(id: number, who: Person, option: number, headers: Record<string, string> = {}) {
  const response = await w.post(`/polls/${id}/vote`, { option: String(option) }, who, headers);
  expect([200, 303]).toContain(response.statusCode);
  return response;
}

async function confidentialPoll(fields: Record<string, string> = {}) {
  const id = await w.addPoll(w.bruno, w.team, { mode: 'confidential', ...fields });
  const [monday, thursday, friday] = (await optionIds(w.app, id)) as [number, number, number];
  return { id, monday, thursday, friday };
}

describe('confidential polls show a copy of their counts, moved by k people at a time', () => {
  it('hide the counts below k ("too few", for the author too), show them at k, and say why on the poll', async () => {
    const { id, monday, thursday } = await confidentialPoll();
    expect(await resultsText(id, w.bruno)).toContain('No answers yet.');
    await vote(id, w.voters[0]!, monday);
    await vote(id, w.voters[1]!, thursday);
    for (const who of [w.bruno, w.admin, w.voters[0]!, w.voters[5]!]) {
      const text = await resultsText(id, who);
      expect(text).toContain(TOO_FEW);
      expect(text).not.toMatch(/\d/);
      expect(await fragmentText(id, who)).toBe(text);
    }
    // The third voter (k = 3): the results appear, the same for the author and a colleague.
    await vote(id, w.voters[2]!, monday);
    const atK = await resultsText(id, w.bruno);
    expect(atK).toContain('3 voters');
    expect(atK).toContain('2 (67%)');
    expect(atK).toContain('1 (33%)');
    expect(await resultsText(id, w.voters[5]!)).toBe(atK);
    // The note on the poll, in English and in French.
    expect(fold(html(await w.get(`/polls/${id}`, w.voters[5])).querySelector('.poll__groups')?.text ?? '')).toBe(NOTE);
    await w.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', w.voters[5]!.id).execute();
    const fr = html(await w.get(`/polls/${id}`, w.voters[5]));
    expect(fold(fr.querySelector('.poll__groups')?.text ?? '')).toBe('Les résultats sont mis à jour chaque fois qu’au moins 3 nouvelles personnes ont voté, pour que personne ne puisse lire le vote d’une autre personne ; les votes changés apparaissent alors.');
    expect(fr.querySelector('.poll__groups')?.text).toContain('personne\u202F; les votes');
    // Said once: not again under the results.
    expect(fr.querySelectorAll('.poll-results__groups')).toHaveLength(0);
  });

  it('do not move with the (k+1)th vote, in the page, the fragment or the answer to an htmx vote; nor on closing', async () => {
    const { id, monday, thursday } = await confidentialPoll();
    for (const voter of w.voters.slice(0, 3)) await vote(id, voter, monday);
    const atK = await resultsText(id, w.bruno);
    expect(atK).toContain('3 voters');
    // The author watches while a known colleague votes: nothing moves.
    const fourth = await vote(id, w.voters[3]!, thursday, HX);
    expect(fourth.statusCode).toBe(200);
    expect(fold(html(fourth).querySelector('.poll-results')?.text ?? '')).toBe(atK);
    expect(await resultsText(id, w.bruno)).toBe(atK);
    expect(await fragmentText(id, w.bruno)).toBe(atK);
    expect(await resultsText(id, w.voters[5]!)).toBe(atK);
    // Closing keeps the copy: the live counts would tell the fourth vote by difference.
    expect((await w.post(`/polls/${id}/close`, {})).statusCode).toBe(303);
    expect(await resultsText(id, w.bruno)).toBe(atK);
    expect(await resultsText(id, w.voters[5]!)).toBe(atK);
  });

  it('do not move when people change their vote: the changes show with the next copy, taken at k new voters', async () => {
    const { id, monday, thursday, friday } = await confidentialPoll();
    for (const voter of w.voters.slice(0, 3)) await vote(id, voter, monday);
    const atK = await resultsText(id, w.bruno);
    expect(atK).toContain('3 (100%)');
    // All three change their vote (and one again and again): nothing moves.
    for (const voter of w.voters.slice(0, 3)) await vote(id, voter, thursday);
    for (const option of [friday, thursday, friday]) await vote(id, w.voters[0]!, option);
    expect(await resultsText(id, w.bruno)).toBe(atK);
    const db = w.app.db.withTables<{ polls_pending_voters: { poll_id: number; user_id: number } }>();
    expect(await db.selectFrom('polls_pending_voters').selectAll().where('poll_id', '=', id).execute()).toEqual([]);
    // Two new voters: still fewer than k since the copy.
    await vote(id, w.voters[3]!, monday);
    await vote(id, w.voters[4]!, monday);
    expect(await resultsText(id, w.bruno)).toBe(atK);
    // The third new voter: the copy moves, by three new people at once, with the changes.
    await vote(id, w.voters[5]!, monday);
    const moved = await resultsText(id, w.bruno);
    expect(moved).toContain('6 voters');
    expect(moved).toMatch(/Monday ?3 \(50%\)/);
    expect(moved).toMatch(/Thursday ?2 \(33%\)/);
    expect(moved).toMatch(/Friday ?1 \(17%\)/);
    expect(await fragmentText(id, w.voters[5]!)).toBe(moved);
  });

  // Review of issue 6: counted as acting, a vote changed A -> B -> A moved nothing yet counted, so two
  // such people (k - 1) and one newcomer moved the copy by exactly the newcomer's vote, again and again.
  it('a vote changed and changed back does not count as acting: the copy never moves by one person’s vote', async () => {
    const { id, monday, thursday, friday } = await confidentialPoll();
    for (const voter of w.voters.slice(0, 3)) await vote(id, voter, monday);
    const before = await resultsText(id, w.bruno);
    expect(before).toContain('3 voters');
    for (const voter of w.voters.slice(0, 2)) {
      await vote(id, voter, thursday);
      await vote(id, voter, monday);
    }
    // The newcomer: the only change in the counts since the copy.
    await vote(id, w.voters[3]!, friday);
    expect(await resultsText(id, w.bruno), 'the copy moved by the vote of one person').toBe(before);
  });

  it('after a voter’s erasure, show the copy as it was, then the votes left (never above 100%)', async () => {
    const { id, monday, thursday } = await confidentialPoll();
    for (const voter of w.voters.slice(0, 3)) await vote(id, voter, monday);
    await w.app.db.transaction().execute((trx) => w.app.plugins.eraseUser(trx, w.voters[0]!.id, Date.now()));
    // The copy still counts the erased person (it moves only with k new voters).
    const kept = await resultsText(id, w.bruno);
    expect(kept).toContain('3 voters');
    expect(kept).toMatch(/Monday ?3 \(100%\)/);
    for (const voter of w.voters.slice(3, 6)) await vote(id, voter, thursday);
    const moved = await resultsText(id, w.bruno);
    expect(moved).toContain('5 voters');
    expect(moved).toMatch(/Monday ?2 \(40%\)/);
    expect(moved).toMatch(/Thursday ?3 \(60%\)/);
  });

  it('let each voter see their own current choice (and only them), on the form and once closed', async () => {
    const { id, monday, thursday } = await confidentialPoll();
    for (const voter of w.voters.slice(0, 3)) await vote(id, voter, monday);
    await vote(id, w.voters[3]!, thursday);
    await vote(id, w.voters[0]!, thursday);
    const checked = async (who: Person) => html(await w.get(`/polls/${id}`, who)).querySelectorAll('input[name="option"][checked]').map((i) => i.getAttribute('value'));
    expect(await checked(w.voters[3]!)).toEqual([String(thursday)]);
    expect(await checked(w.voters[0]!)).toEqual([String(thursday)]);
    expect(await checked(w.voters[1]!)).toEqual([String(monday)]);
    expect(await checked(w.voters[5]!)).toEqual([]);
    await w.post(`/polls/${id}/close`, {});
    const own = async (who: Person) => fold(html(await w.get(`/polls/${id}/panel`, who, HX)).querySelector('.poll-panel__own')?.text ?? '');
    expect(await own(w.voters[3]!)).toBe('Your answer: Thursday');
    expect(await own(w.voters[1]!)).toBe('Your answer: Monday');
    expect(await own(w.voters[5]!)).toBe('');
    expect(await own(w.bruno)).toBe('');
  });

  it('still apply the results rule on top (after voting, only to the author)', async () => {
    const { id, monday } = await confidentialPoll({ results: 'afterVoting' });
    for (const voter of w.voters.slice(0, 3)) await vote(id, voter, monday);
    expect(await resultsText(id, w.voters[5]!)).toContain('The results are shown once you have voted.');
    expect(await resultsText(id, w.voters[0]!)).toContain('3 voters');
    const author = await confidentialPoll({ results: 'author' });
    for (const voter of w.voters.slice(0, 2)) await vote(author.id, voter, author.monday);
    expect(await resultsText(author.id, w.voters[0]!)).toContain('Only the poll’s author sees the results.');
    expect(await resultsText(author.id, w.bruno)).toContain(TOO_FEW);
  });

  it('the feed card and the content page show no live count either, and carry the note', async () => {
    const { id, monday, thursday } = await confidentialPoll();
    for (const voter of w.voters.slice(0, 3)) await vote(id, voter, monday);
    await vote(id, w.voters[3]!, thursday);
    for (const url of [`/spaces/${w.team}`, `/content/${id}`]) {
      const page = await w.get(url, w.voters[5]);
      expect(page.statusCode).toBe(200);
      expect(fold(html(page).querySelector('.poll__groups')?.text ?? '')).toBe(NOTE);
      expect(page.body).not.toContain('4 voters');
    }
    // The content page loads the panel with htmx: the fragment shows the copy.
    expect(await fragmentText(id, w.voters[5]!)).toContain('3 voters');
  });
});

describe('public polls', () => {
  it('stay live, with names and no note, where a confidential poll in the same state shows nothing', async () => {
    const id = await w.addPoll(w.bruno, w.team, { mode: 'public' });
    const confidential = await confidentialPoll();
    const [monday] = await optionIds(w.app, id);
    for (const [i, voter] of w.voters.slice(0, 4).entries()) {
      await vote(id, voter, monday!);
      await vote(confidential.id, voter, confidential.monday);
      const text = await resultsText(id, w.bruno);
      expect(text).toContain(i === 0 ? '1 voter' : `${i + 1} voters`);
      expect(text).toContain(VOTER_NAMES[i]);
    }
    expect(html(await w.get(`/polls/${id}`)).querySelector('.poll__groups')).toBeNull();
    const shown = await resultsText(confidential.id, w.bruno);
    expect(shown).toContain('3 voters');
    for (const name of VOTER_NAMES) expect(shown).not.toContain(name);
  });
});

describe('mode changes keep protecting', () => {
  const edit = (id: number, mode: string) => w.post(`/polls/${id}/edit`, { question: 'Which day for the team lunch?', mode, closesAt: '' });

  it('confidential → anonymous keeps the copy shown; the next one waits for k new people', async () => {
    const { id, monday, thursday } = await confidentialPoll();
    for (const voter of w.voters.slice(0, 3)) await vote(id, voter, monday);
    await vote(id, w.voters[3]!, thursday);
    const atK = await resultsText(id, w.bruno);
    expect(atK).toContain('3 voters');
    expect((await edit(id, 'anonymous')).statusCode).toBe(303);
    const db = w.app.db.withTables<{ polls_pending_voters: { poll_id: number; user_id: number } }>();
    expect(await db.selectFrom('polls_pending_voters').selectAll().where('poll_id', '=', id).execute()).toEqual([]);
    const after = await resultsText(id, w.bruno);
    expect(after).toContain('3 voters');
    expect(after).toContain('3 (100%)');
    // Anonymous now: its note says nothing of changed votes.
    expect(html(await w.get(`/polls/${id}`)).querySelector('.poll__groups')?.text.trim()).toBe('Results are updated each time at least 3 new people have voted, so that nobody can read a colleague’s vote.');
    await vote(id, w.voters[4]!, thursday);
    expect(await resultsText(id, w.bruno)).toContain('3 (100%)');
    // Three new people since the copy (the fourth voter, then two after the change): it moves.
    await vote(id, w.voters[5]!, thursday);
    const moved = await resultsText(id, w.bruno);
    expect(moved).toContain('6 voters');
    expect(moved).toContain('3 (50%)');
  });

  it('public → confidential or anonymous: what was shown live becomes the copy; the next one waits for k people', async () => {
    for (const mode of ['confidential', 'anonymous']) {
      const id = await w.addPoll(w.bruno, w.team, { mode: 'public' });
      const [monday, thursday] = (await optionIds(w.app, id)) as [number, number];
      await vote(id, w.voters[0]!, monday);
      await vote(id, w.voters[1]!, monday);
      expect((await edit(id, mode)).statusCode).toBe(303);
      expect(await resultsText(id, w.bruno), mode).toContain(TOO_FEW);
      // A third voter makes k in total, but the two before were shown by name: the difference
      // would be this one vote, so nothing is shown until three people have acted since.
      await vote(id, w.voters[2]!, thursday);
      expect(await resultsText(id, w.bruno), mode).toContain(TOO_FEW);
      await vote(id, w.voters[3]!, thursday);
      await vote(id, w.voters[4]!, thursday);
      const moved = await resultsText(id, w.bruno);
      expect(moved, mode).toContain('5 voters');
      expect(moved, mode).toContain('3 (60%)');
    }
  });

  it('confidential polls from before this change get their k and a first copy of their votes (migration)', async () => {
    const { id, monday } = await confidentialPoll();
    for (const voter of w.voters.slice(0, 4)) await vote(id, voter, monday);
    // As the database was: no k on confidential polls, no copy, no list of who acted.
    await sql`drop table polls_pending_voters`.execute(w.app.db);
    await sql`delete from polls_anonymous_shown`.execute(w.app.db);
    await sql`update polls_polls set min_group = null, shown_respondents = 0`.execute(w.app.db);
    await migrations['003-polls-confidential-shown']!.up(w.app.db);
    const row = await w.app.db.withTables<{ polls_polls: { content_id: number; min_group: number | null } }>().selectFrom('polls_polls').select('min_group').where('content_id', '=', id).executeTakeFirstOrThrow();
    expect(row.min_group).toBe(3);
    const text = await resultsText(id, w.bruno);
    expect(text).toContain('4 voters');
    expect(text).toContain('4 (100%)');
    // And the copy then moves by three people at a time.
    await vote(id, w.voters[4]!, (await optionIds(w.app, id))[1]!);
    expect(await resultsText(id, w.bruno)).toContain('4 voters');
  });
});
