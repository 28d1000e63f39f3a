// The plugins of the running Hameau (`app.plugins`): their state (enabled, settings, per-space
// switches), what they add to pages (slots), the hooks they listen to, and the admin's actions on them.
// Everything is read from memory on a request; a change is written to the database (with an audit
// entry) and to memory at once, so it holds from the next request, without a restart.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { sql, type Kysely, type Transaction } from 'kysely';
import { recordAudit } from '../audit/audit-log.js';
import type { Database } from '../db/schema.js';
import { migrateToLatest } from '../db/migrate.js';
import type { ContentKinds } from '../content/kinds.js';
import type { SpaceSubject } from '../policy/subjects.js';
import type { Viewer } from '../policy/viewer.js';
import type {
  ComposerAction,
  HookEvents,
  HookName,
  Hooks,
  NavigationEntry,
  PluginDefinition,
  SettingValues,
  Slots,
  SpaceTab,
  Stage,
} from './contract.js';
import type { PluginOrigin } from './loader.js';
import { settingsWithDefaults } from './settings.js';
import { forgetPluginNotifications } from '../notifications/plugin-types.js';

export type PluginStatus = 'enabled' | 'disabled' | 'failed' | 'incompatible';

/** A plugin as the admin page shows it. */
export interface PluginInfo {
  id: string;
  /** Null when the plugin could not be loaded (then `error` says why). */
  definition: PluginDefinition | null;
  origin: PluginOrigin;
  status: PluginStatus;
  error: string | null;
  /** Pinned by HAMEAU_PLUGINS: the admin page cannot change it. */
  locked: boolean;
  /**
   * The stored state: enabled by an admin. A failed or incompatible plugin stored as enabled stays off
   * (status says why) and can still be disabled, so that it can be purged.
   */
  stateEnabled: boolean;
  enabledAt: number | null;
  enabledBy: number | null;
  purgedAt: number | null;
  settings: SettingValues;
  /** Space admins may switch it off in their space. */
  spaceSwitch: boolean;
}

export type ChangeResult =
  | { ok: true; changed: boolean }
  | { ok: false; problem: 'unknown' | 'locked' | 'failed' | 'incompatible' | 'dependencyDisabled' | 'requiredBy' | 'enabled' | 'noSpaceSwitch'; names?: string[]; error?: string };

