// The polls part's tables (see ../part.ts). A poll is a content item (kind 'poll'): comments,
// reactions, search, the feed and soft deletion come from the content model; these tables hold what
// only a poll has. Append new migrations, never change one that shipped.
//
// Anonymous answers (mode 'anonymous') are stored UNLINKABLE:
// - polls_anonymous_counts holds one counter per (poll, answer key): no user id, no time at all (not
//   even the day: a counter has no date), no row per answer, so neither a rowid nor the physical order
//   of rows can tell in which order people answered. No foreign key or join path to users (its only
//   foreign key is the poll).
// - polls_participation says only "this person has voted in this poll" (to refuse a second vote): no
//   link to the answer, no time, WITHOUT ROWID keyed by (poll, user), so its order is the users' ids,
//   not the order of voting.
// Both are written in one transaction (service.ts, castVote).
import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '001-polls-polls': {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('polls_polls')
        .addColumn('content_id', 'integer', (c) => c.primaryKey().references('content.id').onDelete('cascade'))
        .addColumn('question', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('single', 'multiple', 'rating', 'dates')`))
        .addColumn('min_choices', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('max_choices', 'integer', (c) => c.notNull().defaultTo(1))
        // Rating scale: 1-5 or 0-10.
        .addColumn('scale_min', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('scale_max', 'integer', (c) => c.notNull().defaultTo(5))
        .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('public', 'confidential', 'anonymous')`))
        .addColumn('results', 'text', (c) => c.notNull().check(sql`results in ('always', 'afterVoting', 'afterClosing', 'author')`))
        // k of the privacy core, fixed when the poll became anonymous (at creation or on the change).
        .addColumn('min_group', 'integer')
        .addColumn('closes_at', 'integer')
        .addColumn('closed_at', 'integer')
        .addColumn('shuffle', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('relevance', 'dialogue', 'actionPlan', 'event', 'other')`))
        .addColumn('purpose_other', 'text', (c) => c.notNull().defaultTo(''))
        // "You said / we did": markdown as typed, and its rendered HTML.
        .addColumn('outcome', 'text')
        .addColumn('outcome_html', 'text')
        .modifyEnd(sql`strict`)
        .execute();
      await db.schema.createIndex('polls_polls_closes_at').on('polls_polls').column('closes_at').where(sql.ref('closed_at'), 'is', null).execute();
      await db.schema
        .createTable('polls_options')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('poll_id', 'integer', (c) => c.notNull().references('polls_polls.content_id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .modifyEnd(sql`strict`)
        .execute();
      await db.schema.createIndex('polls_options_poll').on('polls_options').columns(['poll_id', 'position']).execute();
      // Public and confidential votes: named, so they can be changed. One row per chosen option
      // (multiple choice), per value (rating) or per date with its answer (yes / maybe / no).
      await db.schema
        .createTable('polls_votes')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('poll_id', 'integer', (c) => c.notNull().references('polls_polls.content_id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('option_id', 'integer', (c) => c.references('polls_options.id').onDelete('cascade'))
        .addColumn('value', 'integer')
        .addColumn('answer', 'text', (c) => c.check(sql`answer is null or answer in ('yes', 'maybe', 'no')`))
        .addColumn('at', 'integer', (c) => c.notNull())
        .modifyEnd(sql`strict`)
        .execute();
      await db.schema.createIndex('polls_votes_poll_user').on('polls_votes').columns(['poll_id', 'user_id']).execute();
      await db.schema.createIndex('polls_votes_user').on('polls_votes').column('user_id').execute();
      await sql`create table polls_anonymous_counts (
        poll_id integer not null references polls_polls(content_id) on delete cascade,
        answer_key text not null,
        count integer not null check (count >= 0),
        primary key (poll_id, answer_key)
      ) strict, without rowid`.execute(db);
      await sql`create table polls_participation (
        poll_id integer not null references polls_polls(content_id) on delete cascade,
        user_id integer not null,
        primary key (poll_id, user_id)
      ) strict, without rowid`.execute(db);
    },
  },
  // What an anonymous poll SHOWS: a copy of its counters taken only when at least k new people have
  // voted since the last copy (service.ts, castVote). Live counters would let someone who watches the
  // results while a known colleague votes read that colleague's vote from the difference.
  '002-polls-anonymous-shown': {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('polls_polls').addColumn('shown_respondents', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await sql`create table polls_anonymous_shown (
        poll_id integer not null references polls_polls(content_id) on delete cascade,
        answer_key text not null,
        count integer not null check (count >= 0),
        primary key (poll_id, answer_key)
      ) strict, without rowid`.execute(db);
    },
  },
  // Confidential polls are protected like anonymous ones (service.ts, refreshShown): they show a copy
  // of their counts (in polls_anonymous_shown, with polls_polls.shown_respondents), taken again only
  // when at least k distinct people have voted or changed their vote since the last copy. Those
  // people are listed in polls_pending_voters (poll, user: no answer, no time), emptied by each copy.
  // Existing confidential polls get their k (the organisation's) and a first copy of their votes,
  // which were shown live until now.
  '003-polls-confidential-shown': {
    async up(db: Kysely<any>): Promise<void> {
      await sql`create table polls_pending_voters (
        poll_id integer not null references polls_polls(content_id) on delete cascade,
        user_id integer not null,
        primary key (poll_id, user_id)
      ) strict, without rowid`.execute(db);
      await sql`update polls_polls
        set min_group = coalesce((select max(3, min(10, privacy_min_group)) from organisation where id = 1), 5)
        where mode = 'confidential' and min_group is null`.execute(db);
      await sql`insert into polls_anonymous_shown (poll_id, answer_key, count)
        select v.poll_id,
          case p.type when 'rating' then cast(v.value as text) when 'dates' then v.option_id || ':' || v.answer else cast(v.option_id as text) end as answer_key,
          count(*)
        from polls_votes v join polls_polls p on p.content_id = v.poll_id
        where p.mode = 'confidential'
        group by v.poll_id, answer_key`.execute(db);
      await sql`update polls_polls
        set shown_respondents = (select count(distinct v.user_id) from polls_votes v where v.poll_id = polls_polls.content_id)
        where mode = 'confidential'`.execute(db);
    },
  },
  // An anonymous poll counted its respondents as its participation rows, which an erasure deletes
  // while the erased person's answer stays in the counters: more answers than respondents, percentages
  // above 100. polls_polls.anonymous_respondents counts them instead: raised by each anonymous vote,
  // set when a poll becomes anonymous, left as it is by an erasure (service.ts). Existing anonymous
  // polls start from their participation rows, raised to what their counters prove at least (one
  // answer per person: single choice and rating sum up; the largest counter of a multiple choice; the
  // most answers to one date), and their shown copy's count likewise.
  '004-polls-anonymous-respondents': {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('polls_polls').addColumn('anonymous_respondents', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      const atLeast = (table: string) => sql`(select coalesce(case p.type
          when 'multiple' then (select max(c.count) from ${sql.table(table)} c where c.poll_id = p.content_id)
          when 'dates' then (select max(n) from (select sum(c.count) as n from ${sql.table(table)} c where c.poll_id = p.content_id group by substr(c.answer_key, 1, instr(c.answer_key, ':') - 1)))
          else (select sum(c.count) from ${sql.table(table)} c where c.poll_id = p.content_id)
        end, 0))`;
      await sql`update polls_polls as p
        set anonymous_respondents = max((select count(*) from polls_participation pp where pp.poll_id = p.content_id), ${atLeast('polls_anonymous_counts')}),
          shown_respondents = max(p.shown_respondents, ${atLeast('polls_anonymous_shown')})
        where p.mode = 'anonymous'`.execute(db);
    },
  },
};
