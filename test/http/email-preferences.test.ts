// Notification preferences (a person's, the organisation's defaults, "apply to everyone") and the
// signed unsubscribe link that works without signing in, and fails when altered.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shownInApp } from '../../src/features/email-notifications/in-app.js';
import { nextWallClock } from '../../src/features/email-notifications/quiet-hours.js';
import { notify } from '../../src/notifications/notify.js';
import { html, mainText } from '../helpers/app.js';
import { companySpaceId, createPost, createSpace } from '../helpers/content.js';
import { deactivate } from '../helpers/conversation.js';
import { defaultsForm, emailStates, emailWorld, mailsTo, person, unsubscribeLinkIn, type EmailWorld } from '../helpers/email.js';
import { get, post } from '../helpers/news.js';

let w: EmailWorld;
beforeEach(async () => {
  w = await emailWorld();
});
afterEach(async () => {
  await w?.close();
});

/** The fields without some (an unticked checkbox is not sent). */
const without = (fields: Record<string, string>, ...names: string[]) => Object.fromEntries(Object.entries(fields).filter(([name]) => !names.includes(name)));
const checked = (response: Awaited<ReturnType<typeof get>>, selector: string) => html(response).querySelector(selector)?.hasAttribute('checked') ?? false;

describe('a person’s preferences', () => {
  it('are reached from the account page, only when signed in', async () => {
    const anonymous = await w.app.inject({ method: 'GET', url: '/account/notifications' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login/);
    expect((await post(w.app, '/account/notifications', '', defaultsForm())).headers.location).toMatch(/^\/login/);
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    const account = await get(w.app, '/account', bruno.cookie);
    expect(html(account).querySelector('a[href="/account/notifications"]')?.textContent).toBe('Notifications');
    const page = await get(w.app, '/account/notifications', bruno.cookie);
    expect(page.statusCode).toBe(200);
    const table = html(page).querySelector('table.notification-choices');
    expect(table?.querySelector('caption')?.textContent).toBe('What you receive, by kind of notification');
    // On a narrow screen the table may scroll sideways: its box is a named region the keyboard reaches.
    const region = html(page).querySelector('.table-scroll');
    expect(region?.getAttribute('tabindex')).toBe('0');
    expect(region?.getAttribute('role')).toBe('region');
    expect(region?.getAttribute('aria-label')).toBe('What you receive, by kind of notification');
    expect(table?.querySelectorAll('thead th[scope=col]').map((th) => th.textContent)).toEqual(['Notification', 'In the app', 'Email at once', 'In the digest', 'No email']);
    expect(table?.querySelectorAll('tbody th[scope=row]')).toHaveLength(10);
    // The built-in defaults: mentions at once, replies in the digest; everything in the app.
    expect(checked(page, 'input[name=email-mention][value=immediate]')).toBe(true);
    expect(checked(page, 'input[name=email-reply][value=digest]')).toBe(true);
    expect(checked(page, 'input[name=inApp-reaction]')).toBe(true);
    expect(html(page).querySelector('input[name=email-mention][value=off]')?.getAttribute('aria-label')).toBe('Mentions: No email');
    expect(checked(page, 'input[name=quietHours][value=organisation]')).toBe(true);
    expect(mainText(page)).toContain('Those of the organisation (20:00 to 07:30, and weekends)');
    // A deactivated person's session ends with them.
    await deactivate(w.app, bruno.id);
    expect((await get(w.app, '/account/notifications', bruno.cookie)).statusCode).toBe(303);
  });

  it('are saved, shown back, and decide what is emailed', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    const saved = await post(
      w.app,
      '/account/notifications',
      bruno.cookie,
      without({ ...defaultsForm(), 'email-mention': 'off', 'email-reaction': 'immediate', digestFrequency: 'weekly', quietHours: 'own', quietStart: '21:15', quietEnd: '06:45' }, 'inApp-reaction'),
    );
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/account/notifications');
    const page = await get(w.app, '/account/notifications', bruno.cookie);
    expect(checked(page, 'input[name=email-mention][value=off]')).toBe(true);
    expect(checked(page, 'input[name=email-reaction][value=immediate]')).toBe(true);
    expect(checked(page, 'input[name=inApp-reaction]')).toBe(false);
    expect(checked(page, 'input[name=digestFrequency][value=weekly]')).toBe(true);
    expect(checked(page, 'input[name=quietHours][value=own]')).toBe(true);
    expect(html(page).querySelector('input[name=quietStart]')?.getAttribute('value')).toBe('21:15');
    expect(html(page).querySelector('input[name=quietWeekends]')?.hasAttribute('checked')).toBe(false);

    await createPost(w.app, { spaceId: await companySpaceId(w.app), authorId: w.admin.id, body: `Hi @[Bruno](${bruno.id})` });
    await w.app.jobs.runDue(w.week.at('wednesday', '10:00'));
    expect(w.smtp.messages).toEqual([]);
    expect((await emailStates(w.app, bruno.id)).map((n) => n.email_state)).toEqual(['skipped']);

    // The in-app channel: the in-app read paths filter with shownInApp().
    const item = await createPost(w.app, { spaceId: await companySpaceId(w.app), authorId: bruno.id, body: 'Mine' });
    await notify(w.app.db, [{ userId: bruno.id, type: 'reaction', actorId: 1, contentId: item, createdAt: Date.now() }]);
    const shown = await w.app.db.selectFrom('notifications as n').select('n.type').where('n.user_id', '=', bruno.id).where(shownInApp('n')).execute();
    expect(shown.map((n) => n.type)).toEqual(['mention']);
  });

  it('refuse bad input with clear messages, keeping everything typed (escaped)', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    const response = await post(w.app, '/account/notifications', bruno.cookie, {
      ...defaultsForm(),
      'email-reply': 'immediate',
      'email-comment': 'sometimes',
      quietHours: 'own',
      quietStart: '<script>alert(1)</script>',
      quietEnd: '   ',
    });
    expect(response.statusCode).toBe(422);
    const summary = html(response).querySelector('.error-summary');
    expect(summary?.querySelector('a[href="#quietStart"]')?.textContent).toBe('Write a time as HH:MM, for example 07:30.');
    expect(summary?.querySelector('a[href="#quietEnd"]')?.textContent).toBe('Give the time, as HH:MM (for example 07:30), or choose the organisation’s hours.');
    expect(summary?.querySelector('a[href="#email-comment"]')).not.toBeNull();
    expect(html(response).querySelector('#email-comment')).not.toBeNull();
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(html(response).querySelector('input[name=quietStart]')?.getAttribute('value')).toBe('<script>alert(1)</script>');
    expect(checked(response, 'input[name=email-reply][value=immediate]')).toBe(true);
    expect(checked(response, 'input[name=quietHours][value=own]')).toBe(true);
    expect(await w.app.db.selectFrom('notification_preferences').selectAll().execute()).toEqual([]);

    const long = await post(w.app, '/account/notifications', bruno.cookie, { ...defaultsForm(), quietHours: 'own', quietStart: '0'.repeat(1000), quietEnd: '08:00' });
    expect(long.statusCode).toBe(422);
    expect(html(long).querySelector('.error-summary a[href="#quietStart"]')?.textContent).toBe('Enter no more than 100 characters.');
    const fanny = await person(w.app, 'fanny@example.com', { name: 'Fanny', locale: 'fr' });
    const french = await post(w.app, '/account/notifications', fanny.cookie, { ...defaultsForm(), quietHours: 'own', quietStart: '7h30', quietEnd: '08:00' });
    expect(french.statusCode).toBe(422);
    expect(mainText(french)).toContain('Écrivez une heure sous la forme HH:MM, par exemple 07:30.');
    // Own hours not chosen: the time fields are not checked (whatever they hold).
    expect((await post(w.app, '/account/notifications', bruno.cookie, { ...defaultsForm(), quietStart: 'whenever' })).statusCode).toBe(303);
  });
});

