// Plugins' notification types (the contract's `notifications`, src/notifications/plugin-types.ts),
// with a plugin of the test's own: written with notifyFromPlugin, listed and counted like the core's
// while the plugin is on, leading where the plugin says (only to a path of the site), left out and
// marked read once moot, left out (and logged) when the plugin's code throws, hidden when the plugin
// is off or gone, deleted by a purge.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createUser, html, login, setupOrganisation, type TestApp } from '../helpers/app.js';
import { createTestAppWithPlugins, disablePlugin, enablePlugin } from '../helpers/plugins.js';
import { definePlugin } from '../../src/plugins/contract.js';
import { notificationEvents } from '../../src/notifications/live.js';
import { notifyFromPlugin, registerPluginNotificationTypes } from '../../src/notifications/plugin-types.js';

/** What the plugin's `describe` answers, by subject id (the test changes it). */
const answers = new Map<number, 'moot' | 'throw' | 'outside' | 'ok'>();

const nudges = definePlugin({
  id: 'nudges',
  name: { fr: 'Relances', en: 'Nudges' },
  description: { fr: 'Des relances.', en: 'Nudges.' },
  stage: 2,
  version: '1.0.0',
  hameau: '*',
  notifications: [
    {
      name: 'nudge',
      label: () => 'Nudges',
      email: 'digest',
      async describe(n) {
        const answer = answers.get(n.subjectId ?? 0) ?? 'ok';
        if (answer === 'moot') return null;
        if (answer === 'throw') throw new Error('nudge broke');
        if (answer === 'outside') return { text: 'Go elsewhere', href: '//evil.example.com/' };
        return { text: `Nudge number ${n.subjectId} <b>`, href: `/nudges/${n.subjectId}` };
      },
    },
  ],
});

