// Boosted navigation swaps the body only; htmx's hx-head extension merges the <head> of the page it
// fetched into the current one, so that a plugin enabled or disabled meanwhile brings or takes away its
// stylesheets (and the title follows). What the server side owes it: the extension served from our own
// files like htmx (same release, same caching, a script type), loaded by the layout right after htmx,
// and a boosted request answered with the whole page, <head> and plugin stylesheets included.
// The merge itself, in a browser: test/e2e/head.e2e.ts.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html, type TestApp } from '../helpers/app.js';
import { appWithRepositoryPlugins, disablePlugin, enablePlugin } from '../helpers/plugins.js';
import { projectRoot, staticDir } from '../../src/paths.js';

const HTMX = '/static/vendor/htmx-4.0.1.min.js';
const HX_HEAD = '/static/vendor/hx-head-4.0.1.min.js';
/** The headers htmx 4 sends for a boosted link (its target is the body: a "full" request). */
const BOOSTED = { 'hx-request': 'true', 'hx-request-type': 'full', 'hx-boosted': 'true' };

describe('the hx-head extension', () => {
  let t: TestApp;
  let cookie: string;
  let adminId: number;

  beforeEach(async () => {
    const started = await appWithRepositoryPlugins();
    t = started.t;
    cookie = started.admin.cookie;
    adminId = started.admin.id;
  });
  afterEach(async () => {
    await t.close();
  });

  it('is byte for byte the hx-head of the installed htmx release', () => {
    const installed = path.join(projectRoot, 'node_modules/htmx.org');
    const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { version: string };
    expect(pkg.version).toBe('4.0.1');
    const served = fs.readFileSync(path.join(staticDir, 'vendor/hx-head-4.0.1.min.js'));
    expect(served.equals(fs.readFileSync(path.join(installed, 'dist/ext/hx-head.min.js')))).toBe(true);
  });

  it('is served from our static files as htmx is: a script, cached the same way', async () => {
    const htmx = await t.app.inject({ url: HTMX });
    const extension = await t.app.inject({ url: HX_HEAD });
    expect(extension.statusCode).toBe(200);
    expect(extension.headers['content-type']).toMatch(/^(text|application)\/javascript\b/);
    expect(extension.headers['content-type']).toBe(htmx.headers['content-type']);
    expect(extension.headers['cache-control']).toMatch(/max-age=86400\b/);
    expect(extension.headers['cache-control']).toBe(htmx.headers['cache-control']);
    expect(extension.body).toContain('htmx.registerExtension("hx-head"');
    // No session, no database work: a visitor before sign-in gets it too (the sign-in page boosts).
    expect(extension.headers['set-cookie']).toBeUndefined();
  });

  it('is loaded by every page right after htmx, deferred like it, for visitors and members', async () => {
    for (const [label, response] of [
      ['sign-in page', await t.app.inject({ url: '/login' })],
      ['home page', await t.app.inject({ url: '/', headers: { cookie } })],
      ['404 page', await t.app.inject({ url: '/no-such-page', headers: { cookie } })],
    ] as const) {
      const scripts = html(response).querySelectorAll('head script');
      const sources = scripts.map((script) => script.getAttribute('src'));
      expect(sources.indexOf(HX_HEAD), label).toBe(sources.indexOf(HTMX) + 1);
      expect(scripts[sources.indexOf(HX_HEAD)]!.hasAttribute('defer'), label).toBe(true);
      expect(response.body.split(HX_HEAD).length - 1, label).toBe(1);
    }
  });

  it('gets, on a boosted request, the whole head: a plugin’s stylesheet while it is enabled, not after', async () => {
    const stylesheets = async () => {
      const response = await t.app.inject({ url: '/', headers: { cookie, ...BOOSTED } });
      expect(response.statusCode).toBe(200);
      const head = html(response).querySelector('head');
      expect(head, 'a boosted page has its <head>').not.toBeNull();
      expect(head!.querySelector('title')?.text).toBeTruthy();
      return head!.querySelectorAll('link[rel="stylesheet"]').map((link) => link.getAttribute('href') ?? '');
    };
    expect((await stylesheets()).filter((href) => href.startsWith('/links/'))).toEqual([]);
    await enablePlugin(t.app, 'links', adminId);
    expect((await stylesheets()).filter((href) => href.startsWith('/links/'))).toEqual([expect.stringMatching(/^\/links\/static\/links\.css\?v=/)]);
    await disablePlugin(t.app, 'links');
    expect((await stylesheets()).filter((href) => href.startsWith('/links/'))).toEqual([]);
  });
});
