// Must-read articles: publishing one tells its audience, readers confirm once, the author and admins
// see who confirmed (page, counts, CSV) and remind the others at most once a day. The audience is
// exactly who the policy lets see the item, and an item one may not see answers 404 everywhere.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContentSubject } from '../../src/content/subjects.js';
import { spaceAudience } from '../../src/policy/visible-content.js';
import { toCsv } from '../../src/features/news/csv.js';
import { CONFIRMATIONS_PAGE_SIZE } from '../../src/features/news/must-read-queries.js';
import { can } from '../../src/policy/index.js';
import { createTestApp, html, mainText, setupOrganisation, type TestApp } from '../helpers/app.js';
import { createArticle } from '../helpers/content.js';
import { articleFields, bulkUsers, contentIdFrom, get, HTMX_PARTIAL, newsWorld, post, viewerOf, type NewsWorld } from '../helpers/news.js';
import { startSmtp } from '../helpers/smtp.js';
import { parisWeek } from '../helpers/email.js';

let t: TestApp;
let w: NewsWorld;
beforeEach(async () => {
  t = await createTestApp();
  w = await newsWorld(t.app, await setupOrganisation(t.app));
});
afterEach(async () => t.close());

/** Publishes a must-read through the form, as `cookie`, and returns its id. */
async function publishMustRead(spaceId: number, cookie = w.cookies.editor, overrides: Record<string, string> = {}): Promise<number> {
  return contentIdFrom(await post(t.app, '/news/new', cookie, articleFields(spaceId, { title: 'Fire drill', mustRead: '1', ...overrides })));
}
const notified = async (contentId: number, type: string) =>
  (await t.app.db.selectFrom('notifications').select('user_id').where('content_id', '=', contentId).where('type', '=', type).orderBy('user_id').execute()).map((r) => r.user_id);
const confirmations = async (contentId: number) =>
  t.app.db.selectFrom('read_confirmations').select(['user_id', 'confirmed_at']).where('content_id', '=', contentId).orderBy('user_id').execute();

describe('publishing a must-read', () => {
  it('notifies everyone who may see it (the author and deactivated people excepted)', async () => {
    const [gone] = await bulkUsers(t.app, ['Gone Person'], { status: 'deactivated' });
    const company = await publishMustRead(w.companyId);
    expect(await notified(company, 'must-read')).toEqual([w.ids.admin, w.ids.outsideEditor, w.ids.member, w.ids.spaceAdmin, w.ids.outsider].sort((a, b) => a - b));
    expect(await notified(company, 'must-read')).not.toContain(gone);

    const board = await publishMustRead(w.privateId);
    expect(await notified(board, 'must-read')).toEqual([w.ids.admin, w.ids.member, w.ids.spaceAdmin].sort((a, b) => a - b));

    // Not a must-read, a draft: nobody is told.
    const plain = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId)));
    const draft = await publishMustRead(w.companyId, w.cookies.editor, { action: 'draft' });
    expect(await notified(plain, 'must-read')).toEqual([]);
    expect(await notified(draft, 'must-read')).toEqual([]);
  });

  it('dates the notifications of a scheduled must-read at its publication, and follows a new date', async () => {
    const id = await publishMustRead(w.companyId, w.cookies.editor, { action: 'schedule', scheduledAt: '2030-07-01T09:00' });
    const dates = await t.app.db.selectFrom('notifications').select('created_at').where('content_id', '=', id).execute();
    expect(dates.length).toBe(5);
    expect(new Set(dates.map((d) => d.created_at))).toEqual(new Set([Date.UTC(2030, 6, 1, 7, 0)]));

    await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { title: 'Fire drill', mustRead: '1', action: 'schedule', scheduledAt: '2030-08-01T09:00' }));
    const moved = await t.app.db.selectFrom('notifications').select('created_at').where('content_id', '=', id).execute();
    expect(moved.length).toBe(5);
    expect(new Set(moved.map((d) => d.created_at))).toEqual(new Set([Date.UTC(2030, 7, 1, 7, 0)]));

    // Back to a draft: nobody will be told.
    await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { title: 'Fire drill', mustRead: '1', action: 'draft' }));
    expect(await notified(id, 'must-read')).toEqual([]);
  });

  it('notifies once when an article becomes a must-read after publication', async () => {
    const id = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.companyId)));
    await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { mustRead: '1', action: 'save' }));
    await post(t.app, `/news/${id}/edit`, w.cookies.editor, articleFields(w.companyId, { mustRead: '1', action: 'save', body: 'Changed' }));
    expect((await notified(id, 'must-read')).length).toBe(5);
  });
});

