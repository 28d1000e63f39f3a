// Immediate notification emails through the job queue and a real SMTP server: in the recipient's
// language with absolute links; held by quiet hours (the organisation's, or the person's own) and
// released when they end; urgent must-reads bypass them (audited); re-checked at send time (read in
// the app, item no longer visible, person deactivated); retried with backoff when the mail server is
// down, then shown failed in the outbox; kept across a restart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { html, mainText, setupOrganisation } from '../helpers/app.js';
import { companySpaceId, createPost, createSpace } from '../helpers/content.js';
import { deactivate } from '../helpers/conversation.js';
import { closedPort, defaultsForm, emailStates, emailWorld, mailsTo, parisWeek, person, PUBLIC_URL, startSmtpOn, type EmailWorld } from '../helpers/email.js';
import { articleFields, contentIdFrom, post } from '../helpers/news.js';
import { dispatch } from '../../src/features/email-notifications/delivery.js';

let w: EmailWorld;
beforeEach(async () => {
  w = await emailWorld();
});
afterEach(async () => {
  await w?.close();
});

async function mention(authorId: number, who: { id: number }, spaceId?: number): Promise<number> {
  return createPost(w.app, { spaceId: spaceId ?? (await companySpaceId(w.app)), authorId, body: `Hello @[Someone](${who.id}), <script>alert(1)</script> see the plan` });
}

describe('a mention', () => {
  it('is emailed at once in the recipient’s language, with an absolute link and an unsubscribe link', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno', locale: 'fr' });
    const emma = await person(w.app, 'emma@example.com', { name: 'Emma', locale: 'en' });
    const id = await mention(w.admin.id, bruno);
    await createPost(w.app, { spaceId: await companySpaceId(w.app), authorId: w.admin.id, body: `Hi @[Emma](${emma.id})` });

    await w.app.jobs.runDue(w.week.at('wednesday', '10:00'));

    const [french] = mailsTo(w.smtp, 'bruno@example.com');
    expect(french?.subject).toBe('Alice Martin vous mentionne dans «\u00a0Hello @Bruno, <script>alert(1)</script> see the plan\u00a0»');
    expect(french?.text).toContain('Bonjour Bruno,');
    expect(french?.text).toContain(`${PUBLIC_URL}/content/${id}`);
    expect(french?.text).toContain(`${PUBLIC_URL}/email/unsubscribe/${bruno.id}/mention/`);
    // What was typed comes out as text, never as markup in the HTML part.
    expect(french?.html).toBeTruthy();
    expect(String(french?.html)).not.toContain('<script>');
    expect(String(french?.html)).toContain(`<a href="${PUBLIC_URL}/content/${id}">`);
    expect(french?.headerLines.find((h) => h.key === 'list-unsubscribe')?.line.replace(/\r\n\s+/g, ' ')).toMatch(
      new RegExp(`^List-Unsubscribe: <${PUBLIC_URL}/email/unsubscribe/${bruno.id}/mention/[\\w-]+>$`),
    );
    expect(french?.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');

    const [english] = mailsTo(w.smtp, 'emma@example.com');
    expect(english?.subject).toBe('Alice Martin mentioned you in “Hi @Emma”');
    expect(english?.text).toContain('Hello Emma,');
    expect((await emailStates(w.app, bruno.id)).map((n) => n.email_state)).toEqual(['sent']);
    // The admin wrote them: she hears nothing about her own acts.
    expect(mailsTo(w.smtp, 'alice@example.com')).toEqual([]);
  });

  it('is not emailed when it was read in the app first, before or after it was queued', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    await mention(w.admin.id, bruno);
    const [first] = await emailStates(w.app, bruno.id);
    expect((await post(w.app, `/notifications/${first!.id}/read`, bruno.cookie)).statusCode).toBe(303);
    await w.app.jobs.runDue(w.week.at('wednesday', '10:00'));
    expect(w.smtp.messages).toEqual([]);
    expect((await emailStates(w.app, bruno.id))[0]?.email_state).toBe('skipped');

    // Queued during quiet hours, then read before it goes out.
    await mention(w.admin.id, bruno);
    await w.app.jobs.runDue(w.week.at('wednesday', '21:00'));
    const second = (await emailStates(w.app, bruno.id))[1]!;
    expect(second.email_state).toBe('queued');
    expect((await post(w.app, `/notifications/${second.id}/read`, bruno.cookie)).statusCode).toBe(303);
    await w.app.jobs.runDue(w.week.at('thursday', '07:30'));
    expect(w.smtp.messages).toEqual([]);
    expect((await emailStates(w.app, bruno.id))[1]?.email_state).toBe('skipped');
  });
});

