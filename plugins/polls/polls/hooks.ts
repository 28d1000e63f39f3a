// The polls part's hooks: a person's data export and erasure (GDPR).
//
// Export: the polls they created, and their votes in PUBLIC and CONFIDENTIAL polls (named, theirs).
// Anonymous answers are NOT exported and cannot be: they are stored unlinkable by design (a counter per
// answer, no user), so nothing says which answers were theirs. Only "has voted in poll N" is known,
// and exported as such.
//
// Erasure: their public/confidential votes are deleted (results then count one person fewer), and so
// are their participation rows in anonymous polls: an erased person can never sign in again, so the
// rows that prevented a second vote have no use left, and so are the marks that they voted in a
// confidential poll since its shown results last moved (polls_pending_voters). Their anonymous answers
// stay in the counters: nothing links them to the person; so they stay counted among the respondents
// (polls_polls.anonymous_respondents, left as it is here: no percentage above 100). The polls they created stay with the
// organisation, like posts (the core anonymises the author of the content row).
import type { Hooks } from '../../../src/plugins/contract.js';
import { KIND, pollsDb } from './kind.js';

const iso = (millis: number | null) => (millis === null ? null : new Date(millis).toISOString());

export const hooks: Hooks = {
  async 'user.export'({ db, userId }) {
    const polls = pollsDb(db);
    const [created, votes, participation] = await Promise.all([
      polls
        .selectFrom('polls_polls as p')
        .innerJoin('content as c', 'c.id', 'p.content_id')
        .innerJoin('spaces as s', 's.id', 'c.space_id')
        .select(['c.id', 's.name as space', 'p.question', 'p.description', 'p.mode', 'p.purpose', 'p.purpose_other', 'p.outcome', 'c.published_at', 'c.deleted_at'])
        .where('c.author_id', '=', userId)
        .where('c.kind', '=', KIND)
        .orderBy('c.id')
        .execute(),
      polls
        .selectFrom('polls_votes as v')
        .innerJoin('polls_polls as p', 'p.content_id', 'v.poll_id')
        .leftJoin('polls_options as o', 'o.id', 'v.option_id')
        .select(['v.poll_id', 'p.question', 'p.mode', 'o.label', 'v.value', 'v.answer', 'v.at'])
        .where('v.user_id', '=', userId)
        .orderBy('v.poll_id')
        .orderBy('v.id')
        .execute(),
      polls.selectFrom('polls_participation').select('poll_id').where('user_id', '=', userId).orderBy('poll_id').execute(),
    ]);
    if (created.length === 0 && votes.length === 0 && participation.length === 0) return null;
    return {
      polls: created.map((r) => ({
        contentId: r.id,
        space: r.space,
        question: r.question,
        description: r.description,
        mode: r.mode,
        purpose: r.purpose === 'other' ? r.purpose_other : r.purpose,
        outcome: r.outcome,
        publishedAt: iso(r.published_at),
        deletedAt: iso(r.deleted_at),
      })),
      votes: votes.map((v) => ({ pollId: v.poll_id, question: v.question, mode: v.mode, option: v.label, value: v.value, answer: v.answer, at: iso(v.at) })),
      anonymousPolls: {
        note: 'Anonymous answers are stored without any link to a person: they cannot be exported. Only the polls you took part in are known.',
        pollIds: participation.map((p) => p.poll_id),
      },
    };
  },

  async 'user.erase'({ trx, userId }) {
    const polls = pollsDb(trx);
    await polls.deleteFrom('polls_votes').where('user_id', '=', userId).execute();
    await polls.deleteFrom('polls_participation').where('user_id', '=', userId).execute();
    await polls.deleteFrom('polls_pending_voters').where('user_id', '=', userId).execute();
  },
};
