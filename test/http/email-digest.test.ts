// The digest: replies, comments and reactions wait for it; it goes out each morning at the end of the
// quiet hours (daily), or on Mondays (weekly), or never; one email per person, grouped by item, in
// their language, with only what is unread and still visible; nothing when there is nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notify, type NewNotification } from '../../src/notifications/notify.js';
import { companySpaceId, createPost, createSpace } from '../helpers/content.js';
import { defaultsForm, emailStates, emailWorld, mailsTo, person, PUBLIC_URL, type EmailWorld } from '../helpers/email.js';
import { post } from '../helpers/news.js';

let w: EmailWorld;
beforeEach(async () => {
  w = await emailWorld();
});
afterEach(async () => {
  await w?.close();
});

async function event(userId: number, type: NewNotification['type'], actorId: number, contentId: number): Promise<void> {
  await notify(w.app.db, [{ userId, type, actorId, contentId, createdAt: Date.now() }]);
}

describe('the daily digest', () => {
  it('gathers the replies, comments and reactions of the day in one email, grouped by item, at 07:30', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno', locale: 'en' });
    const carla = await person(w.app, 'carla@example.com', { name: 'Carla' });
    const dan = await person(w.app, 'dan@example.com', { name: 'Dan' });
    const company = await companySpaceId(w.app);
    const plan = await createPost(w.app, { spaceId: company, authorId: bruno.id, body: 'The plan for <b>2027</b>' });
    const menu = await createPost(w.app, { spaceId: company, authorId: carla.id, body: 'Canteen menu' });
    await event(bruno.id, 'reply', w.admin.id, plan);
    await event(bruno.id, 'comment', carla.id, menu);
    await event(bruno.id, 'reply', carla.id, plan);
    await event(bruno.id, 'reaction', dan.id, plan);

    // During the day: nothing by email for these.
    await w.app.jobs.runDue(w.week.at('monday', '07:00'));
    expect(w.smtp.messages).toEqual([]);
    expect((await emailStates(w.app, bruno.id)).map((n) => n.email_state)).toEqual(['digest', 'digest', 'digest', 'digest']);

    await w.app.jobs.runDue(w.week.at('monday', '07:30'));
    const mails = mailsTo(w.smtp, 'bruno@example.com');
    expect(mails).toHaveLength(1);
    const digest = mails[0]!;
    expect(digest.subject).toBe('Your daily digest: 4 new notifications');
    const text = digest.text ?? '';
    expect(text).toContain('Hello Bruno,');
    // Grouped by item, in the order of their first notification; each type's people together.
    const planAt = text.indexOf('## The plan for <b>2027</b>');
    const menuAt = text.indexOf('## Canteen menu');
    expect(planAt).toBeGreaterThan(0);
    expect(menuAt).toBeGreaterThan(planAt);
    const planGroup = text.slice(planAt, menuAt);
    expect(planGroup).toContain('- Alice Martin and Carla replied on “The plan for <b>2027</b>”');
    expect(planGroup).toContain('- Dan reacted to “The plan for <b>2027</b>”');
    expect(planGroup).toContain(`${PUBLIC_URL}/content/${plan}`);
    expect(text.slice(menuAt)).toContain('- Carla commented on “Canteen menu”');
    expect(text).toContain(`${PUBLIC_URL}/email/unsubscribe/${bruno.id}/digest/`);
    // The title is text: the HTML part shows it escaped, never as markup.
    expect(String(digest.html)).not.toContain('<b>');
    expect(String(digest.html)).toContain('The plan for &lt;b&gt;2027&lt;/b&gt;');
    expect((await emailStates(w.app, bruno.id)).map((n) => n.email_state)).toEqual(['digested', 'digested', 'digested', 'digested']);

    // The next morning there is nothing new: no email.
    await w.app.jobs.runDue(w.week.at('tuesday', '07:30'));
    expect(mailsTo(w.smtp, 'bruno@example.com')).toHaveLength(1);
  });

  it('leaves out what was read in the app, or can no longer be seen; sends nothing when nothing is left', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno', locale: 'fr' });
    const board = await createSpace(w.app, { name: 'Board', visibility: 'private', members: [[bruno.id, 'member']] });
    const company = await companySpaceId(w.app);
    const secret = await createPost(w.app, { spaceId: board, authorId: w.admin.id, body: 'Secret merger' });
    const open = await createPost(w.app, { spaceId: company, authorId: bruno.id, body: 'Open topic' });
    const read = await createPost(w.app, { spaceId: company, authorId: bruno.id, body: 'Already read' });
    await event(bruno.id, 'comment', w.admin.id, secret);
    await event(bruno.id, 'reply', w.admin.id, open);
    await event(bruno.id, 'reply', w.admin.id, read);
    await w.app.jobs.runDue(w.week.at('monday', '07:00'));
    const states = await emailStates(w.app, bruno.id);
    await w.app.db.updateTable('notifications').set({ read_at: Date.now() }).where('id', '=', states[2]!.id).execute();
    await w.app.db.deleteFrom('space_members').where('space_id', '=', board).execute();

    await w.app.jobs.runDue(w.week.at('monday', '07:30'));
    const [digest] = mailsTo(w.smtp, 'bruno@example.com');
    expect(digest?.subject).toBe('Votre résumé du jour\u202f: 1 nouvelle notification');
    expect(digest?.text).toContain('Alice Martin a répondu sur «\u00a0Open topic\u00a0»');
    expect(digest?.text).not.toContain('Secret');
    expect(digest?.text).not.toContain('Already read');
    expect((await emailStates(w.app, bruno.id)).map((n) => n.email_state)).toEqual(['skipped', 'digested', 'skipped']);

    // Everything read before the next digest: no email at all.
    await event(bruno.id, 'reply', w.admin.id, open);
    await w.app.jobs.runDue(w.week.at('monday', '12:00'));
    await w.app.db.updateTable('notifications').set({ read_at: Date.now() }).where('user_id', '=', bruno.id).execute();
    await w.app.jobs.runDue(w.week.at('tuesday', '07:30'));
    expect(mailsTo(w.smtp, 'bruno@example.com')).toHaveLength(1);
  });
});