describe('quiet hours', () => {
  it('hold an email on a weekday evening and release it at 07:30', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    await mention(w.admin.id, bruno);
    await w.app.jobs.runDue(w.week.at('wednesday', '21:00'));
    expect(w.smtp.messages).toEqual([]);
    expect((await emailStates(w.app, bruno.id))[0]).toMatchObject({ email_state: 'queued', email_at: w.week.at('thursday', '07:30') });
    await w.app.jobs.runDue(w.week.at('thursday', '07:29'));
    expect(w.smtp.messages).toEqual([]);
    await w.app.jobs.runDue(w.week.at('thursday', '07:30'));
    expect(mailsTo(w.smtp, 'bruno@example.com')).toHaveLength(1);
  });

  it('hold a Friday evening email until Monday morning', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    await mention(w.admin.id, bruno);
    await w.app.jobs.runDue(w.week.at('friday', '22:00'));
    await w.app.jobs.runDue(w.week.at('saturday', '10:00'));
    await w.app.jobs.runDue(w.week.at('sunday', '10:00'));
    expect(w.smtp.messages).toEqual([]);
    await w.app.jobs.runDue(w.week.at('monday', '07:30', 1));
    expect(mailsTo(w.smtp, 'bruno@example.com')).toHaveLength(1);
  });

  it('are the person’s own when they chose theirs', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    const carla = await person(w.app, 'carla@example.com', { name: 'Carla' });
    // Bruno works evenings: quiet only from 23:00 to 06:00. Carla starts late: quiet until 09:00.
    for (const [who, start, end] of [
      [bruno, '23:00', '06:00'],
      [carla, '18:00', '09:00'],
    ] as const) {
      const saved = await post(w.app, '/account/notifications', who.cookie, { ...defaultsForm(), quietHours: 'own', quietStart: start, quietEnd: end });
      expect(saved.statusCode).toBe(303);
    }
    await mention(w.admin.id, bruno);
    await w.app.jobs.runDue(w.week.at('wednesday', '21:00'));
    expect(mailsTo(w.smtp, 'bruno@example.com')).toHaveLength(1);

    await mention(w.admin.id, carla);
    await w.app.jobs.runDue(w.week.at('thursday', '08:00'));
    expect(mailsTo(w.smtp, 'carla@example.com')).toHaveLength(0);
    await w.app.jobs.runDue(w.week.at('thursday', '09:00'));
    expect(mailsTo(w.smtp, 'carla@example.com')).toHaveLength(1);
  });

  it('hold again an email that comes due during them anyway (a retry, a stopped worker), and a digest too', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    await mention(w.admin.id, bruno);
    // Decided at 10:00 (due at once), but the worker only runs it at 21:00.
    await dispatch(w.app, w.week.at('wednesday', '10:00'));
    expect((await emailStates(w.app, bruno.id))[0]).toMatchObject({ email_state: 'queued', email_at: w.week.at('wednesday', '10:00') });
    await w.app.jobs.runDue(w.week.at('wednesday', '21:00'));
    expect(w.smtp.messages).toEqual([]);
    expect((await emailStates(w.app, bruno.id))[0]).toMatchObject({ email_state: 'queued', email_at: w.week.at('thursday', '07:30') });
    await w.app.jobs.runDue(w.week.at('thursday', '07:29'));
    expect(w.smtp.messages).toEqual([]);
    await w.app.jobs.runDue(w.week.at('thursday', '07:30'));
    expect(mailsTo(w.smtp, 'bruno@example.com')).toHaveLength(1);
    expect((await emailStates(w.app, bruno.id))[0]?.email_state).toBe('sent');

    // A digest job due on Saturday (a retry): held until Monday 07:30 (Saturday's run of the digests
    // already queued one for then: no second one is added).
    const item = await createPost(w.app, { spaceId: await companySpaceId(w.app), authorId: bruno.id, body: 'Plan' });
    await w.app.db.insertInto('notifications').values({ user_id: bruno.id, type: 'reply', actor_id: 1, content_id: item, comment_id: null, space_id: null, created_at: Date.now(), read_at: null, email_state: 'digest', email_at: Date.now() }).execute();
    await w.app.jobs.enqueue(w.app.db, { type: 'email.digest', payload: { userId: bruno.id }, runAt: w.week.at('saturday', '10:00'), key: 'email.digest:test' });
    await w.app.jobs.runDue(w.week.at('saturday', '10:00'));
    expect(mailsTo(w.smtp, 'bruno@example.com')).toHaveLength(1);
    await w.app.jobs.runDue(w.week.at('monday', '07:30', 1));
    // Every digest job ran. Monday's run of the digests may queue one more while the held one is
    // running (the worker runs two jobs at once): that one finds nothing left and sends nothing, so
    // what matters is below: one digest email, not two.
    const digestJobs = await w.app.db.selectFrom('jobs').select('state').where('type', '=', 'email.digest').execute();
    expect(digestJobs.length).toBeGreaterThanOrEqual(2);
    expect(digestJobs.every((job) => job.state === 'done')).toBe(true);
    expect(mailsTo(w.smtp, 'bruno@example.com').map((m) => m.subject)).toEqual([
      'Alice Martin mentioned you in “Hello @Bruno, <script>alert(1)</script> see the plan”',
      'Your daily digest: 1 new notification',
    ]);
    expect((await emailStates(w.app, bruno.id))[1]?.email_state).toBe('digested');

    // Two digest jobs of one person running side by side (the worker runs two at once): one email.
    await w.app.db.insertInto('notifications').values({ user_id: bruno.id, type: 'reply', actor_id: 1, content_id: item, comment_id: null, space_id: null, created_at: Date.now(), read_at: null, email_state: 'digest', email_at: Date.now() }).execute();
    for (const key of ['email.digest:a', 'email.digest:b']) {
      await w.app.jobs.enqueue(w.app.db, { type: 'email.digest', payload: { userId: bruno.id }, runAt: w.week.at('tuesday', '10:00', 1), key });
    }
    await w.app.jobs.runDue(w.week.at('tuesday', '10:00', 1));
    expect(mailsTo(w.smtp, 'bruno@example.com')).toHaveLength(3);
  });

  it('are bypassed by an urgent must-read, and each bypass is in the audit log', async () => {
    await person(w.app, 'bruno@example.com', { name: 'Bruno', locale: 'en' });
    const companyId = await companySpaceId(w.app);
    const urgent = contentIdFrom(await post(w.app, '/news/new', w.admin.cookie, articleFields(companyId, { title: 'Evacuate building B', mustRead: '1', urgent: '1' })));
    const plain = contentIdFrom(await post(w.app, '/news/new', w.admin.cookie, articleFields(companyId, { title: 'New canteen menu', mustRead: '1' })));
    await w.app.jobs.runDue(w.week.at('wednesday', '21:00'));

    const mails = mailsTo(w.smtp, 'bruno@example.com');
    expect(mails.map((m) => m.subject)).toEqual(['Urgent: New must-read: “Evacuate building B”']);
    const audit = await w.app.db.selectFrom('audit_log').select(['action', 'subject_id', 'details']).where('action', 'in', ['email.quietHoursBypassed', 'news.urgent']).orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'news.urgent', subject_id: String(urgent), details: JSON.stringify({ before: false, after: true }) },
      { action: 'email.quietHoursBypassed', subject_id: String(urgent), details: JSON.stringify({ recipients: 1 }) },
    ]);
    // The plain must-read waits for the morning.
    await w.app.jobs.runDue(w.week.at('thursday', '07:30'));
    expect(mailsTo(w.smtp, 'bruno@example.com').map((m) => m.subject)).toContain('New must-read: “New canteen menu”');

    // The edit form shows it ticked; unticking it is audited too; "urgent" without must-read means nothing.
    const form = await w.app.inject({ method: 'GET', url: `/news/${urgent}/edit`, headers: { cookie: w.admin.cookie } });
    expect(html(form).querySelector('input[name=urgent]')?.hasAttribute('checked')).toBe(true);
    expect((await post(w.app, `/news/${urgent}/edit`, w.admin.cookie, articleFields(companyId, { title: 'Evacuate building B', mustRead: '1', action: 'save' }))).statusCode).toBe(303);
    expect((await post(w.app, `/news/${plain}/edit`, w.admin.cookie, articleFields(companyId, { title: 'New canteen menu', urgent: '1', action: 'save' }))).statusCode).toBe(303);
    const urgency = await w.app.db.selectFrom('news_articles').select(['content_id', 'urgent']).orderBy('content_id').execute();
    expect(urgency).toEqual([
      { content_id: urgent, urgent: 0 },
      { content_id: plain, urgent: 0 },
    ]);
    const changes = await w.app.db.selectFrom('audit_log').select(['subject_id', 'details']).where('action', '=', 'news.urgent').orderBy('id').execute();
    expect(changes.at(-1)).toEqual({ subject_id: String(urgent), details: JSON.stringify({ before: true, after: false }) });
    expect(changes).toHaveLength(2);
  });

  it('are not bypassed by a must-read a non-admin marked “urgent” (the field is ignored, and not shown)', async () => {
    const edith = await person(w.app, 'edith@example.com', { name: 'Edith' });
    await w.app.db.updateTable('users').set({ role: 'editor' }).where('id', '=', edith.id).execute();
    await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    const companyId = await companySpaceId(w.app);
    const form = await w.app.inject({ method: 'GET', url: `/news/new?space=${companyId}`, headers: { cookie: edith.cookie } });
    expect(form.statusCode).toBe(200);
    expect(html(form).querySelector('input[name=urgent]')).toBeNull();
    const adminForm = await w.app.inject({ method: 'GET', url: `/news/new?space=${companyId}`, headers: { cookie: w.admin.cookie } });
    expect(html(adminForm).querySelector('input[name=urgent]')).not.toBeNull();
    const id = contentIdFrom(await post(w.app, '/news/new', edith.cookie, articleFields(companyId, { title: 'Not so urgent', mustRead: '1', urgent: '1' })));
    expect((await w.app.db.selectFrom('news_articles').select('urgent').where('content_id', '=', id).executeTakeFirstOrThrow()).urgent).toBe(0);
    await w.app.jobs.runDue(w.week.at('wednesday', '21:00'));
    expect(mailsTo(w.smtp, 'bruno@example.com')).toEqual([]);
  });
});

