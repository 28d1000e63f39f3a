// Reactions as people meet them: the fixed set, one of each per person, toggling with and without
// JavaScript, counts read out to screen readers, who reacted, and who may not react at all.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REACTIONS } from '../../src/features/conversation/reactions.js';
import { html, mainText } from '../helpers/app.js';
import { createPost } from '../helpers/content.js';
import { createCast, PARTIAL, personWithSession, type Cast, type Who } from '../helpers/conversation.js';

let c: Cast;
let secretPost: number;
let openPost: number;
beforeEach(async () => {
  c = await createCast();
  secretPost = await createPost(c.app, { spaceId: c.secret, authorId: c.ids.member, body: 'Budget for next year' });
  openPost = await createPost(c.app, { spaceId: c.open, authorId: c.ids.editor, body: 'New tools' });
});
afterEach(async () => c.t.close());

const reactionsOf = (contentId: number) =>
  c.app.db.selectFrom('reactions').select(['user_id', 'reaction']).where('content_id', '=', contentId).orderBy('user_id').orderBy('reaction').execute();
const react = (contentId: number, who: Who | null, reaction: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  c.post(`/content/${contentId}/reactions`, who, { reaction, ...extra }, headers);
const bar = (response: Awaited<ReturnType<Cast['get']>>, contentId: number) => html(response).querySelector(`#reactions-${contentId}`);

describe('reacting', () => {
  it('sends visitors and deactivated people to sign in', async () => {
    for (const who of [null, 'gone'] as const) {
      const response = await react(secretPost, who, 'like');
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/login');
    }
    expect(await reactionsOf(secretPost)).toEqual([]);
  });

  it('answers 404 for an item the person may not see', async () => {
    expect((await react(secretPost, 'outsider', 'like')).statusCode).toBe(404);
    expect((await react(secretPost, 'editor', 'like')).statusCode).toBe(404);
    expect((await react(987654, 'member', 'like')).statusCode).toBe(404);
    expect((await c.get(`/content/${secretPost}/reactions`, 'outsider')).statusCode).toBe(404);
    expect(await reactionsOf(secretPost)).toEqual([]);
  });

  it('adds the reaction, takes it back on a second press, and returns to the page', async () => {
    const first = await react(openPost, 'member', 'like', { next: `/spaces/${c.open}` });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`/spaces/${c.open}`);
    expect(await reactionsOf(openPost)).toEqual([{ user_id: c.ids.member, reaction: 'like' }]);
    const second = await react(openPost, 'member', 'like');
    expect(second.headers.location).toBe(`/content/${openPost}`);
    expect(await reactionsOf(openPost)).toEqual([]);
    for (const next of ['//evil.example', 'https://evil.example/', '/\\evil.example']) {
      expect((await react(openPost, 'member', 'heart', { next })).headers.location).toBe(`/content/${openPost}`);
    }
  });

  it('allows one of each reaction per person, for everyone who sees the item', async () => {
    for (const reaction of REACTIONS) expect((await react(secretPost, 'member', reaction.key)).statusCode).toBe(303);
    for (const who of ['spaceAdmin', 'admin'] as const) expect((await react(secretPost, who, 'party')).statusCode, who).toBe(303);
    const rows = await reactionsOf(secretPost);
    expect(rows.filter((r) => r.user_id === c.ids.member).map((r) => r.reaction).sort()).toEqual(['heart', 'idea', 'like', 'party', 'wow']);
    expect(rows).toHaveLength(7);
    for (const who of ['outsider', 'editor'] as const) expect((await react(openPost, who, 'like')).statusCode, who).toBe(303);
  });

  it('refuses a reaction outside the set', async () => {
    for (const reaction of ['angry', 'LIKE', '', '<script>', 'like,heart', 'thumbsup']) {
      const response = await react(openPost, 'member', reaction);
      expect(response.statusCode, reaction).toBe(400);
      expect(mainText(response)).toContain('This reaction does not exist.');
    }
    expect((await c.post(`/content/${openPost}/reactions`, 'member', { reaction: ['like', 'heart'] })).statusCode).toBe(400);
    expect(await reactionsOf(openPost)).toEqual([]);
  });

  it('is closed on a hidden or unpublished item, even to those who still see it', async () => {
    await c.app.db.updateTable('content').set({ hidden_at: Date.now(), hidden_by: 1, hidden_reason: 'Check' }).where('id', '=', secretPost).execute();
    for (const who of ['member', 'spaceAdmin', 'admin'] as const) expect((await react(secretPost, who, 'like')).statusCode, who).toBe(403);
    const page = await c.get(`/content/${secretPost}`, 'spaceAdmin');
    expect(bar(page, secretPost)?.querySelector('form')).toBe(null);
    const draft = await createPost(c.app, { spaceId: c.open, authorId: c.ids.member, body: 'Draft', publishedAt: null });
    expect((await react(draft, 'member', 'like')).statusCode).toBe(403);
    expect((await react(draft, 'editor', 'like')).statusCode).toBe(404);
    expect(await c.app.db.selectFrom('reactions').select('user_id').execute()).toEqual([]);
  });

  it('stays one row when the same press arrives twice at once', async () => {
    const responses = await Promise.all([react(openPost, 'member', 'wow'), react(openPost, 'member', 'wow'), react(openPost, 'member', 'wow')]);
    expect(responses.map((r) => r.statusCode)).toEqual([303, 303, 303]);
    // Three toggles: on, off, on.
    expect(await reactionsOf(openPost)).toEqual([{ user_id: c.ids.member, reaction: 'wow' }]);
  });
});

