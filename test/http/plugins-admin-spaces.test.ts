// The per-space switch (/spaces/:id/features): a space's admins turn off, in their space only, an
// enabled plugin that allows it; its space pages then answer 404 there and still work elsewhere.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, html, mainText, type TestApp } from '../helpers/app.js';
import { client, createWorld, type World } from '../helpers/moderation.js';
import { createTestAppWithPlugins, enablePlugin } from '../helpers/plugins.js';
import { adminFixturePlugins } from '../fixtures/plugins-admin.js';

let t: TestApp;
let w: World;
let c: ReturnType<typeof client>;
beforeEach(async () => {
  t = await createTestAppWithPlugins(adminFixturePlugins);
  w = await createWorld(t.app);
  c = client(t.app);
});
afterEach(async () => t.close());

const featuresLink = async (spaceId: number, who: World['member']) =>
  html(await c.get(`/spaces/${spaceId}`, who)).querySelector(`.subnav a[href="/spaces/${spaceId}/features"]`);

describe('who may switch', () => {
  beforeEach(async () => {
    await enablePlugin(t.app, 'notes');
    await enablePlugin(t.app, 'kudos');
  });

  it('is the space’s admins (and the organisation’s): others are refused and nothing changes', async () => {
    const team = w.spaces.team;
    for (const who of ['', w.deactivated] as const) {
      expect((await c.get(`/spaces/${team}/features`, who)).headers.location).toMatch(/^\/login/);
      expect((await c.post(`/spaces/${team}/features`, who, { plugin: 'notes', state: 'off' })).headers.location).toMatch(/^\/login/);
    }
    // Members who see the space but do not administer it: 403, as for the space's edit page.
    for (const who of [w.member, w.author, w.editor, w.otherAdmin]) {
      expect((await c.get(`/spaces/${team}/features`, who)).statusCode).toBe(403);
      expect((await c.post(`/spaces/${team}/features`, who, { plugin: 'notes', state: 'off' })).statusCode).toBe(403);
    }
    // A private space someone may not see does not exist for them.
    expect((await c.get(`/spaces/${w.spaces.secret}/features`, w.member)).statusCode).toBe(404);
    expect((await c.post(`/spaces/${w.spaces.secret}/features`, w.member, { plugin: 'notes', state: 'off' })).statusCode).toBe(404);
    expect((await c.get('/spaces/999999/features', w.admin)).statusCode).toBe(404);
    expect(t.app.plugins.enabledIn('notes', team)).toBe(true);

    expect((await c.get(`/spaces/${team}/features`, w.spaceAdmin)).statusCode).toBe(200);
    expect((await c.get(`/spaces/${team}/features`, w.admin)).statusCode).toBe(200);
    expect(await featuresLink(team, w.spaceAdmin)).not.toBeNull();
    expect(await featuresLink(team, w.member)).toBeNull();
  });
});

describe('switching a plugin in one space', () => {
  beforeEach(async () => {
    await enablePlugin(t.app, 'notes');
    await enablePlugin(t.app, 'kudos');
  });

  it('lists only the enabled plugins that allow it, each with an on/off button', async () => {
    const response = await c.get(`/spaces/${w.spaces.team}/features`, w.spaceAdmin);
    const page = html(response);
    expect(page.querySelectorAll('.plugin-card h3').map((h) => h.textContent.trim())).toEqual(['Team notes']);
    const card = page.querySelector('#feature-notes')!;
    expect(card.textContent).toContain('On in this space');
    const form = card.querySelector('form')!;
    expect([form.getAttribute('method'), form.getAttribute('action')]).toEqual(['post', `/spaces/${w.spaces.team}/features`]);
    expect(form.querySelector('button')!.textContent.trim()).toBe('Switch Team notes off');
    expect(page.querySelector('.subnav a[aria-current="page"]')!.getAttribute('href')).toBe(`/spaces/${w.spaces.team}/features`);
  });

  it('turns it off there only: its space pages answer 404 there and 200 elsewhere, audited; on again brings it back', async () => {
    const team = w.spaces.team;
    expect((await c.get(`/notes/spaces/${team}`, w.member)).statusCode).toBe(200);
    const tab = `.subnav a[href="/notes/spaces/${team}"]`;
    expect(html(await c.get(`/spaces/${team}/features`, w.spaceAdmin)).querySelector(tab)).not.toBeNull();
    const off = await c.post(`/spaces/${team}/features`, w.spaceAdmin, { plugin: 'notes', state: 'off' });
    expect(off.statusCode).toBe(303);
    expect(off.headers.location).toBe(`/spaces/${team}/features`);
    expect((await c.get(`/notes/spaces/${team}`, w.member)).statusCode).toBe(404);
    expect((await c.get(`/notes/spaces/${w.spaces.other}`, w.member)).statusCode).toBe(200);
    const page = await t.app.inject({ url: off.headers.location as string, headers: { cookie: cookiesFrom(off, w.spaceAdmin.cookie) } });
    expect(mainText(page)).toContain('“Team notes” is no longer available in Team.');
    expect(html(page).querySelector('#feature-notes')!.textContent).toContain('Off in this space');
    expect(html(page).querySelector('#feature-notes button')!.textContent.trim()).toBe('Switch Team notes on');
    expect(html(page).querySelector(tab)).toBeNull();
    expect(html(await c.get(`/spaces/${w.spaces.other}`, w.otherAdmin)).querySelector(`.subnav a[href="/notes/spaces/${w.spaces.other}"]`)).not.toBeNull();

    const audit = await t.app.db.selectFrom('audit_log').select(['actor_id', 'subject_id', 'details']).where('action', '=', 'plugin.space').execute();
    expect(audit.map((a) => [a.actor_id, a.subject_id, JSON.parse(a.details)])).toEqual([[w.spaceAdmin.id, 'notes', { space: team, on: { before: true, after: false } }]]);

    expect((await c.post(`/spaces/${team}/features`, w.spaceAdmin, { plugin: 'notes', state: 'on' })).statusCode).toBe(303);
    expect((await c.get(`/notes/spaces/${team}`, w.member)).statusCode).toBe(200);
  });

  it('refuses a plugin that cannot be switched here, or a state that is not one', async () => {
    for (const body of [{ plugin: 'kudos', state: 'off' }, { plugin: 'nope', state: 'off' }, { plugin: 'notes', state: 'maybe' }, { plugin: 'notes' }, {}]) {
      const response = await c.post(`/spaces/${w.spaces.team}/features`, w.spaceAdmin, body as Record<string, string>);
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
      expect(html(response).querySelector('[role="alert"]')!.textContent).toContain('This feature cannot be switched in this space.');
    }
    expect(t.app.plugins.enabledIn('notes', w.spaces.team)).toBe(true);
    expect(await t.app.db.selectFrom('audit_log').select('id').where('action', '=', 'plugin.space').execute()).toEqual([]);
  });
});

describe('with nothing to switch', () => {
  it('shows no link, and the page says so', async () => {
    await enablePlugin(t.app, 'kudos');
    expect(await featuresLink(w.spaces.team, w.spaceAdmin)).toBeNull();
    const response = await c.get(`/spaces/${w.spaces.team}/features`, w.spaceAdmin);
    expect(mainText(response)).toContain('No feature can be switched off in a space right now.');
    // A disabled plugin cannot be switched either.
    expect((await c.post(`/spaces/${w.spaces.team}/features`, w.spaceAdmin, { plugin: 'notes', state: 'off' })).statusCode).toBe(422);
  });
});
