// "Polls and surveys": ask a question in the feed or a space and see honest results; run a
// multi-question survey whose anonymous answers can never be traced back to a person. Results about
// people are read only through the privacy core (src/privacy). Two parts, merged here: polls/ (a
// content kind) and surveys/ (pages of their own).
import { definePlugin, type Hooks, type Slots } from '../../src/plugins/contract.js';
import { notificationMessages, notificationTypes } from './notifications.js';
import type { PollsPart } from './part.js';
import { part as polls } from './polls/index.js';
import { part as surveys } from './surveys/index.js';

/** The parts by name: a person's export holds each part's data under its name. */
const named: Record<string, PollsPart> = { polls, surveys };
const parts: PollsPart[] = Object.values(named);

/** Slots of both parts, one list per slot. */
function mergeSlots(): Slots {
  const slots: Slots = {};
  for (const { slots: own } of parts) {
    for (const [name, entries] of Object.entries(own ?? {}) as Array<[keyof Slots, unknown[]]>) {
      (slots[name] as unknown[] | undefined) = [...((slots[name] as unknown[] | undefined) ?? []), ...entries];
    }
  }
  return slots;
}

/** Hooks of both parts: each event calls the parts' listeners in turn; an export gathers each part's data by name. */
function mergeHooks(): Hooks {
  type Listener = (...args: never[]) => unknown;
  const merged: Record<string, Listener> = {};
  const names = new Set(parts.flatMap((p) => Object.keys(p.hooks ?? {})));
  for (const name of names) {
    const listeners = Object.entries(named).flatMap(([part, p]) => {
      const listener = (p.hooks as Record<string, Listener | undefined> | undefined)?.[name];
      return listener ? [{ part, listener }] : [];
    });
    merged[name] =
      name === 'user.export'
        ? async (...args: never[]) => {
            const result: Record<string, unknown> = {};
            for (const { part, listener } of listeners) {
              const value = await listener(...args);
              if (value !== null && value !== undefined) result[part] = value;
            }
            return Object.keys(result).length > 0 ? result : null;
          }
        : async (...args: never[]) => {
            for (const { listener } of listeners) await listener(...args);
          };
  }
  return merged as Hooks;
}

export default definePlugin({
  id: 'polls',
  name: { fr: 'Sondages et enquêtes', en: 'Polls and surveys' },
  description: {
    fr: 'Poser une question dans le fil ou un espace et voir des résultats honnêtes ; mener une enquête de plusieurs questions dont les réponses anonymes ne peuvent jamais être reliées à une personne.',
    en: 'Ask a question in the feed or a space and see honest results; run a multi-question survey whose anonymous answers can never be traced back to a person.',
  },
  stage: 1,
  version: '1.0.0',
  hameau: '^0.1.0',
  recommended: true,
  perSpace: true,
  staffSees: {
    fr: 'Un bouton « Nouveau sondage » à côté de « Publier », les sondages dans le fil, et les enquêtes auxquelles répondre.',
    en: 'A "New poll" button beside "Publish", polls in the feed, and surveys to answer.',
  },
  migrations: Object.assign({}, ...parts.map((p) => p.migrations)),
  tables: parts.flatMap((p) => p.tables),
  // Never in the admins' download of the plugin's data: comparing two downloads would tell who voted
  // or answered what (anonymous counters and answers, who has answered, confidential votes). Public
  // polls' votes go too (one table holds them all); the shown counts and results stay.
  privateTables: [
    'polls_votes',
    'polls_participation',
    'polls_anonymous_counts',
    'polls_pending_voters',
    'polls_survey_answers',
    'polls_survey_participation',
  ],
  routes: async (app, plugin) => {
    for (const p of parts) await p.routes(app, plugin);
  },
  contentKinds: parts.flatMap((p) => p.contentKinds ?? []),
  slots: mergeSlots(),
  hooks: mergeHooks(),
  jobs: parts.flatMap((p) => p.jobs ?? []),
  notifications: notificationTypes,
  stylesheets: ['polls.css', 'surveys.css'],
  settings: {
    pollCreators: {
      type: 'choice',
      default: 'members',
      label: { fr: 'Qui crée des sondages', en: 'Who creates polls' },
      options: [
        { value: 'members', label: { fr: 'Les membres des espaces', en: 'Members of the spaces' } },
        { value: 'editors', label: { fr: 'Les éditeurs et les administrateurs', en: 'Editors and administrators' } },
      ],
    },
    surveyCreators: {
      type: 'choice',
      default: 'editors',
      label: { fr: 'Qui crée des enquêtes', en: 'Who creates surveys' },
      hint: {
        fr: 'Les responsables d’un espace peuvent toujours en créer pour leur espace si vous le choisissez.',
        en: 'Space admins may always create them for their own space if you choose so.',
      },
      options: [
        { value: 'editors', label: { fr: 'Les éditeurs et les administrateurs', en: 'Editors and administrators' } },
        { value: 'admins', label: { fr: 'Les administrateurs seulement', en: 'Administrators only' } },
        { value: 'spaceAdmins', label: { fr: 'Les éditeurs, les administrateurs et les responsables d’espace (dans leur espace)', en: 'Editors, administrators and space admins (in their space)' } },
      ],
    },
  },
  messages: {
    fr: { name: 'Sondages et enquêtes', ...Object.assign({}, ...parts.map((p) => p.messages.fr)), ...notificationMessages.fr },
    en: { name: 'Polls and surveys', ...Object.assign({}, ...parts.map((p) => p.messages.en)), ...notificationMessages.en },
  },
});
