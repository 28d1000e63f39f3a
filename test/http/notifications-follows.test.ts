// Following items and spaces, as people do it: the buttons on an item's page and a space's page, a
// plain POST then a redirect without JavaScript, the button swapped in place with htmx. Only what the
// person may see may be followed: anything else answers 404, like what does not exist.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiesFrom, html, mainText } from '../helpers/app.js';
import { createCast, PARTIAL, type Cast } from '../helpers/conversation.js';
import { followState, postIn } from '../helpers/notify-app.js';

let c: Cast;
beforeEach(async () => {
  c = await createCast();
});
afterEach(async () => c.t.close());

const button = (page: Parameters<typeof html>[0], kind: 'content' | 'space', id: number) => html(page).querySelector(`#follow-${kind}-${id} button`);

describe('following an item', () => {
  it('is a toggle button on the item’s page; the author starts following', async () => {
    const post = await postIn(c, 'member', c.open, 'Lost keys at reception');
    const own = button(await c.get(`/content/${post}`, 'member'), 'content', post);
    expect(own?.getAttribute('aria-pressed')).toBe('true');
    expect(own?.textContent).toContain('Follow');
    const other = button(await c.get(`/content/${post}`, 'outsider'), 'content', post);
    expect(other?.getAttribute('aria-pressed')).toBe('false');

    // Without JavaScript: POST, then back to the page with a message, the button pressed.
    const followed = await c.post(`/content/${post}/follow`, 'outsider', { follow: 'yes' });
    expect(followed.statusCode).toBe(303);
    expect(followed.headers.location).toBe(`/content/${post}`);
    const after = await c.get(`/content/${post}`, 'outsider', { cookie: cookiesFrom(followed, c.cookies.outsider) });
    expect(mainText(after)).toContain('You follow this item: you will be told about new comments.');
    expect(button(after, 'content', post)?.getAttribute('aria-pressed')).toBe('true');
    expect(await followState(c.app, post, c.ids.outsider)).toBe('following');

    // With htmx: only the block comes back, saying what changed.
    const partial = await c.post(`/content/${post}/follow`, 'outsider', { follow: 'no', next: `/content/${post}` }, PARTIAL);
    expect(partial.statusCode).toBe(200);
    expect(partial.body).not.toContain('<html');
    const block = html(partial);
    expect(block.querySelector('button')?.getAttribute('aria-pressed')).toBe('false');
    expect(block.querySelector('[role="status"]')?.textContent).toBe('You no longer follow this item.');
    expect(block.querySelector('input[name="follow"]')?.getAttribute('value')).toBe('yes');
    expect(await followState(c.app, post, c.ids.outsider)).toBe('unfollowed');
  });

  it('answers 404 for what the person may not see, and sends visitors and deactivated people to sign in', async () => {
    const secret = await postIn(c, 'spaceAdmin', c.secret, 'Board minutes');
    for (const url of [`/content/${secret}/follow`, `/spaces/${c.secret}/follow`]) {
      expect((await c.post(url, 'outsider', { follow: 'yes' })).statusCode, url).toBe(404);
      expect((await c.post(url, 'editor', { follow: 'yes' })).statusCode, url).toBe(404);
      for (const who of [null, 'gone'] as const) {
        const response = await c.post(url, who, { follow: 'yes' });
        expect(response.statusCode, url).toBe(303);
        expect(response.headers.location, url).toMatch(/^\/login/);
      }
    }
    for (const url of ['/content/987654/follow', '/content/abc/follow', '/spaces/987654/follow', '/spaces/abc/follow']) {
      expect((await c.post(url, 'member', { follow: 'yes' })).statusCode, url).toBe(404);
    }
    expect(await c.app.db.selectFrom('content_follows').select('user_id').where('content_id', '=', secret).execute()).toEqual([{ user_id: c.ids.spaceAdmin }]);
    expect(await c.app.db.selectFrom('space_follows').selectAll().execute()).toEqual([]);
    // A member of the private space may.
    expect((await c.post(`/content/${secret}/follow`, 'member', { follow: 'yes' })).statusCode).toBe(303);
    expect(await followState(c.app, secret, c.ids.member)).toBe('following');
  });

  it('ignores bad input and never leaves Hameau', async () => {
    const post = await postIn(c, 'member', c.open, 'Hello');
    for (const fields of [{} as Record<string, string>, { follow: '' }, { follow: '   ' }, { follow: 'maybe' }, { follow: '<script>alert(1)</script>' }]) {
      const response = await c.post(`/content/${post}/follow`, 'outsider', fields);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(`/content/${post}`);
    }
    expect(await followState(c.app, post, c.ids.outsider)).toBe(null);
    for (const next of ['https://evil.example/', '//evil.example', 'javascript:alert(1)']) {
      const response = await c.post(`/content/${post}/follow`, 'outsider', { follow: 'yes', next });
      expect(response.headers.location, next).toBe(`/content/${post}`);
    }
  });
});

