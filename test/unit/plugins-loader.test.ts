// Loading plugins (src/plugins/loader.ts): every way a definition can be wrong is reported at once;
// the Hameau version range is checked; plugins come in dependency order, and a plugin whose
// dependency is missing, blocked or in a cycle is blocked with the reason.
import { describe, expect, it } from 'vitest';
import type { PluginDefinition } from '../../src/plugins/contract.js';
import { compatibilityProblem, definitionProblem, dependencyOrder, HAMEAU_VERSION, PLUGIN_ID } from '../../src/plugins/loader.js';
import { migrationTable } from '../../src/plugins/runtime.js';

const plugin = (id: string, dependsOn?: string[]): PluginDefinition => ({
  id,
  name: { fr: id, en: id },
  description: { fr: id, en: id },
  stage: 1,
  version: '1.0.0',
  hameau: '>=0.1.0',
  ...(dependsOn ? { dependsOn } : {}),
});

describe('definitionProblem', () => {
  it('accepts a complete definition in its own folder', () => {
    expect(definitionProblem(plugin('links'), 'links')).toBeNull();
    expect(definitionProblem(plugin('links'), null)).toBeNull();
  });

  it('reports every problem at once', () => {
    const wrong = { ...plugin('Links_1'), name: { fr: 'Liens', en: '  ' }, description: undefined, stage: 4, version: 'one', hameau: 'any', dependsOn: 'polls' } as unknown as PluginDefinition;
    expect(definitionProblem(wrong, 'links')).toBe(
      [
        'id must be lowercase letters, digits and dashes',
        'name needs fr and en',
        'description needs fr and en',
        'stage must be 1, 2 or 3',
        'version must be semver ("1.0.0")',
        'hameau must be a semver range ("^0.1.0")',
        'dependsOn must list plugin ids',
      ].join('; '),
    );
  });

  it('wants the id of the folder, and a job with run and next', () => {
    expect(definitionProblem(plugin('links'), 'polls')).toBe('id "links" differs from its folder "polls"');
    const job = { ...plugin('links'), jobs: [{ name: 'tick', next: undefined, run: async () => {} }] } as unknown as PluginDefinition;
    expect(definitionProblem(job, 'links')).toBe('job "tick" needs run and next');
  });

  it('takes ids of 2 to 40 lowercase letters, digits and dashes, starting with a letter', () => {
    for (const id of ['ab', 'links', 'links-2', 'a'.repeat(40)]) expect(PLUGIN_ID.test(id), id).toBe(true);
    for (const id of ['a', '2links', '-links', 'Links', 'links_2', 'liens-é', 'a'.repeat(41), 'links/../x', '']) expect(PLUGIN_ID.test(id), id).toBe(false);
  });
});

describe('compatibilityProblem', () => {
  it('accepts ranges that include this Hameau, and names both versions otherwise', () => {
    expect(HAMEAU_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(compatibilityProblem('*')).toBeNull();
    expect(compatibilityProblem(`^${HAMEAU_VERSION}`)).toBeNull();
    expect(compatibilityProblem(`>=${HAMEAU_VERSION}`)).toBeNull();
    expect(compatibilityProblem('>=99')).toBe(`made for Hameau >=99; this is Hameau ${HAMEAU_VERSION}`);
    expect(compatibilityProblem(`<${HAMEAU_VERSION}`)).toMatch(/^made for Hameau/);
  });
});

describe('dependencyOrder', () => {
  const ids = (list: PluginDefinition[]) => list.map((d) => d.id);

  it('puts every plugin after those it depends on, whatever the order given', () => {
    const { ordered, blocked } = dependencyOrder([plugin('a', ['c']), plugin('b'), plugin('c', ['b']), plugin('d', ['a', 'b'])]);
    expect(ids(ordered)).toEqual(['b', 'c', 'a', 'd']);
    expect(blocked.size).toBe(0);
  });

  it('blocks a plugin whose dependency is missing, and those that depend on it', () => {
    const { ordered, blocked } = dependencyOrder([plugin('a', ['ghost']), plugin('b', ['a']), plugin('c')]);
    expect(ids(ordered)).toEqual(['c']);
    expect(blocked.get('a')).toBe('needs the plugin "ghost", which is not installed or did not load');
    expect(blocked.get('b')).toBe('needs the plugin "a", which did not load');
  });

  it('blocks the plugins of a dependency cycle, and keeps the rest', () => {
    const { ordered, blocked } = dependencyOrder([plugin('a', ['b']), plugin('b', ['a']), plugin('c'), plugin('self', ['self'])]);
    expect(ids(ordered)).toEqual(['c']);
    expect([...blocked.keys()].sort()).toEqual(['a', 'b', 'self']);
    expect([...blocked.values()].some((reason) => reason.startsWith('dependency cycle: '))).toBe(true);
  });
});

describe('migrationTable', () => {
  it('names one table per plugin, dashes made underscores', () => {
    expect(migrationTable('links')).toBe('plugin_links_migrations');
    expect(migrationTable('notes-extra')).toBe('plugin_notes_extra_migrations');
  });
});