describe('the audience', () => {
  it('is exactly the active people the policy lets see the item, its author excepted', async () => {
    const [gone] = await bulkUsers(t.app, ['Gone Person'], { status: 'deactivated' });
    const everyone = [...Object.values(w.ids), gone!];
    for (const spaceId of [w.companyId, w.privateId, w.openId]) {
      const id = await createArticle(t.app, { spaceId, authorId: w.ids.admin, title: 'T', body: 'B', mustRead: true });
      const subject = (await loadContentSubject(t.app.db, id))!;
      const audience = new Set((await spaceAudience(t.app.db, subject.space).select('u.id').execute()).map((r) => r.id));
      for (const userId of everyone) {
        const active = userId !== gone;
        expect(audience.has(userId), `user ${userId} in space ${spaceId}`).toBe(active && can(await viewerOf(t.app, userId), 'content.view', subject));
      }
    }
  });
});

describe('confirming', () => {
  it('is for whoever may see the item: visitors sign in, others get 404', async () => {
    const id = await publishMustRead(w.privateId);
    const anonymous = await post(t.app, `/content/${id}/confirm-read`, '');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login/);
    for (const cookie of [w.cookies.outsider, w.cookies.outsideEditor]) expect((await post(t.app, `/content/${id}/confirm-read`, cookie)).statusCode).toBe(404);
    expect((await post(t.app, '/content/987654/confirm-read', w.cookies.member)).statusCode).toBe(404);
    expect((await post(t.app, '/content/abc/confirm-read', w.cookies.member)).statusCode).toBe(404);
    // Not a must-read: nothing to confirm.
    const plain = contentIdFrom(await post(t.app, '/news/new', w.cookies.editor, articleFields(w.privateId)));
    expect((await post(t.app, `/content/${plain}/confirm-read`, w.cookies.member)).statusCode).toBe(403);
    // A draft is nobody else's business.
    const draft = await publishMustRead(w.privateId, w.cookies.editor, { action: 'draft' });
    expect((await post(t.app, `/content/${draft}/confirm-read`, w.cookies.member)).statusCode).toBe(404);
    // A deactivated person is signed out.
    expect((await post(t.app, `/admin/members/${w.ids.member}/deactivate`, w.cookies.admin)).statusCode).toBe(303);
    expect((await post(t.app, `/content/${id}/confirm-read`, w.cookies.member)).headers.location).toMatch(/^\/login/);
    expect(await confirmations(id)).toEqual([]);
  });

  it('records the first confirmation once, without JavaScript and with htmx', async () => {
    const id = await publishMustRead(w.companyId);
    const page = html(await get(t.app, `/content/${id}`, w.cookies.member));
    const form = page.querySelector(`#must-read-${id} form`);
    expect(form?.getAttribute('action')).toBe(`/content/${id}/confirm-read`);
    expect(form?.querySelector('button')?.textContent).toContain('Read and understood');

    const first = await post(t.app, `/content/${id}/confirm-read`, w.cookies.member);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`/content/${id}`);
    const [{ confirmed_at: at } = { confirmed_at: 0 }] = await confirmations(id);
    expect(at).toBeGreaterThan(0);

    // Again (a double click, a second tab): the same first date.
    const again = await post(t.app, `/content/${id}/confirm-read`, w.cookies.member, {}, HTMX_PARTIAL);
    expect(again.statusCode).toBe(200);
    expect(await confirmations(id)).toEqual([{ user_id: w.ids.member, confirmed_at: at }]);
    const panel = html(again);
    expect(panel.querySelector('main')).toBe(null);
    expect(panel.querySelector(`#must-read-${id} [role="status"]`)?.textContent).toContain('You confirmed on');
    expect(panel.querySelector('form')).toBe(null);

    const after = html(await get(t.app, `/content/${id}`, w.cookies.member));
    expect(after.querySelector(`#must-read-${id}`)?.textContent).toContain('You confirmed on');
    expect(after.querySelector(`#must-read-${id} form`)).toBe(null);
  });

  it('does not ask the author, who follows the confirmations instead', async () => {
    const id = await publishMustRead(w.companyId);
    const panel = html(await get(t.app, `/content/${id}`, w.cookies.editor)).querySelector(`#must-read-${id}`);
    expect(panel?.querySelector('form')).toBe(null);
    expect(panel?.querySelector(`a[href="/content/${id}/confirmations"]`)).not.toBe(null);
    expect(html(await get(t.app, `/content/${id}`, w.cookies.member)).querySelector(`#must-read-${id} a[href$="/confirmations"]`)).toBe(null);
  });
});

