// A test app with the repository's plugins folder (polls read from plugins/polls/, as in production),
// the polls plugin enabled, and a small organisation for surveys: an admin, an editor, members in
// departments and sites, a space.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../../../test/helpers/app.js';
import { createSpace } from '../../../test/helpers/content.js';
import { appWithRepositoryPlugins, enablePlugin } from '../../../test/helpers/plugins.js';
import { person, type Person } from '../../../test/helpers/spaces.js';
import { PUBLIC_URL } from '../../../test/helpers/email.js';
import { startSmtp, type TestSmtp } from '../../../test/helpers/smtp.js';

export interface SurveysWorld {
  t: TestApp;
  app: FastifyInstance;
  admin: Person;
  /** Editor (may create surveys by default); department Sales, site Lyon. */
  eve: Person;
  /** Members. bruno: Sales, Lyon, member of Team. carla: Sales, Paris. dan: Tech, Paris, admin of Team. */
  bruno: Person;
  carla: Person;
  dan: Person;
  /** French-speaking member, no department. */
  fanny: Person;
  team: number;
  sales: number;
  tech: number;
  lyon: number;
  paris: number;
  get(url: string, who?: Person | null): Promise<LightMyRequestResponse>;
  post(url: string, payload: Record<string, string | string[]>, who?: Person | null): Promise<LightMyRequestResponse>;
  /** Creates a draft through the form (defaults: everyone, anonymous, ends in 7 days); returns its id. */
  createSurvey(who: Person, fields?: Record<string, string | string[]>): Promise<number>;
  /** Adds a question through the form. */
  addQuestion(who: Person, surveyId: number, fields: Record<string, string>): Promise<void>;
  /** Opens it through the form. */
  open(who: Person, surveyId: number): Promise<void>;
  questionIds(surveyId: number): Promise<number[]>;
  /** Makes n more members (everyone audience) and returns them. */
  people(n: number, prefix: string): Promise<Person[]>;
}

/** A datetime-local value `days` from now (UTC clock; the organisation is in Europe/Paris). */
export function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 16);
}

/** `env`: more configuration (SMTP_URL and PUBLIC_URL for the reminders' emails). */
export async function surveysWorld(env: Record<string, string> = {}): Promise<SurveysWorld> {
  const { t, app, admin } = await appWithRepositoryPlugins(env);
  const eve = await person(app, 'eve@example.com', { name: 'Eve Editor', role: 'editor' });
  const bruno = await person(app, 'bruno@example.com', { name: 'Bruno Petit' });
  const carla = await person(app, 'carla@example.com', { name: 'Carla Sales' });
  const dan = await person(app, 'dan@example.com', { name: 'Dan Tech' });
  const fanny = await person(app, 'fanny@example.com', { name: 'Fanny Durand', locale: 'fr' });
  const unit = async (table: 'departments' | 'sites', name: string) =>
    (await app.db.insertInto(table).values({ name, sort_name: name.toLowerCase() }).returning('id').executeTakeFirstOrThrow()).id;
  const sales = await unit('departments', 'Sales');
  const tech = await unit('departments', 'Tech');
  const lyon = await unit('sites', 'Lyon');
  const paris = await unit('sites', 'Paris');
  const place = (id: number, department_id: number | null, site_id: number | null) => app.db.updateTable('users').set({ department_id, site_id }).where('id', '=', id).execute();
  await place(eve.id, sales, lyon);
  await place(bruno.id, sales, lyon);
  await place(carla.id, sales, paris);
  await place(dan.id, tech, paris);
  const team = await createSpace(app, { name: 'Team', members: [[bruno.id, 'member'], [dan.id, 'admin']] });
  await enablePlugin(app, 'polls', admin.id);
  const world: SurveysWorld = {
    t,
    app,
    admin,
    eve,
    bruno,
    carla,
    dan,
    fanny,
    team,
    sales,
    tech,
    lyon,
    paris,
    get: (url, who = bruno) => app.inject({ method: 'GET', url, headers: who ? { cookie: who.cookie } : {} }),
    post: (url, payload, who = bruno) => app.inject({ method: 'POST', url, payload: new URLSearchParams(Object.entries(payload).flatMap(([k, v]): Array<[string, string]> => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]]))).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...(who ? { cookie: who.cookie } : {}) } }),
    async createSurvey(who, fields = {}) {
      const response = await world.post('/polls/surveys/new', { title: 'Team survey', intro: '', audience: 'everyone', mode: 'anonymous', endsAt: inDays(7), ...fields }, who);
      if (response.statusCode !== 303) throw new Error(`creating a survey failed: ${response.statusCode} ${response.body.slice(0, 800)}`);
      return Number(/\/polls\/surveys\/(\d+)\/edit/.exec(String(response.headers.location))![1]);
    },
    async addQuestion(who, surveyId, fields) {
      const response = await world.post(`/polls/surveys/${surveyId}/questions`, fields, who);
      if (response.statusCode !== 303) throw new Error(`adding a question failed: ${response.statusCode} ${response.body.slice(0, 800)}`);
    },
    async open(who, surveyId) {
      const response = await world.post(`/polls/surveys/${surveyId}/open`, {}, who);
      if (response.statusCode !== 303) throw new Error(`opening failed: ${response.statusCode} ${response.body.slice(0, 800)}`);
    },
    async questionIds(surveyId) {
      const rows = await app.db.withTables<{ polls_survey_questions: { id: number; survey_id: number; position: number } }>().selectFrom('polls_survey_questions').select('id').where('survey_id', '=', surveyId).orderBy('position').execute();
      return rows.map((r) => r.id);
    },
    async people(n, prefix) {
      const list: Person[] = [];
      for (let i = 0; i < n; i++) list.push(await person(app, `${prefix}${i}@example.com`, { name: `${prefix} Person${i}` }));
      return list;
    },
  };
  return world;
}

/** A surveys world whose emails go to a real SMTP server in process (reminders by email). */
export async function surveysWorldWithMail(): Promise<{ w: SurveysWorld; smtp: TestSmtp; close(): Promise<void> }> {
  const smtp = await startSmtp();
  const w = await surveysWorld({ SMTP_URL: smtp.url, PUBLIC_URL });
  return {
    w,
    smtp,
    async close() {
      await w.t.close();
      await smtp.close();
    },
  };
}
