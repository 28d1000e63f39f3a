// Content cards rendered from their inputs only and reused (src/content/cards.ts): a kept card is the
// card this viewer would have been shown, whoever's page put it there first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Eta } from 'eta';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CardRenderer, PageCards, type CardContext } from '../../src/content/cards.js';
import type { ContentItem } from '../../src/content/items.js';
import { loadItems } from '../../src/content/load-items.js';
import { REACTIONS } from '../../src/features/conversation/reactions.js';
import { viewHelpers } from '../../src/http/view-helpers.js';
import { createTemplateEngine } from '../../src/http/templates.js';
import { translator, type Locale } from '../../src/i18n/index.js';
import { viewsDir } from '../../src/paths.js';
import type { Viewer } from '../../src/policy/viewer.js';
import { viewerOf } from '../helpers/news.js';
import { createTestApp, createUser, setupOrganisation, type TestApp } from '../helpers/app.js';
import { companySpaceId, createArticle, createPost } from '../helpers/content.js';

describe('content cards', () => {
  let t: TestApp;
  let company: number;
  let ids: { post: number; mustRead: number };
  let author: Viewer;
  let reader: Viewer;
  let admin: Viewer;

  const viewer = (id: number): Promise<Viewer> => viewerOf(t.app, id);

  function context(who: Viewer, locale: Locale = 'en', next = '/'): CardContext {
    return {
      viewer: who,
      locale,
      t: translator(locale),
      timeZone: 'Europe/Paris',
      next,
      reactionSet: REACTIONS,
    };
  }

  /** The items as the item cache hands them out: the kind's data frozen, the same object for every viewer. */
  const shared = new Map<number, unknown>();
  async function items(who: Viewer): Promise<ContentItem[]> {
    const loaded = await loadItems(t.app, who, [ids.mustRead, ids.post]);
    return loaded.map((item) => {
      if (!shared.has(item.id)) shared.set(item.id, Object.freeze(item.data));
      return { ...item, data: shared.get(item.id) };
    });
  }

  const fresh = () => new CardRenderer(createTemplateEngine(viewsDir, true), viewHelpers, false);

  beforeEach(async () => {
    t = await createTestApp();
    await setupOrganisation(t.app, { locale: 'en' });
    company = await companySpaceId(t.app);
    author = await viewer(await createUser(t.app, { email: 'author@example.com', name: 'Author', role: 'editor' }));
    reader = await viewer(await createUser(t.app, { email: 'reader@example.com', name: 'Reader' }));
    admin = await viewer(await createUser(t.app, { email: 'boss@example.com', name: 'Boss', role: 'admin' }));
    ids = {
      post: await createPost(t.app, { spaceId: company, authorId: author.id, body: 'Hello **team** <script>x</script>' }),
      mustRead: await createArticle(t.app, { spaceId: company, authorId: author.id, title: 'Read me', body: 'Body', mustRead: true }),
    };
    shared.clear();
  });
  afterEach(async () => t.close());

  it('gives each viewer the card rendered for them, whoever was shown it first', async () => {
    const cards = new CardRenderer(createTemplateEngine(viewsDir, true), viewHelpers, true);
    const viewers = [author, reader, admin, reader, author];
    for (const who of viewers) {
      for (const item of await items(who)) {
        expect(cards.html(context(who), item)).toBe(fresh().html(context(who), item));
      }
    }
    // Author, reader and admin differ on both items (actions menu, must-read panel): 6 cards kept, reused after.
    expect(cards.size).toBe(6);
    const [ofAuthor] = await items(author);
    const [ofReader] = await items(reader);
    expect(cards.html(context(author), ofAuthor!)).toContain('/edit');
    expect(cards.html(context(reader), ofReader!)).not.toContain('/edit');
    expect(cards.html(context(reader), ofReader!)).toContain('confirm-read');
    expect(cards.html(context(author), ofAuthor!)).not.toContain('confirm-read');
  });

  it('keeps the viewer’s own reactions and confirmation out of anyone else’s card', async () => {
    const cards = new CardRenderer(createTemplateEngine(viewsDir, true), viewHelpers, true);
    await t.app.db.insertInto('reactions').values({ content_id: ids.post, user_id: reader.id, reaction: 'like', created_at: Date.now() }).execute();
    await t.app.db.insertInto('read_confirmations').values({ content_id: ids.mustRead, user_id: reader.id, confirmed_at: Date.now() }).execute();
    const [readersMustRead, readersPost] = await items(reader);
    const [adminsMustRead, adminsPost] = await items(admin);
    expect(cards.html(context(reader), readersPost!)).toContain('aria-pressed="true"');
    expect(cards.html(context(admin), adminsPost!)).not.toContain('aria-pressed="true"');
    expect(cards.html(context(admin), adminsPost!)).toBe(fresh().html(context(admin), adminsPost!));
    expect(cards.html(context(reader), readersMustRead!)).toContain('must-read--confirmed');
    expect(cards.html(context(admin), adminsMustRead!)).not.toContain('must-read--confirmed');
  });

  it('keys cards by language, and writes in the address of the page they return to', async () => {
    const cards = new CardRenderer(createTemplateEngine(viewsDir, true), viewHelpers, true);
    const [, post] = await items(reader);
    const english = cards.html(context(reader, 'en'), post!);
    const french = cards.html(context(reader, 'fr'), post!);
    expect(french).not.toBe(english);
    expect(french).toBe(fresh().html(context(reader, 'fr'), post!));
    // One kept card for every page that shows it; the address escaped as the template escapes it.
    const odd = '/spaces/1?kind=post&q="<b>\'';
    expect(cards.html(context(reader, 'en', '/spaces/1'), post!)).toContain('value="/spaces/1"');
    expect(cards.html(context(reader, 'en', odd), post!)).toBe(fresh().html(context(reader, 'en', odd), post!));
    expect(cards.html(context(reader, 'en', odd), post!)).toContain('value="/spaces/1?kind=post&amp;q=&quot;&lt;b&gt;&#39;"');
    expect(cards.html(context(reader, 'en'), post!)).toBe(english);
    expect(cards.size).toBe(2);
  });

  it('renders data that is not frozen every time, without keeping it', async () => {
    const cards = new CardRenderer(createTemplateEngine(viewsDir, true), viewHelpers, true);
    // A kind whose data the item cache does not keep hands out a new, unfrozen object each time.
    for (const item of await loadItems(t.app, reader, [ids.post])) cards.html(context(reader), { ...item, data: { ...(item.data as object) } });
    expect(cards.size).toBe(0);
  });

  it('drops the least recently used cards past its bounds', async () => {
    const cards = new CardRenderer(createTemplateEngine(viewsDir, true), viewHelpers, true, { entries: 2, bytes: 1_000_000 });
    const [mustRead, post] = await items(reader);
    cards.html(context(reader, 'en'), post!);
    cards.html(context(reader, 'fr'), post!);
    cards.html(context(reader, 'en'), post!); // used again: the French one is now the oldest
    cards.html(context(reader, 'en'), mustRead!);
    expect(cards.size).toBe(2);
    const small = new CardRenderer(createTemplateEngine(viewsDir, true), viewHelpers, true, { entries: 10, bytes: 100 });
    small.html(context(reader), post!);
    expect(small.size).toBe(0);
  });

  it('refuses a card template that asks the policy anything but the card’s own actions', async () => {
    const views = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-cards-'));
    try {
      fs.mkdirSync(path.join(views, 'content'));
      fs.writeFileSync(path.join(views, 'content', 'card.eta'), "<%= it.can('space.view', it.item.subject.space) %>");
      const cards = new CardRenderer(new Eta({ views, cache: true, autoEscape: true }), {}, true);
      const [, post] = await items(reader);
      expect(() => cards.html(context(reader), post!)).toThrow(/may only ask/);
      fs.writeFileSync(path.join(views, 'content', 'card.eta'), '<%= it.user.name %>|<%= it.csrf %>|<%= it.organisation %>');
      const blind = new CardRenderer(new Eta({ views, cache: true, autoEscape: true }), {}, true);
      expect(blind.html(context(reader), post!)).toBe('undefined|undefined|undefined');
    } finally {
      fs.rmSync(views, { recursive: true, force: true });
    }
  });
  it('puts a page together around its cards’ bytes, and nothing else passes for a card', async () => {
    const cards = new CardRenderer(createTemplateEngine(viewsDir, true), viewHelpers, true);
    const [mustRead, post] = await items(reader);
    const page = new PageCards(cards, () => context(reader));
    const first = page.mark(post!);
    const second = page.mark(mustRead!);
    // What a visitor might type to look like a mark: another page's random part, or none.
    const forged = first.replace(/[0-9a-f]{12}/, '000000000000');
    const text = `<main>Café ’ ${forged} 👍${second}<p>between</p>${first}</main>`;
    const expected = `<main>Café ’ ${forged} 👍${cards.html(context(reader), mustRead!)}<p>between</p>${cards.html(context(reader), post!)}</main>`;
    expect(page.bytes(text).toString('utf8')).toBe(expected);
    expect(new PageCards(cards, () => context(reader)).mark(post!)).not.toBe(first);
    expect(new PageCards(cards, () => context(reader)).bytes('<p>Déjà</p>')).toEqual(Buffer.from('<p>Déjà</p>'));
  });
});