describe('the organisation’s defaults', () => {
  const adminForm = (overrides: Record<string, string> = {}) => {
    const { quietHours: _q, ...fields } = defaultsForm();
    return { ...fields, digestFrequency: 'daily', quietStart: '20:00', quietEnd: '07:30', quietWeekends: '1', ...overrides };
  };

  it('are for admins only, linked from the administration', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    const edith = await person(w.app, 'edith@example.com', { name: 'Edith' });
    await w.app.db.updateTable('users').set({ role: 'editor' }).where('id', '=', edith.id).execute();
    const sam = await person(w.app, 'sam@example.com', { name: 'Sam' });
    await createSpace(w.app, { name: 'Sam’s space', visibility: 'private', members: [[sam.id, 'admin']] });
    expect((await w.app.inject({ method: 'GET', url: '/admin/notifications' })).headers.location).toMatch(/^\/login/);
    expect((await post(w.app, '/admin/notifications/outbox/1/retry', '')).headers.location).toMatch(/^\/login/);
    for (const cookie of [bruno.cookie, edith.cookie, sam.cookie]) {
      expect((await get(w.app, '/admin/notifications', cookie)).statusCode).toBe(403);
      expect((await post(w.app, '/admin/notifications', cookie, adminForm())).statusCode).toBe(403);
      expect((await get(w.app, '/admin/notifications/apply', cookie)).statusCode).toBe(403);
      expect((await post(w.app, '/admin/notifications/apply', cookie)).statusCode).toBe(403);
    }
    const settings = await get(w.app, '/admin/settings', w.admin.cookie);
    expect(html(settings).querySelector('a[href="/admin/notifications"]')?.textContent).toBe('Email notifications');
    const page = await get(w.app, '/admin/notifications', w.admin.cookie);
    expect(page.statusCode).toBe(200);
    expect(html(page).querySelector('input[name=quietStart]')?.getAttribute('value')).toBe('20:00');
    expect(html(page).querySelector('input[name=quietEnd]')?.getAttribute('value')).toBe('07:30');
    expect(checked(page, 'input[name=quietWeekends]')).toBe(true);
    expect(checked(page, 'input[name=digestFrequency][value=daily]')).toBe(true);
  });

  it('apply to whoever did not choose, move the quiet hours and the digests, and are audited', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    const carla = await person(w.app, 'carla@example.com', { name: 'Carla' });
    // Carla chose for herself (the built-in defaults, as they were).
    expect((await post(w.app, '/account/notifications', carla.cookie, defaultsForm())).statusCode).toBe(303);
    const saved = await post(w.app, '/admin/notifications', w.admin.cookie, without(adminForm({ 'email-mention': 'digest', quietStart: '21:00', quietEnd: '07:00' }), 'quietWeekends'));
    expect(saved.statusCode).toBe(303);
    const audit = await w.app.db.selectFrom('audit_log').select(['actor_id', 'details']).where('action', '=', 'notifications.defaults').executeTakeFirstOrThrow();
    expect(audit.actor_id).toBe(1);
    const details = JSON.parse(audit.details) as { before: { quietHours: unknown; choices: { mention: unknown } }; after: { quietHours: unknown; choices: { mention: unknown } } };
    expect(details.before.quietHours).toEqual({ start: 1200, end: 450, weekends: true });
    expect(details.after.quietHours).toEqual({ start: 1260, end: 420, weekends: false });
    expect(details.after.choices.mention).toEqual({ inApp: true, email: 'digest' });
    // The digests now go out at 07:00.
    const digests = await w.app.db.selectFrom('jobs').select('run_at').where('type', '=', 'email.digests').executeTakeFirstOrThrow();
    expect(digests.run_at).toBe(nextWallClock(digests.run_at - 24 * 60 * 60 * 1000, 7 * 60, 'Europe/Paris'));

    for (const who of [bruno, carla]) await createPost(w.app, { spaceId: await companySpaceId(w.app), authorId: w.admin.id, body: `Hi @[X](${who.id})` });
    // Keep the digests out of the way: this is about immediate emails.
    await w.app.jobs.reschedule(w.app.db, 'email.digests', w.week.at('monday', '07:00', 1));
    // Saturday 20:30 is no longer quiet (neither weekends nor 20:00 are).
    await w.app.jobs.runDue(w.week.at('saturday', '20:30'));
    expect((await emailStates(w.app, bruno.id)).map((n) => n.email_state)).toEqual(['digest']);
    expect(mailsTo(w.smtp, 'carla@example.com')).toHaveLength(1);
  });

  it('refuse a malformed time, keeping what was typed', async () => {
    const response = await post(w.app, '/admin/notifications', w.admin.cookie, adminForm({ quietEnd: '7.30', 'email-reply': 'off' }));
    expect(response.statusCode).toBe(422);
    expect(html(response).querySelector('.error-summary a[href="#quietEnd"]')?.textContent).toBe('Write a time as HH:MM, for example 07:30.');
    expect(html(response).querySelector('input[name=quietEnd]')?.getAttribute('value')).toBe('7.30');
    expect(checked(response, 'input[name=email-reply][value=off]')).toBe(true);
    expect(await w.app.db.selectFrom('notification_defaults').selectAll().execute()).toEqual([]);
  });

  it('are applied to everyone after a confirmation, overwriting their choices, audited with the counts', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    expect((await post(w.app, '/account/notifications', bruno.cookie, { ...defaultsForm(), 'email-mention': 'off', digestFrequency: 'never' })).statusCode).toBe(303);
    const confirm = await get(w.app, '/admin/notifications/apply', w.admin.cookie);
    expect(mainText(confirm)).toContain('1 person made their own choices. They will be replaced');
    expect(html(confirm).querySelector('form[action="/admin/notifications/apply"] button')?.textContent).toBe('Apply to everyone');
    // Nothing changed by looking.
    expect(await w.app.db.selectFrom('notification_preferences').selectAll().execute()).toHaveLength(10);

    const applied = await post(w.app, '/admin/notifications/apply', w.admin.cookie);
    expect(applied.statusCode).toBe(303);
    expect(await w.app.db.selectFrom('notification_preferences').selectAll().execute()).toEqual([]);
    expect(await w.app.db.selectFrom('notification_settings').selectAll().execute()).toEqual([]);
    const audit = await w.app.db.selectFrom('audit_log').select('details').where('action', '=', 'notifications.applyDefaults').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details)).toEqual({ before: { people: 1, preferences: 10, settings: 1 }, after: { people: 0, preferences: 0, settings: 0 } });
    const page = await get(w.app, '/account/notifications', bruno.cookie);
    expect(checked(page, 'input[name=email-mention][value=immediate]')).toBe(true);
  });
});