describe('cross-site requests', () => {
  it('are refused on following, marking read and reading all: nothing changes', async () => {
    const post = await postIn(c, 'editor', c.open, `Hello @[Bruno Petit](${c.ids.member})`);
    const [mention] = await c.app.db.selectFrom('notifications').select('id').where('user_id', '=', c.ids.member).execute();
    expect(mention).toBeDefined();
    const posts: Array<[string, Record<string, string>]> = [
      [`/content/${post}/follow`, { follow: 'yes' }],
      [`/spaces/${c.open}/follow`, { follow: 'yes' }],
      [`/notifications/${mention!.id}/read`, {}],
      ['/notifications/read-all', {}],
    ];
    for (const headers of <Array<Record<string, string>>>[{ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }]) {
      for (const [url, body] of posts) expect((await c.post(url, 'member', body, headers)).statusCode, url).toBe(403);
    }
    expect(await followState(c.app, post, c.ids.member)).toBeNull();
    expect(await c.app.db.selectFrom('space_follows').selectAll().execute()).toEqual([]);
    expect(await c.app.db.selectFrom('notifications').select('read_at').where('user_id', '=', c.ids.member).execute()).toEqual([{ read_at: null }]);
  });
});

describe('following a space', () => {
  it('is a toggle button on the space page, for whoever sees the space', async () => {
    const page = await c.get(`/spaces/${c.open}`, 'outsider');
    expect(button(page, 'space', c.open)?.getAttribute('aria-pressed')).toBe('false');
    const followed = await c.post(`/spaces/${c.open}/follow`, 'outsider', { follow: 'yes' });
    expect(followed.headers.location).toBe(`/spaces/${c.open}`);
    const after = await c.get(`/spaces/${c.open}`, 'outsider', { cookie: cookiesFrom(followed, c.cookies.outsider) });
    expect(mainText(after)).toContain('You follow the space Workshop: you will be told about new comments in it.');
    expect(button(after, 'space', c.open)?.getAttribute('aria-pressed')).toBe('true');
    // Following twice is still one follow.
    await c.post(`/spaces/${c.open}/follow`, 'outsider', { follow: 'yes' });
    expect(await c.app.db.selectFrom('space_follows').select(['space_id', 'user_id']).execute()).toEqual([{ space_id: c.open, user_id: c.ids.outsider }]);

    // An item of a followed space shows as followed, until the person unfollows it.
    const post = await postIn(c, 'member', c.open, 'Team lunch');
    expect(button(await c.get(`/content/${post}`, 'outsider'), 'content', post)?.getAttribute('aria-pressed')).toBe('true');
    await c.post(`/content/${post}/follow`, 'outsider', { follow: 'no' });
    expect(button(await c.get(`/content/${post}`, 'outsider'), 'content', post)?.getAttribute('aria-pressed')).toBe('false');

    const partial = await c.post(`/spaces/${c.open}/follow`, 'outsider', { follow: 'no' }, PARTIAL);
    expect(html(partial).querySelector('button')?.getAttribute('aria-pressed')).toBe('false');
    expect(html(partial).querySelector('[role="status"]')?.textContent).toBe('You no longer follow this space.');
    expect(await c.app.db.selectFrom('space_follows').selectAll().execute()).toEqual([]);

    // The private space: its members may follow it.
    expect((await c.post(`/spaces/${c.secret}/follow`, 'member', { follow: 'yes' })).statusCode).toBe(303);
  });

  it('speaks French to French speakers', async () => {
    await c.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', c.ids.outsider).execute();
    const partial = await c.post(`/spaces/${c.open}/follow`, 'outsider', { follow: 'yes' }, PARTIAL);
    expect(html(partial).querySelector('button')?.textContent).toContain('Suivre l’espace');
    expect(html(partial).querySelector('[role="status"]')?.textContent).toBe('Vous suivez cet espace.');
  });
});
