// The surveys part's tables. Anonymous answers (polls_survey_answers) hold no user id, no foreign key
// or join path to a user, no time at all (not even the day: see README.md), and a random primary key in a WITHOUT ROWID
// table: their storage order is the random id's, never the order people answered in. "Has answered"
// (polls_survey_participation) is a separate table keyed (survey_id, user_id) WITHOUT ROWID, with no
// time and no link to any answer. Identified answers live apart (polls_survey_named_answers).
import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '101-surveys-tables': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('polls_survey_surveys')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('author_id', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('intro', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('audience', 'text', (c) => c.notNull().defaultTo('everyone').check(sql`audience in ('everyone', 'space', 'departments', 'sites')`))
        .addColumn('space_id', 'integer', (c) => c.references('spaces.id').onDelete('set null'))
        .addColumn('anonymous', 'integer', (c) => c.notNull().defaultTo(1).check(sql`anonymous in (0, 1)`))
        // k, fixed when the survey is opened (null while it is a draft), never changed after.
        .addColumn('min_group', 'integer')
        .addColumn('starts_at', 'integer')
        .addColumn('ends_at', 'integer')
        .addColumn('opened_at', 'integer')
        .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('summary_html', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('summary_published', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_reminder_day', 'text')
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'integer', (c) => c.notNull())
        .modifyEnd(sql`strict`)
        .execute();
      await db.schema.createIndex('polls_survey_surveys_author').on('polls_survey_surveys').columns(['author_id', 'id']).execute();
      await db.schema.createIndex('polls_survey_surveys_opened').on('polls_survey_surveys').columns(['opened_at', 'ends_at']).execute();

      await db.schema
        .createTable('polls_survey_units')
        .addColumn('survey_id', 'integer', (c) => c.notNull().references('polls_survey_surveys.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('department', 'site')`))
        .addColumn('unit_id', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('polls_survey_units_pk', ['survey_id', 'kind', 'unit_id'])
        .modifyEnd(sql`strict`)
        .execute();

      await db.schema
        .createTable('polls_survey_questions')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('survey_id', 'integer', (c) => c.notNull().references('polls_survey_surveys.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('section', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('single', 'multiple', 'scale', 'nps', 'short', 'long')`))
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('options', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('min_choices', 'integer')
        .addColumn('max_choices', 'integer')
        .modifyEnd(sql`strict`)
        .execute();
      await db.schema.createIndex('polls_survey_questions_survey').on('polls_survey_questions').columns(['survey_id', 'position']).execute();

      // Who has answered: no time, no link to an answer; WITHOUT ROWID so nothing records an order.
      await sql`create table polls_survey_participation (
        survey_id integer not null references polls_survey_surveys(id) on delete cascade,
        user_id integer not null references users(id) on delete cascade,
        primary key (survey_id, user_id)
      ) strict, without rowid`.execute(db);

      // Anonymous answers: no user id, no foreign key to users, no time (not even the day), random ids.
      await sql`create table polls_survey_answers (
        id text not null primary key,
        survey_id integer not null references polls_survey_surveys(id) on delete cascade,
        question_id integer not null references polls_survey_questions(id) on delete cascade,
        value text not null
      ) strict, without rowid`.execute(db);
      await sql`create index polls_survey_answers_question on polls_survey_answers (survey_id, question_id)`.execute(db);

      // Identified answers: visible only to the owner and the admins.
      await db.schema
        .createTable('polls_survey_named_answers')
        .addColumn('survey_id', 'integer', (c) => c.notNull().references('polls_survey_surveys.id').onDelete('cascade'))
        .addColumn('question_id', 'integer', (c) => c.notNull().references('polls_survey_questions.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('answered_at', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('polls_survey_named_answers_pk', ['survey_id', 'question_id', 'user_id'])
        .modifyEnd(sql`strict`)
        .execute();
      await db.schema.createIndex('polls_survey_named_answers_user').on('polls_survey_named_answers').column('user_id').execute();
    },
  },
  // The one breakdown of an identified survey's results, chosen by its owner (null: none), fixed once
  // the survey opens: two breakdowns of the same answers could be subtracted into a group below k.
  // Existing surveys get none; an anonymous survey always has none.
  '102-surveys-slice-by': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('polls_survey_surveys')
        .addColumn('slice_by', 'text', (c) => c.check(sql`slice_by is null or (anonymous = 0 and slice_by in ('department', 'site'))`))
        .execute();
    },
  },
};

/** Children first, so that a purge dropping them in order never trips a foreign key. */
export const tables = [
  'polls_survey_named_answers',
  'polls_survey_answers',
  'polls_survey_participation',
  'polls_survey_questions',
  'polls_survey_units',
  'polls_survey_surveys',
];
