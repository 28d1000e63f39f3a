// The surveys' pages, under /polls/surveys. Who sees a survey: its owner and the admins always; the
// survey's audience once it is opened; anyone else gets 404, whether it exists or not. Answers come
// in POST bodies only (the request logger logs URLs), and are never logged.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderMarkdown } from '../../../src/content/markdown.js';
import { toZonedDateTimeInput, zonedDateTimeToUtc } from '../../../src/features/news/zoned-time.js';
import { NotFound } from '../../../src/http/errors.js';
import { idParam, single } from '../../../src/http/params.js';
import type { PluginContext } from '../../../src/plugins/contract.js';
import { authorize, type Viewer } from '../../../src/policy/index.js';
import { isAdmin, isEditor } from '../../../src/policy/viewer.js';
import { csvCell } from '../../../src/privacy/csv.js';
import { organisationMinGroup } from '../../../src/privacy/index.js';
import { parseSlice, surveyCsv, surveyResults, surveySlices, type SliceBy } from './results.js';
import {
  AUDIENCES,
  INTRO_MAX,
  LONG_MAX,
  OPTION_MAX,
  QUESTION_MAX,
  QUESTION_TYPES,
  SHORT_MAX,
  SLICE_BYS,
  SUMMARY_MAX,
  TITLE_MAX,
  addQuestion,
  createSurvey,
  closeSurvey,
  deleteQuestion,
  findSurvey,
  deleteSurvey,
  hasAnswered,
  inAudience,
  listSurveys,
  makeAnonymous,
  moveQuestion,
  namedAnswers,
  openSurvey,
  participantCount,
  questionsOf,
  recordAnswers,
  saveSummary,
  surveyState,
  unitsOf,
  updateSurvey,
  type Audience,
  type Question,
  type QuestionInput,
  type QuestionType,
  type Survey,
  type SurveyInput,
} from './service.js';
import { TEMPLATE_IDS, template } from './templates.js';

type Errors = Record<string, string>;
type Body = Record<string, unknown>;
type IdParams = { Params: { id: string } };
type QuestionParams = { Params: { id: string; questionId: string; action: string } };

const M = 'plugins.polls.survey';
const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
const list = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');

/** Who may create surveys, by the plugin's setting; spaceAdmins: also a space's admins, for that space's audience. */
export function mayCreate(viewer: Viewer, setting: unknown, audience?: Audience, spaceId?: number | null): boolean {
  if (setting === 'admins') return isAdmin(viewer);
  if (isEditor(viewer)) return true;
  if (setting !== 'spaceAdmins') return false;
  if (audience === undefined) return [...viewer.spaceRoles.values()].includes('admin');
  return audience === 'space' && spaceId != null && viewer.spaceRoles.get(spaceId) === 'admin';
}

/** The owner and the admins manage a survey (edit, open, results, exports). */
export const manages = (viewer: Viewer, survey: Survey) => survey.authorId === viewer.id || isAdmin(viewer);

