// Writes and reads of polls. Routes have asked the policy; every result about people is computed
// through the privacy core (src/privacy), here and nowhere else.
//
// Votes:
// - public / confidential: named rows in polls_votes, replaced when the person changes their vote;
// - anonymous: one counter per answer key in polls_anonymous_counts (no user, no time, no row per
//   answer) and "has voted" in polls_participation (no link to the answer), both in one transaction.
//   An anonymous vote can never be changed (nothing says which counters were the person's). Its
//   respondents are counted in polls_polls.anonymous_respondents, which an erasure leaves as it is
//   (the erased person's answer stays in the counters, so they stay a respondent).
// Confidential and anonymous polls SHOW a copy of their counts, moved only by k people at a time
// (refreshShown); public polls show their live counts with names.
import { sql, type Kysely } from 'kysely';
import { insertContent } from '../../../src/content/store.js';
import type { Database } from '../../../src/db/schema.js';
import { average, DEFAULT_MIN_GROUP, distribution, organisationMinGroup, type PrivacyRule, type Shown } from '../../../src/privacy/index.js';
import { forgetPluginNotifications } from '../../../src/notifications/plugin-types.js';
import { POLL_OUTCOME } from '../notification-names.js';
import { DATE_ANSWERS, KIND, MODES, pollsDb, type DateAnswer, type Mode, type Poll } from './kind.js';

/** A poll as its form gives it: the poll's own settings, and its options' labels. */
export type PollInput = Pick<
  Poll,
  'question' | 'description' | 'type' | 'minChoices' | 'maxChoices' | 'scaleMin' | 'scaleMax' | 'mode' | 'results' | 'closesAt' | 'shuffle' | 'purpose' | 'purposeOther'
> & {
  /** Labels (a date 'YYYY-MM-DD' for a dates poll); none for a rating scale. */
  options: string[];
};

/** Creates a poll in a space now; k is fixed on it when it is confidential or anonymous. Returns its content id. */
export async function addPoll(db: Kysely<Database>, input: PollInput & { spaceId: number; authorId: number }, now = Date.now()): Promise<number> {
  const minGroup = input.mode === 'public' ? null : await organisationMinGroup(db);
  return db.transaction().execute(async (trx) => {
    const id = await insertContent(trx, { kind: KIND, spaceId: input.spaceId, authorId: input.authorId, publishedAt: now }, now);
    const polls = pollsDb(trx);
    await polls
      .insertInto('polls_polls')
      .values({
        content_id: id,
        question: input.question,
        description: input.description,
        type: input.type,
        min_choices: input.minChoices,
        max_choices: input.maxChoices,
        scale_min: input.scaleMin,
        scale_max: input.scaleMax,
        mode: input.mode,
        results: input.results,
        min_group: minGroup,
        closes_at: input.closesAt,
        closed_at: null,
        shuffle: input.shuffle ? 1 : 0,
        purpose: input.purpose,
        purpose_other: input.purposeOther,
        outcome: null,
        outcome_html: null,
      })
      .execute();
    if (input.options.length > 0) {
      await polls
        .insertInto('polls_options')
        .values(input.options.map((label, position) => ({ poll_id: id, position, label })))
        .execute();
    }
    return id;
  });
}

/** What a person's vote says: the options chosen, a value, or an answer per date option. */
export type Ballot = { kind: 'options'; optionIds: number[] } | { kind: 'value'; value: number } | { kind: 'dates'; answers: Map<number, DateAnswer> };

