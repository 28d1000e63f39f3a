// Plugins' notification types at the edges (src/notifications/plugin-types.ts and the core's read
// paths), with a plugin of the test's own: a digest whose plugin entry cannot be described, the outbox
// of a confidential type, a path that browsers would read as another site, the bell's query plan.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CompiledQuery } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { createUser, html, login, mainText, setupOrganisation, type TestApp } from '../helpers/app.js';
import { mailsTo, parisWeek, PUBLIC_URL } from '../helpers/email.js';
import { createTestAppWithPlugins, enablePlugin } from '../helpers/plugins.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { definePlugin } from '../../src/plugins/contract.js';
import { notify } from '../../src/notifications/notify.js';
import { notifyFromPlugin } from '../../src/notifications/plugin-types.js';
import { dispatch, sendDigest } from '../../src/features/email-notifications/delivery.js';

/** What the plugin's `describe` does, by subject id (the test changes it). */
const behaviour = new Map<number, 'throw' | 'tab'>();

const pings = definePlugin({
  id: 'reviewpings',
  name: { fr: 'Rappels', en: 'Pings' },
  description: { fr: 'Des rappels.', en: 'Pings.' },
  stage: 2,
  version: '1.0.0',
  hameau: '*',
  notifications: [
    {
      name: 'ping',
      label: () => 'Pings',
      email: 'digest',
      async describe(n) {
        const how = behaviour.get(n.subjectId ?? 0);
        if (how === 'throw') throw new Error('ping broke');
        // A path that the check takes for one of the site's, which browsers read as "//evil.example.com/".
        if (how === 'tab') return { text: 'Tabbed', href: '/\t/evil.example.com/' };
        return { text: `Ping ${n.subjectId}`, href: `/pings/${n.subjectId}` };
      },
    },
    {
      name: 'secret',
      label: () => 'Secret pings',
      email: 'immediate',
      confidential: true,
      async describe(n) {
        return { text: `Secret ${n.subjectId}`, href: `/pings/${n.subjectId}` };
      },
    },
  ],
});

describe('plugin notifications: a plugin whose describe throws while its digest is written', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let app: FastifyInstance;
  let member: number;
  const week = parisWeek();
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestAppWithPlugins([pings], { SMTP_URL: smtp.url, PUBLIC_URL });
    app = t.app;
    await setupOrganisation(app);
    member = await createUser(app, { email: 'mia@example.com', name: 'Mia Member' });
    await enablePlugin(app, 'reviewpings');
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('does not lose the core notifications of the digest: they are mailed once the plugin is mended', async () => {
    const created = Date.now() - 1000;
    await notify(app.db, [{ userId: member, type: 'space-request-approved', actorId: null, createdAt: created }]);
    behaviour.set(7, 'throw');
    await notifyFromPlugin(app.db, 'reviewpings', 'ping', [{ userId: member, subjectId: 7 }], created);
    await app.db.updateTable('notifications').set({ email_state: 'digest', email_at: created }).where('user_id', '=', member).execute();
    const tuesday = week.at('tuesday', '10:00');
    // The job fails (the queue will retry it), or leaves the broken entry out...
    await sendDigest(app, member, tuesday).catch(() => undefined);
    // ...and the plugin is mended before the retry: everything is mailed in the end.
    behaviour.delete(7);
    await sendDigest(app, member, tuesday + 60_000).catch(() => undefined);
    const states = await app.db.selectFrom('notifications').select(['type', 'email_state']).where('user_id', '=', member).orderBy('id').execute();
    const text = mailsTo(smtp, 'mia@example.com').map((mail) => mail.text ?? '').join('\n');
    // The core notification goes in the first digest, the plugin's in the next one, once it can be described.
    expect(states).toEqual([
      { type: 'space-request-approved', email_state: 'digested' },
      { type: 'reviewpings.ping', email_state: 'digested' },
    ]);
    expect(text).toContain('Ping 7');
    expect(text).toContain('You are now a member of the space');
  });
});