describe('plugin notification types', () => {
  let t: TestApp;
  let app: FastifyInstance;
  let admin: number;
  let member: { id: number; cookie: string };
  const get = (url: string, cookie = member.cookie) => app.inject({ method: 'GET', url, headers: { cookie } });
  const bell = async () => Number(html(await get('/account')).querySelector('.notification-bell__count')?.textContent ?? 0);
  const listed = async () => html(await get('/notifications')).querySelectorAll('.notification').map((li) => li.textContent.replace(/[\t\n\r ]+/g, ' ').trim());
  const nudge = async (subjectId: number, extra: { spaceId?: number; expiresAt?: number } = {}) =>
    notifyFromPlugin(app.db, 'nudges', 'nudge', [{ userId: member.id, subjectId, ...extra }], Date.now() - 1000);

  beforeAll(async () => {
    t = await createTestAppWithPlugins([nudges]);
    app = t.app;
    await setupOrganisation(app);
    admin = (await app.db.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirstOrThrow()).id;
    const id = await createUser(app, { email: 'member@example.com', name: 'Mia Member' });
    member = { id, cookie: await login(app, 'member@example.com') };
    await enablePlugin(app, 'nudges', admin);
  });
  afterAll(async () => t.close());

  it('a type must be declared, with a plain name', async () => {
    await expect(notifyFromPlugin(app.db, 'nudges', 'undeclared', [{ userId: member.id }], Date.now())).rejects.toThrow(/unknown notification type/);
    expect(() => registerPluginNotificationTypes('nudges', [{ ...nudges.notifications![0]!, name: 'Bad.Name' }])).toThrow(/letters, digits and dashes/);
  });

  it('listed with the plugin’s sentence (escaped), counted by the bell, and leads where the plugin says', async () => {
    await nudge(1);
    expect(await bell()).toBe(1);
    const page = html(await get('/notifications'));
    expect(page.querySelector('.notification')?.textContent).toContain('Nudge number 1 <b>');
    expect((await get('/notifications')).body).not.toContain('number 1 <b>');
    const row = await app.db.selectFrom('notifications').selectAll().where('user_id', '=', member.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ type: 'nudges.nudge', plugin_id: 'nudges', subject_id: 1 });
    const opened = await app.inject({ method: 'POST', url: `/notifications/${row.id}/read`, headers: { cookie: member.cookie } });
    expect(opened.headers.location).toBe('/nudges/1');
    expect(await bell()).toBe(0);
  });

  it('a moot one is neither listed nor counted once the list has been seen; a throwing one is left out and logged', async () => {
    answers.set(2, 'moot');
    answers.set(3, 'throw');
    await nudge(2);
    await nudge(3);
    expect(await bell()).toBe(2);
    // The person's open tabs hear that their count changed (the live bell).
    const heard: number[] = [];
    const stop = notificationEvents.subscribe((ids) => heard.push(...ids));
    expect((await listed()).filter((text) => text.includes('Nudge'))).toEqual([expect.stringContaining('Nudge number 1')]);
    await new Promise((resolve) => setImmediate(resolve)); // the bus tells its listeners on the next turn
    stop();
    expect(heard).toContain(member.id);
    // The moot one was marked read; the broken one stays unread (its plugin may be mended).
    expect(await bell()).toBe(1);
    // Seen again, the moot one (read now) changes nobody's count: the open tabs are not told.
    heard.length = 0;
    const again = notificationEvents.subscribe((ids) => heard.push(...ids));
    await listed();
    await new Promise((resolve) => setImmediate(resolve));
    again();
    expect(heard).toEqual([]);
    expect(t.logs.some((line) => line.msg === 'plugin notification could not be described' && JSON.stringify(line).includes('nudge broke'))).toBe(true);
    answers.delete(3);
  });

  it('a path outside the site is refused (no open redirect)', async () => {
    answers.set(4, 'outside');
    await nudge(4);
    const row = await app.db.selectFrom('notifications').select('id').where('subject_id', '=', 4).executeTakeFirstOrThrow();
    const opened = await app.inject({ method: 'POST', url: `/notifications/${row.id}/read`, headers: { cookie: member.cookie } });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/notifications');
    expect((await get('/notifications')).body).not.toContain('evil.example.com');
  });

  it('an empty list says what the plugins’ notifications will be about, while they are on', async () => {
    await createUser(app, { email: 'new@example.com', name: 'Nora New' });
    const cookie = await login(app, 'new@example.com');
    const kinds = async () => html(await get('/notifications', cookie)).querySelectorAll('[aria-labelledby="notifications-plugin-kinds"] li').map((li) => li.textContent);
    expect(await kinds()).toEqual(['Nudges']);
    await disablePlugin(app, 'nudges');
    try {
      expect(await kinds()).toEqual([]);
    } finally {
      await enablePlugin(app, 'nudges', admin);
    }
  });

  it('hidden after its end, and while the plugin is off; back when it is on again', async () => {
    await app.db.updateTable('notifications').set({ read_at: Date.now() }).where('user_id', '=', member.id).execute();
    await nudge(5, { expiresAt: Date.now() - 1 });
    expect(await bell()).toBe(0);
    await nudge(6);
    expect(await bell()).toBe(1);
    await disablePlugin(app, 'nudges');
    expect(await bell()).toBe(0);
    expect((await listed()).some((text) => text.includes('Nudge'))).toBe(false);
    // Its line on the preference page goes too.
    expect(html(await get('/account/notifications')).querySelector('[id="inApp-nudges.nudge"]')).toBe(null);
    await enablePlugin(app, 'nudges', admin);
    expect(await bell()).toBe(1);
    expect(html(await get('/account/notifications')).querySelector('[id="inApp-nudges.nudge"]')?.closest('tr')?.textContent).toContain('Nudges');
  });

  it('a purge deletes the plugin’s notifications', async () => {
    await disablePlugin(app, 'nudges');
    expect(await app.db.selectFrom('notifications').select('id').where('plugin_id', '=', 'nudges').execute()).not.toEqual([]);
    expect(await app.plugins.purge('nudges', admin)).toEqual({ ok: true, changed: true });
    expect(await app.db.selectFrom('notifications').select('id').where('plugin_id', '=', 'nudges').execute()).toEqual([]);
  });
});

describe('plugin notification types: a plugin that is gone', () => {
  it('its notifications left in the database are not shown', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-test-'));
    const first = await createTestAppWithPlugins([nudges], {}, { dataDir });
    await setupOrganisation(first.app);
    const id = await createUser(first.app, { email: 'member@example.com', name: 'Mia Member' });
    await enablePlugin(first.app, 'nudges');
    await notifyFromPlugin(first.app.db, 'nudges', 'nudge', [{ userId: id, subjectId: 9 }], Date.now() - 1000);
    const page = async (app: FastifyInstance) => html(await app.inject({ method: 'GET', url: '/notifications', headers: { cookie: await login(app, 'member@example.com') } }));
    expect((await page(first.app)).querySelector('.notification-bell__count')?.textContent).toBe('1');
    // The same data, started without the plugin (its folder removed).
    await first.app.close();
    const again = await createTestAppWithPlugins([], {}, { dataDir });
    try {
      const after = await page(again.app);
      expect(after.querySelector('.notification')).toBe(null);
      expect(after.querySelector('.notification-bell__count')).toBe(null);
    } finally {
      await again.close();
    }
  });
});