describe('digest frequency', () => {
  it('weekly goes out on Monday only, daily every morning, never not at all', async () => {
    const daily = await person(w.app, 'daily@example.com', { name: 'Daisy' });
    const weekly = await person(w.app, 'weekly@example.com', { name: 'Wes' });
    const never = await person(w.app, 'never@example.com', { name: 'Nev' });
    expect((await post(w.app, '/account/notifications', weekly.cookie, { ...defaultsForm(), digestFrequency: 'weekly' })).statusCode).toBe(303);
    expect((await post(w.app, '/account/notifications', never.cookie, { ...defaultsForm(), digestFrequency: 'never' })).statusCode).toBe(303);
    await w.app.jobs.reschedule(w.app.db, 'email.digests', w.week.at('tuesday', '07:30'));
    const item = await createPost(w.app, { spaceId: await companySpaceId(w.app), authorId: w.admin.id, body: 'Roadmap' });
    for (const who of [daily, weekly, never]) await event(who.id, 'comment', w.admin.id, item);

    await w.app.jobs.runDue(w.week.at('tuesday', '07:00'));
    expect((await emailStates(w.app, never.id)).map((n) => n.email_state)).toEqual(['skipped']);
    await w.app.jobs.runDue(w.week.at('tuesday', '07:30'));
    expect(mailsTo(w.smtp, 'daily@example.com').map((m) => m.subject)).toEqual(['Your daily digest: 1 new notification']);
    expect(mailsTo(w.smtp, 'weekly@example.com')).toEqual([]);
    for (const day of ['wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const) await w.app.jobs.runDue(w.week.at(day, '07:30'));
    expect(mailsTo(w.smtp, 'weekly@example.com')).toEqual([]);
    await w.app.jobs.runDue(w.week.at('monday', '07:30', 1));
    expect(mailsTo(w.smtp, 'weekly@example.com').map((m) => m.subject)).toEqual(['Your weekly digest: 1 new notification']);
    expect(mailsTo(w.smtp, 'never@example.com')).toEqual([]);
    expect(mailsTo(w.smtp, 'daily@example.com')).toHaveLength(1);
  });

  it('follows the organisation’s default when the person did not choose, and waits for the end of their own quiet hours', async () => {
    const bruno = await person(w.app, 'bruno@example.com', { name: 'Bruno' });
    const late = await person(w.app, 'late@example.com', { name: 'Lately' });
    expect((await post(w.app, '/account/notifications', late.cookie, { ...defaultsForm(), quietHours: 'own', quietStart: '19:00', quietEnd: '09:15' })).statusCode).toBe(303);
    const item = await createPost(w.app, { spaceId: await companySpaceId(w.app), authorId: w.admin.id, body: 'Roadmap' });
    await event(bruno.id, 'comment', w.admin.id, item);
    await event(late.id, 'comment', w.admin.id, item);
    await w.app.jobs.runDue(w.week.at('monday', '07:30'));
    expect(mailsTo(w.smtp, 'bruno@example.com')).toHaveLength(1);
    expect(mailsTo(w.smtp, 'late@example.com')).toHaveLength(0);
    await w.app.jobs.runDue(w.week.at('monday', '09:15'));
    expect(mailsTo(w.smtp, 'late@example.com')).toHaveLength(1);
  });
});
