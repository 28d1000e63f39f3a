// A survey's results, question by question, read ONLY through the privacy core (src/privacy): the
// survey's k applies to every question of an anonymous survey (below k: "too few answers", which is
// not "no answers"); free texts come shuffled and without time. The CSV export is built from these
// same results (resultsCsv), so it can never say more than the page.
// Slices (identified surveys only): the countable questions per department OR per site (the one
// breakdown the owner chose before opening, never both: two breakdowns of the same answers could be
// subtracted into a crossed group below k), by the respondents' current profile, computed live, every
// slice through the core's `slices` with the survey's fixed k.
import type { Kysely } from 'kysely';
import type { Database } from '../../../src/db/schema.js';
import type { Translate } from '../../../src/i18n/index.js';
import {
  average,
  distribution,
  freeTexts,
  protectedRule,
  recommendation,
  resultsCsv,
  slices,
  UNPROTECTED,
  type Hidden,
  type PrivacyRule,
  type Shown,
} from '../../../src/privacy/index.js';
import { namedValuesByUnit, questionsOf, unitList, valuesByQuestion, type Question, type SliceBy, type Survey } from './service.js';

export interface QuestionResult {
  question: Question;
  /** The main result (distribution, average, recommendation, texts). */
  result: Shown<unknown>;
  /** For 0-10 questions: the average and distribution beside the score. */
  extra?: Shown<unknown>;
}

/** Anonymous surveys: the survey's k (fixed at opening). Identified: names are known to the owner anyway. */
export function surveyRule(survey: Survey): PrivacyRule {
  return survey.anonymous ? protectedRule(survey.minGroup ?? Number.NaN) : UNPROTECTED;
}

function choiceCounts(question: Question, values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) {
    const indexes = question.type === 'multiple' ? (JSON.parse(value) as number[]) : [Number(value)];
    for (const index of indexes) {
      const option = question.options[index];
      if (option !== undefined) counts.set(option, (counts.get(option) ?? 0) + 1);
    }
  }
  return counts;
}

export async function surveyResults(db: Kysely<Database>, survey: Survey, random?: () => number): Promise<QuestionResult[]> {
  const rule = surveyRule(survey);
  const questions = await questionsOf(db, survey.id);
  const values = await valuesByQuestion(db, survey);
  return questions.map((question) => {
    const answers = values.get(question.id) ?? [];
    switch (question.type) {
      case 'single':
      case 'multiple':
        return { question, result: distribution(rule, answers.length, choiceCounts(question, answers), question.options) };
      case 'scale':
        return { question, result: average(rule, answers.map(Number), { min: 1, max: 5 }) };
      case 'nps':
        return { question, result: recommendation(rule, answers.map(Number)), extra: average(rule, answers.map(Number), { min: 0, max: 10 }) };
      case 'short':
      case 'long':
        return { question, result: freeTexts(rule, answers, random) };
    }
  });
}

export type { SliceBy };
/** One slice of a question: a department or site (or "No department"/"No site"), through `slices`. */
export interface SliceEntry {
  key: string;
  label: string;
  result: Shown<unknown> | Hidden;
}
export interface QuestionSlices {
  question: Question;
  slices: SliceEntry[];
  /** For 0-10 questions: the average and distribution per slice (same people, so the same slices hidden). */
  extra?: SliceEntry[];
}

/** The slice asked for in a query (?slice=department|site); anything else (absent, repeated, unknown) is none. */
export function parseSlice(value: unknown): SliceBy | null {
  return value === 'department' || value === 'site' ? value : null;
}

/**
 * Slices are thresholded even for an identified survey (whose overall results are not): a
 * breakdown by unit is what gets copied into slides and reports, and a unit of two people there
 * would show their answers to everyone who reads them. The survey's k, fixed when it opened.
 */
export function sliceRule(survey: Survey): PrivacyRule {
  return protectedRule(survey.minGroup ?? Number.NaN);
}

/** The countable questions (choices, scale, 0-10) per department or site; free texts are never sliced. */
export const slicedTypes: ReadonlySet<Question['type']> = new Set(['single', 'multiple', 'scale', 'nps']);

/**
 * An identified survey's countable questions per department or site (its one chosen breakdown, and
 * no other) of the respondents' current profile, with a last group for people without one; every
 * group listed (empty ones are "too few" too). Each group's value is built by the core's functions,
 * then `slices` applies k and the difference rule. Anonymous surveys, or no breakdown chosen: nothing
 * (anonymous answers have no person to slice by).
 */
export async function surveySlices(db: Kysely<Database>, survey: Survey, t: Translate): Promise<QuestionSlices[]> {
  const by = survey.sliceBy ?? null;
  if (survey.anonymous || by === null) return [];
  const rule = sliceRule(survey);
  const [questions, units, rows] = await Promise.all([questionsOf(db, survey.id), unitList(db, by), namedValuesByUnit(db, survey.id, by)]);
  const known = new Set(units.map((u) => u.id));
  const groups = [
    ...units.map((u) => ({ key: String(u.id), label: u.name })),
    { key: 'none', label: t(by === 'department' ? 'plugins.polls.survey.slices.noDepartment' : 'plugins.polls.survey.slices.noSite') },
  ];
  const answers = new Map<string, string[]>(); // `${questionId}:${groupKey}` -> values
  for (const row of rows) {
    const key = `${row.questionId}:${row.unitId !== null && known.has(row.unitId) ? row.unitId : 'none'}`;
    answers.set(key, [...(answers.get(key) ?? []), row.value]);
  }
  const sliceOf = (question: Question, build: (values: string[]) => Shown<unknown>): SliceEntry[] => {
    const built = groups.map((g) => {
      const result = build(answers.get(`${question.id}:${g.key}`) ?? []);
      return { ...g, respondents: result.state === 'shown' ? result.respondents : 0, value: result.state === 'shown' ? result.value : null };
    });
    return slices(rule, built.reduce((sum, g) => sum + g.respondents, 0), built);
  };
  return questions
    .filter((question) => slicedTypes.has(question.type))
    .map((question): QuestionSlices => {
      switch (question.type) {
        case 'scale':
          return { question, slices: sliceOf(question, (values) => average(UNPROTECTED, values.map(Number), { min: 1, max: 5 })) };
        case 'nps':
          return {
            question,
            slices: sliceOf(question, (values) => recommendation(UNPROTECTED, values.map(Number))),
            extra: sliceOf(question, (values) => average(UNPROTECTED, values.map(Number), { min: 0, max: 10 })),
          };
        default:
          return { question, slices: sliceOf(question, (values) => distribution(UNPROTECTED, values.length, choiceCounts(question, values), question.options)) };
      }
    });
}

/**
 * The aggregated CSV: one block per question, through the same rules as the page; with slices
 * (identified surveys), each countable question's block is followed by its slices, as on the page.
 */
export function surveyCsv(results: readonly QuestionResult[], t: Translate, sliced: readonly QuestionSlices[] = []): string {
  const average = t('plugins.polls.survey.results.average');
  const rows = results.flatMap(({ question, result, extra }) => {
    const bySlice = sliced.find((s) => s.question.id === question.id);
    return [
      { question: question.text, label: t('plugins.polls.survey.results.everyone'), result },
      ...(extra ? [{ question: question.text, label: average, result: extra }] : []),
      ...(bySlice?.slices ?? []).map((slice) => ({ question: question.text, label: slice.label, result: slice.result })),
      ...(bySlice?.extra ?? []).map((slice) => ({ question: question.text, label: t('plugins.polls.survey.slices.groupAverage', { group: slice.label }), result: slice.result })),
    ];
  });
  return resultsCsv(rows, t);
}
