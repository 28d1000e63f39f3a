// Finding and importing plugins: the repository's (plugins/<id>/index.ts, compiled to
// dist/plugins/<id>/index.js for `npm start`) and compiled ones an operator drops in DATA_DIR/plugins.
// A plugin that cannot be imported or declares itself wrongly is reported, never fatal.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import semver from 'semver';
import { projectRoot } from '../paths.js';
import type { PluginDefinition, SettingField } from './contract.js';

export type PluginOrigin = 'repository' | 'external';

/** What loading found: a definition to install, or the reason there is none. */
export interface Candidate {
  id: string;
  origin: PluginOrigin;
  /** The plugin's folder: its views/ and locales/ are read from here. */
  dir: string;
  definition: PluginDefinition | null;
  problem: null | { status: 'failed' | 'incompatible'; error: string };
}

export const PLUGIN_ID = /^[a-z][a-z0-9-]{1,39}$/;

const packageJson = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
/** The running Hameau's version, which plugins' `hameau` ranges are checked against. */
export const HAMEAU_VERSION = packageJson.version;

/** True when running the TypeScript sources (vitest, tsx), false when running dist/ (npm start). */
const fromSources = fileURLToPath(import.meta.url).endsWith('.ts');

/**
 * The repository's plugins folder holding the code that runs: plugins/ with the sources, dist/plugins/
 * once compiled. Views and locales stay in plugins/<id>/ (not compiled).
 */
export function repositoryPluginDirs(): { code: string; assets: string } {
  const assets = path.join(projectRoot, 'plugins');
  return { code: fromSources ? assets : path.join(projectRoot, 'dist', 'plugins'), assets };
}

function folders(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !entry.name.startsWith('_'))
    .map((entry) => entry.name)
    .sort();
}

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 500);
}

async function importDefinition(file: string): Promise<PluginDefinition> {
  const module = (await import(pathToFileURL(file).href)) as { default?: PluginDefinition };
  if (!module.default || typeof module.default !== 'object') throw new Error('index must default-export definePlugin({...})');
  return module.default;
}

/** Every way a definition can be wrong, in one message; null when it is right. */
export function definitionProblem(definition: PluginDefinition, folder: string | null): string | null {
  const problems: string[] = [];
  if (typeof definition.id !== 'string' || !PLUGIN_ID.test(definition.id)) problems.push('id must be lowercase letters, digits and dashes');
  else if (folder !== null && definition.id !== folder) problems.push(`id "${definition.id}" differs from its folder "${folder}"`);
  for (const field of ['name', 'description'] as const) {
    const text = definition[field] as Record<string, unknown> | undefined;
    if (!text || typeof text.fr !== 'string' || typeof text.en !== 'string' || !text.fr.trim() || !text.en.trim()) problems.push(`${field} needs fr and en`);
  }
  if (![1, 2, 3].includes(definition.stage)) problems.push('stage must be 1, 2 or 3');
  if (typeof definition.version !== 'string' || !semver.valid(definition.version)) problems.push('version must be semver ("1.0.0")');
  if (typeof definition.hameau !== 'string' || !semver.validRange(definition.hameau)) problems.push('hameau must be a semver range ("^0.1.0")');
  if (definition.dependsOn !== undefined && (!Array.isArray(definition.dependsOn) || definition.dependsOn.some((d) => typeof d !== 'string'))) {
    problems.push('dependsOn must list plugin ids');
  }
  const prefix = typeof definition.id === 'string' ? `${definition.id.replaceAll('-', '_')}_` : '';
  for (const table of definition.tables ?? []) {
    if (typeof table !== 'string' || !new RegExp(`^${prefix}[a-z0-9_]+$`).test(table)) problems.push(`table "${String(table)}" must be named ${prefix}… (a plugin owns only its own tables)`);
  }
  for (const [key, field] of Object.entries(definition.settings ?? {})) {
    const problem = settingProblem(field);
    if (problem) problems.push(`setting "${key}": ${problem}`);
  }
  for (const job of definition.jobs ?? []) {
    if (typeof job.run !== 'function' || typeof job.next !== 'function') problems.push(`job "${job.name}" needs run and next`);
  }
  return problems.length > 0 ? problems.join('; ') : null;
}

/** True when `file` is inside `dir`, by its path and by its real path (symbolic links followed). */
export function isInside(file: string, dir: string): boolean {
  if (!path.resolve(file).startsWith(path.resolve(dir) + path.sep)) return false;
  try {
    return fs.realpathSync(file).startsWith(fs.realpathSync(dir) + path.sep);
  } catch {
    // Not there (yet): its path alone decides; reading it will fail anyway.
    return true;
  }
}

