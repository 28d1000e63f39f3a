// Compiled plugins an operator drops in DATA_DIR/plugins: package.json's engines.hameau is checked
// BEFORE any of the plugin's code runs; an incompatible plugin, or one without package.json, is shown
// as such and never imported; a compatible one loads and can be enabled like the repository's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, createUser, login, setupOrganisation, type TestApp } from '../helpers/app.js';

/** Code that leaves a trace when imported, then throws: importing it at all is the failure. */
const TRAP = (marker: string) => `import fs from 'node:fs';
fs.writeFileSync(${JSON.stringify(marker)}, 'imported');
throw new Error('this plugin must never be imported');
`;

const COMPILED = `// A compiled plugin: plain ESM, no Hameau import.
export default {
  id: 'compiled',
  name: { fr: 'Compilé', en: 'Compiled' },
  description: { fr: 'Venu d’ailleurs.', en: 'From elsewhere.' },
  stage: 2,
  version: '2.1.0',
  hameau: '>=0.1.0',
  messages: { fr: { nav: 'Compilé' }, en: { nav: 'Compiled' } },
  slots: { navigation: [{ label: (t) => t('plugins.compiled.nav'), href: '/compiled' }] },
  // Hameau's policy and errors come with the context: a bundled copy would not be recognised.
  routes: async (app, plugin) => {
    app.get('/', async (request) => {
      plugin.policy.authorize(request.user, 'app.use');
      return 'compiled plugin for ' + request.user.name;
    });
    app.get('/admins', async (request) => {
      plugin.policy.authorize(request.user, 'admin.access');
      return 'for admins';
    });
    app.get('/missing', async () => {
      throw new plugin.errors.NotFound();
    });
  },
};
`;

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

let dataDir: string;
let t: TestApp;
const marker = (id: string) => path.join(dataDir, `${id}.imported`);

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-external-'));
  const plugins = path.join(dataDir, 'plugins');
  // Made for a Hameau that does not exist yet.
  write(path.join(plugins, 'future', 'package.json'), JSON.stringify({ name: 'hameau-future', type: 'module', main: 'index.js', engines: { hameau: '>=99' } }));
  write(path.join(plugins, 'future', 'index.js'), TRAP(marker('future')));
  // No package.json at all.
  write(path.join(plugins, 'bare', 'index.js'), TRAP(marker('bare')));
  // package.json without engines.hameau.
  write(path.join(plugins, 'vague', 'package.json'), JSON.stringify({ name: 'hameau-vague', type: 'module' }));
  write(path.join(plugins, 'vague', 'index.js'), TRAP(marker('vague')));
  // main pointing outside the plugin's folder.
  write(path.join(plugins, 'escape', 'package.json'), JSON.stringify({ type: 'module', main: '../future/index.js', engines: { hameau: '*' } }));
  // A good one.
  write(path.join(plugins, 'compiled', 'package.json'), JSON.stringify({ name: 'hameau-compiled', type: 'module', main: 'index.js', engines: { hameau: '^0.1.0' } }));
  write(path.join(plugins, 'compiled', 'index.js'), COMPILED);
  t = await createTestApp({}, { dataDir, pluginDirs: { code: '/nonexistent', assets: '/nonexistent' } });
});
afterEach(async () => t.close());

describe('plugins in DATA_DIR/plugins', () => {
  it('reports incompatible plugins without running any of their code', () => {
    const byId = Object.fromEntries(t.app.plugins.list().map((p) => [p.id, p]));
    expect(Object.keys(byId).sort()).toEqual(['bare', 'compiled', 'escape', 'future', 'vague']);
    expect(byId.future).toMatchObject({ origin: 'external', status: 'incompatible', definition: null, error: 'made for Hameau >=99; this is Hameau 0.1.0' });
    expect(byId.bare).toMatchObject({ origin: 'external', status: 'incompatible', definition: null, error: expect.stringContaining('no readable package.json') });
    expect(byId.vague).toMatchObject({ status: 'incompatible', error: 'package.json must give the supported Hameau versions in engines.hameau' });
    expect(byId.escape).toMatchObject({ status: 'failed', error: 'main must be inside the plugin folder' });
    for (const id of ['future', 'bare', 'vague']) expect(fs.existsSync(marker(id)), id).toBe(false);
  });

  it('refuses to enable an incompatible plugin', async () => {
    const result = await t.app.plugins.enable('future', null);
    expect(result).toMatchObject({ ok: false, problem: 'incompatible', error: expect.stringContaining('>=99') });
    expect(t.app.plugins.isEnabled('future')).toBe(false);
  });

  it('loads a compatible compiled plugin, which can be enabled and used with no restart', async () => {
    expect(t.app.plugins.get('compiled')).toMatchObject({ origin: 'external', status: 'disabled', error: null });
    await setupOrganisation(t.app, { locale: 'en' });
    await createUser(t.app, { email: 'bruno@example.com', name: 'Bruno Petit', locale: 'en' });
    const cookie = await login(t.app, 'bruno@example.com');
    expect((await t.app.inject({ method: 'GET', url: '/compiled', headers: { cookie } })).statusCode).toBe(404);
    expect(await t.app.plugins.enable('compiled', 1)).toEqual({ ok: true, changed: true });
    const page = await t.app.inject({ method: 'GET', url: '/compiled', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe('compiled plugin for Bruno Petit');
    // The policy and error pages answer as for the core's pages: sign in, refused, not found.
    const anonymous = await t.app.inject({ method: 'GET', url: '/compiled' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login/);
    expect((await t.app.inject({ method: 'GET', url: '/compiled/admins', headers: { cookie } })).statusCode).toBe(403);
    const missing = await t.app.inject({ method: 'GET', url: '/compiled/missing', headers: { cookie } });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('<main');
    // Its navigation entry, with its own translations, in the header.
    const home = await t.app.inject({ method: 'GET', url: '/', headers: { cookie } });
    expect(home.body).toContain('href="/compiled"');
  });
});
