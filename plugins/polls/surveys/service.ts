// Surveys: reading and writing them. Every write is one transaction. Anonymous answers are written
// with no user id and no time (not even the day), with random ids; "has answered" goes to its own
// table in the same transaction, with nothing linking the two. Results are read only through
// src/privacy (results.ts).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../src/db/schema.js';
import { organisationMinGroup } from '../../../src/privacy/index.js';
import type { Viewer } from '../../../src/policy/index.js';
import { forgetPluginNotifications } from '../../../src/notifications/plugin-types.js';
import { SURVEY_REMINDER } from '../notification-names.js';

/** What results of an identified survey can be sliced by (the respondent's current profile): one, chosen per survey. */
export type SliceBy = 'department' | 'site';
export const SLICE_BYS: readonly SliceBy[] = ['department', 'site'];

export type Audience = 'everyone' | 'space' | 'departments' | 'sites';
export type QuestionType = 'single' | 'multiple' | 'scale' | 'nps' | 'short' | 'long';
export const QUESTION_TYPES: readonly QuestionType[] = ['single', 'multiple', 'scale', 'nps', 'short', 'long'];
export const AUDIENCES: readonly Audience[] = ['everyone', 'space', 'departments', 'sites'];
export const TITLE_MAX = 200;
export const INTRO_MAX = 5000;
export const QUESTION_MAX = 500;
export const OPTION_MAX = 200;
export const SHORT_MAX = 300;
export const LONG_MAX = 5000;
export const SUMMARY_MAX = 20000;

export interface SurveysTable {
  id: number;
  author_id: number;
  title: string;
  intro: string;
  audience: Audience;
  space_id: number | null;
  anonymous: number;
  min_group: number | null;
  starts_at: number | null;
  ends_at: number | null;
  opened_at: number | null;
  summary: string;
  summary_html: string;
  summary_published: number;
  last_reminder_day: string | null;
  slice_by: SliceBy | null;
  created_at: number;
  updated_at: number;
}
export interface QuestionsTable {
  id: number;
  survey_id: number;
  position: number;
  section: string;
  type: QuestionType;
  text: string;
  required: number;
  options: string;
  min_choices: number | null;
  max_choices: number | null;
}
type SurveyTables = {
  polls_survey_surveys: SurveysTable;
  polls_survey_units: { survey_id: number; kind: 'department' | 'site'; unit_id: number };
  polls_survey_questions: QuestionsTable;
  polls_survey_participation: { survey_id: number; user_id: number };
  polls_survey_answers: { id: string; survey_id: number; question_id: number; value: string };
  polls_survey_named_answers: { survey_id: number; question_id: number; user_id: number; value: string; answered_at: number };
};

/** The database with the surveys' tables (the core's type does not know them). */
export const sdb = (db: Kysely<Database>) => db.withTables<SurveyTables>();
export type SurveysDb = ReturnType<typeof sdb>;

export interface Question {
  id: number;
  position: number;
  section: string;
  type: QuestionType;
  text: string;
  required: boolean;
  options: string[];
  minChoices: number | null;
  maxChoices: number | null;
}
export interface Survey {
  id: number;
  authorId: number;
  title: string;
  intro: string;
  audience: Audience;
  spaceId: number | null;
  departments: number[];
  sites: number[];
  anonymous: boolean;
  /**
   * The one breakdown of an identified survey's results (null or absent: none; always none when
   * anonymous), fixed once open. Optional so that a Survey built by hand (tests) means none.
   */
  sliceBy?: SliceBy | null;
  minGroup: number | null;
  startsAt: number | null;
  endsAt: number | null;
  openedAt: number | null;
  summary: string;
  summaryHtml: string;
  summaryPublished: boolean;
  createdAt: number;
}

/** draft: not opened; scheduled: opened, its start to come; open; closed: its end passed. */
export type SurveyState = 'draft' | 'scheduled' | 'open' | 'closed';
export function surveyState(survey: Survey, now: number): SurveyState {
  if (survey.openedAt === null) return 'draft';
  if (survey.endsAt !== null && now >= survey.endsAt) return 'closed';
  if (survey.startsAt !== null && now < survey.startsAt) return 'scheduled';
  return 'open';
}