function settingProblem(field: SettingField): string | null {
  if (!field || typeof field !== 'object' || !field.label?.fr || !field.label?.en) return 'needs a label in fr and en';
  switch (field.type) {
    case 'boolean':
      return typeof field.default === 'boolean' ? null : 'default must be true or false';
    case 'text':
      if (typeof field.default !== 'string') return 'default must be text';
      if (field.maxLength !== undefined && (field.maxLength < 1 || field.maxLength > 2000)) return 'maxLength must be from 1 to 2000';
      return field.default.length > (field.maxLength ?? 2000) ? 'default is longer than maxLength' : null;
    case 'number':
      if (typeof field.default !== 'number' || !Number.isFinite(field.default)) return 'default must be a number';
      if ((field.min !== undefined && field.default < field.min) || (field.max !== undefined && field.default > field.max)) return 'default is outside min and max';
      return field.integer && !Number.isInteger(field.default) ? 'default must be a whole number' : null;
    case 'choice':
      if (!Array.isArray(field.options) || field.options.length === 0) return 'needs options';
      return field.options.some((option) => option.value === field.default) ? null : 'default must be one of the options';
    default:
      return 'type must be boolean, text, number or choice';
  }
}

/** Null when this Hameau is in the plugin's range. */
export function compatibilityProblem(range: string): string | null {
  return semver.satisfies(HAMEAU_VERSION, range, { includePrerelease: true })
    ? null
    : `made for Hameau ${range}; this is Hameau ${HAMEAU_VERSION}`;
}

async function candidate(id: string, origin: PluginOrigin, dir: string, entry: string): Promise<Candidate> {
  try {
    const definition = await importDefinition(entry);
    const problem = definitionProblem(definition, id);
    if (problem) return { id, origin, dir, definition: null, problem: { status: 'failed', error: problem } };
    const incompatible = compatibilityProblem(definition.hameau);
    if (incompatible) return { id, origin, dir, definition: null, problem: { status: 'incompatible', error: incompatible } };
    return { id, origin, dir, definition, problem: null };
  } catch (error) {
    return { id, origin, dir, definition: null, problem: { status: 'failed', error: message(error) } };
  }
}

/** The repository's plugins (or a test's folder of them): one folder each, holding index.ts or index.js. */
export async function loadRepositoryPlugins(dirs: { code: string; assets: string }): Promise<Candidate[]> {
  const found: Candidate[] = [];
  for (const id of folders(dirs.code)) {
    const entry = ['index.ts', 'index.js'].map((name) => path.join(dirs.code, id, name)).find((file) => fs.existsSync(file));
    if (!entry) continue;
    found.push(await candidate(id, 'repository', path.join(dirs.assets, id), entry));
  }
  return found;
}

/**
 * Compiled plugins in DATA_DIR/plugins/<id>/: package.json must name the Hameau versions the plugin
 * supports (`"engines": { "hameau": "^0.1.0" }`), checked BEFORE any of its code runs; its `main`
 * (default index.js) default-exports the definition.
 */
export async function loadExternalPlugins(dir: string): Promise<Candidate[]> {
  const found: Candidate[] = [];
  for (const id of folders(dir)) {
    const pluginDir = path.join(dir, id);
    let manifest: { main?: unknown; engines?: { hameau?: unknown } };
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(pluginDir, 'package.json'), 'utf8')) as typeof manifest;
    } catch (error) {
      found.push({ id, origin: 'external', dir: pluginDir, definition: null, problem: { status: 'incompatible', error: `no readable package.json (${message(error)})` } });
      continue;
    }
    const range = manifest.engines?.hameau;
    const problem =
      typeof range !== 'string' || !semver.validRange(range)
        ? 'package.json must give the supported Hameau versions in engines.hameau'
        : compatibilityProblem(range);
    if (problem) {
      found.push({ id, origin: 'external', dir: pluginDir, definition: null, problem: { status: 'incompatible', error: problem } });
      continue;
    }
    const main = typeof manifest.main === 'string' ? manifest.main : 'index.js';
    const entry = path.resolve(pluginDir, main);
    // Inside its folder, symbolic links followed: a plugin's code is its own folder's.
    if (!isInside(entry, pluginDir)) {
      found.push({ id, origin: 'external', dir: pluginDir, definition: null, problem: { status: 'failed', error: 'main must be inside the plugin folder' } });
      continue;
    }
    found.push(await candidate(id, 'external', pluginDir, entry));
  }
  return found;
}

/**
 * The plugins in an order where each comes after those it depends on. A plugin whose dependency is
 * missing, not loaded, or in a cycle is returned in `blocked` with the reason.
 */
export function dependencyOrder(definitions: readonly PluginDefinition[]): { ordered: PluginDefinition[]; blocked: Map<string, string> } {
  const byId = new Map(definitions.map((d) => [d.id, d]));
  const ordered: PluginDefinition[] = [];
  const blocked = new Map<string, string>();
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (definition: PluginDefinition, trail: string[]): boolean => {
    const id = definition.id;
    if (state.get(id) === 'done') return !blocked.has(id);
    if (state.get(id) === 'visiting') {
      blocked.set(id, `dependency cycle: ${[...trail, id].join(' → ')}`);
      return false;
    }
    state.set(id, 'visiting');
    for (const dependency of definition.dependsOn ?? []) {
      const target = byId.get(dependency);
      if (!target) {
        blocked.set(id, `needs the plugin "${dependency}", which is not installed or did not load`);
        break;
      }
      if (!visit(target, [...trail, id])) {
        if (!blocked.has(id)) blocked.set(id, `needs the plugin "${dependency}", which did not load`);
        break;
      }
    }
    state.set(id, 'done');
    if (blocked.has(id)) return false;
    ordered.push(definition);
    return true;
  };
  for (const definition of definitions) visit(definition, []);
  return { ordered, blocked };
}
