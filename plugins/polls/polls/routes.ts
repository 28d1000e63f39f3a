// The polls part's pages, mounted under /polls (404 while the plugin is disabled): creating a poll,
// its page and its panel (the vote form or the results, drawn for the viewer), voting, closing and
// reopening, editing (mode only more private), the outcome. Each handler parses, asks the policy,
// calls the service, renders. Answers travel in POST bodies only: the request logger logs URLs.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderMarkdown } from '../../../src/content/markdown.js';
import { visibleContentSubject } from '../../../src/content/subjects.js';
import type { FieldErrors } from '../../../src/http/form.js';
import { Forbidden, NotFound } from '../../../src/http/errors.js';
import { optionalId } from '../../../src/http/params.js';
import { refundIfThrows } from '../../../src/http/rate-limits.js';
import { isPartialRequest } from '../../../src/http/render.js';
import { formatDateTime } from '../../../src/http/view-helpers.js';
import { toZonedDateTimeInput } from '../../../src/features/news/zoned-time.js';
import { findCompanySpace, findSpace, type SpaceRow } from '../../../src/features/spaces/queries.js';
import type { PluginContext } from '../../../src/plugins/contract.js';
import { authorize, can, type ContentSubject, type SpaceSubject, type Viewer } from '../../../src/policy/index.js';
import { isAdmin, isEditor } from '../../../src/policy/viewer.js';
import { readClosesAt, readPollForm, readValues } from './form.js';
import { DEFAULT_MIN_GROUP } from '../../../src/privacy/index.js';
import { DATE_ANSWERS, DESCRIPTION_MAX, KIND, loadPoll, MODES, OUTCOME_MAX, QUESTION_MAX, type DateAnswer, type Mode, type Poll } from './kind.js';
import {
  addPoll,
  castVote,
  closePoll,
  hasVoted,
  isClosed,
  mayChangeMode,
  maySeeResults,
  ownBallot,
  pollResults,
  reopenPoll,
  saveOutcome,
  shuffledFor,
  updatePoll,
  type Ballot,
} from './service.js';

type IdParams = { Params: { id: string } };

/** Who may create polls in a space, by the plugin's setting `pollCreators`. */
export function mayCreatePoll(viewer: Viewer, space: SpaceSubject, setting: unknown): boolean {
  if (!can(viewer, 'space.post', space)) return false;
  return setting === 'editors' ? isEditor(viewer) : true;
}