/** Whether the person has voted (any mode). */
export async function hasVoted(db: Kysely<Database>, poll: Poll, userId: number): Promise<boolean> {
  const polls = pollsDb(db);
  const row =
    poll.mode === 'anonymous'
      ? await polls.selectFrom('polls_participation').select('poll_id').where('poll_id', '=', poll.id).where('user_id', '=', userId).executeTakeFirst()
      : await polls.selectFrom('polls_votes').select('poll_id').where('poll_id', '=', poll.id).where('user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

/** The person's own vote (public / confidential only: an anonymous vote is not linked to anyone). */
export async function ownBallot(db: Kysely<Database>, poll: Poll, userId: number): Promise<Ballot | null> {
  if (poll.mode === 'anonymous') return null;
  const rows = await pollsDb(db).selectFrom('polls_votes').select(['option_id', 'value', 'answer']).where('poll_id', '=', poll.id).where('user_id', '=', userId).execute();
  if (rows.length === 0) return null;
  if (poll.type === 'rating') return { kind: 'value', value: rows[0]?.value ?? 0 };
  if (poll.type === 'dates') return { kind: 'dates', answers: new Map(rows.flatMap((r) => (r.option_id !== null && r.answer !== null ? [[r.option_id, r.answer] as const] : []))) };
  return { kind: 'options', optionIds: rows.flatMap((r) => (r.option_id !== null ? [r.option_id] : [])) };
}

/** The counters an anonymous ballot adds to: option id, value, or "<option id>:<answer>". */
function answerKeys(ballot: Ballot): string[] {
  if (ballot.kind === 'options') return ballot.optionIds.map(String);
  if (ballot.kind === 'value') return [String(ballot.value)];
  return [...ballot.answers].map(([optionId, answer]) => `${optionId}:${answer}`);
}

/** The key of a named vote's row: option id, value, or "<option id>:<answer>" (as answerKeys). */
function voteKey(poll: Poll, row: { option_id: number | null; value: number | null; answer: string | null }): string {
  return poll.type === 'rating' ? String(row.value) : poll.type === 'dates' ? `${row.option_id}:${row.answer}` : String(row.option_id);
}

/**
 * What a confidential or anonymous poll shows is a copy of its counts (polls_anonymous_shown, with the
 * number of respondents it counts in polls_polls.shown_respondents), never the live counts. Shown
 * live, the counts would move after each vote: whoever watches the results while a known colleague
 * votes would read that vote from the difference. The copy is taken again only when at least k people
 * have acted since the last copy, so that any difference between two things shown is the answers of
 * k people or more:
 * - anonymous: k new respondents (an anonymous vote cannot be changed);
 * - confidential: k NEW voters, people voting in the poll for the first time (polls_pending_voters,
 *   emptied by each copy). A changed vote shows with the next copy but does not count towards it:
 *   counted, one person could change A -> B -> A (nothing moved) and still count, and k - 1 such
 *   people would move the copy by exactly one newcomer's vote, again and again.
 * The last votes (fewer than k since the last copy) are never shown, even after closing: closing would
 * reveal them by difference just the same. Below k respondents in the copy, the page says "too few".
 */
async function refreshShown(db: Kysely<Database>, poll: Poll): Promise<void> {
  const polls = pollsDb(db);
  const k = pollRule(poll).minGroup;
  if (poll.mode === 'anonymous') {
    const row = await polls.selectFrom('polls_polls').select(['shown_respondents', 'anonymous_respondents']).where('content_id', '=', poll.id).executeTakeFirstOrThrow();
    // k new people since the copy (the first copy too: shown_respondents is 0 until then).
    if (Number(row.anonymous_respondents) >= Number(row.shown_respondents) + k) await takeCopy(db, poll);
  } else if (poll.mode === 'confidential') {
    const pending = await polls.selectFrom('polls_pending_voters').select((eb) => eb.fn.countAll<number>().as('n')).where('poll_id', '=', poll.id).executeTakeFirstOrThrow();
    if (Number(pending.n) >= k) await takeCopy(db, poll);
  }
}

/** Takes the copy shown of a poll's counts now (see refreshShown), as its mode stores them. */
async function takeCopy(db: Kysely<Database>, poll: Poll): Promise<void> {
  const polls = pollsDb(db);
  await polls.deleteFrom('polls_anonymous_shown').where('poll_id', '=', poll.id).execute();
  let respondents: number;
  if (poll.mode === 'anonymous') {
    await sql`insert into polls_anonymous_shown (poll_id, answer_key, count) select poll_id, answer_key, count from polls_anonymous_counts where poll_id = ${poll.id}`.execute(db);
    // Not the participation rows: an erasure deletes those, while the answer stays in the counters.
    const row = await polls.selectFrom('polls_polls').select('anonymous_respondents').where('content_id', '=', poll.id).executeTakeFirstOrThrow();
    respondents = Number(row.anonymous_respondents);
  } else {
    // An erased voter's rows are gone (and out of the counts): the copy counts the rows that remain.
    const votes = await polls.selectFrom('polls_votes').select(['user_id', 'option_id', 'value', 'answer']).where('poll_id', '=', poll.id).execute();
    const counts = new Map<string, number>();
    for (const v of votes) counts.set(voteKey(poll, v), (counts.get(voteKey(poll, v)) ?? 0) + 1);
    if (counts.size > 0) await polls.insertInto('polls_anonymous_shown').values([...counts].map(([key, count]) => ({ poll_id: poll.id, answer_key: key, count }))).execute();
    respondents = new Set(votes.map((v) => v.user_id)).size;
  }
  await polls.deleteFrom('polls_pending_voters').where('poll_id', '=', poll.id).execute();
  await polls.updateTable('polls_polls').set({ shown_respondents: respondents }).where('content_id', '=', poll.id).execute();
}

/** `pollChanged`: the poll's mode changed, or it closed, since the route loaded it: nothing was recorded. */
export type VoteOutcome = 'voted' | 'changed' | 'alreadyVoted' | 'pollChanged';

/**
 * Records a vote (checked by the route). Anonymous: refused when the person has voted already; the
 * counters, the respondents' count and the participation row in one transaction. Otherwise the
 * person's rows are replaced; in a confidential poll, a person's FIRST vote puts them among the new
 * voters since the shown copy, which may then be taken again (refreshShown); a changed vote waits for
 * the next copy.
 *
 * The mode, k and the closing are read again INSIDE the transaction: the route loaded the poll before,
 * and its author may have made it anonymous (or closed it) meanwhile. Trusting the route's copy would
 * write a named vote into an anonymous poll (and let the person vote a second time).
 */
export async function castVote(db: Kysely<Database>, loaded: Poll, userId: number, ballot: Ballot, now = Date.now()): Promise<VoteOutcome> {
  return db.transaction().execute(async (trx) => {
    const polls = pollsDb(trx);
    const current = await polls.selectFrom('polls_polls').select(['mode', 'min_group', 'closed_at', 'closes_at']).where('content_id', '=', loaded.id).executeTakeFirst();
    if (!current || current.mode !== loaded.mode) return 'pollChanged';
    const poll: Poll = { ...loaded, mode: current.mode, minGroup: current.min_group, closedAt: current.closed_at, closesAt: current.closes_at };
    if (isClosed(poll, now)) return 'pollChanged';
    if (poll.mode === 'anonymous') {
      const inserted = await polls.insertInto('polls_participation').values({ poll_id: poll.id, user_id: userId }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return 'alreadyVoted';
      await polls
        .updateTable('polls_polls')
        .set((eb) => ({ anonymous_respondents: eb('anonymous_respondents', '+', 1) }))
        .where('content_id', '=', poll.id)
        .execute();
      for (const key of answerKeys(ballot)) {
        await polls
          .insertInto('polls_anonymous_counts')
          .values({ poll_id: poll.id, answer_key: key, count: 1 })
          .onConflict((oc) => oc.columns(['poll_id', 'answer_key']).doUpdateSet({ count: sql`count + 1` }))
          .execute();
      }
      await refreshShown(trx, poll);
      return 'voted';
    }
    const deleted = await polls.deleteFrom('polls_votes').where('poll_id', '=', poll.id).where('user_id', '=', userId).executeTakeFirst();
    const rows =
      ballot.kind === 'options'
        ? ballot.optionIds.map((optionId) => ({ option_id: optionId, value: null, answer: null }))
        : ballot.kind === 'value'
          ? [{ option_id: null, value: ballot.value, answer: null }]
          : [...ballot.answers].map(([optionId, answer]) => ({ option_id: optionId, value: null, answer }));
    if (rows.length > 0) await polls.insertInto('polls_votes').values(rows.map((r) => ({ ...r, poll_id: poll.id, user_id: userId, at: now }))).execute();
    const first = Number(deleted.numDeletedRows) === 0;
    // Only a first vote counts towards the next copy: a changed vote shows with it, among k new voters.
    if (poll.mode === 'confidential' && first) {
      await polls.insertInto('polls_pending_voters').values({ poll_id: poll.id, user_id: userId }).onConflict((oc) => oc.doNothing()).execute();
      await refreshShown(trx, poll);
    }
    return first ? 'voted' : 'changed';
  });
}

// ---- Results --------------------------------------------------------------------------------------

/** Results as the privacy core lets them be shown. `names` only for public polls (voters per answer key). */
export interface PollResults {
  respondents: number;
  choices?: Shown<Array<{ option: string; count: number; percent: number }>>;
  rating?: Shown<{ mean: number; count: number; distribution: Array<{ value: number; count: number; percent: number }> }>;
  dates?: Array<{ optionId: number; result: Shown<Array<{ option: string; count: number; percent: number }>> }>;
  /** Public polls only: the names of the voters per answer key (option id, value, "<option>:<answer>"), when results are shown. */
  names?: Map<string, string[]>;
}

/** The privacy rule of a poll: confidential and anonymous polls are protected by their own k, fixed on the poll. */
export function pollRule(poll: Poll): PrivacyRule {
  return { minGroup: poll.minGroup ?? DEFAULT_MIN_GROUP, protect: poll.mode !== 'public' };
}

/** Counts per answer key, and the number of respondents. */
async function tally(db: Kysely<Database>, poll: Poll): Promise<{ respondents: number; counts: Map<string, number>; voters: Map<string, Array<{ id: number; name: string }>> }> {
  const polls = pollsDb(db);
  const counts = new Map<string, number>();
  const voters = new Map<string, Array<{ id: number; name: string }>>();
  if (poll.mode !== 'public') {
    const [rows, row, named] = await Promise.all([
      // The shown copy, never the live counts (see refreshShown).
      polls.selectFrom('polls_anonymous_shown').select(['answer_key', 'count']).where('poll_id', '=', poll.id).execute(),
      polls.selectFrom('polls_polls').select(['shown_respondents', 'anonymous_respondents']).where('content_id', '=', poll.id).executeTakeFirstOrThrow(),
      poll.mode === 'anonymous'
        ? null
        : polls.selectFrom('polls_votes').select((eb) => eb.fn.count<number>('user_id').distinct().as('n')).where('poll_id', '=', poll.id).executeTakeFirstOrThrow(),
    ]);
    for (const r of rows) counts.set(r.answer_key, r.count);
    const shown = Number(row.shown_respondents);
    const voted = named === null ? Number(row.anonymous_respondents) : Number(named.n);
    // Nothing copied yet but some votes: "too few" (below k), not "no answers".
    if (shown === 0 && voted > 0) return { respondents: Math.min(voted, pollRule(poll).minGroup - 1), counts: new Map(), voters };
    return { respondents: shown, counts, voters };
  }
  const rows = await polls
    .selectFrom('polls_votes as v')
    .innerJoin('users as u', 'u.id', 'v.user_id')
    .select(['v.user_id', 'u.name', 'v.option_id', 'v.value', 'v.answer'])
    .where('v.poll_id', '=', poll.id)
    .orderBy('u.name')
    .execute();
  const people = new Set<number>();
  for (const r of rows) {
    people.add(r.user_id);
    const key = voteKey(poll, r);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    voters.set(key, [...(voters.get(key) ?? []), { id: r.user_id, name: r.name }]);
  }
  return { respondents: people.size, counts, voters };
}

/** The results of a poll through the privacy core; names only for a public poll. */
export async function pollResults(db: Kysely<Database>, poll: Poll): Promise<PollResults> {
  const rule = pollRule(poll);
  const { respondents, counts, voters } = await tally(db, poll);
  const results: PollResults = { respondents };
  if (poll.type === 'rating') {
    const values: number[] = [];
    for (const [key, count] of counts) for (let i = 0; i < count; i++) values.push(Number(key));
    results.rating = average(rule, values, { min: poll.scaleMin, max: poll.scaleMax });
  } else if (poll.type === 'dates') {
    results.dates = poll.options.map((o) => {
      const perDate = new Map(DATE_ANSWERS.map((a) => [a, counts.get(`${o.id}:${a}`) ?? 0]));
      return { optionId: o.id, result: distribution(rule, respondents, perDate, DATE_ANSWERS) };
    });
  } else {
    results.choices = distribution(rule, respondents, counts, poll.options.map((o) => String(o.id)));
  }
  // Names of voters: public polls only (confidential: stored, shown to nobody; anonymous: not stored).
  if (poll.mode === 'public') results.names = new Map([...voters].map(([key, list]) => [key, list.map((v) => v.name)]));
  return results;
}

// ---- Who sees results -----------------------------------------------------------------------------

export function isClosed(poll: Poll, now: number): boolean {
  return poll.closedAt !== null || (poll.closesAt !== null && poll.closesAt <= now);
}

/** Whether the viewer may see the results now (the author always may; confidential and anonymous results still need k). */
export function maySeeResults(poll: Poll, viewer: { id: number }, authorId: number | null, voted: boolean, now: number): boolean {
  if (authorId === viewer.id) return true;
  switch (poll.results) {
    case 'always':
      return true;
    case 'afterVoting':
      return voted || isClosed(poll, now);
    case 'afterClosing':
      return isClosed(poll, now);
    case 'author':
      return false;
  }
}

// ---- Closing, mode, outcome -----------------------------------------------------------------------

export async function closePoll(db: Kysely<Database>, pollId: number, now = Date.now()): Promise<void> {
  await pollsDb(db).updateTable('polls_polls').set({ closed_at: now }).where('content_id', '=', pollId).where('closed_at', 'is', null).execute();
}

/** Reopens a poll; a closing date already past is dropped (otherwise it would close again at once). */
export async function reopenPoll(db: Kysely<Database>, pollId: number, now = Date.now()): Promise<void> {
  await pollsDb(db)
    .updateTable('polls_polls')
    .set((eb) => ({ closed_at: null, closes_at: eb.case().when('closes_at', '<=', now).then(null).else(eb.ref('closes_at')).end() }))
    .where('content_id', '=', pollId)
    .execute();
  // Open again: no outcome to post yet.
  await forgetPluginNotifications(db, 'polls', { subjectId: pollId, name: POLL_OUTCOME });
}

/**
 * Closes every poll whose closing date has come (the recurring job). Returns the polls it closed whose
 * outcome is still to post (an author may post it as soon as the closing time has passed).
 */
export async function closeDuePolls(db: Kysely<Database>, now: number): Promise<number[]> {
  const closed = await pollsDb(db)
    .updateTable('polls_polls')
    .set({ closed_at: now })
    .where('closed_at', 'is', null)
    .where('closes_at', '<=', now)
    .returning(['content_id', 'outcome'])
    .execute();
  return closed.filter((row) => (row.outcome ?? '') === '').map((row) => row.content_id);
}

/** A mode may only become more private: public → confidential → anonymous. */
export function mayChangeMode(from: Mode, to: Mode): boolean {
  return MODES.indexOf(to) >= MODES.indexOf(from);
}

/**
 * Changes what the author may change after creation: question, description, closing date, mode (only
 * more private), in one transaction. k is fixed when the poll first becomes confidential or anonymous.
 * - public → confidential: the first copy shown is the counts as they were shown (live, with names).
 * - becoming anonymous converts the named votes into anonymous counters and participation rows, then
 *   deletes the named votes (and the list of who acted since the copy). From public, the first copy is
 *   the converted counts (they were shown live); from confidential, its copy stays what is shown. Either
 *   way the next copy waits for k new people, so no difference shows fewer than k people.
 */
export async function updatePoll(
  db: Kysely<Database>,
  poll: Poll,
  input: { question: string; description: string; closesAt: number | null; mode: Mode },
  now = Date.now(),
): Promise<void> {
  if (!mayChangeMode(poll.mode, input.mode)) throw new Error('A poll’s mode may only become more private');
  const minGroup = input.mode !== 'public' && poll.minGroup === null ? await organisationMinGroup(db) : poll.minGroup;
  await db.transaction().execute(async (trx) => {
    const polls = pollsDb(trx);
    if (input.mode === 'anonymous' && poll.mode !== 'anonymous') {
      const votes = await polls.selectFrom('polls_votes').select(['user_id', 'option_id', 'value', 'answer']).where('poll_id', '=', poll.id).execute();
      const counts = new Map<string, number>();
      const voters = new Set<number>();
      for (const v of votes) {
        voters.add(v.user_id);
        counts.set(voteKey(poll, v), (counts.get(voteKey(poll, v)) ?? 0) + 1);
      }
      if (counts.size > 0) await polls.insertInto('polls_anonymous_counts').values([...counts].map(([key, count]) => ({ poll_id: poll.id, answer_key: key, count }))).execute();
      if (voters.size > 0) await polls.insertInto('polls_participation').values([...voters].sort((a, b) => a - b).map((userId) => ({ poll_id: poll.id, user_id: userId }))).execute();
      await polls.deleteFrom('polls_votes').where('poll_id', '=', poll.id).execute();
      await polls.deleteFrom('polls_pending_voters').where('poll_id', '=', poll.id).execute();
      // Added, not set: 0 until now (a poll becomes anonymous once), and a second edit racing this one finds no votes left.
      await polls
        .updateTable('polls_polls')
        .set((eb) => ({ anonymous_respondents: eb('anonymous_respondents', '+', voters.size) }))
        .where('content_id', '=', poll.id)
        .execute();
      if (poll.mode === 'public') await takeCopy(trx, { ...poll, mode: 'anonymous', minGroup });
      else await refreshShown(trx, { ...poll, mode: 'anonymous', minGroup });
    } else if (input.mode === 'confidential' && poll.mode === 'public') {
      await takeCopy(trx, { ...poll, mode: 'confidential', minGroup });
    }
    await polls
      .updateTable('polls_polls')
      .set({ question: input.question, description: input.description, closes_at: input.closesAt, mode: input.mode, min_group: minGroup })
      .where('content_id', '=', poll.id)
      .execute();
    // updated_at tells the search index to read the poll again.
    const changed = input.question !== poll.question || input.description !== poll.description;
    await trx.updateTable('content').set(changed ? { edited_at: now, updated_at: now } : { updated_at: now }).where('id', '=', poll.id).execute();
  });
}

export async function saveOutcome(db: Kysely<Database>, pollId: number, source: string, html: string): Promise<void> {
  await pollsDb(db).updateTable('polls_polls').set({ outcome: source, outcome_html: html }).where('content_id', '=', pollId).execute();
  // Done: the invitation to post it goes (../notifications.ts).
  await forgetPluginNotifications(db, 'polls', { subjectId: pollId, name: POLL_OUTCOME });
}

// ---- Option order ---------------------------------------------------------------------------------

/** A stable pseudo-random order per person and poll (FNV-1a seed, mulberry32, Fisher-Yates). */
export function shuffledFor<T>(items: readonly T[], userId: number, pollId: number): T[] {
  let seed = 0x811c9dc5;
  for (const char of `${userId}:${pollId}`) seed = Math.imul(seed ^ char.charCodeAt(0), 0x01000193) >>> 0;
  const random = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
