// A survey's results, question by question, read ONLY through the privacy core (src/privacy): the
// survey's k applies to every question of an anonymous survey (below k: "too few answers", which is
// not "no answers"); free texts come shuffled and without time. The CSV export is built from these
// same results (resultsCsv), so it can never say more than the page.
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
  UNPROTECTED,
  type PrivacyRule,
  type Shown,
} from '../../../src/privacy/index.js';
import { questionsOf, valuesByQuestion, type Question, type Survey } from './service.js';

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

/** The aggregated CSV: one block per question, through the same rules as the page. */
export function surveyCsv(results: readonly QuestionResult[], t: Translate): string {
  const rows = results.flatMap(({ question, result, extra }) => [
    { question: question.text, label: t('plugins.polls.survey.results.everyone'), result },
    ...(extra ? [{ question: question.text, label: t('plugins.polls.survey.results.average'), result: extra }] : []),
  ]);
  return resultsCsv(rows, t);
}