function toSurvey(row: SurveysTable, units: Array<{ kind: string; unit_id: number }>): Survey {
  return {
    id: row.id,
    authorId: row.author_id,
    title: row.title,
    intro: row.intro,
    audience: row.audience,
    spaceId: row.space_id,
    departments: units.filter((u) => u.kind === 'department').map((u) => u.unit_id),
    sites: units.filter((u) => u.kind === 'site').map((u) => u.unit_id),
    anonymous: row.anonymous === 1,
    sliceBy: row.anonymous === 1 ? null : row.slice_by,
    minGroup: row.min_group,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    openedAt: row.opened_at,
    summary: row.summary,
    summaryHtml: row.summary_html,
    summaryPublished: row.summary_published === 1,
    createdAt: row.created_at,
  };
}

export async function findSurvey(db: Kysely<Database>, id: number): Promise<Survey | null> {
  const s = sdb(db);
  const row = await s.selectFrom('polls_survey_surveys').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const units = await s.selectFrom('polls_survey_units').select(['kind', 'unit_id']).where('survey_id', '=', id).execute();
  return toSurvey(row, units);
}

export async function listSurveys(db: Kysely<Database>): Promise<Survey[]> {
  const s = sdb(db);
  const rows = await s.selectFrom('polls_survey_surveys').selectAll().orderBy('id', 'desc').limit(500).execute();
  const units = rows.length === 0 ? [] : await s.selectFrom('polls_survey_units').selectAll().where('survey_id', 'in', rows.map((r) => r.id)).execute();
  return rows.map((r) => toSurvey(r, units.filter((u) => u.survey_id === r.id)));
}

export async function questionsOf(db: Kysely<Database>, surveyId: number): Promise<Question[]> {
  const rows = await sdb(db).selectFrom('polls_survey_questions').selectAll().where('survey_id', '=', surveyId).orderBy('position').orderBy('id').execute();
  return rows.map((q) => ({
    id: q.id,
    position: q.position,
    section: q.section,
    type: q.type,
    text: q.text,
    required: q.required === 1,
    options: JSON.parse(q.options) as string[],
    minChoices: q.min_choices,
    maxChoices: q.max_choices,
  }));
}

/** The person's department and site (for audiences by department or site). */
export async function unitsOf(db: Kysely<Database>, userId: number): Promise<{ departmentId: number | null; siteId: number | null }> {
  const row = await db.selectFrom('users').select(['department_id', 'site_id']).where('id', '=', userId).executeTakeFirst();
  return { departmentId: row?.department_id ?? null, siteId: row?.site_id ?? null };
}

/** Whether the person is in the survey's audience. */
export function inAudience(survey: Survey, viewer: Viewer, units: { departmentId: number | null; siteId: number | null }): boolean {
  switch (survey.audience) {
    case 'everyone':
      return true;
    case 'space':
      return survey.spaceId !== null && viewer.spaceRoles.has(survey.spaceId);
    case 'departments':
      return units.departmentId !== null && survey.departments.includes(units.departmentId);
    case 'sites':
      return units.siteId !== null && survey.sites.includes(units.siteId);
  }
}

/** Active people in the audience (the reminder job's list: never shown to anyone). */
export async function audienceIds(db: Kysely<Database>, survey: Survey): Promise<number[]> {
  let query = db.selectFrom('users').select('users.id').where('users.status', '=', 'active');
  if (survey.audience === 'space') {
    if (survey.spaceId === null) return [];
    query = query.where('users.id', 'in', db.selectFrom('space_members').select('user_id').where('space_id', '=', survey.spaceId));
  } else if (survey.audience === 'departments') {
    if (survey.departments.length === 0) return [];
    query = query.where('users.department_id', 'in', survey.departments);
  } else if (survey.audience === 'sites') {
    if (survey.sites.length === 0) return [];
    query = query.where('users.site_id', 'in', survey.sites);
  }
  return (await query.execute()).map((r) => r.id);
}

