// The surveys part's GDPR hooks.
// - user.export: the person's surveys (as owner) and their IDENTIFIED answers, with the questions.
//   Never anonymous answers: nothing links them to the person, so they cannot be found (that is the point).
//   Which anonymous surveys they answered is exported (it is about them: polls_survey_participation).
// - user.erase: their identified answers and their participation rows are DELETED (not anonymised:
//   an identified answer with its name removed would still be findable by the rest of its row). The
//   surveys they own stay, as content the organisation keeps; the core anonymises the author.
//   Anonymous answers stay: they were never theirs in the database.
import type { Hooks } from '../../../src/plugins/contract.js';
import { sdb } from './service.js';

const iso = (millis: number | null) => (millis === null ? null : new Date(millis).toISOString());

export const hooks: Hooks = {
  async 'user.export'({ db, userId }) {
    const s = sdb(db);
    const owned = await s.selectFrom('polls_survey_surveys').select(['id', 'title', 'intro', 'anonymous', 'created_at', 'opened_at', 'ends_at']).where('author_id', '=', userId).orderBy('id').execute();
    const answers = await s
      .selectFrom('polls_survey_named_answers as a')
      .innerJoin('polls_survey_questions as q', 'q.id', 'a.question_id')
      .innerJoin('polls_survey_surveys as sv', 'sv.id', 'a.survey_id')
      .select(['sv.id as surveyId', 'sv.title as survey', 'q.text as question', 'q.type', 'q.options', 'a.value', 'a.answered_at'])
      .where('a.user_id', '=', userId)
      .orderBy('sv.id')
      .orderBy('q.position')
      .execute();
    const answeredAnonymous = await s
      .selectFrom('polls_survey_participation as p')
      .innerJoin('polls_survey_surveys as sv', 'sv.id', 'p.survey_id')
      .select(['sv.id', 'sv.title'])
      .where('p.user_id', '=', userId)
      .where('sv.anonymous', '=', 1)
      .orderBy('sv.id')
      .execute();
    if (owned.length === 0 && answers.length === 0 && answeredAnonymous.length === 0) return null;
    const shown = (type: string, options: string, value: string) => {
      const list = JSON.parse(options) as string[];
      if (type === 'single') return list[Number(value)] ?? value;
      if (type === 'multiple') return (JSON.parse(value) as number[]).map((i) => list[i] ?? String(i));
      return value;
    };
    return {
      surveysOwned: owned.map((r) => ({ id: r.id, title: r.title, intro: r.intro, anonymous: r.anonymous === 1, createdAt: iso(r.created_at), openedAt: iso(r.opened_at), endsAt: iso(r.ends_at) })),
      identifiedAnswers: answers.map((r) => ({ surveyId: r.surveyId, survey: r.survey, question: r.question, answer: shown(r.type, r.options, r.value), answeredAt: iso(r.answered_at) })),
      anonymousSurveysAnswered: answeredAnonymous.map((r) => ({ id: r.id, title: r.title, note: 'answers are anonymous and cannot be found' })),
    };
  },

  async 'user.erase'({ trx, userId }) {
    const s = sdb(trx as never);
    await s.deleteFrom('polls_survey_named_answers').where('user_id', '=', userId).execute();
    await s.deleteFrom('polls_survey_participation').where('user_id', '=', userId).execute();
  },
};
