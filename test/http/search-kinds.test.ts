// Each kind of result reads its own window of matches: a colleague, a space or a news article is found
// by a word that hundreds of newer comments also hold; each kind counts its own results, exactly up to
// its window and "at least" beyond; a private space's matches are never counted for someone outside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND_WINDOW, SEARCH_WINDOW, SUGGESTIONS_PER_KIND } from '../../src/search/search.js';
import { syncSearchIndex } from '../../src/search/sync.js';
import { html } from '../helpers/app.js';
import { createArticle, createComment, createPost, createSpace } from '../helpers/content.js';
import { createCast, PARTIAL, personWithSession, type Cast } from '../helpers/conversation.js';
import { hrefs, kindCounts, results, searchUrl } from '../helpers/search.js';

let cast: Cast;
let ondine: number;
let ondineSpace: number;
let news: number[];
let hiddenNews: number;
let draftNews: number;
let posts: number[];
let quetzalPosts: number[];

/** More comments than the old single window held, all newer than everything else that matches. */
const NEWER_COMMENTS = SEARCH_WINDOW + 20;
/** More posts than a kind's window on the results page, fewer than the window of a kind chosen. */
const MANY_POSTS = KIND_WINDOW + 10;
/** Fewer posts than a kind's window: counted exactly. */
const FEW_POSTS = KIND_WINDOW - 1;

beforeAll(async () => {
  cast = await createCast();
  const { app, ids } = cast;
  // Indexed first, so the oldest matches: a colleague, a space, a few news articles.
  ondine = (await personWithSession(app, { email: 'ondine@example.com', name: 'Ondine Maréchal' })).id;
  ondineSpace = await createSpace(app, { name: 'Ondines du jeudi', visibility: 'open' });
  news = [];
  for (let i = 0; i < 3; i++) news.push(await createArticle(app, { spaceId: cast.company, authorId: ids.admin, title: `Ondine, portail numéro ${i}`, body: 'Le nouveau portail.' }));
  hiddenNews = await createArticle(app, { spaceId: cast.company, authorId: ids.admin, title: 'Ondine masquée', body: 'Retirée par la modération.' });
  await app.db.updateTable('content').set({ hidden_at: Date.now(), hidden_by: ids.admin, hidden_reason: 'Hors sujet' }).where('id', '=', hiddenNews).execute();
  draftNews = await createArticle(app, { spaceId: cast.company, authorId: ids.admin, title: 'Ondine en préparation', body: 'Pas encore publiée.', publishedAt: null });
  await syncSearchIndex(app);
  posts = [];
  for (let i = 0; i < MANY_POSTS; i++) posts.push(await createPost(app, { spaceId: cast.company, authorId: ids.member, body: `Ondine relit le compte rendu ${i}` }));
  quetzalPosts = [];
  for (let i = 0; i < FEW_POSTS; i++) quetzalPosts.push(await createPost(app, { spaceId: cast.company, authorId: ids.member, body: `Quetzal au jardin ${i}` }));
  // A private space's posts, newer: for its members they fill the posts' window; for others they do not exist.
  for (let i = 0; i < MANY_POSTS; i++) await createPost(app, { spaceId: cast.secret, authorId: ids.member, body: `Quetzal confidentiel ${i}` });
  await syncSearchIndex(app);
  const thread = posts[0]!;
  for (let i = 0; i < NEWER_COMMENTS; i++) await createComment(app, { contentId: thread, authorId: ids.editor, body: `Ondine et le quetzal, remarque ${i}` });
  await syncSearchIndex(app);
});

afterAll(async () => {
  await cast.t.close();
});