describe('at send time', () => {
  it('an email about an item the recipient can no longer see is never sent', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    const carla = await person(w.app, 'carla@example.com', { name: 'Carla' });
    const board = await createSpace(w.app, { name: 'Board', visibility: 'private', members: [[bruno.id, 'member'], [carla.id, 'member']] });
    await mention(w.admin.id, bruno, board);
    const hidden = await mention(w.admin.id, carla, board);
    await w.app.jobs.runDue(w.week.at('wednesday', '21:00'));
    // Bruno leaves the private space; Carla's item is deleted.
    await w.app.db.deleteFrom('space_members').where('space_id', '=', board).where('user_id', '=', bruno.id).execute();
    await w.app.db.updateTable('content').set({ deleted_at: Date.now() }).where('id', '=', hidden).execute();
    await w.app.jobs.runDue(w.week.at('thursday', '07:30'));
    expect(w.smtp.messages).toEqual([]);
    expect((await emailStates(w.app, bruno.id))[0]?.email_state).toBe('skipped');
    expect((await emailStates(w.app, carla.id))[0]?.email_state).toBe('skipped');
  });

  it('nothing goes to a deactivated person', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    await mention(w.admin.id, bruno);
    await w.app.jobs.runDue(w.week.at('wednesday', '21:00'));
    await deactivate(w.app, bruno.id);
    await w.app.jobs.runDue(w.week.at('thursday', '07:30'));
    expect(w.smtp.messages).toEqual([]);
  });
});

