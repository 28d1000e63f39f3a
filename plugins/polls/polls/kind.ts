// The 'poll' content kind: what a poll tells the content model (card, page, title, search text, where
// it is edited). Its data is the same for every viewer (the content model loads it once for a feed
// page): what depends on the viewer (their vote, the results they may see) is drawn by the poll's panel
// (panel.ts, views/poll/panel.eta), which every card and page includes through /polls/:id/panel.
import type { Generated, Kysely, Selectable } from 'kysely';
import type { ContentKind } from '../../../src/content/kinds.js';
import { inJson } from '../../../src/db/compiled-query.js';
import type { Database } from '../../../src/db/schema.js';

export const KIND = 'poll';
export const POLL_TYPES = ['single', 'multiple', 'rating', 'dates'] as const;
export const MODES = ['public', 'confidential', 'anonymous'] as const;
export const RESULTS = ['always', 'afterVoting', 'afterClosing', 'author'] as const;
export const PURPOSES = ['relevance', 'dialogue', 'actionPlan', 'event', 'other'] as const;
export const DATE_ANSWERS = ['yes', 'maybe', 'no'] as const;
export type PollType = (typeof POLL_TYPES)[number];
export type Mode = (typeof MODES)[number];
export type ResultsRule = (typeof RESULTS)[number];
export type Purpose = (typeof PURPOSES)[number];
export type DateAnswer = (typeof DATE_ANSWERS)[number];

export const QUESTION_MAX = 300;
export const DESCRIPTION_MAX = 2000;
export const OPTION_MAX = 200;
export const OPTIONS_MIN = 2;
export const OPTIONS_MAX = 20;
export const PURPOSE_OTHER_MAX = 300;
export const OUTCOME_MAX = 5000;

export interface PollsTable {
  content_id: number;
  question: string;
  description: string;
  type: PollType;
  min_choices: number;
  max_choices: number;
  scale_min: number;
  scale_max: number;
  mode: Mode;
  results: ResultsRule;
  min_group: number | null;
  closes_at: number | null;
  closed_at: number | null;
  shuffle: number;
  purpose: Purpose;
  purpose_other: string;
  outcome: string | null;
  outcome_html: string | null;
  /** Confidential and anonymous polls: how many respondents the shown copy of the counts (polls_anonymous_shown) counts. */
  shown_respondents: Generated<number>;
  /** Anonymous polls: how many people have voted, erased people included (their answers stay in the counters). */
  anonymous_respondents: Generated<number>;
}
export interface OptionsTable {
  id: Generated<number>;
  poll_id: number;
  position: number;
  label: string;
}
export interface VotesTable {
  id: Generated<number>;
  poll_id: number;
  user_id: number;
  option_id: number | null;
  value: number | null;
  answer: DateAnswer | null;
  at: number;
}
export interface AnonymousCountsTable {
  poll_id: number;
  answer_key: string;
  count: number;
}
export interface ParticipationTable {
  poll_id: number;
  user_id: number;
}
/** Confidential polls: who voted for the first time since the shown copy was taken (no answer, no time). */
export interface PendingVotersTable {
  poll_id: number;
  user_id: number;
}
export type PollsTables = {
  polls_polls: PollsTable;
  polls_options: OptionsTable;
  polls_votes: VotesTable;
  polls_anonymous_counts: AnonymousCountsTable;
  polls_participation: ParticipationTable;
  polls_anonymous_shown: AnonymousCountsTable;
  polls_pending_voters: PendingVotersTable;
};
export type PollsDatabase = Database & PollsTables;
export const pollsDb = (db: Kysely<Database>): Kysely<PollsDatabase> => db.withTables<PollsTables>();

export interface PollOption {
  id: number;
  label: string;
}

/** A poll's own data, as cards and pages receive it in `it.item.data`: the same for every viewer. */
export interface Poll {
  id: number;
  question: string;
  description: string;
  type: PollType;
  minChoices: number;
  maxChoices: number;
  scaleMin: number;
  scaleMax: number;
  mode: Mode;
  results: ResultsRule;
  minGroup: number | null;
  closesAt: number | null;
  closedAt: number | null;
  shuffle: boolean;
  purpose: Purpose;
  purposeOther: string;
  outcomeHtml: string | null;
  outcome: string | null;
  options: PollOption[];
}

export function toPoll(row: Selectable<PollsTable>, options: PollOption[]): Poll {
  return {
    id: row.content_id,
    question: row.question,
    description: row.description,
    type: row.type,
    minChoices: row.min_choices,
    maxChoices: row.max_choices,
    scaleMin: row.scale_min,
    scaleMax: row.scale_max,
    mode: row.mode,
    results: row.results,
    minGroup: row.min_group,
    closesAt: row.closes_at,
    closedAt: row.closed_at,
    shuffle: row.shuffle === 1,
    purpose: row.purpose,
    purposeOther: row.purpose_other,
    outcome: row.outcome,
    outcomeHtml: row.outcome_html,
    options,
  };
}

/** Polls by content id, in two queries whatever their number. */
export async function loadPolls(db: Kysely<Database>, contentIds: readonly number[]): Promise<Map<number, Poll>> {
  if (contentIds.length === 0) return new Map();
  const ids = inJson<number>(JSON.stringify(contentIds));
  const polls = pollsDb(db);
  const [rows, options] = await Promise.all([
    polls.selectFrom('polls_polls').selectAll().where('content_id', 'in', ids).execute(),
    polls.selectFrom('polls_options').select(['id', 'poll_id', 'label']).where('poll_id', 'in', ids).orderBy('poll_id').orderBy('position').execute(),
  ]);
  const byPoll = new Map<number, PollOption[]>();
  for (const o of options) byPoll.set(o.poll_id, [...(byPoll.get(o.poll_id) ?? []), { id: o.id, label: o.label }]);
  return new Map(rows.map((row) => [row.content_id, toPoll(row, byPoll.get(row.content_id) ?? [])]));
}

export async function loadPoll(db: Kysely<Database>, contentId: number): Promise<Poll | undefined> {
  return (await loadPolls(db, [contentId])).get(contentId);
}

export const pollKind: ContentKind<Poll> = {
  kind: KIND,
  load: loadPolls,
  cardTemplate: '/plugins/polls/poll/card',
  pageTemplate: '/plugins/polls/poll/page',
  title: (poll) => poll.question,
  // The question, its description and its options: never a vote.
  searchText: (poll) => ({ title: poll.question, body: [poll.description, ...poll.options.map((o) => o.label)].join(' ').trim() }),
  editUrl: (contentId) => `/polls/${contentId}/edit`,
  label: (t) => t('plugins.polls.poll.kind'),
};