describe('each kind reads its own matches', () => {
  it('finds a colleague by the beginning of their name when hundreds of newer comments hold it too', async () => {
    const response = await cast.get(searchUrl('ondin'), 'outsider');
    expect(results(response).filter((r) => r.kind === 'person').map((r) => r.href)).toEqual([`/people/${ondine}`]);
    expect(kindCounts(response)).toContain('People (1 result)');
    const suggestions = await cast.get('/search/suggest?q=ondi', 'outsider', PARTIAL);
    expect(hrefs(suggestions)).toContain(`/people/${ondine}`);
  });

  it('shows every kind that has results, whatever the others hold, in the sources’ order', async () => {
    const response = await cast.get(searchUrl('ondine'), 'outsider');
    expect([...new Set(results(response).map((r) => r.kind))]).toEqual(['person', 'space', 'news', 'post', 'comment']);
    expect(hrefs(response)).toContain(`/spaces/${ondineSpace}`);
    expect(results(response).filter((r) => r.kind === 'news').map((r) => r.href).sort()).toEqual(news.map((id) => `/content/${id}`).sort());
  });

  it('counts each kind exactly up to its window, "at least" beyond, and says which kinds were cut', async () => {
    const response = await cast.get(searchUrl('ondine'), 'outsider');
    // A hidden article and a draft are neither shown nor counted.
    expect(kindCounts(response)).toEqual([
      'All results',
      'People (1 result)',
      'Spaces (1 result)',
      'News (3 results)',
      `Posts (at least ${KIND_WINDOW} results)`,
      `Comments (at least ${KIND_WINDOW} results)`,
    ]);
    expect(hrefs(response)).not.toContain(`/content/${hiddenNews}`);
    expect(hrefs(response)).not.toContain(`/content/${draftNews}`);
    const notes = html(response).querySelectorAll('.search-capped').map((p) => p.text.trim());
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^Posts: very common words/);
    expect(notes[1]).toMatch(/^Comments: very common words/);
    expect(html(response).querySelector('section[aria-labelledby="search-group-news"] .search-capped')).toBeNull();
    expect(html(response).querySelector('section[aria-labelledby="search-group-post"] .search-capped')).not.toBeNull();
  });

  it('counts exactly a kind with fewer matches than its window, however many newer matches other kinds have', async () => {
    const response = await cast.get(searchUrl('quetzal'), 'outsider');
    expect(kindCounts(response)).toEqual(['All results', `Posts (${FEW_POSTS} results)`, `Comments (at least ${KIND_WINDOW} results)`]);
    expect(results(response).filter((r) => r.kind === 'post')).toHaveLength(5);
    expect(html(response).querySelector('.search-group__more a')?.text).toBe(`All Posts (${FEW_POSTS} results)`);
  });

  it('never counts a private space’s matches for someone outside it, in any kind’s window', async () => {
    for (const who of ['outsider', 'editor'] as const) {
      const response = await cast.get(searchUrl('quetzal'), who);
      expect(kindCounts(response), who).toContain(`Posts (${FEW_POSTS} results)`);
      expect(response.body, who).not.toContain('confidentiel');
      const page = await cast.get(searchUrl('quetzal', { kind: 'post' }), who);
      expect(kindCounts(page), who).toContain(`Posts (${FEW_POSTS} results)`);
      expect((await cast.get('/search/suggest?q=quetz', who, PARTIAL)).body, who).not.toContain('confidentiel');
    }
    // Its members read them: the posts' window is full.
    const member = await cast.get(searchUrl('quetzal'), 'member');
    expect(kindCounts(member)).toContain(`Posts (at least ${KIND_WINDOW} results)`);
    expect(html(member).querySelectorAll('.search-capped').map((p) => p.text.trim())[0]).toMatch(/^Posts: very common words/);
  });

  it('pages through a kind chosen from its own larger window, as before', async () => {
    const overview = await cast.get(searchUrl('ondine'), 'outsider');
    const more = html(overview).querySelectorAll('.search-group__more a').find((a) => a.getAttribute('href')?.includes('kind=post'));
    expect(more?.text).toBe(`All Posts (at least ${KIND_WINDOW} results)`);
    const first = await cast.get(more!.getAttribute('href')!.replace(/&amp;/g, '&'), 'outsider');
    // The kind chosen counts its own matches exactly (fewer than its window), the others stay "at least".
    expect(kindCounts(first)).toContain(`Posts (${MANY_POSTS} results)`);
    expect(kindCounts(first)).toContain(`Comments (at least ${KIND_WINDOW} results)`);
    const seen = results(first).map((r) => r.href);
    expect(seen).toHaveLength(20);
    let next = html(first).querySelector('a[rel="next"]')?.getAttribute('href');
    while (next) {
      const page = await cast.get(next, 'outsider');
      seen.push(...results(page).map((r) => r.href));
      next = html(page).querySelector('a[rel="next"]')?.getAttribute('href');
    }
    expect(new Set(seen)).toEqual(new Set(posts.map((id) => `/content/${id}`)));
    expect(seen).toHaveLength(MANY_POSTS);
    const comments = await cast.get(searchUrl('ondine', { kind: 'comment' }), 'outsider');
    expect(kindCounts(comments)).toContain(`Comments (at least ${SEARCH_WINDOW} results)`);
  });

  it('suggests a few of each kind, each kind from its own window', async () => {
    const response = await cast.get('/search/suggest?q=ondin', 'outsider', PARTIAL);
    const root = html(response);
    const kinds = root.querySelectorAll('.search-suggest__kind').map((p) => p.text.trim());
    expect(kinds).toEqual(['People', 'Spaces', 'News', 'Posts', 'Comments']);
    for (const list of root.querySelectorAll('.search-suggest__list')) expect(list.querySelectorAll('a').length).toBeLessThanOrEqual(SUGGESTIONS_PER_KIND);
    expect(hrefs(response)).toEqual(expect.arrayContaining([`/people/${ondine}`, `/spaces/${ondineSpace}`]));
    expect(hrefs(response)).not.toContain(`/content/${hiddenNews}`);
    expect(root.querySelector('#search-suggest-status')?.text).toBe(`${1 + 1 + 3 * SUGGESTIONS_PER_KIND} suggestions`);
  });

  it('says in French which kinds were cut, with French typography', async () => {
    const { id, cookie } = await personWithSession(cast.app, { email: 'francoise@example.com', name: 'Françoise Ardent' });
    await cast.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', id).execute();
    const response = await cast.app.inject({ method: 'GET', url: searchUrl('quetzal'), headers: { cookie } });
    expect(kindCounts(response)).toEqual(['Tous les résultats', `Publications (${FEW_POSTS} résultats)`, `Commentaires (au moins ${KIND_WINDOW} résultats)`]);
    expect(html(response).querySelector('.search-capped')?.rawText.trim()).toMatch(/^Commentaires\u202F: mots très courants, seules leurs occurrences les plus récentes/);
  });
});

