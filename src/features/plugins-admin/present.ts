// What the plugins pages show of a plugin, in the viewer's language: its name, status, who enabled it,
// its dependencies, why an action was refused, what it adds to pages, and its settings form.
import type { Locale } from '../../db/schema.js';
import type { Translate } from '../../i18n/index.js';
import type { SettingField, SettingValues, SettingsSchema, Stage } from '../../plugins/contract.js';
import type { ChangeResult, PluginInfo, PluginRuntime } from '../../plugins/runtime.js';

export const STAGES: readonly Stage[] = [1, 2, 3];

/** A stage's name and what it is for, in plain words. */
export function stageText(stage: number, t: Translate): { title: string; text: string } {
  if (stage === 1) return { title: t('pluginsAdmin.stages.one.title'), text: t('pluginsAdmin.stages.one.text') };
  if (stage === 2) return { title: t('pluginsAdmin.stages.two.title'), text: t('pluginsAdmin.stages.two.text') };
  return { title: t('pluginsAdmin.stages.three.title'), text: t('pluginsAdmin.stages.three.text') };
}

/** A plugin's name in this language; its id when it did not load (or is not installed). */
export function pluginName(runtime: PluginRuntime, id: string, locale: Locale): string {
  return runtime.get(id)?.definition?.name[locale] ?? id;
}

/** "A, B and C" / "A, B et C". */
export function listOf(names: readonly string[], locale: Locale): string {
  return new Intl.ListFormat(locale, { type: 'conjunction' }).format(names);
}

export function statusLabel(info: PluginInfo, t: Translate): string {
  switch (info.status) {
    case 'enabled':
      return t('pluginsAdmin.status.enabled');
    case 'disabled':
      return t('pluginsAdmin.status.disabled');
    case 'failed':
      return t('pluginsAdmin.status.failed');
    case 'incompatible':
      return t('pluginsAdmin.status.incompatible');
  }
}

type Refused = Extract<ChangeResult, { ok: false }>;

/** Why enabling or disabling a plugin was refused, naming the plugins concerned by their names. */
export function refusalMessage(result: Refused, info: PluginInfo, runtime: PluginRuntime, t: Translate, locale: Locale): string {
  const name = info.definition?.name[locale] ?? info.id;
  const named = (result.names ?? []).map((id) => pluginName(runtime, id, locale));
  const names = listOf(named, locale);
  const one = named.length === 1;
  switch (result.problem) {
    case 'dependencyDisabled':
      return t(one ? 'pluginsAdmin.refused.dependencyDisabled' : 'pluginsAdmin.refused.dependenciesDisabled', { name, names });
    case 'requiredBy':
      return t(one ? 'pluginsAdmin.refused.requiredBy' : 'pluginsAdmin.refused.requiredByMany', { name, names });
    case 'locked':
      return t('pluginsAdmin.refused.locked', { name });
    case 'failed':
      return t('pluginsAdmin.refused.failed', { name, error: result.error ?? info.error ?? '' });
    case 'incompatible':
      return t('pluginsAdmin.refused.incompatible', { name, error: result.error ?? info.error ?? '' });
    case 'enabled':
      return t('pluginsAdmin.purge.stillEnabled', { name });
    default:
      return t('pluginsAdmin.refused.other', { name });
  }
}

export interface PluginView {
  id: string;
  name: string;
  description: string;
  version: string | null;
  stage: number | null;
  status: PluginInfo['status'];
  statusLabel: string;
  error: string | null;
  locked: boolean;
  external: boolean;
  /** "Enabled by Alice Martin on 30 November 2026 at 16:05", or null. */
  enabledLine: string | null;
  purgedLine: string | null;
  dependencies: Array<{ id: string; name: string; enabled: boolean }>;
  /** Enabled plugins that need this one. */
  neededBy: string[];
  perSpace: boolean;
  /**
   * The toggle's form, or null when the admin cannot change it here (locked; failed or incompatible,
   * unless stored as enabled: then "Disable", so that it can be purged).
   */
  toggle: null | { action: 'enable' | 'disable'; label: string };
  /** Its definition loaded and its stored state disabled: its data may be purged. */
  purgeable: boolean;
  hasSettings: boolean;
}

export interface PresentContext {
  runtime: PluginRuntime;
  t: Translate;
  locale: Locale;
  people: Map<number, string>;
  dateTime: (millis: number) => string;
}