describe('the outbox', () => {
  it('retries with backoff while the mail server is down, records the failure, shows it to admins, and retries on demand', async () => {
    const port = await closedPort();
    const down = await emailWorld({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    try {
      const bruno = await person(down.app, 'bruno@example.com', { name: 'Bruno' });
      await createPost(down.app, { spaceId: await companySpaceId(down.app), authorId: 1, body: `Hi @[Bruno](${bruno.id})` });
      const t0 = down.week.at('wednesday', '10:00');
      await down.app.jobs.runDue(t0);
      const job = () => down.app.db.selectFrom('jobs').selectAll().where('type', '=', 'email.notification').executeTakeFirstOrThrow();
      expect(await job()).toMatchObject({ state: 'pending', attempts: 1, run_at: t0 + 30_000 });
      expect((await job()).last_error).toMatch(/ECONNREFUSED/);
      // Not before its time; then 30 s, 60 s, 120 s, 240 s apart.
      await down.app.jobs.runDue(t0 + 29_999);
      expect((await job()).attempts).toBe(1);
      let at = t0;
      for (const delay of [30_000, 60_000, 120_000, 240_000]) {
        at += delay;
        await down.app.jobs.runDue(at);
      }
      const failed = await job();
      expect(failed).toMatchObject({ state: 'failed', attempts: 5 });

      const page = await down.app.inject({ method: 'GET', url: '/admin/notifications', headers: { cookie: down.admin.cookie, 'accept-language': 'en' } });
      const row = html(page).querySelector('#outbox tbody tr');
      expect(row?.textContent.replace(/\s+/g, ' ')).toMatch(/Bruno <bruno@example.com> Mentions .* 5 \/ 5 Failed .*ECONNREFUSED.* Retry/);
      expect(page.body).not.toMatch(/at .*\.js:\d+/);

      // The mail server comes back; the admin retries.
      const back = await startSmtpOn(port);
      try {
        const retried = await post(down.app, `/admin/notifications/outbox/${failed.id}/retry`, down.admin.cookie);
        expect(retried.statusCode).toBe(303);
        // A fixed weekday morning of the test's week (after the retry's "now"): quiet hours would hold it.
        await down.app.jobs.runDue(down.week.at('thursday', '10:00'));
        expect(back.messages.map((m) => m.subject)).toEqual(['Alice Martin mentioned you in “Hi @Bruno”']);
        expect((await job()).state).toBe('done');
        const after = await down.app.inject({ method: 'GET', url: '/admin/notifications', headers: { cookie: down.admin.cookie, 'accept-language': 'en' } });
        expect(mainText(after)).toContain('No email is waiting and none failed.');
      } finally {
        await back.close();
      }
    } finally {
      await down.close();
    }
  });

  it('lists pending emails with their recipient and due time; retrying one that is not failed changes nothing', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    await mention(w.admin.id, bruno);
    await w.app.jobs.runDue(w.week.at('wednesday', '21:00'));
    const page = await w.app.inject({ method: 'GET', url: '/admin/notifications', headers: { cookie: w.admin.cookie, 'accept-language': 'en' } });
    const row = html(page).querySelector('#outbox tbody tr');
    expect(row?.textContent.replace(/\s+/g, ' ')).toMatch(/Bruno <bruno@example.com> Mentions .* 0 \/ 5 Waiting/);
    expect(row?.querySelector('time')?.getAttribute('datetime')).toBe(new Date(w.week.at('thursday', '07:30')).toISOString());
    expect(row?.querySelector('button')).toBeNull();
    const job = await w.app.db.selectFrom('jobs').select('id').where('type', '=', 'email.notification').executeTakeFirstOrThrow();
    expect((await post(w.app, `/admin/notifications/outbox/${job.id}/retry`, w.admin.cookie)).statusCode).toBe(303);
    const recurring = await w.app.db.selectFrom('jobs').select('id').where('type', '=', 'email.dispatch').executeTakeFirstOrThrow();
    expect((await post(w.app, `/admin/notifications/outbox/${recurring.id}/retry`, w.admin.cookie)).statusCode).toBe(404);
    expect((await post(w.app, '/admin/notifications/outbox/999999/retry', w.admin.cookie)).statusCode).toBe(404);
    expect((await post(w.app, `/admin/notifications/outbox/${job.id}/retry`, bruno.cookie)).statusCode).toBe(403);

    // A weekend's worth of held emails never hides a failed one: failures come first.
    const now = Date.now();
    const held = Array.from({ length: 250 }, (_, i) => ({ type: 'email.digest', payload: JSON.stringify({ userId: bruno.id }), key: `email.digest:held:${i}`, state: 'pending' as const, run_at: now + i, max_attempts: 5, last_error: null, locked_until: null, created_at: now, updated_at: now }));
    await w.app.db.insertInto('jobs').values(held).execute();
    await w.app.db.insertInto('jobs').values({ type: 'email.digest', payload: JSON.stringify({ userId: bruno.id }), key: 'email.digest:failed', state: 'failed', run_at: now + 1_000_000, attempts: 5, max_attempts: 5, last_error: 'Greeting never received', locked_until: null, created_at: now, updated_at: now }).execute();
    const crowded = html(await w.app.inject({ method: 'GET', url: '/admin/notifications', headers: { cookie: w.admin.cookie, 'accept-language': 'en' } }));
    const first = crowded.querySelector('#outbox tbody tr');
    expect(first?.textContent.replace(/\s+/g, ' ')).toMatch(/Bruno <bruno@example.com> Digest .* 5 \/ 5 Failed Greeting never received Retry/);

    // Retrying the failed one is an admin action: audited (who, which email, failed -> pending); the
    // refused retries above wrote nothing.
    const audit = () => w.app.db.selectFrom('audit_log').select(['actor_id', 'subject_type', 'subject_id', 'details']).where('action', '=', 'email.retry').execute();
    expect(await audit()).toEqual([]);
    const failedJob = await w.app.db.selectFrom('jobs').select('id').where('key', '=', 'email.digest:failed').executeTakeFirstOrThrow();
    expect((await post(w.app, `/admin/notifications/outbox/${failedJob.id}/retry`, w.admin.cookie)).statusCode).toBe(303);
    expect(await w.app.db.selectFrom('jobs').select('state').where('id', '=', failedJob.id).executeTakeFirstOrThrow()).toEqual({ state: 'pending' });
    expect(await audit()).toEqual([{ actor_id: w.admin.id, subject_type: 'email_job', subject_id: String(failedJob.id), details: JSON.stringify({ state: { before: 'failed', after: 'pending' } }) }]);
    // Again: no longer failed, so nothing retried and nothing written.
    expect((await post(w.app, `/admin/notifications/outbox/${failedJob.id}/retry`, w.admin.cookie)).statusCode).toBe(303);
    expect(await audit()).toHaveLength(1);
  });
});

describe('a restart', () => {
  it('loses nothing: an email queued before the app closed goes out after it is built again on the same data', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-restart-'));
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SMTP_URL: w.smtp.url, PUBLIC_URL });
    const week = parisWeek();
    try {
      const first = await buildApp(config);
      await setupOrganisation(first);
      const bruno = await person(first, 'bruno@example.com', { name: 'Bruno' });
      await createPost(first, { spaceId: await companySpaceId(first), authorId: 1, body: `Hi @[Bruno](${bruno.id})` });
      await first.jobs.runDue(week.at('wednesday', '21:00'));
      expect(await first.db.selectFrom('jobs').select('state').where('type', '=', 'email.notification').execute()).toEqual([{ state: 'pending' }]);
      await first.close();

      const second = await buildApp(config);
      try {
        // One row per recurring job still, after a second start.
        expect(await second.db.selectFrom('jobs').select('type').where('type', 'in', ['email.dispatch', 'email.digests']).orderBy('type').execute()).toEqual([
          { type: 'email.digests' },
          { type: 'email.dispatch' },
        ]);
        await second.jobs.runDue(week.at('thursday', '07:30'));
        expect(mailsTo(w.smtp, 'bruno@example.com').map((m) => m.subject)).toEqual(['Alice Martin mentioned you in “Hi @Bruno”']);
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