describe('people and spaces', () => {
  it('are numbered below every other entry, newest highest, and found newest first, however late they join', async () => {
    const { app } = cast;
    // Joining after hundreds of matches of other kinds: with ids among theirs, finding them read the
    // word's whole list of matches (search.ts, sync.ts FEW_FIRST_ID).
    const late = (await personWithSession(app, { email: 'ondine.tardive@example.com', name: 'Ondine Tardive' })).id;
    const lateSpace = await createSpace(app, { name: 'Ondines tardives', visibility: 'open' });
    await syncSearchIndex(app);
    const entries = await app.db.selectFrom('search_entries').select(['id', 'source', 'key']).execute();
    const idOf = (source: string, key: number) => entries.find((e) => e.source === source && e.key === key)!.id;
    const few = entries.filter((e) => e.source === 'person' || e.source === 'space').map((e) => e.id);
    const others = entries.filter((e) => e.source !== 'person' && e.source !== 'space').map((e) => e.id);
    expect(Math.max(...few)).toBeLessThan(Math.min(...others));
    expect(idOf('person', late)).toBeGreaterThan(idOf('person', ondine));
    expect(idOf('space', lateSpace)).toBeGreaterThan(idOf('space', ondineSpace));
    const response = await cast.get(searchUrl('ondin'), 'outsider');
    expect(results(response).filter((r) => r.kind === 'person').map((r) => r.href)).toEqual([`/people/${late}`, `/people/${ondine}`]);
    expect(results(response).filter((r) => r.kind === 'space').map((r) => r.href)).toEqual([`/spaces/${lateSpace}`, `/spaces/${ondineSpace}`]);
    expect(kindCounts(response)).toEqual(expect.arrayContaining(['People (2 results)', 'Spaces (2 results)']));
  });
});
