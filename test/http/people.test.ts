// People: a member's minimal profile with what they published that the viewer may see, and the names
// offered while typing a mention (active people only, accents and case ignored, names escaped).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html, mainText } from '../helpers/app.js';
import { createPost } from '../helpers/content.js';
import { createCast, deactivate, PARTIAL, personWithSession, type Cast } from '../helpers/conversation.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

const cardIds = (response: Awaited<ReturnType<Cast['get']>>) =>
  html(response).querySelectorAll('article.content-card').map((card) => Number(card.getAttribute('id')!.replace('content-', '')));

describe('a person\'s page', () => {
  it('sends visitors and deactivated people to sign in', async () => {
    for (const who of [null, 'gone'] as const) {
      const response = await c.get(`/people/${c.ids.member}`, who);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(`/login?next=%2Fpeople%2F${c.ids.member}`);
    }
  });

  it('shows name and role, and only the contributions the viewer may see', async () => {
    const open = await createPost(c.app, { spaceId: c.open, authorId: c.ids.member, body: 'In the workshop' });
    const secret = await createPost(c.app, { spaceId: c.secret, authorId: c.ids.member, body: 'In the board room' });
    const company = await createPost(c.app, { spaceId: c.company, authorId: c.ids.member, body: 'For everyone' });
    await createPost(c.app, { spaceId: c.company, authorId: c.ids.member, body: 'Draft', publishedAt: null });
    await createPost(c.app, { spaceId: c.company, authorId: c.ids.editor, body: 'Someone else' });

    const outsider = await c.get(`/people/${c.ids.member}`, 'outsider');
    expect(outsider.statusCode).toBe(200);
    expect(html(outsider).querySelector('h1')?.textContent).toBe('Bruno Petit');
    expect(mainText(outsider)).toContain('Member');
    expect(cardIds(outsider)).toEqual([company, open]);
    expect(outsider.body).not.toContain('In the board room');

    for (const who of ['spaceAdmin', 'admin', 'member'] as const) expect(cardIds(await c.get(`/people/${c.ids.member}`, who)), who).toEqual([company, secret, open]);
    expect(html(await c.get(`/people/${c.ids.member}`, 'member')).querySelector('a[href="/account"]')).not.toBe(null);
    expect(html(await c.get(`/people/${c.ids.editor}`, 'member')).querySelector('h1')?.textContent).toBe('Eve Editor');
    expect(mainText(await c.get(`/people/${c.ids.editor}`, 'member'))).toContain('Editor');
  });

  it('says when there is nothing to show', async () => {
    const response = await c.get(`/people/${c.ids.outsider}`, 'member');
    expect(mainText(response)).toContain('Nothing published that you can see yet.');
  });

  it('stays reachable for a deactivated person, marked so', async () => {
    await createPost(c.app, { spaceId: c.company, authorId: c.ids.gone, body: 'Before leaving' });
    const response = await c.get(`/people/${c.ids.gone}`, 'member');
    expect(response.statusCode).toBe(200);
    expect(mainText(response)).toContain('Account deactivated');
    expect(mainText(response)).toContain('Before leaving');
  });

  it('answers 404 for an unknown id', async () => {
    for (const id of ['987654', 'abc', '-1', '1e3']) expect((await c.get(`/people/${id}`, 'member')).statusCode, id).toBe(404);
  });

  it('escapes the name', async () => {
    const odd = await personWithSession(c.app, { email: 'odd@example.com', name: '<img src=x onerror=alert(1)>' });
    const response = await c.get(`/people/${odd.id}`, 'member');
    expect(response.body).not.toContain('<img src=x');
    expect(html(response).querySelector('h1')?.textContent).toBe('<img src=x onerror=alert(1)>');
  });

  it('pages through many contributions, with a link and with htmx', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 25; i += 1) ids.push(await createPost(c.app, { spaceId: c.company, authorId: c.ids.member, body: `Post ${i}`, publishedAt: Date.now() - 100_000 + i }));
    const first = await c.get(`/people/${c.ids.member}`, 'outsider');
    expect(cardIds(first)).toEqual(ids.slice(5).reverse());
    const more = html(first).querySelector('.content-list__more a[rel="next"]')?.getAttribute('href');
    expect(more?.startsWith(`/people/${c.ids.member}?after=`)).toBe(true);
    const page = await c.get(more!, 'outsider');
    expect(html(page).querySelector('h1')?.textContent).toBe('Bruno Petit');
    expect(cardIds(page)).toEqual(ids.slice(0, 5).reverse());
    const fragment = await c.get(more!, 'outsider', PARTIAL);
    expect(fragment.body).not.toContain('<h1');
    expect(cardIds(fragment)).toEqual(ids.slice(0, 5).reverse());
  });
});

