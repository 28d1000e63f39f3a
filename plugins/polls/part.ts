// What each part of the polls plugin (polls, surveys) gives the plugin's definition (index.ts merges them).
import type { Migration } from 'kysely';
import type { ContentKind } from '../../src/content/kinds.js';
import type { Hooks, PluginJob, PluginRoutes, Slots } from '../../src/plugins/contract.js';

export interface PollsPart {
  /** Keys sort the parts apart: '001-polls-…' for polls, '101-surveys-…' for surveys. */
  migrations: Record<string, Migration>;
  /** Its tables, each named polls_… (exported before a purge, then dropped). */
  tables: string[];
  /** Its pages, under /polls (the surveys part under /polls/surveys). */
  routes: PluginRoutes;
  contentKinds?: ContentKind[];
  slots?: Slots;
  hooks?: Hooks;
  jobs?: PluginJob[];
  /** Its translations, under its own key: t('plugins.polls.<key>.…'). */
  messages: { fr: Record<string, unknown>; en: Record<string, unknown> };
}