describe('who confirmed', () => {
  it('is for the author and admins; others get 403, or 404 when they may not see the item', async () => {
    const id = await publishMustRead(w.privateId);
    const urls = [`/content/${id}/confirmations`, `/content/${id}/confirmations.csv`, `/content/${id}/confirmations/summary`];
    for (const url of urls) {
      expect((await get(t.app, url, '')).headers.location, url).toMatch(/^\/login/);
      expect((await get(t.app, url, w.cookies.editor)).statusCode, url).not.toBeGreaterThanOrEqual(400);
      expect((await get(t.app, url, w.cookies.admin)).statusCode, url).not.toBeGreaterThanOrEqual(400);
      for (const cookie of [w.cookies.member, w.cookies.spaceAdmin]) expect((await get(t.app, url, cookie)).statusCode, url).toBe(403);
      for (const cookie of [w.cookies.outsider, w.cookies.outsideEditor]) expect((await get(t.app, url, cookie)).statusCode, url).toBe(404);
    }
    expect((await post(t.app, `/content/${id}/remind`, '')).headers.location).toMatch(/^\/login/);
    for (const cookie of [w.cookies.member, w.cookies.spaceAdmin]) expect((await post(t.app, `/content/${id}/remind`, cookie)).statusCode).toBe(403);
    for (const cookie of [w.cookies.outsider, w.cookies.outsideEditor]) expect((await post(t.app, `/content/${id}/remind`, cookie)).statusCode).toBe(404);
    expect((await get(t.app, '/content/987654/confirmations', w.cookies.admin)).statusCode).toBe(404);
    expect(await t.app.db.selectFrom('must_read_reminders').select('id').execute()).toEqual([]);
  });

  it('shows counts and both lists, a page at a time', async () => {
    const id = await publishMustRead(w.privateId);
    await post(t.app, `/content/${id}/confirm-read`, w.cookies.member);
    const page = await get(t.app, `/content/${id}/confirmations`, w.cookies.editor);
    expect(page.statusCode).toBe(200);
    const text = mainText(page);
    expect(text).toContain('1 of 3 people have confirmed');
    expect(html(page).querySelector('#confirmed-title')?.textContent).toBe('Confirmed (1)');
    expect(html(page).querySelector('#pending-title')?.textContent).toBe('Not confirmed yet (2)');
    expect(html(page).querySelector('table')?.textContent).toContain('Mia Member');
    expect(html(page).querySelectorAll('.must-read-page__people li').map((li) => li.textContent)).toEqual(['Alice Martin', 'Sam Spaceadmin']);

    const summary = await get(t.app, `/content/${id}/confirmations/summary`, w.cookies.editor, HTMX_PARTIAL);
    expect(summary.statusCode).toBe(200);
    expect(html(summary).textContent).toContain('1 of 3 people have confirmed');
    expect((await get(t.app, `/content/${id}/confirmations/summary`, w.cookies.editor)).headers.location).toBe(`/content/${id}/confirmations`);

    // Many people: keyset pages of the list, every person once.
    const names = Array.from({ length: CONFIRMATIONS_PAGE_SIZE + 20 }, (_, i) => `Person ${String(i).padStart(3, '0')}`);
    await bulkUsers(t.app, names);
    const company = await publishMustRead(w.companyId);
    const seen: string[] = [];
    let url: string | undefined = `/content/${company}/confirmations`;
    let pages = 0;
    while (url && pages < 5) {
      const response = html(await get(t.app, url, w.cookies.editor));
      seen.push(...response.querySelectorAll('.must-read-page__people li').map((li) => li.textContent));
      url = response.querySelector('nav[aria-label="More people who have not confirmed"] a[rel="next"]')?.getAttribute('href')?.replace(/&amp;/g, '&');
      pages++;
    }
    expect(pages).toBe(2);
    expect(seen.length).toBe(names.length + 5);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('exports a CSV that spreadsheets open safely', async () => {
    const [evil, plus] = await bulkUsers(t.app, ['=HYPERLINK("http://evil.example","x")', '+cmd|calc', 'Zoé "Z" Ünal']);
    const id = await publishMustRead(w.companyId);
    await t.app.db.insertInto('read_confirmations').values({ content_id: id, user_id: evil!, confirmed_at: Date.UTC(2026, 0, 15, 13, 5) }).execute();
    await post(t.app, `/content/${id}/confirm-read`, w.cookies.member);

    const response = await get(t.app, `/content/${id}/confirmations.csv`, w.cookies.admin);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="confirmations-${id}.csv"`);
    const raw = response.rawPayload.toString('utf8');
    expect(raw.startsWith('\uFEFF"Name","Email","Status","Confirmed on"\r\n')).toBe(true);
    const lines = raw.slice(1).trimEnd().split('\r\n');
    // Confirmed first, then the others, each by name; 14:05 in Paris for 13:05 UTC in January.
    expect(lines[1]).toMatch(/^"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)","bulk-0-[0-9a-f]+@example\.com","Confirmed","2026-01-15 14:05"$/);
    expect(lines[2]).toMatch(/^"Mia Member","mia@example\.com","Confirmed","\d{4}-\d\d-\d\d \d\d:\d\d"$/);
    expect(lines).toContain(`"'+cmd|calc","${(await t.app.db.selectFrom('users').select('email').where('id', '=', plus!).executeTakeFirstOrThrow()).email}","Not confirmed yet",""`);
    expect(raw).toContain('"Zoé ""Z"" Ünal"');
    expect(lines.length).toBe(1 + 8);
  });

  it('encodes cells so that no formula starts one', () => {
    expect(toCsv([['=1+1', '+1', '-1', '@SUM(A1)', '\tx', 'plain', 'a,b', 'line\nbreak']])).toBe(
      '\uFEFF"\'=1+1","\'+1","\'-1","\'@SUM(A1)","\'\tx","plain","a,b","line\nbreak"\r\n',
    );
  });
});

describe('reminding', () => {
  it('notifies those who have not confirmed, once a day at most, even when asked twice at once', async () => {
    const id = await publishMustRead(w.privateId);
    await post(t.app, `/content/${id}/confirm-read`, w.cookies.member);

    const [first, second] = await Promise.all([post(t.app, `/content/${id}/remind`, w.cookies.editor), post(t.app, `/content/${id}/remind`, w.cookies.admin)]);
    expect([first.statusCode, second.statusCode]).toEqual([303, 303]);
    const reminders = await t.app.db.selectFrom('must_read_reminders').selectAll().where('content_id', '=', id).execute();
    expect(reminders).toHaveLength(1);
    const sender = reminders[0]!.sent_by;
    // Not the one who confirmed, not the author, not whoever sent it.
    const expected = [w.ids.admin, w.ids.spaceAdmin].filter((u) => u !== sender);
    expect(await notified(id, 'must-read-reminder')).toEqual(expected);
    expect(reminders[0]!.recipient_count).toBe(expected.length);

    // One of the two was told it went, the other when the next one may go.
    const notices = [];
    for (const response of [first, second]) {
      const shown = html(await get(t.app, `/content/${id}/confirmations`, [w.cookies.editor, cookieOf(response)].join('; ')));
      notices.push(shown.querySelector('.notice')?.textContent.trim());
      expect(shown.querySelector(`form[action="/content/${id}/remind"]`)).toBe(null);
      expect(shown.querySelector('main')?.textContent).toContain('The next one can be sent from');
    }
    expect(notices).toHaveLength(2);
    expect(notices).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^A reminder was sent less than 24 hours ago\./),
        `A reminder was sent to the ${expected.length} people who have not confirmed yet.`,
      ]),
    );

    const tooSoon = await post(t.app, `/content/${id}/remind`, w.cookies.editor);
    const refused = await get(t.app, `/content/${id}/confirmations`, [w.cookies.editor, cookieOf(tooSoon)].join('; '));
    expect(html(refused).querySelector('.notice--error')?.textContent).toMatch(/less than 24 hours ago\. The next one can be sent from \w+ \d{1,2}, \d{4} at \d{1,2}:\d\d [AP]M\./);
    expect(await t.app.db.selectFrom('must_read_reminders').select('id').execute()).toHaveLength(1);

    // A day later, it may go again.
    await t.app.db.updateTable('must_read_reminders').set({ sent_at: Date.now() - 25 * 60 * 60 * 1000 }).execute();
    expect((await post(t.app, `/content/${id}/remind`, w.cookies.editor)).statusCode).toBe(303);
    expect(await t.app.db.selectFrom('must_read_reminders').select('id').execute()).toHaveLength(2);
  });

  it('says so when everyone confirmed, or when the article is not published', async () => {
    const id = await publishMustRead(w.privateId);
    for (const cookie of [w.cookies.member, w.cookies.spaceAdmin, w.cookies.admin]) await post(t.app, `/content/${id}/confirm-read`, cookie);
    const nobody = await post(t.app, `/content/${id}/remind`, w.cookies.editor);
    expect(mainText(await get(t.app, `/content/${id}/confirmations`, [w.cookies.editor, cookieOf(nobody)].join('; ')))).toContain('there is nobody to remind');

    const draft = await publishMustRead(w.privateId, w.cookies.editor, { action: 'draft' });
    const notLive = await post(t.app, `/content/${draft}/remind`, w.cookies.editor);
    expect(mainText(await get(t.app, `/content/${draft}/confirmations`, [w.cookies.editor, cookieOf(notLive)].join('; ')))).toContain('This article is not published');
    expect(await t.app.db.selectFrom('must_read_reminders').select('id').execute()).toEqual([]);
  });
});

describe('reminding by email', () => {
  it('emails each person in their language, through the email queue (never holding the answer)', async () => {
    const smtp = await startSmtp();
    const mailApp = await createTestApp({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://intranet.example.com' });
    try {
      const admin = await setupOrganisation(mailApp.app);
      const [french] = await bulkUsers(mailApp.app, ['Françoise'], { locale: 'fr' });
      const [english] = await bulkUsers(mailApp.app, ['<b>Ed</b>'], { locale: 'en' });
      const id = contentIdFrom(await post(mailApp.app, '/news/new', admin, { ...articleFields((await mailApp.app.db.selectFrom('spaces').select('id').executeTakeFirstOrThrow()).id), title: 'Évacuation', mustRead: '1' }));
      expect((await post(mailApp.app, `/content/${id}/remind`, admin)).statusCode).toBe(303);
      // Nothing is sent while answering: the queue sends it (a weekday morning, outside quiet hours).
      expect(smtp.messages).toEqual([]);
      await mailApp.app.jobs.runDue(parisWeek().at('wednesday', '10:00'));
      const emails = await mailApp.app.db.selectFrom('users').select(['id', 'email']).where('id', 'in', [french!, english!]).execute();
      const reminderTo = (userId: number) =>
        smtp.messages.find((m) => m.to && !Array.isArray(m.to) && m.to.text === emails.find((e) => e.id === userId)!.email && /Rappel|Reminder/.test(m.subject ?? ''))!;
      expect(reminderTo(french!).subject).toBe('Rappel de Alice Martin\u202f: merci de confirmer la lecture de «\u00a0Évacuation\u00a0»');
      expect(reminderTo(french!).text).toContain(`https://intranet.example.com/content/${id}`);
      expect(reminderTo(english!).subject).toBe('Reminder from Alice Martin: please confirm you have read “Évacuation”');
      expect(reminderTo(english!).text).toContain('Hello <b>Ed</b>,');
    } finally {
      await mailApp.close();
      await smtp.close();
    }
  });
});

/** The flash cookie a response set, for the page it redirects to. */
function cookieOf(response: { cookies: Array<{ name: string; value: string }> }): string {
  return response.cookies.filter((c) => c.value).map((c) => `${c.name}=${c.value}`).join('; ');
}