describe('the reaction bar', () => {
  it('shows every reaction as a toggle button with its count, pressed when the viewer reacted', async () => {
    const others = [await personWithSession(c.app, { email: 'p1@example.com', name: 'P One' }), await personWithSession(c.app, { email: 'p2@example.com', name: 'P Two' })];
    for (const person of others) {
      await c.app.db.insertInto('reactions').values({ content_id: openPost, user_id: person.id, reaction: 'like', created_at: Date.now() }).execute();
    }
    await react(openPost, 'member', 'like');
    await react(openPost, 'editor', 'heart');
    const page = await c.get(`/content/${openPost}`, 'member');
    const buttons = bar(page, openPost)!.querySelectorAll('button[name="reaction"]');
    expect(buttons.map((b) => b.getAttribute('value'))).toEqual(['like', 'heart', 'party', 'idea', 'wow']);
    expect(buttons.map((b) => b.getAttribute('aria-pressed'))).toEqual(['true', 'false', 'false', 'false', 'false']);
    expect(buttons.map((b) => b.getAttribute('aria-label'))).toEqual([
      'Like, 3 people, including you',
      'Love, 1 person',
      'Celebrate, no one yet',
      'Insightful, no one yet',
      'Surprised, no one yet',
    ]);
    const form = bar(page, openPost)!.querySelector('form')!;
    expect(form.getAttribute('method')).toBe('post');
    expect(form.getAttribute('action')).toBe(`/content/${openPost}/reactions`);
    expect(form.getAttribute('hx-target')).toBe(`#reactions-${openPost}`);
    expect(form.querySelector('input[name="next"]')?.getAttribute('value')).toBe(`/content/${openPost}`);
    expect(bar(page, openPost)!.querySelector(`a[href="/content/${openPost}/reactions"]`)).not.toBe(null);

  });

  it('is swapped alone by htmx, keeping where a plain POST would return', async () => {
    const response = await react(openPost, 'member', 'party', { next: `/spaces/${c.open}` }, PARTIAL);
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<html');
    const swapped = bar(response, openPost)!;
    const party = swapped.querySelector('button[value="party"]')!;
    expect(party.getAttribute('aria-pressed')).toBe('true');
    expect(party.getAttribute('aria-label')).toBe('Celebrate, 1 person: you');
    expect(swapped.querySelector('input[name="next"]')?.getAttribute('value')).toBe(`/spaces/${c.open}`);
    const undone = await react(openPost, 'member', 'party', {}, PARTIAL);
    expect(bar(undone, openPost)!.querySelector('button[value="party"]')?.getAttribute('aria-pressed')).toBe('false');
  });

  it('reads the same in French', async () => {
    await c.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', c.ids.member).execute();
    await react(openPost, 'member', 'idea');
    const page = await c.get(`/content/${openPost}`, 'member');
    const labels = bar(page, openPost)!.querySelectorAll('button').map((b) => b.getAttribute('aria-label'));
    expect(labels[0]).toBe('J’aime, personne pour l’instant');
    expect(labels[3]).toBe('Instructif, 1 personne\u202f: vous');
  });
});

describe('who reacted', () => {
  it('lists people by reaction, each linked to their page, names escaped', async () => {
    const odd = await personWithSession(c.app, { email: 'odd@example.com', name: '<script>alert(1)</script> Odd' });
    await c.app.db.insertInto('reactions').values({ content_id: openPost, user_id: odd.id, reaction: 'heart', created_at: Date.now() }).execute();
    await react(openPost, 'member', 'heart');
    await react(openPost, 'member', 'like');
    await react(openPost, 'outsider', 'wow');
    await c.app.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', c.ids.outsider).execute();

    for (const who of [null, 'gone'] as const) expect((await c.get(`/content/${openPost}/reactions`, who)).statusCode).toBe(303);
    const response = await c.get(`/content/${openPost}/reactions`, 'editor');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<script>alert(1)</script>');
    const page = html(response);
    const groups = page.querySelectorAll('section.who-reacted').map((section) => ({
      heading: section.querySelector('h2')!.textContent.replace(/\s+/g, ' ').trim(),
      people: section.querySelectorAll('li a').map((a) => [a.getAttribute('href'), a.textContent]),
    }));
    expect(groups).toEqual([
      { heading: '👍 Like (1 reaction)', people: [[`/people/${c.ids.member}`, 'Bruno Petit']] },
      {
        heading: '❤️ Love (2 reactions)',
        people: [
          [`/people/${odd.id}`, '<script>alert(1)</script> Odd'],
          [`/people/${c.ids.member}`, 'Bruno Petit'],
        ],
      },
      { heading: '😮 Surprised (1 reaction)', people: [[`/people/${c.ids.outsider}`, 'Carol Outsider']] },
    ]);
    expect(mainText(response)).toContain('Account deactivated');
    expect(page.querySelector(`a[href="/content/${openPost}"]`)).not.toBe(null);
  });

  it('says when nobody reacted yet', async () => {
    const response = await c.get(`/content/${secretPost}/reactions`, 'spaceAdmin');
    expect(response.statusCode).toBe(200);
    expect(mainText(response)).toContain('No reactions yet.');
  });
});