export function presentPlugin(info: PluginInfo, context: PresentContext): PluginView {
  const { runtime, t, locale } = context;
  const definition = info.definition;
  const name = definition?.name[locale] ?? info.id;
  let enabledLine: string | null = null;
  if (info.status === 'enabled' && info.enabledAt !== null) {
    const date = context.dateTime(info.enabledAt);
    const person = info.enabledBy === null ? null : context.people.get(info.enabledBy);
    enabledLine =
      info.enabledBy === null
        ? t('pluginsAdmin.plugin.enabledByConfiguration', { date })
        : t('pluginsAdmin.plugin.enabledBy', { date, person: person ?? t('pluginsAdmin.plugin.someone') });
  }
  const usable = definition !== null && info.status !== 'failed' && info.status !== 'incompatible';
  const neededBy = runtime
    .list()
    .filter((other) => other.status === 'enabled' && (other.definition?.dependsOn ?? []).includes(info.id))
    .map((other) => other.definition!.name[locale]);
  return {
    id: info.id,
    name,
    description: definition?.description[locale] ?? '',
    version: definition?.version ?? null,
    stage: definition?.stage ?? null,
    status: info.status,
    statusLabel: statusLabel(info, t),
    error: info.error,
    locked: info.locked,
    external: info.origin === 'external',
    enabledLine,
    purgedLine: info.purgedAt !== null && info.status !== 'enabled' ? t('pluginsAdmin.plugin.purgedOn', { date: context.dateTime(info.purgedAt) }) : null,
    dependencies: (definition?.dependsOn ?? []).map((id) => ({ id, name: pluginName(runtime, id, locale), enabled: runtime.isEnabled(id) })),
    neededBy,
    perSpace: info.spaceSwitch,
    toggle: info.locked
      ? null
      : usable
        ? info.status === 'enabled'
          ? { action: 'disable', label: t('pluginsAdmin.plugin.disable', { name }) }
          : { action: 'enable', label: t('pluginsAdmin.plugin.enable', { name }) }
        : // Failed or incompatible while stored as enabled: it stays off, and disabling it lets its data be purged.
          info.stateEnabled
          ? { action: 'disable', label: t('pluginsAdmin.plugin.disable', { name }) }
          : null,
    purgeable: definition !== null && !info.stateEnabled,
    hasSettings: Object.keys(definition?.settings ?? {}).length > 0,
  };
}

/** What a plugin adds to pages (labels of its navigation entries, space tabs, composer actions). */
export function slotLabels(info: PluginInfo, t: Translate): { navigation: string[]; spaceTabs: string[]; composerActions: string[] } {
  const slots = info.definition?.slots ?? {};
  const labels = (entries: ReadonlyArray<{ label: (t: Translate) => string }> | undefined) =>
    (entries ?? []).flatMap((entry) => {
      try {
        return [entry.label(t)];
      } catch {
        // A label function that throws says nothing; the preview stays readable.
        return [];
      }
    });
  return { navigation: labels(slots.navigation), spaceTabs: labels(slots.spaceTabs), composerActions: labels(slots.composerActions) };
}

// ------------------------------------------------------------------------------------ settings form

export interface SettingFieldView {
  key: string;
  kind: 'checkbox' | 'text' | 'textarea' | 'number' | 'radios' | 'select';
  label: string;
  hint: string | null;
  maxLength: number | null;
  required: boolean;
  min: number | null;
  max: number | null;
  step: string | null;
  options: Array<{ value: string; label: string }>;
}

const TEXTAREA_FROM = 200;
const TEXT_MAX = 2000;
const RADIOS_UP_TO = 5;

export function settingFields(schema: SettingsSchema | undefined, t: Translate, locale: Locale): SettingFieldView[] {
  return Object.entries(schema ?? {}).map(([key, field]) => settingField(key, field, t, locale));
}

function settingField(key: string, field: SettingField, t: Translate, locale: Locale): SettingFieldView {
  const base: SettingFieldView = {
    key,
    kind: 'text',
    label: field.label[locale],
    hint: field.hint?.[locale] ?? null,
    maxLength: null,
    required: false,
    min: null,
    max: null,
    step: null,
    options: [],
  };
  switch (field.type) {
    case 'boolean':
      return { ...base, kind: 'checkbox' };
    case 'text': {
      const max = Math.min(field.maxLength ?? TEXT_MAX, TEXT_MAX);
      const limit = t('pluginsAdmin.settings.maxLength', { max });
      return { ...base, kind: max > TEXTAREA_FROM ? 'textarea' : 'text', maxLength: max, required: field.required === true, hint: base.hint ? `${base.hint} ${limit}` : limit };
    }
    case 'number': {
      const range =
        field.min !== undefined && field.max !== undefined
          ? t('pluginsAdmin.settings.between', { min: field.min, max: field.max })
          : field.min !== undefined
            ? t('pluginsAdmin.settings.atLeast', { min: field.min })
            : field.max !== undefined
              ? t('pluginsAdmin.settings.atMost', { max: field.max })
              : null;
      const hint = [base.hint, range].filter(Boolean).join(' ') || null;
      return { ...base, kind: 'number', min: field.min ?? null, max: field.max ?? null, step: field.integer ? '1' : 'any', required: true, hint };
    }
    case 'choice':
      return {
        ...base,
        kind: field.options.length <= RADIOS_UP_TO ? 'radios' : 'select',
        options: field.options.map((option) => ({ value: option.value, label: option.label[locale] })),
      };
  }
}

/** Stored values as the form shows them: text, and "on" for a ticked checkbox. */
export function formValues(schema: SettingsSchema | undefined, values: SettingValues): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [key, field] of Object.entries(schema ?? {})) {
    const value = values[key];
    form[key] = field.type === 'boolean' ? (value === true ? 'on' : '') : String(value ?? '');
  }
  return form;
}