/** A survey as its form gives it (sliceBy required there; ignored, i.e. none, when anonymous). */
export type SurveyInput = Pick<Survey, 'title' | 'intro' | 'audience' | 'spaceId' | 'departments' | 'sites' | 'anonymous' | 'startsAt' | 'endsAt'> & {
  sliceBy: SliceBy | null;
};
/** A question as its form gives it: a Question before it has an id and a place. */
export type QuestionInput = Omit<Question, 'id' | 'position'>;

async function writeUnits(db: SurveysDb, surveyId: number, input: SurveyInput) {
  await db.deleteFrom('polls_survey_units').where('survey_id', '=', surveyId).execute();
  const units = [
    ...(input.audience === 'departments' ? input.departments.map((id) => ({ survey_id: surveyId, kind: 'department' as const, unit_id: id })) : []),
    ...(input.audience === 'sites' ? input.sites.map((id) => ({ survey_id: surveyId, kind: 'site' as const, unit_id: id })) : []),
  ];
  if (units.length > 0) await db.insertInto('polls_survey_units').values(units).execute();
}

export async function createSurvey(db: Kysely<Database>, authorId: number, input: SurveyInput, questions: QuestionInput[], now = Date.now()): Promise<number> {
  return sdb(db).transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('polls_survey_surveys')
      .values({
        author_id: authorId,
        title: input.title,
        intro: input.intro,
        audience: input.audience,
        space_id: input.audience === 'space' ? input.spaceId : null,
        anonymous: input.anonymous ? 1 : 0,
        slice_by: input.anonymous ? null : input.sliceBy,
        min_group: null,
        starts_at: input.startsAt,
        ends_at: input.endsAt,
        opened_at: null,
        summary: '',
        summary_html: '',
        summary_published: 0,
        last_reminder_day: null,
        created_at: now,
        updated_at: now,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeUnits(trx, row.id, input);
    for (const [index, q] of questions.entries()) await insertQuestion(trx, row.id, q, index + 1);
    return row.id;
  });
}

/** Edits a draft's settings; once open, only the dates' end and a more private mode (routes check; the breakdown stays as given). */
export async function updateSurvey(db: Kysely<Database>, surveyId: number, input: SurveyInput, now = Date.now()): Promise<void> {
  await sdb(db).transaction().execute(async (trx) => {
    await trx
      .updateTable('polls_survey_surveys')
      .set({
        title: input.title,
        intro: input.intro,
        audience: input.audience,
        space_id: input.audience === 'space' ? input.spaceId : null,
        anonymous: input.anonymous ? 1 : 0,
        slice_by: input.anonymous ? null : input.sliceBy,
        starts_at: input.startsAt,
        ends_at: input.endsAt,
        updated_at: now,
      })
      .where('id', '=', surveyId)
      .execute();
    await writeUnits(trx, surveyId, input);
  });
}

async function insertQuestion(db: SurveysDb, surveyId: number, q: QuestionInput, position: number) {
  await db
    .insertInto('polls_survey_questions')
    .values({
      survey_id: surveyId,
      position,
      section: q.section,
      type: q.type,
      text: q.text,
      required: q.required ? 1 : 0,
      options: JSON.stringify(q.type === 'single' || q.type === 'multiple' ? q.options : []),
      min_choices: q.type === 'multiple' ? q.minChoices : null,
      max_choices: q.type === 'multiple' ? q.maxChoices : null,
    } as never)
    .execute();
}

export async function addQuestion(db: Kysely<Database>, surveyId: number, q: QuestionInput): Promise<void> {
  const s = sdb(db);
  await s.transaction().execute(async (trx) => {
    const last = await trx.selectFrom('polls_survey_questions').select((eb) => eb.fn.max('position').as('p')).where('survey_id', '=', surveyId).executeTakeFirst();
    await insertQuestion(trx, surveyId, q, Number(last?.p ?? 0) + 1);
  });
}