describe('mention suggestions', () => {
  const names = async (q: string, who: 'member' | 'outsider' = 'member') => {
    const response = await c.get(`/people/suggest?q=${encodeURIComponent(q)}`, who);
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<html');
    return html(response).querySelectorAll('[role="option"]').map((o) => o.getAttribute('data-name'));
  };

  it('sends visitors and deactivated people to sign in', async () => {
    for (const who of [null, 'gone'] as const) expect((await c.get('/people/suggest?q=br', who)).statusCode).toBe(303);
  });

  it('waits for two letters, and ignores accents and case', async () => {
    await personWithSession(c.app, { email: 'emilie@example.com', name: 'Émilie Durand' });
    await personWithSession(c.app, { email: 'jean@example.com', name: 'Jean-Émile Roy' });
    await personWithSession(c.app, { email: 'remi@example.com', name: 'Rémi Lemaire' });
    expect(await names('')).toEqual([]);
    expect(await names('e')).toEqual([]);
    expect(await names('x'.repeat(500))).toEqual([]);
    // Names starting with it first, then a word starting with it, then the rest.
    expect(await names('EMI')).toEqual(['Émilie Durand', 'Jean-Émile Roy', 'Rémi Lemaire']);
    expect(await names('émi')).toEqual(['Émilie Durand', 'Jean-Émile Roy', 'Rémi Lemaire']);
    expect(await names('durand')).toEqual(['Émilie Durand']);
    const response = await c.get('/people/suggest?q=durand', 'member');
    const option = html(response).querySelector('[role="option"]')!;
    expect(option.getAttribute('data-id')).not.toBe(null);
    expect(html(response).querySelector('[role="listbox"]')?.getAttribute('data-announce')).toBe('1 person found: up and down arrows to choose, Enter to insert.');
  });

  it('never offers deactivated people', async () => {
    expect(await names('gaston')).toEqual([]);
    expect(await names('bruno')).toEqual(['Bruno Petit']);
    await deactivate(c.app, c.ids.member);
    expect(await names('bruno', 'outsider')).toEqual([]);
  });

  it('offers eight people at most', async () => {
    for (let i = 0; i < 10; i += 1) await personWithSession(c.app, { email: `ann${i}@example.com`, name: `Ann Example ${i}` });
    expect(await names('ann')).toHaveLength(8);
  });

  it('escapes names and takes wildcards literally', async () => {
    await personWithSession(c.app, { email: 'x1@example.com', name: '<script>alert(1)</script>' });
    await personWithSession(c.app, { email: 'x2@example.com', name: '100% Sure' });
    await personWithSession(c.app, { email: 'x3@example.com', name: 'Under_score' });
    const response = await c.get('/people/suggest?q=%3Cscript', 'member');
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(html(response).querySelector('[role="option"]')?.textContent).toBe('<script>alert(1)</script>');
    expect(await names('0%')).toEqual(['100% Sure']);
    expect(await names('r_')).toEqual(['Under_score']);
    expect(await names('%%')).toEqual([]);
    expect(await names('__')).toEqual([]);
  });
});