describe('the unsubscribe link', () => {
  async function mentionEmail(locale: 'fr' | 'en' = 'en') {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno', locale });
    await createPost(w.app, { spaceId: await companySpaceId(w.app), authorId: w.admin.id, body: `Hi @[Bruno](${bruno.id})` });
    await w.app.jobs.runDue(w.week.at('wednesday', '10:00'));
    const [mail] = mailsTo(w.smtp, 'bruno@example.com');
    return { bruno, link: new URL(unsubscribeLinkIn(mail!)) };
  }
  const mentionChoice = async (userId: number) =>
    (await w.app.db.selectFrom('notification_preferences').select(['email', 'in_app']).where('user_id', '=', userId).where('type', '=', 'mention').executeTakeFirst()) ?? null;

  it('asks, then unsubscribes from that type without signing in; the next mention is not emailed', async () => {
    const { bruno, link } = await mentionEmail();
    const ask = await w.app.inject({ method: 'GET', url: link.pathname, headers: { 'accept-language': 'en' } });
    expect(ask.statusCode).toBe(200);
    expect(mainText(ask)).toContain('Stop the emails about mentions sent to bruno@example.com?');
    expect(html(ask).querySelector(`form[method=post][action="${link.pathname}"] button`)?.textContent).toBe('Unsubscribe');
    expect(await mentionChoice(bruno.id)).toBeNull();

    const done = await w.app.inject({ method: 'POST', url: link.pathname, headers: { 'accept-language': 'en', 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(done.statusCode).toBe(200);
    expect(mainText(done)).toContain('Done: no more emails about mentions will be sent to bruno@example.com.');
    expect(await mentionChoice(bruno.id)).toEqual({ email: 'off', in_app: 1 });

    await createPost(w.app, { spaceId: await companySpaceId(w.app), authorId: w.admin.id, body: `Again @[Bruno](${bruno.id})` });
    await w.app.jobs.runDue(w.week.at('wednesday', '11:00'));
    expect(mailsTo(w.smtp, 'bruno@example.com')).toHaveLength(1);
  });

  it('answers the one-click POST of mail clients (RFC 8058)', async () => {
    const { bruno, link } = await mentionEmail();
    const response = await w.app.inject({ method: 'POST', url: link.pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(response.statusCode).toBe(200);
    expect(await mentionChoice(bruno.id)).toEqual({ email: 'off', in_app: 1 });
  });

  it('fails with a clear page, never an exception, when altered: one character, another type, another person', async () => {
    const { bruno, link } = await mentionEmail('fr');
    const token = link.pathname.split('/').at(-1)!;
    const changed = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    const altered = [
      link.pathname.replace(token, changed),
      link.pathname.replace('/mention/', '/reply/'),
      link.pathname.replace(`/unsubscribe/${bruno.id}/`, '/unsubscribe/1/'),
      link.pathname.replace(token, token.slice(0, -1)),
      link.pathname.replace(token, `${token}x`),
      link.pathname.replace(`/unsubscribe/${bruno.id}/`, '/unsubscribe/abc/'),
      link.pathname.replace(`/unsubscribe/${bruno.id}/`, '/unsubscribe/99999999999999999999/'),
      link.pathname.replace('/mention/', '/%3Cscript%3E/'),
    ];
    for (const url of altered) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await w.app.inject({ method, url, headers: { 'accept-language': 'fr', 'content-type': 'application/x-www-form-urlencoded' }, payload: method === 'POST' ? '' : undefined });
        expect(response.statusCode, `${method} ${url}`).toBe(404);
        expect(mainText(response), url).toContain('Ce lien de désabonnement n’est pas valide');
        expect(response.body).not.toContain('<script>');
      }
    }
    expect(await w.app.db.selectFrom('notification_preferences').selectAll().execute()).toEqual([]);
  });

  it('and every preference form refuse cross-site requests from a browser: nothing changes', async () => {
    const { bruno, link } = await mentionEmail();
    const before = await w.app.db.selectFrom('organisation').select(['quiet_start', 'quiet_end', 'digest_frequency']).executeTakeFirstOrThrow();
    const posts: Array<[string, string, Record<string, string>]> = [
      [link.pathname, '', {}],
      ['/account/notifications', bruno.cookie, { ...defaultsForm(), quietHours: 'own', quietStart: '01:00', quietEnd: '02:00' }],
      ['/admin/notifications', w.admin.cookie, { ...defaultsForm(), digestFrequency: 'never', quietStart: '01:00', quietEnd: '02:00' }],
      ['/admin/notifications/apply', w.admin.cookie, {}],
    ];
    for (const headers of <Array<Record<string, string>>>[{ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, { origin: 'null' }]) {
      for (const [url, cookie, fields] of posts) expect((await post(w.app, url, cookie, fields, headers)).statusCode, url).toBe(403);
    }
    expect(await mentionChoice(bruno.id)).toBeNull();
    expect(await w.app.db.selectFrom('notification_settings').selectAll().execute()).toEqual([]);
    expect(await w.app.db.selectFrom('organisation').select(['quiet_start', 'quiet_end', 'digest_frequency']).executeTakeFirstOrThrow()).toEqual(before);
  });

  it('of the digest stops the digest', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    const item = await createPost(w.app, { spaceId: await companySpaceId(w.app), authorId: bruno.id, body: 'Plan' });
    await notify(w.app.db, [{ userId: bruno.id, type: 'reply', actorId: 1, contentId: item, createdAt: Date.now() }]);
    await w.app.jobs.runDue(w.week.at('monday', '07:30'));
    const [digest] = mailsTo(w.smtp, 'bruno@example.com');
    const link = new URL(unsubscribeLinkIn(digest!));
    expect(link.pathname).toMatch(new RegExp(`^/email/unsubscribe/${bruno.id}/digest/`));
    expect(mainText(await w.app.inject({ method: 'GET', url: link.pathname, headers: { 'accept-language': 'en' } }))).toContain('Stop the digest emails sent to bruno@example.com?');
    expect((await w.app.inject({ method: 'POST', url: link.pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })).statusCode).toBe(200);
    const settings = await w.app.db.selectFrom('notification_settings').select('digest_frequency').where('user_id', '=', bruno.id).executeTakeFirstOrThrow();
    expect(settings.digest_frequency).toBe('never');
  });
});