export async function deleteQuestion(db: Kysely<Database>, surveyId: number, questionId: number): Promise<void> {
  await sdb(db).deleteFrom('polls_survey_questions').where('survey_id', '=', surveyId).where('id', '=', questionId).execute();
}

/** Swaps a question with the one before (up) or after (down). */
export async function moveQuestion(db: Kysely<Database>, surveyId: number, questionId: number, direction: 'up' | 'down'): Promise<void> {
  await sdb(db).transaction().execute(async (trx) => {
    const list = await trx.selectFrom('polls_survey_questions').select(['id', 'position']).where('survey_id', '=', surveyId).orderBy('position').orderBy('id').execute();
    const index = list.findIndex((q) => q.id === questionId);
    const other = direction === 'up' ? index - 1 : index + 1;
    if (index < 0 || other < 0 || other >= list.length) return;
    // Positions rewritten 1..n with the two swapped.
    const order = list.map((q) => q.id);
    [order[index], order[other]] = [order[other]!, order[index]!];
    for (const [i, id] of order.entries()) await trx.updateTable('polls_survey_questions').set({ position: i + 1 }).where('id', '=', id).execute();
  });
}

/**
 * Opens the survey: k is fixed now (the organisation's minimum group size) and never changes after.
 * Without a start date, it opens at once; with one to come, people may answer from then.
 */
export async function openSurvey(db: Kysely<Database>, surveyId: number, now = Date.now()): Promise<boolean> {
  const k = await organisationMinGroup(db);
  const result = await sdb(db)
    .updateTable('polls_survey_surveys')
    .set((eb) => ({ opened_at: now, min_group: k, starts_at: eb.fn.coalesce('starts_at', eb.val(now)), updated_at: now }))
    .where('id', '=', surveyId)
    .where('opened_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Makes an identified survey anonymous (never the other way once open). Refused once someone answered. */
export async function makeAnonymous(db: Kysely<Database>, surveyId: number, now = Date.now()): Promise<boolean> {
  const s = sdb(db);
  return s.transaction().execute(async (trx) => {
    const answered = await trx.selectFrom('polls_survey_participation').select('user_id').where('survey_id', '=', surveyId).limit(1).executeTakeFirst();
    if (answered) return false;
    // Anonymous surveys are never sliced: the breakdown goes with the names.
    await trx.updateTable('polls_survey_surveys').set({ anonymous: 1, slice_by: null, updated_at: now }).where('id', '=', surveyId).execute();
    return true;
  });
}

export async function closeSurvey(db: Kysely<Database>, surveyId: number, now = Date.now()): Promise<void> {
  await sdb(db).updateTable('polls_survey_surveys').set({ ends_at: now, updated_at: now }).where('id', '=', surveyId).execute();
  // Its reminders are moot now.
  await forgetPluginNotifications(db, 'polls', { subjectId: surveyId, name: SURVEY_REMINDER });
}

/**
 * Deletes a survey for good: its questions, audience units, answers (anonymous and named) and the
 * record of who answered go with it (foreign keys on delete cascade, one statement).
 */
export async function deleteSurvey(db: Kysely<Database>, surveyId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sdb(trx).deleteFrom('polls_survey_surveys').where('id', '=', surveyId).execute();
    await forgetPluginNotifications(trx, 'polls', { subjectId: surveyId, name: SURVEY_REMINDER });
  });
}

