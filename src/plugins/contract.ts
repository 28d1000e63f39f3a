// The plugin contract: what a plugin (plugins/<id>/index.ts, or a compiled one in DATA_DIR/plugins)
// declares with definePlugin, and what Hameau gives it. Core features fill the same slots and listen
// to the same hooks (src/plugins/core-slots.ts), so the contract is exercised on every page.
// docs/plugins.md describes every field, slot and hook with an example.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely, Migration, Transaction } from 'kysely';
import type { ContentKind } from '../content/kinds.js';
import type { Database, Locale } from '../db/schema.js';
import type { Translate } from '../i18n/index.js';
import type { JobHandler } from '../jobs/queue.js';
import type { SpaceSubject } from '../policy/subjects.js';
import type { Viewer } from '../policy/viewer.js';
import type { SearchSource } from '../search/sources.js';
import type { Forbidden, NotFound } from '../http/errors.js';
import type { authorize, can } from '../policy/index.js';

/** A text in each language Hameau speaks. */
export type Localized = Record<Locale, string>;

export type Stage = 1 | 2 | 3;

// ------------------------------------------------------------------------------------------ slots

/** What a slot's `visible` is told about its plugin: its settings (empty for the core's entries). */
export interface SlotPlugin {
  settings: SettingValues;
}

/** Where a slot entry is shown, and who sees it: every slot entry is filtered by `visible` per viewer. */
interface SlotEntry {
  /** Shown only when this returns true (default: to every signed-in person). */
  visible?: (viewer: Viewer, plugin: SlotPlugin) => boolean;
}

/** An entry of the main navigation, after the core's (home, my spaces, people). */
export interface NavigationEntry extends SlotEntry {
  label: (t: Translate) => string;
  href: string;
  /** Marked as the current page when the path starts with this (default: `href`). */
  activePrefix?: string;
}

/** A tab of a space's page (after "Feed" and "Members"). */
export interface SpaceTab {
  label: (t: Translate) => string;
  href: (space: SpaceSubject) => string;
  visible?: (viewer: Viewer, space: SpaceSubject, plugin: SlotPlugin) => boolean;
}

/** An action beside "New post" in a composer: in a space, or on the home page (space null). */
export interface ComposerAction {
  label: (t: Translate) => string;
  href: (space: SpaceSubject | null) => string;
  visible?: (viewer: Viewer, space: SpaceSubject | null, plugin: SlotPlugin) => boolean;
}

/** What a section or widget's `load` receives. */
export interface SlotContext {
  db: Kysely<Database>;
  viewer: Viewer;
  t: Translate;
  locale: Locale;
  now: number;
}

/** A section of a person's profile page, rendered from a template with what `load` returned. */
export interface ProfileSection {
  title: (t: Translate) => string;
  /** A template path: "/plugins/<id>/<name>" for a plugin's own views (plugins/<id>/views/<name>.eta). */
  template: string;
  /** The section's data; null hides the section for this viewer and person. */
  load: (context: SlotContext & { personId: number }) => Promise<Record<string, unknown> | null>;
}

/** A widget of the administration's dashboard (/admin). */
export interface AdminWidget {
  title: (t: Translate) => string;
  template: string;
  load: (context: SlotContext) => Promise<Record<string, unknown> | null>;
}

export interface Slots {
  navigation?: NavigationEntry[];
  spaceTabs?: SpaceTab[];
  profileSections?: ProfileSection[];
  composerActions?: ComposerAction[];
  adminWidgets?: AdminWidget[];
}

export type SlotName = keyof Slots;

// ------------------------------------------------------------------------------------------ hooks

/** Events: told after the change is committed. A listener that throws is logged; the others still run. */
export interface HookEvents {
  'content.created': { contentId: number; kind: string; spaceId: number; authorId: number };
  'content.updated': { contentId: number; kind: string; spaceId: number; editorId: number };
  /** Soft deletion (by the author or a moderator); the item can still be restored for 30 days. */
  'content.deleted': { contentId: number; kind: string; spaceId: number; actorId: number };
  'comment.created': { commentId: number; contentId: number; authorId: number; parentId: number | null };
  /** A person's account became active: setup, an accepted invitation. */
  'user.joined': { userId: number };
  'user.deactivated': { userId: number; actorId: number };
}