export default async function pollRoutes(app: FastifyInstance, plugin: PluginContext): Promise<void> {
  const timeZone = (request: FastifyRequest) => request.organisation?.time_zone ?? 'UTC';

  /** The space a new poll goes to: the one named, or without one the company-wide space (the feed); 404 unless the viewer may see it and the plugin is on there. */
  async function pollSpace(viewer: Viewer, spaceId: number | null): Promise<SpaceRow> {
    const space = spaceId === null ? await findCompanySpace(app.db) : await findSpace(app.db, spaceId);
    if (!space || !can(viewer, 'space.view', space)) throw new NotFound();
    plugin.requireSpace(space.id);
    return space;
  }

  /** The poll the URL names, when the viewer may see it (content.view, the plugin on in its space): 404 otherwise. */
  async function visiblePoll(request: FastifyRequest<IdParams>): Promise<{ viewer: Viewer; subject: ContentSubject; poll: Poll }> {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const subject = await visibleContentSubject(app, viewer, request.params.id, KIND);
    plugin.requireSpace(subject.space.id);
    const poll = await loadPoll(app.db, subject.id);
    if (!poll) throw new NotFound();
    return { viewer, subject, poll };
  }

  /** The author, or an admin, may close and reopen (the outcome is the author's alone). */
  const manages = (viewer: Viewer, subject: ContentSubject) => subject.authorId === viewer.id || isAdmin(viewer);

  /** Everything views/poll/panel.eta draws for this viewer: the vote form or the results, through the privacy core. */
  async function panel(
    request: FastifyRequest,
    viewer: Viewer,
    subject: ContentSubject,
    poll: Poll,
    extra: { errors?: FieldErrors; notice?: string; values?: Record<string, string>; typed?: ReturnType<typeof typedBallot> } = {},
  ) {
    const now = Date.now();
    const closed = isClosed(poll, now);
    const [voted, ballot] = await Promise.all([hasVoted(app.db, poll, viewer.id), ownBallot(app.db, poll, viewer.id)]);
    const mayVote = !closed && can(viewer, 'content.react', subject) && !(poll.mode === 'anonymous' && voted);
    const showResults = maySeeResults(poll, viewer, subject.authorId, voted, now);
    const results = showResults ? await pollResults(app.db, poll) : null;
    const options = poll.shuffle ? shuffledFor(poll.options, viewer.id, poll.id) : poll.options;
    const isAuthor = subject.authorId === viewer.id;
    return {
      poll,
      options,
      closed,
      voted,
      // A refused vote keeps what was typed (never in a URL: it is only drawn back into the form).
      ballot: extra.typed ?? ballotView(ballot),
      // Their own vote written out, for when there is no form to show it checked (their own data).
      ownAnswer: ballot && ownAnswerText(request, poll, ballot),
      mayVote,
      showResults,
      results: results && { ...results, names: results.names ? Object.fromEntries(results.names) : null },
      labels: Object.fromEntries(poll.options.map((o) => [String(o.id), o.label])),
      manages: manages(viewer, subject),
      isAuthor,
      // After closing, the author is invited to say what came of it ("you said / we did").
      inviteOutcome: closed && isAuthor && poll.outcomeHtml === null,
      closesAt: poll.closesAt === null ? null : formatDateTime(request.locale, poll.closesAt, request.organisation?.time_zone),
      errors: extra.errors ?? {},
      notice: extra.notice ?? null,
      values: extra.values ?? {},
      outcomeMax: OUTCOME_MAX,
    };
  }

  /** The viewer's own vote as the form shows it (checked options, value, answers per date). */
  function ballotView(ballot: Ballot | null) {
    if (!ballot) return null;
    if (ballot.kind === 'options') return { options: ballot.optionIds.map(String) };
    if (ballot.kind === 'value') return { value: String(ballot.value) };
    return { dates: Object.fromEntries([...ballot.answers].map(([id, answer]) => [String(id), answer])) };
  }

  /** The viewer's own vote in words: the options chosen, the value, or each date with its answer. */
  function ownAnswerText(request: FastifyRequest, poll: Poll, ballot: Ballot): string {
    const label = (id: number) => poll.options.find((o) => o.id === id)?.label ?? '';
    if (ballot.kind === 'options') return ballot.optionIds.map(label).join(', ');
    if (ballot.kind === 'value') return String(ballot.value);
    return [...ballot.answers].map(([id, answer]) => `${label(id)} (${request.t(`plugins.polls.poll.panel.dateAnswers.${answer}`)})`).join(', ');
  }

  /** What the refused vote's form said, drawn back as typed (only values the poll offers). */
  function typedBallot(poll: Poll, body: Record<string, unknown>) {
    const ids = new Set(poll.options.map((o) => String(o.id)));
    const list = (v: unknown) => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
    const dates: Record<string, string> = {};
    for (const option of poll.options) {
      const raw = body[`date-${option.id}`];
      if (typeof raw === 'string' && (DATE_ANSWERS as readonly string[]).includes(raw)) dates[String(option.id)] = raw;
    }
    const value = typeof body.value === 'string' && /^\d{1,2}$/.test(body.value) ? body.value : undefined;
    return { options: list(body.option).filter((id) => ids.has(id)), ...(value === undefined ? {} : { value }), dates };
  }

  // ---- Creating -------------------------------------------------------------------------------------

  function renderForm(request: FastifyRequest, reply: FastifyReply, page: { space: SpaceRow; values: Record<string, string>; errors: FieldErrors; formError?: string }, status = 200) {
    return reply.render(
      '/plugins/polls/poll/form',
      { title: request.t('plugins.polls.poll.form.title', { space: page.space.name }), ...page },
      { status, ...(request.method === 'GET' ? {} : { keepUrl: true }) },
    );
  }

  app.get('/new', async (request, reply) => {
    authorize(request.user, 'app.use');
    const space = await pollSpace(request.user, optionalId((request.query as Record<string, unknown>).space));
    if (!mayCreatePoll(request.user, space, plugin.settings().pollCreators)) throw new Forbidden('plugins.polls.poll.errors.mayNotCreate');
    return renderForm(request, reply, { space, values: { type: 'single', mode: 'public', results: 'always', scale: '5', purpose: '' }, errors: {} });
  });

  app.post('/new', async (request, reply) => {
    authorize(request.user, 'app.use');
    const viewer = request.user;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const space = await pollSpace(viewer, optionalId(body.space));
    // Polls count with posts and comments against the person's writing limit (refunded when refused).
    const writing = await app.limiters.contentWritesPerUser.reserve(request, String(viewer.id));
    const now = Date.now();
    const read = readPollForm(body, request.t, now, timeZone(request));
    const refused = !mayCreatePoll(viewer, space, plugin.settings().pollCreators);
    if (refused || !read.ok) {
      await writing.refund();
      return renderForm(
        request,
        reply,
        { space, values: read.values, errors: read.ok ? {} : read.errors, ...(refused ? { formError: request.t('plugins.polls.poll.errors.mayNotCreate') } : {}) },
        refused ? 403 : 422,
      );
    }
    const id = await refundIfThrows(writing, addPoll(app.db, { ...read.input, spaceId: space.id, authorId: viewer.id }, now));
    request.log.info({ contentId: id }, 'poll created');
    await app.plugins.emit('content.created', { contentId: id, kind: KIND, spaceId: space.id, authorId: viewer.id });
    reply.flash('plugins.polls.poll.flash.created');
    return reply.redirectTo(`/polls/${id}`);
  });

  // ---- The poll -------------------------------------------------------------------------------------

  // The poll's own page: its question, purpose, mode, the panel for this viewer, the outcome; its
  // comments and reactions are on its content page (/content/:id), linked.
  app.get<IdParams>('/:id', async (request, reply) => {
    const { viewer, subject, poll } = await visiblePoll(request);
    const data = await panel(request, viewer, subject, poll);
    return reply.render('/plugins/polls/poll/show', { title: poll.question, ...data }, { fragment: '/plugins/polls/poll/panel' });
  });

  // The panel alone (cards and the content page load it with htmx).
  app.get<IdParams>('/:id/panel', async (request, reply) => {
    const { viewer, subject, poll } = await visiblePoll(request);
    return reply.render('/plugins/polls/poll/panel', await panel(request, viewer, subject, poll), { fragment: '/plugins/polls/poll/panel' });
  });

  // ---- Voting ---------------------------------------------------------------------------------------

  /** The ballot in the body, checked against the poll: the ballot, or the message key of the problem. */
  function readBallot(poll: Poll, body: Record<string, unknown>): Ballot | string {
    const ids = new Set(poll.options.map((o) => o.id));
    if (poll.type === 'rating') {
      const raw = body.value;
      if (typeof raw !== 'string' || raw === '') return 'voteValueRequired';
      if (!/^\d{1,2}$/.test(raw) || Number(raw) < poll.scaleMin || Number(raw) > poll.scaleMax) return 'voteValueOutOfRange';
      return { kind: 'value', value: Number(raw) };
    }
    if (poll.type === 'dates') {
      const answers = new Map<number, DateAnswer>();
      for (const option of poll.options) {
        const raw = body[`date-${option.id}`];
        if (raw === undefined || raw === '') continue;
        if (typeof raw !== 'string' || !(DATE_ANSWERS as readonly string[]).includes(raw)) return 'voteInvalid';
        answers.set(option.id, raw as DateAnswer);
      }
      if (answers.size === 0) return 'voteDatesRequired';
      return { kind: 'dates', answers };
    }
    const raw = body.option;
    const list = (Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : [raw]).map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN));
    if (list.some((id) => !ids.has(id))) return 'voteInvalid';
    const chosen = [...new Set(list)];
    if (chosen.length !== list.length) return 'voteInvalid';
    if (poll.type === 'single') return chosen.length === 1 ? { kind: 'options', optionIds: chosen } : chosen.length === 0 ? 'voteChoiceRequired' : 'voteOneOnly';
    if (chosen.length === 0) return 'voteChoiceRequired';
    if (chosen.length < poll.minChoices) return 'voteTooFew';
    if (chosen.length > poll.maxChoices) return 'voteTooMany';
    return { kind: 'options', optionIds: chosen };
  }

  async function answerVote(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    viewer: Viewer,
    subject: ContentSubject,
    poll: Poll,
    status: number,
    extra: { errors?: FieldErrors; notice?: string; typed?: ReturnType<typeof typedBallot> },
  ) {
    const data = await panel(request, viewer, subject, poll, { ...extra, ...(extra.notice ? { notice: request.t(extra.notice) } : {}) });
    if (isPartialRequest(request)) return reply.render('/plugins/polls/poll/panel', data, { status, fragment: '/plugins/polls/poll/panel' });
    if (status === 200) {
      if (extra.notice) reply.flash(extra.notice);
      return reply.redirectTo(`/polls/${poll.id}`);
    }
    return reply.render('/plugins/polls/poll/show', { title: poll.question, ...data, notice: extra.notice ? request.t(extra.notice) : null }, { status, keepUrl: true });
  }

  app.post<IdParams>('/:id/vote', async (request, reply) => {
    const { viewer, subject, poll } = await visiblePoll(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const refuse = (status: number, key: string) =>
      answerVote(request, reply, viewer, subject, poll, status, {
        errors: { vote: request.t(`plugins.polls.poll.errors.${key}`, { min: poll.minChoices, max: poll.maxChoices }) },
        ...(status === 422 ? { typed: typedBallot(poll, body) } : {}),
      });
    if (!can(viewer, 'content.react', subject)) return refuse(403, 'mayNotVote');
    if (isClosed(poll, Date.now())) return refuse(409, 'closed');
    // Made more private, or closed, since the page was loaded or while the vote was written: nothing is
    // recorded. The poll as it is now, with what they ticked, and what its mode now means for them.
    // `current`: the poll as this request already read it; after a refused write, read again.
    const changed = async (current?: Poll) => {
      const now = current ?? (await loadPoll(app.db, poll.id));
      if (!now) throw new NotFound();
      const vote = `${request.t('plugins.polls.poll.errors.pollChanged')} ${request.t(`plugins.polls.poll.panel.modes.${now.mode}`, { k: now.minGroup ?? DEFAULT_MIN_GROUP })}`;
      return answerVote(request, reply, viewer, subject, now, 409, { errors: { vote }, typed: typedBallot(now, body) });
    };
    // The mode the voter saw (the form carries it): a vote given for a changeable vote is not kept as an unchangeable one.
    if (typeof body.seenMode === 'string' && body.seenMode !== poll.mode) return changed(poll);
    const ballot = readBallot(poll, body);
    if (typeof ballot === 'string') return refuse(422, ballot);
    const outcome = await castVote(app.db, poll, viewer.id, ballot);
    if (outcome === 'alreadyVoted') return refuse(409, 'alreadyVoted');
    if (outcome === 'pollChanged') return changed();
    // Never the answer: only that a vote happened, on which poll.
    request.log.info({ contentId: poll.id }, 'poll vote');
    return answerVote(request, reply, viewer, subject, poll, 200, { notice: outcome === 'changed' ? 'plugins.polls.poll.flash.changed' : 'plugins.polls.poll.flash.voted' });
  });

  // ---- Closing, reopening, outcome ------------------------------------------------------------------

  app.post<IdParams>('/:id/close', async (request, reply) => {
    const { viewer, subject, poll } = await visiblePoll(request);
    if (!manages(viewer, subject)) throw new Forbidden();
    await closePoll(app.db, poll.id);
    reply.flash('plugins.polls.poll.flash.closed');
    return reply.redirectTo(`/polls/${poll.id}`);
  });

  app.post<IdParams>('/:id/reopen', async (request, reply) => {
    const { viewer, subject, poll } = await visiblePoll(request);
    if (!manages(viewer, subject)) throw new Forbidden();
    await reopenPoll(app.db, poll.id);
    reply.flash('plugins.polls.poll.flash.reopened');
    return reply.redirectTo(`/polls/${poll.id}`);
  });

  // The outcome ("you said / we did") speaks for the author: only the author posts it, not an admin.
  app.post<IdParams>('/:id/outcome', async (request, reply) => {
    const { viewer, subject, poll } = await visiblePoll(request);
    if (subject.authorId !== viewer.id) throw new Forbidden();
    const { values } = readValues(request.body, ['outcome']);
    const text = values.outcome ?? '';
    const problem = !isClosed(poll, Date.now()) ? 'outcomeNotClosed' : text === '' ? 'outcomeRequired' : text.length > OUTCOME_MAX ? 'outcomeTooLong' : null;
    if (problem) {
      const data = await panel(request, viewer, subject, poll, { errors: { outcome: request.t(`plugins.polls.poll.errors.${problem}`, { max: OUTCOME_MAX }) }, values });
      return reply.render('/plugins/polls/poll/show', { title: poll.question, ...data }, { status: 422, keepUrl: true });
    }
    const { html } = await renderMarkdown(app.db, text, 'short');
    await saveOutcome(app.db, poll.id, text, html);
    reply.flash('plugins.polls.poll.flash.outcome');
    return reply.redirectTo(`/polls/${poll.id}`);
  });

  // ---- Editing: question, description, closing date, mode (only more private) ---------------------

  async function pollToEdit(request: FastifyRequest<IdParams>) {
    const found = await visiblePoll(request);
    authorize(found.viewer, 'content.edit', found.subject);
    return found;
  }

  function renderEdit(request: FastifyRequest, reply: FastifyReply, poll: Poll, values: Record<string, string>, errors: FieldErrors, status = 200) {
    const modes = MODES.filter((m) => mayChangeMode(poll.mode, m));
    return reply.render('/plugins/polls/poll/edit', { title: request.t('plugins.polls.poll.edit.title'), poll, modes, values, errors }, { status, ...(request.method === 'GET' ? {} : { keepUrl: true }) });
  }

  app.get<IdParams>('/:id/edit', async (request, reply) => {
    const { poll } = await pollToEdit(request);
    const values = {
      question: poll.question,
      description: poll.description,
      mode: poll.mode,
      closesAt: poll.closesAt === null ? '' : toZonedDateTimeInput(poll.closesAt, timeZone(request)),
    };
    return renderEdit(request, reply, poll, values, {});
  });

  app.post<IdParams>('/:id/edit', async (request, reply) => {
    const { viewer, subject, poll } = await pollToEdit(request);
    const { values } = readValues(request.body, ['question', 'description', 'mode', 'closesAt']);
    const errors: FieldErrors = {};
    const e = (field: string, key: string, params?: Record<string, string | number>) => {
      errors[field] ??= request.t(`plugins.polls.poll.errors.${key}`, params);
    };
    const question = values.question ?? '';
    if (question === '') e('question', 'questionRequired');
    else if (question.length > QUESTION_MAX) e('question', 'questionTooLong', { max: QUESTION_MAX });
    const description = values.description ?? '';
    if (description.length > DESCRIPTION_MAX) e('description', 'descriptionTooLong', { max: DESCRIPTION_MAX });
    const mode = values.mode as Mode | undefined;
    if (mode === undefined || !(MODES as readonly string[]).includes(mode)) e('mode', 'modeRequired');
    else if (!mayChangeMode(poll.mode, mode)) e('mode', 'modeLessPrivate');
    // An unchanged closing date may be in the past (the poll closed): only a new one must be in the future.
    const before = poll.closesAt === null ? '' : toZonedDateTimeInput(poll.closesAt, timeZone(request));
    const closesAt = values.closesAt === before ? poll.closesAt : readClosesAt(values.closesAt, Date.now(), timeZone(request), e);
    if (Object.keys(errors).length > 0 || mode === undefined) return renderEdit(request, reply, poll, values, errors, 422);
    await updatePoll(app.db, poll, { question, description, closesAt, mode });
    if (mode !== poll.mode) request.log.info({ contentId: poll.id, from: poll.mode, to: mode }, 'poll mode changed');
    await app.plugins.emit('content.updated', { contentId: poll.id, kind: KIND, spaceId: subject.space.id, editorId: viewer.id });
    reply.flash('plugins.polls.poll.flash.saved');
    return reply.redirectTo(`/polls/${poll.id}`);
  });
}