export async function hasAnswered(db: Kysely<Database>, surveyId: number, userId: number): Promise<boolean> {
  const row = await sdb(db).selectFrom('polls_survey_participation').select('user_id').where('survey_id', '=', surveyId).where('user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

export async function participantCount(db: Kysely<Database>, surveyId: number): Promise<number> {
  const row = await sdb(db).selectFrom('polls_survey_participation').select((eb) => eb.fn.countAll<number>().as('n')).where('survey_id', '=', surveyId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Records one person's answers (question id -> stored value; unanswered optional questions absent).
 * Returns false when they had answered already (nothing written). Anonymous: answers with a random
 * id and no time, participation apart; identified: answers with the user id and time.
 */
export async function recordAnswers(db: Kysely<Database>, survey: Survey, userId: number, answers: ReadonlyMap<number, string>, now = Date.now()): Promise<boolean> {
  return sdb(db).transaction().execute(async (trx) => {
    const inserted = await trx.insertInto('polls_survey_participation').values({ survey_id: survey.id, user_id: userId }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
    // Their reminders go in the same transaction: no row keeps "was reminded on day D" beside "has
    // answered", which would point at the answers stored from that day on.
    await forgetPluginNotifications(trx as unknown as Kysely<Database>, 'polls', { subjectId: survey.id, userId, name: SURVEY_REMINDER });
    if (answers.size === 0) return true;
    // The mode as it is now, inside the transaction: the survey may have become anonymous since the
    // page loaded it (identified -> anonymous while nobody had answered); never write a name then.
    const current = await trx.selectFrom('polls_survey_surveys').select('anonymous').where('id', '=', survey.id).executeTakeFirst();
    if (survey.anonymous || current?.anonymous !== 0) {
      await trx
        .insertInto('polls_survey_answers')
        .values([...answers].map(([questionId, value]) => ({ id: randomBytes(16).toString('hex'), survey_id: survey.id, question_id: questionId, value })))
        .execute();
    } else {
      await trx
        .insertInto('polls_survey_named_answers')
        .values([...answers].map(([questionId, value]) => ({ survey_id: survey.id, question_id: questionId, user_id: userId, value, answered_at: now })))
        .execute();
    }
    return true;
  });
}

/** Every stored value per question (anonymous: no one's; identified: with no names either, for aggregates). */
export async function valuesByQuestion(db: Kysely<Database>, survey: Survey): Promise<Map<number, string[]>> {
  const s = sdb(db);
  const rows = survey.anonymous
    ? await s.selectFrom('polls_survey_answers').select(['question_id', 'value']).where('survey_id', '=', survey.id).execute()
    : await s.selectFrom('polls_survey_named_answers').select(['question_id', 'value']).where('survey_id', '=', survey.id).execute();
  const map = new Map<number, string[]>();
  for (const r of rows) map.set(r.question_id, [...(map.get(r.question_id) ?? []), r.value]);
  return map;
}


/**
 * Identified answers with the respondent's CURRENT department or site (users.department_id /
 * site_id), for slices; no names. There is no such read for anonymous answers: they have no person,
 * and storing a unit beside them would make a small unit's answers identifiable in the database.
 */
export async function namedValuesByUnit(db: Kysely<Database>, surveyId: number, by: SliceBy): Promise<Array<{ questionId: number; value: string; unitId: number | null }>> {
  const rows = await sdb(db)
    .selectFrom('polls_survey_named_answers as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select(['a.question_id', 'a.value', by === 'department' ? 'u.department_id as unitId' : 'u.site_id as unitId'])
    .where('a.survey_id', '=', surveyId)
    .execute();
  return rows.map((r) => ({ questionId: r.question_id, value: r.value, unitId: r.unitId ?? null }));
}

/** Every department or site of the organisation, in their sort order (slices list them all: which are empty says nothing). */
export async function unitList(db: Kysely<Database>, by: SliceBy): Promise<Array<{ id: number; name: string }>> {
  return db.selectFrom(by === 'department' ? 'departments' : 'sites').select(['id', 'name']).orderBy('sort_name').orderBy('id').execute();
}

/** Identified answers with names (owner and admins only; the routes check). */
export async function namedAnswers(db: Kysely<Database>, surveyId: number) {
  return sdb(db)
    .selectFrom('polls_survey_named_answers as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select(['a.question_id', 'a.value', 'u.id as userId', 'u.name', 'u.email'])
    .where('a.survey_id', '=', surveyId)
    .orderBy('u.name')
    .execute();
}

export async function saveSummary(db: Kysely<Database>, surveyId: number, summary: string, summaryHtml: string, published: boolean, now = Date.now()): Promise<void> {
  await sdb(db).updateTable('polls_survey_surveys').set({ summary, summary_html: summaryHtml, summary_published: published ? 1 : 0, updated_at: now }).where('id', '=', surveyId).execute();
}