/** A part of an erasure that threw: the whole erasure is rolled back and the admin told which part. */
export class ErasurePartFailed extends Error {
  constructor(
    readonly part: string,
    cause: unknown,
  ) {
    super(`The part "${part}" of the erasure failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ErasurePartFailed';
  }
}

interface Entry {
  id: string;
  origin: PluginOrigin;
  dir: string;
  definition: PluginDefinition | null;
  problem: null | { status: 'failed' | 'incompatible'; error: string };
  enabled: boolean;
  settings: Record<string, unknown>;
  enabledAt: number | null;
  enabledBy: number | null;
  purgedAt: number | null;
}

export interface StagePlan {
  from: number;
  to: Stage;
  enable: PluginInfo[];
  disable: PluginInfo[];
  /** Plugins the move would change but cannot: pinned by the configuration. */
  locked: PluginInfo[];
}

export interface RuntimeOptions {
  db: Kysely<Database>;
  log: FastifyBaseLogger;
  contentKinds: ContentKinds;
  /** HAMEAU_PLUGINS: exactly these are enabled, and the admin page cannot change them. Null: the admins decide. */
  pinned: readonly string[] | null;
  clock?: () => number;
}

/** The name of a plugin's migration table. */
export function migrationTable(id: string): string {
  return `plugin_${id.replaceAll('-', '_')}_migrations`;
}

type Renderer = (template: string, data: Record<string, unknown>) => Promise<string>;

export class PluginRuntime {
  readonly #entries = new Map<string, Entry>();
  /** Spaces where a per-space plugin is switched off. */
  readonly #spacesOff = new Map<string, Set<number>>();
  readonly #coreHooks: Array<{ name: string; hooks: Hooks }> = [];
  readonly #coreSlots: Slots[] = [];
  readonly #db: Kysely<Database>;
  readonly #log: FastifyBaseLogger;
  readonly #kinds: ContentKinds;
  readonly #pinned: ReadonlySet<string> | null;
  readonly #clock: () => number;
  #render: Renderer | null = null;
  /** Plugins purged since the start whose migrations have not run again: their tables are gone. */
  readonly #tablesGone = new Set<string>();
  /** Each loaded plugin's place in the dependency order (set by the installer). */
  #order = new Map<string, number>();
  /** The plugin that provides each plugin content kind (kept by syncKindsOff). */
  #pluginOfKind = new Map<string, string>();

  constructor(options: RuntimeOptions) {
    this.#db = options.db;
    this.#log = options.log;
    this.#kinds = options.contentKinds;
    this.#pinned = options.pinned ? new Set(options.pinned) : null;
    this.#clock = options.clock ?? Date.now;
    options.contentKinds.setIsOn((kind) => {
      const plugin = this.#pluginOfKind.get(kind);
      return plugin === undefined || this.isEnabled(plugin);
    });
  }

  // ---------------------------------------------------------------------------------- state

  /** Reads the stored state; called once at start, before plugins are added. */
  async readState(): Promise<void> {
    const rows = await this.#db.selectFrom('plugin_state').selectAll().execute();
    for (const row of rows) {
      this.#entries.set(row.id, {
        id: row.id,
        origin: 'repository',
        dir: '',
        definition: null,
        problem: null,
        enabled: row.enabled === 1,
        settings: parseSettings(row.settings),
        enabledAt: row.enabled_at,
        enabledBy: row.enabled_by,
        purgedAt: row.purged_at,
      });
    }
    for (const row of await this.#db.selectFrom('plugin_space_off').select(['plugin_id', 'space_id']).execute()) {
      this.#spaceSet(row.plugin_id).add(row.space_id);
    }
  }

  /** Adds a plugin found at start (loaded or not). Plugins with a stored state but no folder are not listed. */
  add(found: { id: string; origin: PluginOrigin; dir: string; definition: PluginDefinition | null; problem: Entry['problem'] }): void {
    const stored = this.#entries.get(found.id);
    if (stored?.dir) {
      this.#log.error({ plugin: found.id }, 'two plugins have the same id: the second is ignored');
      return;
    }
    if (found.problem) this.#log.warn({ plugin: found.id, status: found.problem.status, error: found.problem.error }, 'plugin not loaded');
    this.#entries.set(found.id, {
      id: found.id,
      origin: found.origin,
      dir: found.dir,
      definition: found.definition,
      problem: found.problem,
      enabled: stored?.enabled ?? false,
      settings: stored?.settings ?? {},
      enabledAt: stored?.enabledAt ?? null,
      enabledBy: stored?.enabledBy ?? null,
      purgedAt: stored?.purgedAt ?? null,
    });
  }

  /** The dependency order the installer found: dependencies first. */
  setOrder(ids: readonly string[]): void {
    this.#order = new Map(ids.map((id, index) => [id, index]));
  }

  /** A plugin that failed after it was added (migration, routes, a kind already registered): it stays off. */
  markFailed(id: string, error: unknown): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    const text = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 500);
    entry.problem = { status: 'failed', error: text };
    this.#log.error({ plugin: id, err: error }, 'plugin failed: it stays off');
  }

  /** Applies HAMEAU_PLUGINS (exactly the pinned plugins enabled) to the stored state. */
  async applyPins(): Promise<void> {
    if (!this.#pinned) return;
    for (const id of this.#pinned) {
      if (!this.#loaded(id)) this.#log.warn({ plugin: id }, 'HAMEAU_PLUGINS names a plugin that is not installed or did not load');
    }
    // A pinned plugin without the plugins it needs stays off (and so do the plugins that need it).
    const wanted = new Set([...this.#pinned].filter((id) => this.#loaded(id)));
    for (let shrunk = true; shrunk; ) {
      shrunk = false;
      for (const id of wanted) {
        const missing = (this.#entries.get(id)!.definition!.dependsOn ?? []).filter((dependency) => !wanted.has(dependency));
        if (missing.length === 0) continue;
        this.#log.warn({ plugin: id, missing }, 'HAMEAU_PLUGINS names a plugin without the plugins it needs: it stays off');
        wanted.delete(id);
        shrunk = true;
      }
    }
    const now = this.#clock();
    for (const entry of this.#installed()) {
      const wanted_ = wanted.has(entry.id);
      if (entry.enabled === wanted_) continue;
      await this.#writeEnabled(this.#db, entry, wanted_, null, now);
    }
  }

  /** Every installed plugin (found at start), loaded or not, by stage then name. */
  list(): PluginInfo[] {
    return this.#installed()
      .map((entry) => this.#info(entry))
      .sort((a, b) => (a.definition?.stage ?? 9) - (b.definition?.stage ?? 9) || a.id.localeCompare(b.id));
  }

  get(id: string): PluginInfo | undefined {
    const entry = this.#entries.get(id);
    return entry?.dir ? this.#info(entry) : undefined;
  }

  /** Loaded without problem and enabled: its routes answer, its slots, hooks and jobs run. */
  isEnabled(id: string): boolean {
    const entry = this.#entries.get(id);
    return entry !== undefined && entry.definition !== null && entry.problem === null && entry.enabled;
  }

  /** Enabled, and not switched off in this space. */
  enabledIn(id: string, spaceId: number): boolean {
    if (!this.isEnabled(id)) return false;
    // Switches stored for a plugin that no longer offers them are not honoured (nobody could switch it back).
    return !this.#entries.get(id)!.definition!.perSpace || !(this.#spacesOff.get(id)?.has(spaceId) ?? false);
  }

  /** The spaces where a plugin is switched off. */
  spacesOff(id: string): ReadonlySet<number> {
    return this.#spacesOff.get(id) ?? new Set();
  }

  settings(id: string): SettingValues {
    const entry = this.#entries.get(id);
    return settingsWithDefaults(entry?.definition?.settings, entry?.settings ?? {});
  }

  /** Enabled plugins' definitions, in the order they were added (dependencies first). */
  enabledDefinitions(): PluginDefinition[] {
    return this.#installed()
      .filter((entry) => this.isEnabled(entry.id))
      .map((entry) => entry.definition!);
  }

  // ---------------------------------------------------------------------------------- admin actions

  /**
   * Enables a plugin: its dependencies must be enabled. Runs its migrations first (they may be pending
   * after a purge). Audited.
   *
   * @example
   * const result = await app.plugins.enable('links', admin.id);
   * if (!result.ok && result.problem === 'dependencyDisabled') show(result.names);
   */
  async enable(id: string, actorId: number | null): Promise<ChangeResult> {
    const entry = this.#entries.get(id);
    if (!entry?.dir) return { ok: false, problem: 'unknown' };
    if (entry.problem) return { ok: false, problem: entry.problem.status, error: entry.problem.error };
    if (this.#locked()) return { ok: false, problem: 'locked' };
    if (entry.enabled) return { ok: true, changed: false };
    const missing = (entry.definition!.dependsOn ?? []).filter((dependency) => !this.isEnabled(dependency));
    if (missing.length > 0) return { ok: false, problem: 'dependencyDisabled', names: missing };
    try {
      await migratePlugin(this.#db, entry.definition!);
      this.#tablesGone.delete(id);
    } catch (error) {
      this.markFailed(id, error);
      return { ok: false, problem: 'failed', error: entry.problem!.error };
    }
    await this.#db.transaction().execute((trx) => this.#writeEnabled(trx, entry, true, actorId, this.#clock()));
    await this.syncKindsOff();
    return { ok: true, changed: true };
  }

  /** Disables a plugin; its data stays. Refused while an enabled plugin depends on it. Audited. */
  async disable(id: string, actorId: number | null): Promise<ChangeResult> {
    const entry = this.#entries.get(id);
    if (!entry?.dir) return { ok: false, problem: 'unknown' };
    if (this.#locked()) return { ok: false, problem: 'locked' };
    if (!entry.enabled) return { ok: true, changed: false };
    const dependents = this.#installed()
      .filter((other) => this.isEnabled(other.id) && (other.definition!.dependsOn ?? []).includes(id))
      .map((other) => other.id);
    if (dependents.length > 0) return { ok: false, problem: 'requiredBy', names: dependents };
    await this.#db.transaction().execute((trx) => this.#writeEnabled(trx, entry, false, actorId, this.#clock()));
    await this.syncKindsOff();
    return { ok: true, changed: true };
  }

  /** Saves settings already checked with checkSettings; audits what changed (before/after). */
  async saveSettings(id: string, actorId: number, values: SettingValues): Promise<ChangeResult> {
    const entry = this.#entries.get(id);
    if (!entry?.definition) return { ok: false, problem: 'unknown' };
    const before = this.settings(id);
    const changed = Object.keys(values).filter((key) => before[key] !== values[key]);
    if (changed.length === 0) return { ok: true, changed: false };
    const next = { ...entry.settings, ...values };
    const now = this.#clock();
    await this.#db.transaction().execute(async (trx) => {
      await this.#upsert(trx, id, { settings: JSON.stringify(next), updated_at: now });
      await recordAudit(
        trx,
        { actorId, action: 'plugin.settings', subjectType: 'plugin', subjectId: id, details: Object.fromEntries(changed.map((key) => [key, { before: before[key], after: values[key] }])) },
        now,
      );
    });
    entry.settings = next;
    return { ok: true, changed: true };
  }

  /** Switches a per-space plugin on or off in one space (the route checks the actor administers it). Audited. */
  async setSpaceSwitch(id: string, spaceId: number, on: boolean, actorId: number): Promise<ChangeResult> {
    const entry = this.#entries.get(id);
    if (!entry?.definition) return { ok: false, problem: 'unknown' };
    if (!entry.definition.perSpace) return { ok: false, problem: 'noSpaceSwitch' };
    const off = this.#spaceSet(id);
    if (off.has(spaceId) === !on) return { ok: true, changed: false };
    const now = this.#clock();
    await this.#db.transaction().execute(async (trx) => {
      if (on) await trx.deleteFrom('plugin_space_off').where('plugin_id', '=', id).where('space_id', '=', spaceId).execute();
      else await trx.insertInto('plugin_space_off').values({ plugin_id: id, space_id: spaceId, switched_by: actorId, switched_at: now }).execute();
      await recordAudit(trx, { actorId, action: 'plugin.space', subjectType: 'plugin', subjectId: id, details: { space: spaceId, on: { before: !on, after: on } } }, now);
    });
    if (on) off.delete(spaceId);
    else off.add(spaceId);
    await this.syncKindsOff();
    return { ok: true, changed: true };
  }

  /**
   * Everything a plugin stored: the rows of its tables, and the content items of its kinds with their
   * comments and reactions. Offered before a purge (JSON download).
   */
  async exportData(id: string): Promise<Record<string, unknown> | null> {
    const entry = this.#entries.get(id);
    if (!entry?.definition) return null;
    const definition = entry.definition;
    const tables: Record<string, unknown[]> = {};
    // Private tables: named, never copied nor counted (a count moving between two downloads would
    // tell how many options a colleague ticked, which questions they skipped).
    const withheld: string[] = [];
    const privateTables = new Set(definition.privateTables ?? []);
    for (const table of ownTables(definition)) {
      if (!(await tableExists(this.#db, table))) continue;
      if (privateTables.has(table)) {
        withheld.push(table);
        continue;
      }
      tables[table] = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(this.#db)).rows;
    }
    const kinds = (definition.contentKinds ?? []).map((kind) => kind.kind);
    const content = kinds.length === 0 ? [] : await this.#db.selectFrom('content').selectAll().where('kind', 'in', kinds).orderBy('id').execute();
    const ids = content.map((row) => row.id);
    const comments = ids.length === 0 ? [] : await this.#db.selectFrom('comments').selectAll().where('content_id', 'in', ids).orderBy('id').execute();
    const reactions = ids.length === 0 ? [] : await this.#db.selectFrom('reactions').selectAll().where('content_id', 'in', ids).execute();
    return {
      plugin: { id, version: definition.version, exportedAt: new Date(this.#clock()).toISOString() },
      settings: this.settings(id),
      tables,
      ...(withheld.length > 0 ? { withheld: { reason: 'private to the people who answered: neither copied nor counted', tables: withheld } } : {}),
      content,
      comments,
      reactions,
    };
  }

  /**
   * Deletes a DISABLED plugin's data: its content items (their comments, reactions... go with them),
   * its tables and its migration record, its settings and space switches. Audited with counts.
   */
  async purge(id: string, actorId: number): Promise<ChangeResult> {
    const entry = this.#entries.get(id);
    if (!entry?.definition) return { ok: false, problem: 'unknown' };
    if (entry.enabled) return { ok: false, problem: 'enabled' };
    const definition = entry.definition;
    // Another plugin's rows may point at this one's: that plugin's data must go first.
    const holding: string[] = [];
    for (const other of this.#installed()) {
      if (other.id === id || !(other.definition?.dependsOn ?? []).includes(id)) continue;
      for (const table of ownTables(other.definition!)) {
        if (!(await tableExists(this.#db, table))) continue;
        const row = await sql`select 1 from ${sql.table(table)} limit 1`.execute(this.#db);
        if (row.rows.length > 0) {
          holding.push(other.id);
          break;
        }
      }
    }
    if (holding.length > 0) return { ok: false, problem: 'requiredBy', names: holding };
    const now = this.#clock();
    const kinds = (definition.contentKinds ?? []).map((kind) => kind.kind);
    const purged = await this.#db.transaction().execute(async (trx) => {
      // Enabled meanwhile (another admin): nothing is dropped.
      const state = await trx.selectFrom('plugin_state').select('enabled').where('id', '=', id).executeTakeFirst();
      if (state?.enabled === 1 || entry.enabled) return false;
      // Its tables first (they may point at its content items), then its content items.
      const dropped: string[] = [];
      for (const table of [...ownTables(definition)].reverse()) {
        if (!(await tableExists(trx, table))) continue;
        await sql`drop table ${sql.table(table)}`.execute(trx);
        dropped.push(table);
      }
      const removed = kinds.length === 0 ? 0 : Number((await trx.deleteFrom('content').where('kind', 'in', kinds).executeTakeFirst()).numDeletedRows);
      for (const table of [migrationTable(id), `${migrationTable(id)}_lock`]) await sql`drop table if exists ${sql.table(table)}`.execute(trx);
      const spacesOff = Number((await trx.deleteFrom('plugin_space_off').where('plugin_id', '=', id).executeTakeFirst()).numDeletedRows);
      const notifications = await forgetPluginNotifications(trx, id);
      const settingsBefore = this.settings(id);
      const settingsAfter = settingsWithDefaults(definition.settings, {});
      await this.#upsert(trx, id, { settings: '{}', purged_at: now, updated_at: now });
      await recordAudit(
        trx,
        {
          actorId,
          action: 'plugin.purge',
          subjectType: 'plugin',
          subjectId: id,
          details: {
            contentItems: { before: removed, after: 0 },
            tables: { before: dropped, after: [] },
            ...(spacesOff > 0 ? { spacesSwitchedOff: { before: spacesOff, after: 0 } } : {}),
            ...(notifications > 0 ? { notifications: { before: notifications, after: 0 } } : {}),
            ...(JSON.stringify(settingsBefore) !== JSON.stringify(settingsAfter) ? { settings: { before: settingsBefore, after: settingsAfter } } : {}),
          },
        },
        now,
      );
      return true;
    });
    if (!purged) return { ok: false, problem: 'enabled' };
    entry.settings = {};
    entry.purgedAt = now;
    this.#spacesOff.delete(id);
    this.#tablesGone.add(id);
    await this.syncKindsOff();
    return { ok: true, changed: true };
  }

  // ---------------------------------------------------------------------------------- stage packs

  /** What moving the organisation to `to` would enable (recommended plugins up to that stage) or disable (plugins above it). */
  async stagePlan(to: Stage): Promise<StagePlan> {
    const row = await this.#db.selectFrom('organisation').select('stage').where('id', '=', 1).executeTakeFirst();
    const from = row?.stage ?? 1;
    const ready = this.#installed().filter((entry) => entry.definition !== null && entry.problem === null);
    const enable: Entry[] = [];
    const disable: Entry[] = [];
    for (const entry of ready) {
      const definition = entry.definition!;
      if (definition.stage <= to && definition.recommended && !entry.enabled) enable.push(entry);
      // Moving down turns off what belongs to the stages left; moving up turns nothing off.
      if (to < from && definition.stage > to && entry.enabled) disable.push(entry);
    }
    // A plugin that needs one going off goes off too (the preview lists it), whatever its stage.
    for (let grew = true; grew; ) {
      grew = false;
      for (const entry of ready) {
        if (!entry.enabled || disable.includes(entry)) continue;
        if ((entry.definition!.dependsOn ?? []).some((dependency) => disable.some((off) => off.id === dependency))) {
          disable.push(entry);
          grew = true;
        }
      }
    }
    // A recommended plugin brings the plugins it needs.
    for (let i = 0; i < enable.length; i++) {
      for (const dependency of enable[i]!.definition!.dependsOn ?? []) {
        const target = this.#entries.get(dependency);
        if (target && target.definition && !target.problem && !target.enabled && !enable.includes(target)) enable.push(target);
      }
    }
    const locked = [...enable, ...disable].filter((entry) => this.#locked());
    const free = (list: Entry[]) => list.filter((entry) => !this.#locked()).map((entry) => this.#info(entry));
    return { from, to, enable: free(enable), disable: free(disable), locked: locked.map((entry) => this.#info(entry)) };
  }

  /**
   * Moves the organisation to a stage: enables its recommended plugins (dependencies first), or
   * disables the plugins of higher stages (dependents first); one audit entry lists what changed.
   */
  async moveToStage(to: Stage, actorId: number): Promise<StagePlan> {
    const plan = await this.stagePlan(to);
    // Nothing to do (already there, nothing to change): nothing written.
    if (plan.from === to && plan.enable.length === 0 && plan.disable.length === 0) return plan;
    const now = this.#clock();
    const enableIds = new Set(plan.enable.map((p) => p.id));
    const order = this.#installed().map((entry) => entry.id);
    const enableOrder = order.filter((id) => enableIds.has(id));
    const disableOrder = order.filter((id) => plan.disable.some((p) => p.id === id)).reverse();
    for (const id of enableOrder) {
      try {
        await migratePlugin(this.#db, this.#entries.get(id)!.definition!);
        this.#tablesGone.delete(id);
      } catch (error) {
        this.markFailed(id, error);
      }
    }
    await this.#db.transaction().execute(async (trx) => {
      for (const id of enableOrder) {
        const entry = this.#entries.get(id)!;
        if (!entry.problem) await this.#writeEnabled(trx, entry, true, actorId, now, false);
      }
      for (const id of disableOrder) await this.#writeEnabled(trx, this.#entries.get(id)!, false, actorId, now, false);
      await trx.updateTable('organisation').set({ stage: to, updated_at: now }).where('id', '=', 1).execute();
      await recordAudit(
        trx,
        {
          actorId,
          action: 'plugins.stage',
          subjectType: 'organisation',
          subjectId: 1,
          details: { stage: { before: plan.from, after: to }, enabled: enableOrder, disabled: disableOrder },
        },
        now,
      );
    });
    await this.syncKindsOff();
    return plan;
  }

  // ---------------------------------------------------------------------------------- content kinds

  /**
   * Rewrites content_kinds_off: kinds present in the content table that no enabled plugin or core
   * feature provides (hidden everywhere), and per-space plugins' kinds in the spaces where they are off.
   */
  async syncKindsOff(db: Kysely<Database> = this.#db): Promise<void> {
    const pluginKinds = new Map<string, string>();
    for (const entry of this.#installed()) {
      // Only the kinds it did register: a failed plugin may have declared one that belongs to another.
      for (const kind of entry.definition?.contentKinds ?? []) if (this.#kinds.get(kind.kind) === kind) pluginKinds.set(kind.kind, entry.id);
    }
    this.#pluginOfKind = pluginKinds;
    const on = new Set(this.#kinds.all().map((kind) => kind.kind).filter((kind) => !pluginKinds.has(kind) || this.isEnabled(pluginKinds.get(kind)!)));
    // Off everywhere: the kinds of plugins that are off (items may come later: a restored backup), and
    // any kind present that nothing provides now (a plugin removed).
    const present = await db.selectFrom('content').select('kind').distinct().execute();
    const off = new Set([...pluginKinds.keys()].filter((kind) => !on.has(kind)));
    for (const { kind } of present) if (!on.has(kind)) off.add(kind);
    const rows: Array<{ kind: string; space_id: number }> = [...off].map((kind) => ({ kind, space_id: 0 }));
    for (const [kind, id] of pluginKinds) {
      if (!this.isEnabled(id) || !this.#entries.get(id)!.definition!.perSpace) continue;
      for (const spaceId of this.#spacesOff.get(id) ?? []) rows.push({ kind, space_id: spaceId });
    }
    // Plugins off, for their notifications: every plugin not enabled (failed, disabled, or gone with
    // notifications left), and the spaces that switched off an enabled one.
    const pluginsOff: Array<{ plugin_id: string; space_id: number }> = [];
    const withNotifications = await db.selectFrom('notifications').select('plugin_id').distinct().where('plugin_id', 'is not', null).execute();
    const known = new Set([...this.#entries.keys(), ...withNotifications.map((row) => row.plugin_id!)]);
    for (const id of known) {
      if (!this.isEnabled(id)) {
        pluginsOff.push({ plugin_id: id, space_id: 0 });
        continue;
      }
      if (!this.#entries.get(id)?.definition?.perSpace) continue;
      for (const spaceId of this.#spacesOff.get(id) ?? []) pluginsOff.push({ plugin_id: id, space_id: spaceId });
    }
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('content_kinds_off').execute();
      if (rows.length > 0) await trx.insertInto('content_kinds_off').values(rows).execute();
      await trx.deleteFrom('plugins_off').execute();
      if (pluginsOff.length > 0) await trx.insertInto('plugins_off').values(pluginsOff).execute();
    });
  }

  // ---------------------------------------------------------------------------------- slots

  /** Core features fill slots the way plugins do (always on). */
  addCoreSlots(slots: Slots): void {
    this.#coreSlots.push(slots);
  }

  #slotEntries<Name extends keyof Slots>(name: Name, spaceId?: number | null): Array<{ id: string; entry: NonNullable<Slots[Name]>[number] }> {
    const found: Array<{ id: string; entry: NonNullable<Slots[Name]>[number] }> = [];
    for (const slots of this.#coreSlots) for (const entry of slots[name] ?? []) found.push({ id: 'core', entry });
    for (const entry of this.#installed()) {
      if (spaceId === undefined || spaceId === null ? !this.isEnabled(entry.id) : !this.enabledIn(entry.id, spaceId)) continue;
      for (const slot of entry.definition!.slots?.[name] ?? []) found.push({ id: entry.id, entry: slot });
    }
    return found;
  }

  /** Main navigation entries for this viewer (after the core's own). */
  navigation(viewer: Viewer): NavigationEntry[] {
    return this.#slotEntries('navigation')
      .filter(({ id, entry }) => this.#safe(() => entry.visible?.(viewer, this.#slotPlugin(id)) ?? true))
      .map(({ entry }) => entry);
  }

  spaceTabs(viewer: Viewer, space: SpaceSubject): SpaceTab[] {
    return this.#slotEntries('spaceTabs', space.id)
      .filter(({ id, entry }) => this.#safe(() => entry.visible?.(viewer, space, this.#slotPlugin(id)) ?? true))
      .map(({ entry }) => entry);
  }

  composerActions(viewer: Viewer, space: SpaceSubject | null): ComposerAction[] {
    return this.#slotEntries('composerActions', space?.id ?? null)
      .filter(({ id, entry }) => this.#safe(() => entry.visible?.(viewer, space, this.#slotPlugin(id)) ?? true))
      .map(({ entry }) => entry);
  }

  /** The stylesheets of enabled plugins, as addresses with the plugin's version (for caching). */
  stylesheets(): string[] {
    return this.enabledDefinitions().flatMap((definition) =>
      (definition.stylesheets ?? []).map((file) => `/${definition.id}/static/${encodeURI(file)}?v=${encodeURIComponent(definition.version)}`),
    );
  }

  /** Sets how sections and widgets are rendered (the view engine, once registered). */
  setRenderer(render: Renderer): void {
    this.#render = render;
  }

  /** The profile sections of the core (none today) and of enabled plugins for this person, rendered; one that throws is left out and logged. */
  async profileSections(request: FastifyRequest, personId: number): Promise<Array<{ id: string; title: string; html: string }>> {
    const sections = this.#slotEntries('profileSections');
    return this.#renderAll(request, sections, (entry, context) => entry.load({ ...context, personId }));
  }

  /** The admin dashboard's widgets, rendered; one that throws is left out and logged. */
  async adminWidgets(request: FastifyRequest): Promise<Array<{ id: string; title: string; html: string }>> {
    return this.#renderAll(request, this.#slotEntries('adminWidgets'), (entry, context) => entry.load(context));
  }

  async #renderAll<E extends { title: (t: FastifyRequest['t']) => string; template: string }>(
    request: FastifyRequest,
    entries: Array<{ id: string; entry: E }>,
    load: (entry: E, context: { db: Kysely<Database>; viewer: Viewer; t: FastifyRequest['t']; locale: FastifyRequest['locale']; now: number }) => Promise<Record<string, unknown> | null>,
  ): Promise<Array<{ id: string; title: string; html: string }>> {
    const viewer = request.user;
    if (!viewer || !this.#render) return [];
    const rendered: Array<{ id: string; title: string; html: string }> = [];
    for (const { id, entry } of entries) {
      try {
        const data = await load(entry, { db: this.#db, viewer, t: request.t, locale: request.locale, now: this.#clock() });
        if (data === null) continue;
        const html = await this.#render(entry.template, { ...request.viewLocals(), ...data });
        rendered.push({ id, title: entry.title(request.t), html });
      } catch (error) {
        this.#log.error({ err: error, plugin: id, template: entry.template }, 'a plugin slot failed: left out of the page');
      }
    }
    return rendered;
  }

  #slotPlugin(id: string): { settings: SettingValues } {
    return { settings: id === 'core' ? {} : this.settings(id) };
  }

  #safe(test: () => boolean): boolean {
    try {
      return test();
    } catch (error) {
      this.#log.error({ err: error }, 'a plugin slot failed: left out of the page');
      return false;
    }
  }

  // ---------------------------------------------------------------------------------- hooks

  /** Core features listen to hooks the way plugins do (always on). `name` names their part in exports. */
  addCoreHooks(name: string, hooks: Hooks): void {
    this.#coreHooks.push({ name, hooks });
  }

  /**
   * Tells the core's and the enabled plugins' listeners about an event, after the change committed.
   * Never throws: a listener that throws is logged, and the others still run.
   *
   * @example
   * await app.plugins.emit('content.created', { contentId, kind: 'post', spaceId, authorId: viewer.id });
   */
  async emit<Name extends HookName>(name: Name, payload: HookEvents[Name]): Promise<void> {
    const listeners: Array<{ part: string; hooks: Hooks }> = [
      ...this.#coreHooks.map(({ name: part, hooks }) => ({ part, hooks })),
      ...this.enabledDefinitions().map((definition) => ({ part: definition.id, hooks: definition.hooks ?? {} })),
    ];
    for (const { part, hooks } of listeners) {
      const listener = hooks[name] as ((payload: HookEvents[Name], context: { db: Kysely<Database>; now: number }) => Promise<void> | void) | undefined;
      if (!listener) continue;
      try {
        await listener(payload, { db: this.#db, now: this.#clock() });
      } catch (error) {
        this.#log.error({ err: error, plugin: part, hook: name }, 'a hook listener failed');
      }
    }
  }

  /**
   * A person's data, part by part: the core's parts, then each installed plugin's (enabled or not: the
   * person's data is theirs either way; failed too). A part that throws is logged and shows as unavailable.
   */
  async exportUser(userId: number): Promise<Record<string, unknown>> {
    const parts: Record<string, unknown> = {};
    for (const { part, hook } of await this.#personalHooks('user.export', this.#db)) {
      try {
        const value = await hook({ db: this.#db, userId });
        if (value !== null && value !== undefined) parts[part] = value;
      } catch (error) {
        this.#log.error({ err: error, plugin: part, hook: 'user.export' }, 'a part of a data export failed');
        parts[part] = { error: 'unavailable' };
      }
    }
    return parts;
  }

  /**
   * Erases a person's data in the caller's transaction: the core's parts, then every installed plugin's
   * (enabled or not; failed too). A part that throws stops the erasure: ErasurePartFailed names it.
   */
  async eraseUser(trx: Transaction<Database>, userId: number, now: number): Promise<void> {
    // Read in the erasure's transaction: SQLite has one connection, the transaction holds it.
    for (const { part, hook } of await this.#personalHooks('user.erase', trx)) {
      try {
        await hook({ trx, userId, now });
      } catch (error) {
        throw new ErasurePartFailed(part, error);
      }
    }
  }

  /**
   * The parts of a person's export or erasure: the core's, then every installed plugin's. A plugin that
   * failed after its definition loaded still takes part (its tables may hold the person's data); one
   * whose code did not load but that stored data (it has a migration table) gives a part that throws,
   * so an erasure is never reported done while its data stays, and an export says the part is missing.
   */
  async #personalHooks<Name extends 'user.export' | 'user.erase'>(name: Name, db: Kysely<Database> | Transaction<Database>): Promise<Array<{ part: string; hook: NonNullable<Hooks[Name]> }>> {
    const found: Array<{ part: string; hook: NonNullable<Hooks[Name]> }> = [];
    for (const { name: part, hooks } of this.#coreHooks) if (hooks[name]) found.push({ part, hook: hooks[name]! });
    for (const entry of this.#installed()) {
      // A plugin purged since the start has no tables until it is enabled again: nothing of a person's is left there.
      if (this.#tablesGone.has(entry.id)) continue;
      const hook = entry.definition?.hooks?.[name];
      if (hook) {
        found.push({ part: entry.id, hook });
      } else if (!entry.definition && (await tableExists(db, migrationTable(entry.id)))) {
        const status = entry.problem?.status ?? 'failed';
        const unavailable = async (): Promise<never> => {
          throw new Error(`the plugin "${entry.id}" is ${status} and holds data: its part cannot run until it loads again`);
        };
        found.push({ part: entry.id, hook: unavailable as NonNullable<Hooks[Name]> });
      }
    }
    return found;
  }

  // ---------------------------------------------------------------------------------- internals

  /** Installed plugins, dependencies before the plugins that need them (then the ones that did not load). */
  #installed(): Entry[] {
    const rank = (entry: Entry) => this.#order.get(entry.id) ?? Number.MAX_SAFE_INTEGER;
    return [...this.#entries.values()].filter((entry) => entry.dir !== '').sort((a, b) => rank(a) - rank(b));
  }

  #loaded(id: string): boolean {
    const entry = this.#entries.get(id);
    return entry !== undefined && entry.dir !== '' && entry.definition !== null && entry.problem === null;
  }

  /** HAMEAU_PLUGINS pins the whole set: when it is given, every plugin is locked (enabled or not). */
  #locked(): boolean {
    return this.#pinned !== null;
  }

  #spaceSet(id: string): Set<number> {
    let set = this.#spacesOff.get(id);
    if (!set) this.#spacesOff.set(id, (set = new Set()));
    return set;
  }

  #info(entry: Entry): PluginInfo {
    const status: PluginStatus = entry.problem ? entry.problem.status : entry.definition === null ? 'failed' : entry.enabled ? 'enabled' : 'disabled';
    return {
      id: entry.id,
      definition: entry.definition,
      origin: entry.origin,
      status,
      error: entry.problem?.error ?? null,
      locked: this.#locked(),
      stateEnabled: entry.enabled,
      enabledAt: entry.enabledAt,
      enabledBy: entry.enabledBy,
      purgedAt: entry.purgedAt,
      settings: settingsWithDefaults(entry.definition?.settings, entry.settings),
      spaceSwitch: entry.definition?.perSpace === true,
    };
  }

  async #upsert(
    db: Kysely<Database> | Transaction<Database>,
    id: string,
    values: Partial<{ enabled: number; settings: string; enabled_at: number | null; enabled_by: number | null; purged_at: number | null; updated_at: number }> & { updated_at: number },
  ): Promise<void> {
    await db
      .insertInto('plugin_state')
      .values({ id, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  }

  async #writeEnabled(db: Kysely<Database> | Transaction<Database>, entry: Entry, enabled: boolean, actorId: number | null, now: number, audit = true): Promise<void> {
    const change = enabled ? { enabled: 1, enabled_at: now, enabled_by: actorId, updated_at: now } : { enabled: 0, updated_at: now };
    await this.#upsert(db, entry.id, change);
    if (audit) {
      await recordAudit(
        db as Kysely<Database>,
        {
          actorId,
          action: enabled ? 'plugin.enable' : 'plugin.disable',
          subjectType: 'plugin',
          subjectId: entry.id,
          details: { enabled: { before: entry.enabled, after: enabled }, ...(actorId === null ? { by: 'HAMEAU_PLUGINS' } : {}) },
        },
        now,
      );
    }
    entry.enabled = enabled;
    if (enabled) {
      entry.enabledAt = now;
      entry.enabledBy = actorId;
    }
  }
}

/**
 * The tables a plugin owns, as it lists them, keeping only names of its own (`<id>_…`, dashes as
 * underscores): a purge never drops, and its export never reads, a table of the core or of another plugin.
 */
export function ownTables(definition: PluginDefinition): string[] {
  return (definition.tables ?? []).filter((table) => isOwnTable(definition.id, table));
}

export function isOwnTable(id: string, table: string): boolean {
  return new RegExp(`^${id.replaceAll('-', '_')}_[a-z0-9_]+$`).test(table);
}

/** Applies a plugin's pending migrations (a plugin without migrations gets no migration table). */
export async function migratePlugin(db: Kysely<Database>, definition: PluginDefinition): Promise<string[]> {
  if (Object.keys(definition.migrations ?? {}).length === 0) return [];
  // Unordered: a plugin may add a migration that sorts before one it shipped earlier (its parts).
  return (await migrateToLatest(db, definition.migrations!, migrationTable(definition.id), { unordered: true })).applied;
}

function parseSettings(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

async function tableExists(db: Kysely<Database> | Transaction<Database>, table: string): Promise<boolean> {
  const found = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = ${table}`.execute(db);
  return found.rows.length > 0;
}