export type HookName = keyof HookEvents;

export type HookListener<Name extends HookName> = (payload: HookEvents[Name], context: { db: Kysely<Database>; now: number }) => Promise<void> | void;

/**
 * A person's data export (GDPR): a plugin returns its part, plain JSON, or null when it holds nothing
 * about the person. Only what is about the person and theirs: never other people's personal data.
 */
export type UserExportHook = (context: { db: Kysely<Database>; userId: number }) => Promise<unknown>;

/**
 * A person's erasure: a plugin removes or anonymises its part, in the transaction of the erasure
 * (throwing cancels the whole erasure, which then names the part that failed).
 */
export type UserEraseHook = (context: { trx: Transaction<Database>; userId: number; now: number }) => Promise<void>;

export type Hooks = { [Name in HookName]?: HookListener<Name> } & {
  'user.export'?: UserExportHook;
  'user.erase'?: UserEraseHook;
};

// ------------------------------------------------------------------------------------------ settings

interface SettingBase {
  label: Localized;
  hint?: Localized;
}

export type SettingField =
  | (SettingBase & { type: 'boolean'; default: boolean })
  | (SettingBase & { type: 'text'; default: string; maxLength?: number; required?: boolean })
  | (SettingBase & { type: 'number'; default: number; min?: number; max?: number; integer?: boolean })
  | (SettingBase & { type: 'choice'; default: string; options: Array<{ value: string; label: Localized }> });

/** The plugin's settings: the admin page renders a form from it, checks it and stores the values. */
export type SettingsSchema = Record<string, SettingField>;

export type SettingValue = boolean | string | number;
export type SettingValues = Record<string, SettingValue>;

// ------------------------------------------------------------------------------------------ jobs

export interface PluginJob {
  /** Unique within the plugin; the queue's type is "<plugin id>.<name>". */
  name: string;
  /** When the next run is due after `now` (recurring), e.g. `(now) => now + 3_600_000`. */
  next: (now: number) => number;
  run: JobHandler<Record<string, never>>;
}

// ------------------------------------------------------------------------------------------ notifications

/** A plugin's notification as its `describe` receives it (one of the person's `notifications` rows). */
export interface PluginNotification {
  id: number;
  /** The person it is addressed to. */
  userId: number;
  /** The plugin's own object it is about (a survey's id), as given to `notify`. */
  subjectId: number | null;
  contentId: number | null;
  spaceId: number | null;
  actorId: number | null;
  createdAt: number;
}

/**
 * A type of notification of the plugin. Stored as "<plugin id>.<name>"; shown in the list and the bell,
 * mailed at once or in the digest (quiet hours hold it), with a line on the preference pages and its
 * own unsubscribe link, exactly like the core's types. Hidden everywhere while the plugin is off
 * (everywhere, or in the notification's space), after its `expiresAt`, and while its content item (if
 * any) is not visible to the person. Send with `notifyFromPlugin` (src/notifications/plugin-types.ts).
 */
export interface PluginNotificationType {
  /** Unique within the plugin: letters, digits and dashes. */
  name: string;
  /** Its line on the preference pages ("Survey reminders"). */
  label: (t: Translate) => string;
  /** How it is emailed until a person or the admin chooses otherwise. */
  email: 'immediate' | 'digest';
  /**
   * The person's answers would be read from a list of who received it (a reminder to those who have
   * not answered): the admin's outbox does not show its recipients.
   */
  confidential?: boolean;
  /**
   * Its sentence in the reader's language (the template escapes it) and the path it leads to, or null
   * when it no longer concerns the person (they answered meanwhile): then it is neither shown nor mailed,
   * and it is marked read.
   */
  describe: (notification: PluginNotification, context: { db: Kysely<Database>; t: Translate; now: number }) => Promise<{ text: string; href: string } | null>;
}

// ------------------------------------------------------------------------------------------ routes