export default async function surveyRoutes(app: FastifyInstance, plugin: PluginContext): Promise<void> {
  const zone = (request: FastifyRequest) => request.organisation?.time_zone ?? 'Europe/Paris';
  const setting = () => plugin.settings().surveyCreators;

  async function units() {
    const [departments, sites] = await Promise.all([
      app.db.selectFrom('departments').select(['id', 'name']).orderBy('sort_name').execute(),
      app.db.selectFrom('sites').select(['id', 'name']).orderBy('sort_name').execute(),
    ]);
    return { departments, sites };
  }

  /** A survey the viewer may see: managed, or opened and for them. 404 otherwise. */
  async function visibleSurvey(viewer: Viewer, id: number): Promise<{ survey: Survey; manager: boolean }> {
    const survey = await findSurvey(app.db, id);
    if (!survey) throw new NotFound();
    // A survey for a space that switched the plugin off: 404 for everyone, its owner included.
    if (survey.audience === 'space' && survey.spaceId !== null) plugin.requireSpace(survey.spaceId);
    if (manages(viewer, survey)) return { survey, manager: true };
    if (survey.openedAt === null || !inAudience(survey, viewer, await unitsOf(app.db, viewer.id))) throw new NotFound();
    return { survey, manager: false };
  }

  async function managedSurvey(viewer: Viewer, id: number): Promise<Survey> {
    const { survey, manager } = await visibleSurvey(viewer, id);
    if (!manager) throw new NotFound();
    return survey;
  }

  // ---- Reading the forms ------------------------------------------------------------------------------

  function readSurvey(request: FastifyRequest, body: Body, existing: Survey | null) {
    const t = request.t;
    const values: Record<string, string | string[]> = {
      title: text(body.title),
      intro: text(body.intro),
      audience: text(body.audience),
      space: text(body.space),
      departments: list(body.departments),
      sites: list(body.sites),
      mode: text(body.mode),
      sliceBy: text(body.sliceBy),
      startsAt: text(body.startsAt),
      endsAt: text(body.endsAt),
    };
    const errors: Errors = {};
    // Once open, the audience and start stay as they were (the form does not send them); once closed,
    // the end too: a closed survey is never reopened (anonymous results are shown once closed, and
    // reopening would let the owner see them change answer by answer).
    const opened = existing !== null && existing.openedAt !== null;
    const closed = existing !== null && surveyState(existing, Date.now()) === 'closed';
    const title = values.title as string;
    if (!title) errors.title = t('validation.required');
    else if (title.length > TITLE_MAX) errors.title = t(`${M}.errors.tooLong`, { max: TITLE_MAX });
    if ((values.intro as string).length > INTRO_MAX) errors.intro = t(`${M}.errors.tooLong`, { max: INTRO_MAX });
    const audience = opened ? existing.audience : (AUDIENCES as readonly string[]).includes(values.audience as string) ? (values.audience as Audience) : null;
    if (!audience) errors.audience = t('validation.choice');
    const spaceId = opened ? existing.spaceId : /^\d+$/.test(values.space as string) ? Number(values.space) : null;
    if (!opened && audience === 'space') {
      if (spaceId === null || !(request.user as Viewer).spaceRoles.has(spaceId)) errors.space = t(`${M}.errors.space`);
      else if (!plugin.enabledIn(spaceId)) errors.space = t(`${M}.errors.spaceOff`);
    }
    const ids = (v: string[]) => v.filter((x) => /^\d{1,9}$/.test(x)).map(Number);
    const departments = opened ? existing.departments : ids(values.departments as string[]);
    const sites = opened ? existing.sites : ids(values.sites as string[]);
    if (!opened && audience === 'departments' && departments.length === 0) errors.departments = t(`${M}.errors.units`);
    if (!opened && audience === 'sites' && sites.length === 0) errors.sites = t(`${M}.errors.units`);
    if (values.mode !== 'anonymous' && values.mode !== 'identified') errors.mode = t('validation.choice');
    const anonymous = values.mode !== 'identified';
    // The one breakdown of the results: identified surveys only (anonymous: none, whatever is sent),
    // fixed once open (the form shows it read-only then; a value sent anyway is not read).
    let sliceBy: SliceBy | null = null;
    if (opened) sliceBy = existing.sliceBy ?? null;
    else if (!anonymous && values.sliceBy !== '' && values.sliceBy !== 'none') {
      if ((SLICE_BYS as readonly string[]).includes(values.sliceBy as string)) sliceBy = values.sliceBy as SliceBy;
      else errors.sliceBy = t('validation.choice');
    }
    const date = (name: 'startsAt' | 'endsAt') => {
      const raw = values[name] as string;
      if (!raw) return null;
      const millis = zonedDateTimeToUtc(raw, zone(request));
      if (millis === null) errors[name] = t(`${M}.errors.date`);
      return millis;
    };
    const startsAt = opened ? existing.startsAt : date('startsAt');
    const endsAt = closed ? existing.endsAt : date('endsAt');
    if (closed) {
      // Not read: see above.
    } else if (!values.endsAt) errors.endsAt = t(`${M}.errors.endRequired`);
    else if (endsAt !== null && endsAt <= Date.now()) errors.endsAt = t(`${M}.errors.endPast`);
    else if (endsAt !== null && startsAt !== null && endsAt <= startsAt) errors.endsAt = t(`${M}.errors.endBeforeStart`);
    // Open: the mode only more private.
    if (opened && existing.anonymous && !anonymous) errors.mode = t(`${M}.errors.lessPrivate`);
    // The setting holds for a draft's audience too (a space admin may not widen their draft to everyone).
    if (audience && !opened && !isAdmin(request.user as Viewer) && !mayCreate(request.user as Viewer, setting(), audience, spaceId)) {
      errors.audience = t(`${M}.errors.notAllowed`);
    }
    const input: SurveyInput = { title, intro: values.intro as string, audience: audience ?? 'everyone', spaceId, departments, sites, anonymous, sliceBy: anonymous ? null : sliceBy, startsAt, endsAt };
    return { ok: Object.keys(errors).length === 0, values, errors, input };
  }

  function readQuestion(request: FastifyRequest, body: Body) {
    const t = request.t;
    const values = {
      qsection: text(body.qsection),
      qtext: text(body.qtext),
      qtype: text(body.qtype),
      qoptions: typeof body.qoptions === 'string' ? body.qoptions : '',
      qmin: text(body.qmin),
      qmax: text(body.qmax),
      qrequired: text(body.qrequired),
    };
    const errors: Errors = {};
    if (!values.qtext) errors.qtext = t('validation.required');
    else if (values.qtext.length > QUESTION_MAX) errors.qtext = t(`${M}.errors.tooLong`, { max: QUESTION_MAX });
    if (values.qsection.length > TITLE_MAX) errors.qsection = t(`${M}.errors.tooLong`, { max: TITLE_MAX });
    const type = (QUESTION_TYPES as readonly string[]).includes(values.qtype) ? (values.qtype as QuestionType) : null;
    if (!type) errors.qtype = t('validation.choice');
    const options = values.qoptions.split(/\r?\n/).map((o) => o.trim()).filter((o) => o !== '');
    const choices = type === 'single' || type === 'multiple';
    if (choices && (options.length < 2 || options.length > 30 || options.some((o) => o.length > OPTION_MAX) || new Set(options).size !== options.length)) {
      errors.qoptions = t(`${M}.errors.options`);
    }
    const num = (v: string) => (/^\d{1,2}$/.test(v) ? Number(v) : null);
    const minChoices = type === 'multiple' ? num(values.qmin) : null;
    const maxChoices = type === 'multiple' ? num(values.qmax) : null;
    if (type === 'multiple' && ((values.qmin && minChoices === null) || (values.qmax && maxChoices === null) || (minChoices ?? 0) > options.length || (maxChoices !== null && (maxChoices < 1 || maxChoices < (minChoices ?? 0))))) {
      errors.qmin = t(`${M}.errors.minMax`);
    }
    const question: QuestionInput = { section: values.qsection, type: type ?? 'short', text: values.qtext, required: values.qrequired === '1', options: choices ? options : [], minChoices, maxChoices };
    return { ok: Object.keys(errors).length === 0, values, errors, question };
  }

  /** The answers checked against the questions: stored values per question, or errors per question. */
  function readAnswers(request: FastifyRequest, questions: readonly Question[], body: Body) {
    const t = request.t;
    const answers = new Map<number, string>();
    const errors: Errors = {};
    const values: Record<string, string | string[]> = {};
    for (const q of questions) {
      const name = `q${q.id}`;
      const raw = body[name];
      if (q.type === 'multiple') {
        const picked = list(raw);
        values[name] = picked;
        const indexes = [...new Set(picked.map(Number))];
        if (picked.some((v) => !/^\d{1,3}$/.test(v)) || indexes.some((i) => i >= q.options.length)) errors[name] = t(`${M}.errors.choice`);
        else if (indexes.length === 0) {
          if (q.required) errors[name] = t(`${M}.errors.required`);
        } else if (q.minChoices !== null && indexes.length < q.minChoices) errors[name] = t(`${M}.errors.minChoices`, { count: q.minChoices });
        else if (q.maxChoices !== null && indexes.length > q.maxChoices) errors[name] = t(`${M}.errors.maxChoices`, { count: q.maxChoices });
        else answers.set(q.id, JSON.stringify(indexes.sort((a, b) => a - b)));
        continue;
      }
      if (Array.isArray(raw)) {
        errors[name] = t('validation.repeated');
        continue;
      }
      const value = typeof raw === 'string' ? (q.type === 'long' ? raw.replace(/\r\n/g, '\n').trim() : raw.trim()) : '';
      values[name] = value;
      if (value === '') {
        if (q.required) errors[name] = t(`${M}.errors.required`);
        continue;
      }
      if (q.type === 'single') {
        const i = Number(value);
        if (!/^\d+$/.test(value) || i >= q.options.length) errors[name] = t(`${M}.errors.choice`);
        else answers.set(q.id, String(i));
      } else if (q.type === 'scale' || q.type === 'nps') {
        const [min, max] = q.type === 'scale' ? [1, 5] : [0, 10];
        const n = Number(value);
        if (!/^\d{1,2}$/.test(value) || n < min || n > max) errors[name] = t(`${M}.errors.choice`);
        else answers.set(q.id, String(n));
      } else {
        const max = q.type === 'short' ? SHORT_MAX : LONG_MAX;
        if (value.length > max) errors[name] = t(`${M}.errors.tooLong`, { max });
        else answers.set(q.id, value);
      }
    }
    return { ok: Object.keys(errors).length === 0, answers, errors, values };
  }

  function surveyValues(survey: Survey, timeZone: string): Record<string, string | string[]> {
    return {
      title: survey.title,
      intro: survey.intro,
      audience: survey.audience,
      space: survey.spaceId === null ? '' : String(survey.spaceId),
      departments: survey.departments.map(String),
      sites: survey.sites.map(String),
      mode: survey.anonymous ? 'anonymous' : 'identified',
      sliceBy: survey.sliceBy ?? 'none',
      startsAt: survey.startsAt === null ? '' : toZonedDateTimeInput(survey.startsAt, timeZone),
      endsAt: survey.endsAt === null ? '' : toZonedDateTimeInput(survey.endsAt, timeZone),
    };
  }

  // ---- Pages ----------------------------------------------------------------------------------------

  async function renderEdit(request: FastifyRequest, reply: FastifyReply, page: { survey: Survey | null; values: Record<string, unknown>; errors: Errors; questionValues?: Record<string, string>; questionErrors?: Errors; formError?: string }, status = 200) {
    const survey = page.survey;
    const questions = survey ? await questionsOf(app.db, survey.id) : [];
    return reply.render(
      '/plugins/polls/survey/edit',
      {
        title: request.t(survey ? `${M}.form.editTitle` : `${M}.form.newTitle`),
        ...page,
        questionValues: page.questionValues ?? { qtype: 'single' },
        questionErrors: page.questionErrors ?? {},
        questions,
        state: survey ? surveyState(survey, Date.now()) : 'draft',
        // Someone has answered an open survey: its mode is shown, not offered (it can no longer change).
        modeLocked: survey !== null && survey.openedAt !== null && (await participantCount(app.db, survey.id)) > 0,
        k: survey?.minGroup ?? (await organisationMinGroup(app.db)),
        zone: zone(request),
        spaces: (request.user as Viewer).memberSpaces.filter((sp) => plugin.enabledIn(sp.id)),
        templates: TEMPLATE_IDS,
        ...(await units()),
      },
      { status, ...(request.method === 'GET' ? {} : { keepUrl: true }) },
    );
  }

  // The list: open surveys for the viewer, answered ones, closed ones with their summary, their own.
  app.get('/surveys', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const now = Date.now();
    const mine = await unitsOf(app.db, viewer.id);
    const all = (await listSurveys(app.db)).filter((s) => s.audience !== 'space' || s.spaceId === null || plugin.enabledIn(s.spaceId));
    const answered = new Set(
      (await app.db.withTables<{ polls_survey_participation: { survey_id: number; user_id: number } }>().selectFrom('polls_survey_participation').select('survey_id').where('user_id', '=', viewer.id).execute()).map((r) => r.survey_id),
    );
    const forMe = all.filter((s) => s.openedAt !== null && inAudience(s, viewer, mine));
    return reply.render('/plugins/polls/survey/list', {
      title: request.t(`${M}.list.title`),
      toAnswer: forMe.filter((s) => surveyState(s, now) === 'open' && !answered.has(s.id)),
      answered: forMe.filter((s) => surveyState(s, now) === 'open' && answered.has(s.id)),
      closed: forMe.filter((s) => surveyState(s, now) === 'closed'),
      mine: all.filter((s) => manages(viewer, s) && (s.authorId === viewer.id || isAdmin(viewer))),
      state: (s: Survey) => surveyState(s, now),
      mayCreate: mayCreate(viewer, setting()),
      zone: zone(request),
    });
  });

  app.get('/surveys/new', async (request, reply) => {
    authorize(request.user, 'app.use');
    if (!mayCreate(request.user, setting())) throw new NotFound();
    const chosen = template(single((request.query as Body).template) ?? '', request.locale);
    const values = chosen ? { title: chosen.title, intro: chosen.intro, audience: 'everyone', mode: 'anonymous', template: single((request.query as Body).template) } : { audience: 'everyone', mode: 'anonymous' };
    return renderEdit(request, reply, { survey: null, values, errors: {} });
  });

  app.post('/surveys/new', async (request, reply) => {
    authorize(request.user, 'app.use');
    if (!mayCreate(request.user, setting())) throw new NotFound();
    const body = (request.body ?? {}) as Body;
    const read = readSurvey(request, body, null);
    const chosen = template(text(body.template), request.locale);
    if (!read.ok) return renderEdit(request, reply, { survey: null, values: { ...read.values, template: text(body.template) }, errors: read.errors }, 422);
    const id = await createSurvey(app.db, request.user.id, read.input, chosen?.questions ?? []);
    request.log.info({ surveyId: id }, 'survey created');
    return reply.redirectTo(`/polls/surveys/${id}/edit`);
  });

  app.get<IdParams>('/surveys/:id/edit', async (request, reply) => {
    authorize(request.user, 'app.use');
    const survey = await managedSurvey(request.user, idParam(request.params.id));
    return renderEdit(request, reply, { survey, values: surveyValues(survey, zone(request)), errors: {} });
  });

  app.post<IdParams>('/surveys/:id/edit', async (request, reply) => {
    authorize(request.user, 'app.use');
    const survey = await managedSurvey(request.user, idParam(request.params.id));
    const read = readSurvey(request, (request.body ?? {}) as Body, survey);
    if (!read.ok) return renderEdit(request, reply, { survey, values: read.values, errors: read.errors }, 422);
    if (survey.openedAt !== null) {
      // Open: only the title, introduction, end and a more private mode change; audience, start, k and
      // the breakdown stay (the breakdown goes to none if the survey becomes anonymous).
      const input = { ...read.input, audience: survey.audience, spaceId: survey.spaceId, departments: survey.departments, sites: survey.sites, startsAt: survey.startsAt, anonymous: survey.anonymous, sliceBy: survey.sliceBy ?? null };
      if (read.input.anonymous && !survey.anonymous && !(await makeAnonymous(app.db, survey.id))) {
        return renderEdit(request, reply, { survey, values: read.values, errors: { mode: request.t(`${M}.errors.answeredAlready`) } }, 422);
      }
      await updateSurvey(app.db, survey.id, { ...input, anonymous: read.input.anonymous || survey.anonymous });
    } else {
      await updateSurvey(app.db, survey.id, read.input);
    }
    return reply.redirectTo(`/polls/surveys/${survey.id}/edit`);
  });

  app.post<IdParams>('/surveys/:id/questions', async (request, reply) => {
    authorize(request.user, 'app.use');
    const survey = await managedSurvey(request.user, idParam(request.params.id));
    if (survey.openedAt !== null) return renderEdit(request, reply, { survey, values: surveyValues(survey, zone(request)), errors: {}, formError: request.t(`${M}.questions.locked`) }, 409);
    const read = readQuestion(request, (request.body ?? {}) as Body);
    if (!read.ok) return renderEdit(request, reply, { survey, values: surveyValues(survey, zone(request)), errors: {}, questionValues: read.values, questionErrors: read.errors }, 422);
    await addQuestion(app.db, survey.id, read.question);
    return reply.redirectTo(`/polls/surveys/${survey.id}/edit#questions`);
  });

  app.post<QuestionParams>('/surveys/:id/questions/:questionId/:action', async (request, reply) => {
    authorize(request.user, 'app.use');
    const survey = await managedSurvey(request.user, idParam(request.params.id));
    const questionId = idParam(request.params.questionId);
    const action = request.params.action;
    if (!['up', 'down', 'delete'].includes(action)) throw new NotFound();
    if (survey.openedAt !== null) return renderEdit(request, reply, { survey, values: surveyValues(survey, zone(request)), errors: {}, formError: request.t(`${M}.questions.locked`) }, 409);
    if (action === 'delete') await deleteQuestion(app.db, survey.id, questionId);
    else await moveQuestion(app.db, survey.id, questionId, action as 'up' | 'down');
    return reply.redirectTo(`/polls/surveys/${survey.id}/edit#questions`);
  });

  app.post<IdParams>('/surveys/:id/open', async (request, reply) => {
    authorize(request.user, 'app.use');
    const survey = await managedSurvey(request.user, idParam(request.params.id));
    if (survey.openedAt === null) {
      const questions = await questionsOf(app.db, survey.id);
      const problem = questions.length === 0 ? `${M}.errors.noQuestions` : survey.endsAt === null ? `${M}.errors.endRequired` : survey.endsAt <= Date.now() ? `${M}.errors.endPast` : null;
      if (problem) return renderEdit(request, reply, { survey, values: surveyValues(survey, zone(request)), errors: {}, formError: request.t(problem) }, 422);
      await openSurvey(app.db, survey.id);
      request.log.info({ surveyId: survey.id }, 'survey opened');
    }
    return reply.redirectTo(`/polls/surveys/${survey.id}/edit`);
  });

  // Deleting a survey: its owner and the admins, after a page that says what goes, with a box to tick.
  app.get<IdParams>('/surveys/:id/delete', async (request, reply) => {
    authorize(request.user, 'app.use');
    const survey = await managedSurvey(request.user, idParam(request.params.id));
    return reply.render('/plugins/polls/survey/delete', { title: request.t(`${M}.remove.title`, { title: survey.title }), survey, error: null });
  });

  app.post<IdParams>('/surveys/:id/delete', async (request, reply) => {
    authorize(request.user, 'app.use');
    const survey = await managedSurvey(request.user, idParam(request.params.id));
    const body = (request.body ?? {}) as Body;
    if (text(body.confirm) !== 'yes') {
      return reply.render(
        '/plugins/polls/survey/delete',
        { title: request.t(`${M}.remove.title`, { title: survey.title }), survey, error: request.t(`${M}.remove.required`) },
        { status: 422 },
      );
    }
    await deleteSurvey(app.db, survey.id);
    request.log.info({ surveyId: survey.id }, 'survey deleted');
    reply.flash(`${M}.flash.deleted`, { title: survey.title });
    return reply.redirectTo('/polls/surveys');
  });

  app.post<IdParams>('/surveys/:id/close', async (request, reply) => {
    authorize(request.user, 'app.use');
    const survey = await managedSurvey(request.user, idParam(request.params.id));
    if (surveyState(survey, Date.now()) === 'open') await closeSurvey(app.db, survey.id);
    return reply.redirectTo(`/polls/surveys/${survey.id}/results`);
  });

  // ---- Answering --------------------------------------------------------------------------------------

  async function renderAnswer(request: FastifyRequest, reply: FastifyReply, survey: Survey, manager: boolean, page: { values?: Record<string, unknown>; errors?: Errors }, status = 200) {
    const viewer = request.user as Viewer;
    const now = Date.now();
    const state = surveyState(survey, now);
    const audience = inAudience(survey, viewer, await unitsOf(app.db, viewer.id));
    const answered = await hasAnswered(app.db, survey.id, viewer.id);
    return reply.render(
      '/plugins/polls/survey/answer',
      {
        title: survey.title,
        survey,
        state,
        manager,
        audience,
        answered,
        questions: await questionsOf(app.db, survey.id),
        values: page.values ?? {},
        errors: page.errors ?? {},
        k: survey.minGroup ?? (await organisationMinGroup(app.db)),
        zone: zone(request),
      },
      { status, ...(request.method === 'GET' ? {} : { keepUrl: true }) },
    );
  }

  app.get<IdParams>('/surveys/:id', async (request, reply) => {
    authorize(request.user, 'app.use');
    const { survey, manager } = await visibleSurvey(request.user, idParam(request.params.id));
    return renderAnswer(request, reply, survey, manager, {});
  });

  app.post<IdParams>('/surveys/:id', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user as Viewer;
    const { survey, manager } = await visibleSurvey(viewer, idParam(request.params.id));
    // Only the audience answers (an owner outside it manages, but does not answer).
    if (!inAudience(survey, viewer, await unitsOf(app.db, viewer.id))) throw new NotFound();
    const state = surveyState(survey, Date.now());
    if (state !== 'open') return renderAnswer(request, reply, survey, manager, {}, 409);
    if (await hasAnswered(app.db, survey.id, viewer.id)) return renderAnswer(request, reply, survey, manager, {}, 409);
    const questions = await questionsOf(app.db, survey.id);
    const read = readAnswers(request, questions, (request.body ?? {}) as Body);
    if (!read.ok) return renderAnswer(request, reply, survey, manager, { values: read.values, errors: read.errors }, 422);
    const saved = await recordAnswers(app.db, survey, viewer.id, read.answers);
    if (!saved) return renderAnswer(request, reply, survey, manager, {}, 409);
    // No log line: even "someone answered survey N" next to a time would help pair people with answers.
    return reply.redirectTo(`/polls/surveys/${survey.id}`);
  });

  /** How many answered: for an anonymous survey only from k on ("too few" says nothing, not even how many). */
  async function shownParticipants(survey: Survey): Promise<number | null> {
    const count = await participantCount(app.db, survey.id);
    return survey.anonymous && count < (survey.minGroup ?? Number.POSITIVE_INFINITY) ? null : count;
  }

  // ---- Results ----------------------------------------------------------------------------------------

  /**
   * An anonymous survey's results wait until it has closed: shown while answers still arrive, each
   * refresh of the page would show how the results moved with the last answer, and whoever knows who
   * answered in between would learn that person's answers. Closed surveys are never reopened (see
   * readSurvey), so the results are computed on one final set of answers. Identified surveys: live.
   */
  const resultsPending = (survey: Survey, now = Date.now()) => survey.anonymous && surveyState(survey, now) !== 'closed';

  /**
   * The survey's one breakdown (chosen by its owner before opening), identified surveys only. The page
   * always shows it; the CSV adds it when ?slice names it. No other slicing is ever computed, whatever
   * the query says: two breakdowns of the same answers could be subtracted into a group below k.
   */
  const sliceOf = (survey: Survey): SliceBy | null => (survey.anonymous ? null : (survey.sliceBy ?? null));
  const csvSliceOf = (request: FastifyRequest, survey: Survey): SliceBy | null => {
    const chosen = sliceOf(survey);
    return chosen !== null && parseSlice(single((request.query as Body | undefined)?.slice)) === chosen ? chosen : null;
  };

  async function renderResults(request: FastifyRequest, reply: FastifyReply, survey: Survey, form: { values: Record<string, unknown>; errors: Errors }, status = 200) {
    const pending = resultsPending(survey);
    const sliceBy = sliceOf(survey);
    return reply.render(
      '/plugins/polls/survey/results',
      {
        title: request.t(`${M}.results.title`, { title: survey.title }),
        survey,
        state: surveyState(survey, Date.now()),
        pending,
        // Pending: not computed at all (not even "none" or "too few", which would change with the first answers).
        results: pending ? [] : await surveyResults(app.db, survey),
        participants: await shownParticipants(survey),
        sliceBy,
        sliced: sliceBy && !pending ? await surveySlices(app.db, survey, request.t) : [],
        sliceK: survey.minGroup ?? (await organisationMinGroup(app.db)),
        ...form,
      },
      { status, ...(request.method === 'GET' ? {} : { keepUrl: true }) },
    );
  }

  app.get<IdParams>('/surveys/:id/results', async (request, reply) => {
    authorize(request.user, 'app.use');
    const { survey, manager } = await visibleSurvey(request.user, idParam(request.params.id));
    if (!manager) {
      // The audience sees the published summary only.
      if (!survey.summaryPublished) throw new NotFound();
      return reply.render('/plugins/polls/survey/summary', { title: survey.title, survey });
    }
    return renderResults(request, reply, survey, { values: { summary: survey.summary, publish: survey.summaryPublished ? '1' : '' }, errors: {} });
  });

  app.get<IdParams>('/surveys/:id/results.csv', async (request, reply) => {
    authorize(request.user, 'app.use');
    const survey = await managedSurvey(request.user, idParam(request.params.id));
    // The same rule as the page: an anonymous survey's results exist once it has closed.
    if (resultsPending(survey)) throw new NotFound();
    const sliceBy = csvSliceOf(request, survey);
    const csv = surveyCsv(await surveyResults(app.db, survey), request.t, sliceBy ? await surveySlices(app.db, survey, request.t) : []);
    return reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="survey-${survey.id}-results${sliceBy ? `-by-${sliceBy}` : ''}.csv"`)
      .header('Cache-Control', 'no-store')
      .send(csv);
  });

  // Identified surveys only: answers with names, for the owner and the admins. Anonymous: 404 (there is no raw export).
  app.get<IdParams>('/surveys/:id/answers.csv', async (request, reply) => {
    authorize(request.user, 'app.use');
    const survey = await managedSurvey(request.user, idParam(request.params.id));
    if (survey.anonymous) throw new NotFound();
    const questions = await questionsOf(app.db, survey.id);
    const rows = await namedAnswers(app.db, survey.id);
    const people = new Map<number, { name: string; email: string; answers: Map<number, string> }>();
    for (const r of rows) {
      const p = people.get(r.userId) ?? { name: r.name, email: r.email, answers: new Map() };
      p.answers.set(r.question_id, r.value);
      people.set(r.userId, p);
    }
    const shown = (q: Question, value: string | undefined) => {
      if (value === undefined) return '';
      if (q.type === 'single') return q.options[Number(value)] ?? '';
      if (q.type === 'multiple') return (JSON.parse(value) as number[]).map((i) => q.options[i] ?? '').join('; ');
      return value;
    };
    const lines = [
      [request.t(`${M}.results.name`), request.t(`${M}.results.email`), ...questions.map((q) => q.text)],
      ...[...people.values()].map((p) => [p.name, p.email, ...questions.map((q) => shown(q, p.answers.get(q.id)))]),
    ];
    return reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="survey-${survey.id}-answers.csv"`)
      .header('Cache-Control', 'no-store')
      .send(`\uFEFF${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`);
  });

  app.post<IdParams>('/surveys/:id/summary', async (request, reply) => {
    authorize(request.user, 'app.use');
    const survey = await managedSurvey(request.user, idParam(request.params.id));
    const body = (request.body ?? {}) as Body;
    const summary = typeof body.summary === 'string' ? body.summary.replace(/\r\n/g, '\n').trim() : '';
    const publish = text(body.publish) === '1' && summary !== '';
    if (summary.length > SUMMARY_MAX) {
      return renderResults(request, reply, survey, { values: { summary, publish: text(body.publish) }, errors: { summary: request.t(`${M}.errors.summary`, { max: SUMMARY_MAX }) } }, 422);
    }
    const rendered = await renderMarkdown(app.db, summary, 'article');
    await saveSummary(app.db, survey.id, summary, rendered.html, publish);
    return reply.redirectTo(`/polls/surveys/${survey.id}/results`);
  });
}