describe('plugin notifications: the outbox of a confidential type', () => {
  let smtp: SMTPServer;
  let t: TestApp;
  let app: FastifyInstance;
  let adminCookie: string;
  let member: number;
  beforeAll(async () => {
    // A mail server that refuses one recipient, as real ones do ("550 … <address>: user unknown").
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (address.address === 'hidden@example.com') {
          const error = new Error(`<${address.address}>: Recipient address rejected: mailbox full`) as Error & { responseCode: number };
          error.responseCode = 550;
          return callback(error);
        }
        callback();
      },
      onData(stream, _session, callback) {
        stream.on('end', () => callback());
        stream.resume();
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    t = await createTestAppWithPlugins([pings], { SMTP_URL: `smtp://127.0.0.1:${port}`, PUBLIC_URL });
    app = t.app;
    adminCookie = await setupOrganisation(app);
    member = await createUser(app, { email: 'hidden@example.com', name: 'Hector Hidden' });
    await enablePlugin(app, 'reviewpings');
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('does not name the recipient in the error of a failed email (who has not answered stays private)', async () => {
    const tuesday = parisWeek().at('tuesday', '10:00');
    await notifyFromPlugin(app.db, 'reviewpings', 'secret', [{ userId: member, subjectId: 1 }], Date.now() - 1000);
    await dispatch(app, tuesday);
    await app.jobs.runDue(tuesday);
    const job = await app.db.selectFrom('jobs').select(['state', 'last_error']).where('type', '=', 'email.notification').executeTakeFirstOrThrow();
    // The email failed (the mail server refused the address)...
    expect(job.last_error).toBeTruthy();
    const outbox = mainText(await app.inject({ method: 'GET', url: '/admin/notifications', headers: { cookie: adminCookie } }));
    expect(outbox).toContain('(not shown: who receives these is private)');
    // ...and the outbox says whose it was in its "last error" column.
    expect(outbox).not.toContain('hidden@example.com');
  });
});

describe('plugin notifications: in-app paths', () => {
  let t: TestApp;
  let app: FastifyInstance;
  let member: { id: number; cookie: string };
  beforeAll(async () => {
    t = await createTestAppWithPlugins([pings]);
    app = t.app;
    await setupOrganisation(app);
    const id = await createUser(app, { email: 'member@example.com', name: 'Mia Member' });
    member = { id, cookie: await login(app, 'member@example.com') };
    await enablePlugin(app, 'reviewpings');
  });
  afterAll(async () => t.close());

  it('the read route never sends a browser off the site (a tab in the path is stripped by browsers)', async () => {
    behaviour.set(11, 'tab');
    await notifyFromPlugin(app.db, 'reviewpings', 'ping', [{ userId: member.id, subjectId: 11 }], Date.now() - 1000);
    const row = await app.db.selectFrom('notifications').select('id').where('subject_id', '=', 11).executeTakeFirstOrThrow();
    const opened = await app.inject({ method: 'POST', url: `/notifications/${row.id}/read`, headers: { cookie: member.cookie } });
    expect(opened.statusCode).toBe(303);
    // Resolved as a browser does (WHATWG URL strips tabs and newlines): the host must stay the site's.
    expect(new URL(String(opened.headers.location), PUBLIC_URL).host).toBe(new URL(PUBLIC_URL).host);
    // Nor does the list link there.
    const links = html(await app.inject({ method: 'GET', url: '/notifications', headers: { cookie: member.cookie } }))
      .querySelectorAll('a.notification__link')
      .map((a) => new URL(a.getAttribute('href')!, PUBLIC_URL).host);
    expect(links.every((host) => host === new URL(PUBLIC_URL).host)).toBe(true);
    behaviour.delete(11);
  });

  it('the bell’s query still reads the person’s unread notifications through an index (plans with plugins_off)', async () => {
    // Many people with many notifications, core and plugin, read and unread, and the planner's statistics.
    const others = [];
    for (let i = 0; i < 20; i++) others.push(await createUser(app, { email: `many${i}@example.com`, name: `Many ${i}` }));
    const rows = [];
    for (const [i, userId] of [...others, member.id].entries()) for (let k = 0; k < 1000; k++) rows.push({ userId, subjectId: i * 1000 + k });
    await notifyFromPlugin(app.db, 'reviewpings', 'ping', rows, Date.now() - 1000);
    await app.db.updateTable('notifications').set({ read_at: Date.now() }).where('subject_id', '>', 500).where('subject_id', '<', 20_000).execute();
    await app.db.executeQuery(CompiledQuery.raw('analyze'));
    const spy = vi.spyOn(app.db, 'executeQuery');
    try {
      await app.inject({ method: 'GET', url: '/account', headers: { cookie: member.cookie } });
      const bell = spy.mock.calls.map(([query]) => query as CompiledQuery).find((query) => /count\(distinct/.test(query.sql) && /plugins_off/.test(query.sql));
      expect(bell).toBeDefined();
      const plan = await app.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${bell!.sql}`, [...bell!.parameters]));
      const outer = plan.rows.map((r) => r.detail).find((detail) => /\bn\b/.test(detail) && /notifications/.test(detail));
      expect(outer).toMatch(/USING (COVERING )?INDEX notifications_unread|USING INDEX/);
    } finally {
      spy.mockRestore();
    }
  });
});