/**
 * What a plugin's routes function receives: a Fastify scope mounted under "/<plugin id>", answering
 * 404 while the plugin is disabled. Authorise every route with the policy (src/policy) as the core does.
 */
export type PluginRoutes = (app: FastifyInstance, plugin: PluginContext) => Promise<void>;

/** What Hameau gives a plugin's routes at run time. */
export interface PluginContext {
  id: string;
  /** The plugin's settings as saved by the admin (defaults filled in). */
  settings(): SettingValues;
  /** Whether the plugin is on in this space (enabled, and not switched off there by its admins). */
  enabledIn(spaceId: number): boolean;
  /** 404 unless the plugin is on in this space: call it in every route about one space. */
  requireSpace(spaceId: number): void;
  /**
   * The policy and the errors Hameau's error pages know, for plugins compiled apart (DATA_DIR/plugins)
   * that cannot import Hameau's modules: a bundled copy of them would not be recognised (a 500 page
   * instead of the sign-in redirect, 403 or 404). Repository plugins may import them directly.
   */
  policy: { authorize: typeof authorize; can: typeof can };
  errors: { NotFound: typeof NotFound; Forbidden: typeof Forbidden };
}

// ------------------------------------------------------------------------------------------ the definition

export interface PluginDefinition {
  /** Stable: names the plugin's migration table, URL prefix, translations and jobs. Lowercase letters, digits and dashes. */
  id: string;
  name: Localized;
  description: Localized;
  stage: Stage;
  /** The plugin's own version (semver). */
  version: string;
  /** The Hameau versions it works with, a semver range ("^0.2.0"). */
  hameau: string;
  /** Plugins that must be enabled before this one. */
  dependsOn?: string[];
  /** Part of its stage's pack ("Move to stage 2" enables it). */
  recommended?: boolean;
  /** Space admins may switch it off in their space (on by default wherever it is enabled). */
  perSpace?: boolean;
  /** "What staff will see": shown in the stage pack's preview. */
  staffSees?: Localized;
  /** Kysely migrations, applied in name order with the plugin's own table `plugin_<id>_migrations`. */
  migrations?: Record<string, Migration>;
  /** Tables the plugin owns: exported before a purge, then dropped by it. */
  tables?: string[];
  /**
   * Among `tables`, those never put in the admins' download of its data: rows that would tell what a
   * person answered, even by comparing two downloads (anonymous answers and their counters, who has
   * answered, votes whose names nobody may see). The download says how many rows each one holds.
   */
  privateTables?: string[];
  routes?: PluginRoutes;
  contentKinds?: ContentKind[];
  searchSources?: SearchSource[];
  slots?: Slots;
  hooks?: Hooks;
  jobs?: PluginJob[];
  /** Its notification types (see PluginNotificationType). */
  notifications?: PluginNotificationType[];
  settings?: SettingsSchema;
  /**
   * Stylesheets of its static/ folder (served at /<id>/static/…) linked on every page while it is
   * enabled, e.g. ['links.css']. Style with hameau.css's custom properties (colours, spacing, themes).
   */
  stylesheets?: string[];
  /** Its translations, read with t('plugins.<id>.<key>'); usually loaded from its locales/ folder. */
  messages?: Record<Locale, Record<string, unknown>>;
}

/**
 * Declares a plugin. The identity function, for types: plugins/<id>/index.ts default-exports it.
 *
 * @example
 * export default definePlugin({
 *   id: 'links', name: { fr: 'Liens utiles', en: 'Useful links' }, description: { fr: '…', en: '…' },
 *   stage: 2, version: '1.0.0', hameau: '^0.1.0', perSpace: true,
 *   slots: { spaceTabs: [{ label: (t) => t('plugins.links.tab'), href: (space) => `/links/spaces/${space.id}` }] },
 * });
 */
export function definePlugin(definition: PluginDefinition): PluginDefinition {
  return definition;
}

/** A request as a slot sees it (the signed-in viewer). */
export type SlotRequest = Pick<FastifyRequest, 'user' | 't' | 'locale'>;
