// Search as people use it: the results page and the header's suggestions find news, posts, comments,
// spaces and people whatever the accents and case, by the beginning of words; what people type is only
// ever words; and nothing the viewer may not see is found, counted or suggested.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArticle, createComment, createPost, createSpace } from '../helpers/content.js';
import { createCast, PARTIAL, personWithSession, type Cast } from '../helpers/conversation.js';
import { html, mainText } from '../helpers/app.js';
import { hrefs, kindCounts, results, searchUrl } from '../helpers/search.js';
import { KIND_WINDOW, SEARCH_WINDOW } from '../../src/search/search.js';

let cast: Cast;
let companyPost: number;
let secretPost: number;
let article: number;
let openPost: number;

beforeAll(async () => {
  cast = await createCast();
  const { app, ids } = cast;
  companyPost = await createPost(app, { spaceId: cast.company, authorId: ids.member, body: 'Un **événement** à l’École du quartier : réunions ouvertes à tous.' });
  article = await createArticle(app, { spaceId: cast.company, authorId: ids.admin, title: 'Evenement annuel', body: 'Le programme de la journée.' });
  secretPost = await createPost(app, { spaceId: cast.secret, authorId: ids.spaceAdmin, body: 'Budget confidentiel du rachat : événement discret.' });
  openPost = await createPost(app, { spaceId: cast.open, authorId: ids.editor, body: 'Atelier de peinture jeudi.' });
});

afterAll(async () => {
  await cast.t.close();
});

describe('GET /search', () => {
  it('sends visitors to the sign-in page, and the deactivated person too', async () => {
    for (const url of ['/search?q=evenement', '/search/suggest?q=evenement']) {
      const anonymous = await cast.get(url, null);
      expect(anonymous.statusCode).toBe(303);
      expect(anonymous.headers.location).toMatch(/^\/login/);
      const gone = await cast.get(url, 'gone');
      expect(gone.statusCode).toBe(303);
      expect(gone.headers.location).toMatch(/^\/login/);
    }
  });

  it('ignores accents and case, both ways', async () => {
    for (const q of ['evenement', 'événement', 'EVENEMENT', 'Événement', 'ÉvÈnEmEnT']) {
      const response = await cast.get(searchUrl(q), 'outsider');
      expect(response.statusCode, q).toBe(200);
      expect(hrefs(response), q).toEqual(expect.arrayContaining([`/content/${companyPost}`, `/content/${article}`]));
    }
    for (const q of ['ecole', 'École', 'ÉCOLE', 'école']) {
      expect(hrefs(await cast.get(searchUrl(q), 'outsider')), q).toContain(`/content/${companyPost}`);
    }
  });

  it('matches the beginning of words, the last one as it is typed and the others too', async () => {
    expect(hrefs(await cast.get(searchUrl('évén'), 'outsider'))).toContain(`/content/${companyPost}`);
    expect(hrefs(await cast.get(searchUrl('reunion'), 'outsider'))).toContain(`/content/${companyPost}`);
    expect(hrefs(await cast.get(searchUrl('reun ecol'), 'outsider'))).toContain(`/content/${companyPost}`);
    // Every word must be there.
    expect(hrefs(await cast.get(searchUrl('reunion peinture'), 'outsider'))).toEqual([]);
    expect(hrefs(await cast.get(searchUrl('peint'), 'outsider'))).toEqual([`/content/${openPost}`]);
  });

  it('ranks a match in a title above a match in a text', async () => {
    const response = await cast.get(searchUrl('evenement', { kind: 'news' }), 'outsider');
    expect(results(response)[0]?.href).toBe(`/content/${article}`);
    const all = results(await cast.get(searchUrl('evenement'), 'outsider'));
    expect(all.map((r) => r.kind)).toEqual(expect.arrayContaining(['news', 'post']));
  });

  it('highlights the words found, and shows back what was typed', async () => {
    const response = await cast.get(searchUrl('ecole'), 'outsider');
    const hit = results(response).find((r) => r.href === `/content/${companyPost}`)!;
    expect(hit.html).toContain('<mark>École</mark>');
    expect(html(response).querySelector('#search-page-q')?.getAttribute('value')).toBe('ecole');
  });

  it('treats operators, quotes, parentheses and symbols typed by people as plain words', async () => {
    const typed = ['foo AND', 'AND', 'OR evenement', '"', '"evenement', 'evenement"', '*', '**', 'NEAR(', 'NEAR(evenement', 'title:x', 'title:evenement', 'body:', '(', ')', '-', '-evenement', ':', '^evenement', '{title}: x', 'evenement NOT ecole', "l'école", '\\', '%', '_', '\u0000', '\uE000evenement\uE001'];
    for (const q of typed) {
      const response = await cast.get(searchUrl(q), 'outsider');
      expect(response.statusCode, q).toBe(200);
    }
    // "-evenement" or "NOT" excludes nothing: they are words like the others.
    expect(hrefs(await cast.get(searchUrl('-evenement'), 'outsider'))).toContain(`/content/${companyPost}`);
    expect(hrefs(await cast.get(searchUrl('title:evenement'), 'outsider'))).toEqual([]);
    expect(hrefs(await cast.get(searchUrl('"evenement'), 'outsider'))).toContain(`/content/${companyPost}`);
  });

  it('asks for a word when there is none, without an error', async () => {
    for (const q of ['*', '"', '()', '-:^', '🙂', '*'.repeat(1000)]) {
      const response = await cast.get(searchUrl(q), 'member');
      expect(response.statusCode, q).toBe(200);
      expect(mainText(response), q).toContain('Type at least one word');
      expect(results(response)).toEqual([]);
    }
  });

  it('answers a page without a query with help, not an error', async () => {
    const response = await cast.get('/search', 'member');
    expect(response.statusCode).toBe(200);
    expect(mainText(response)).toContain('How to search');
    expect(mainText(response)).not.toContain('Type at least one word');
  });

  it('answers a 1,000-character query, and a query of 1,000 words', async () => {
    for (const q of ['é'.repeat(1000), 'evenement '.repeat(100), 'a*"('.repeat(250), Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' ')]) {
      const response = await cast.get(searchUrl(q), 'member');
      expect(response.statusCode).toBe(200);
    }
  });

  it('escapes text and highlights: a script in a post or a query comes back as text', async () => {
    const id = await createPost(cast.app, { spaceId: cast.company, authorId: cast.ids.member, body: 'Marqueur <script>alert(1)</script> <img src=x onerror=alert(2)> & "quotes"' });
    const response = await cast.get(searchUrl('marqueur <script>alert(1)</script>'), 'outsider');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<script>alert');
    expect(response.body).not.toContain('<img src=x');
    expect(response.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const hit = results(response).find((r) => r.href === `/content/${id}`);
    expect(hit?.html).toContain('<mark>Marqueur</mark>');
    expect(hit?.html).toContain('<mark>script</mark>&gt;<mark>alert</mark>');
  });

  it('filters by kind and by space, and ignores an unknown kind', async () => {
    const posts = await cast.get(searchUrl('evenement', { kind: 'post' }), 'outsider');
    expect(results(posts).map((r) => r.href)).toEqual([`/content/${companyPost}`]);
    expect(kindCounts(posts)).toEqual(expect.arrayContaining(['News (1 result)', 'Posts (1 result)']));
    const news = await cast.get(searchUrl('evenement', { kind: 'news' }), 'outsider');
    expect(results(news).map((r) => r.href)).toEqual([`/content/${article}`]);
    const open = await cast.get(searchUrl('atelier', { space: String(cast.open) }), 'outsider');
    expect(results(open).map((r) => r.href)).toEqual([`/content/${openPost}`]);
    const elsewhere = await cast.get(searchUrl('evenement', { space: String(cast.open) }), 'outsider');
    expect(results(elsewhere)).toEqual([]);
    const unknown = await cast.get(searchUrl('evenement', { kind: 'nonsense' }), 'outsider');
    expect(unknown.statusCode).toBe(200);
    expect(hrefs(unknown)).toEqual(expect.arrayContaining([`/content/${companyPost}`, `/content/${article}`]));
    for (const space of ['abc', '-1', '1e3']) expect((await cast.get(searchUrl('evenement', { space }), 'outsider')).statusCode).toBe(200);
  });

  it('never finds, counts or suggests a private space’s content for someone outside it', async () => {
    for (const who of ['outsider', 'editor'] as const) {
      const response = await cast.get(searchUrl('confidentiel'), who);
      expect(response.statusCode).toBe(200);
      expect(results(response)).toEqual([]);
      expect(response.body).not.toContain('rachat');
      const evenement = await cast.get(searchUrl('evenement'), who);
      expect(hrefs(evenement)).not.toContain(`/content/${secretPost}`);
      expect(kindCounts(evenement)).toContain('Posts (1 result)');
      const suggestions = await cast.get('/search/suggest?q=confid', who, PARTIAL);
      expect(suggestions.body).not.toContain('rachat');
      expect(hrefs(suggestions)).toEqual([]);
      // Filtering by the space is answered like a space that does not exist.
      expect((await cast.get(searchUrl('confidentiel', { space: String(cast.secret) }), who)).statusCode).toBe(404);
    }
    for (const who of ['member', 'spaceAdmin', 'admin'] as const) {
      expect(hrefs(await cast.get(searchUrl('confidentiel'), who)), who).toEqual([`/content/${secretPost}`]);
      expect(kindCounts(await cast.get(searchUrl('evenement'), who))).toContain('Posts (2 results)');
    }
    expect(hrefs(await cast.get(searchUrl('confidentiel', { space: String(cast.secret) }), 'member'))).toEqual([`/content/${secretPost}`]);
  });

  it('offers in the space filter only the spaces the viewer may see, and names no other', async () => {
    const options = (response: Awaited<ReturnType<typeof cast.get>>) =>
      html(response).querySelectorAll('#search-page-space option').map((o) => [o.getAttribute('value'), o.text.trim()]);
    for (const who of ['outsider', 'editor'] as const) {
      const response = await cast.get(searchUrl('evenement'), who);
      expect(options(response), who).toEqual(expect.arrayContaining([[String(cast.open), 'Workshop']]));
      expect(options(response).map(([value]) => value), who).not.toContain(String(cast.secret));
      expect(response.body, who).not.toContain('Board room');
      // Asked for by its id, the private space is not there: no name, no count, no result.
      for (const q of ['confidentiel', 'evenement', '']) {
        const filtered = await cast.get(searchUrl(q, { space: String(cast.secret) }), who);
        expect(filtered.statusCode, `${who} ${q}`).toBe(404);
        expect(filtered.body).not.toContain('Board room');
        expect(filtered.body).not.toContain('rachat');
        expect(filtered.body).not.toMatch(/\d+ results?/);
      }
    }
    for (const who of ['member', 'admin'] as const) {
      expect(options(await cast.get(searchUrl('evenement'), who)), who).toEqual(expect.arrayContaining([[String(cast.secret), 'Board room']]));
    }
  });

  it('never highlights from markers typed into stored text: only the words found are marked', async () => {
    // U+E000 and U+E001 are what the index marks matches with: typed into a post, they must mark nothing.
    const id = await createPost(cast.app, { spaceId: cast.company, authorId: cast.ids.member, body: 'Zorglub \uE000piège\uE001 <b>gras</b> \uE000fin' });
    const response = await cast.get(searchUrl('zorglub'), 'outsider');
    const hit = results(response).find((r) => r.href === `/content/${id}`);
    // Once in the title (the post's first words) and once in the snippet: nowhere else.
    expect(hit?.html.match(/<mark>/g)).toEqual(['<mark>', '<mark>']);
    expect(hit?.html.match(/<mark>Zorglub<\/mark>/g)).toHaveLength(2);
    expect(hit?.html).not.toContain('<b>');
    expect(hit?.html).not.toContain('<mark>piège');
    expect(hit?.html).not.toMatch(/[\uE000\uE001]/);
    const suggestion = await cast.get('/search/suggest?q=zorg', 'outsider', PARTIAL);
    expect(suggestion.body.match(/<mark>/g)).toHaveLength(1);
    expect(suggestion.body).not.toContain('<b>');
  });

  it('keeps a private space’s many matches out of what a non-member’s search reads, counts and caps', async () => {
    const shown = await createPost(cast.app, { spaceId: cast.company, authorId: cast.ids.member, body: 'Fenouil du jardin partagé' });
    // More private matches than the window holds, all newer than the public one.
    for (let i = 0; i < SEARCH_WINDOW; i++) await createPost(cast.app, { spaceId: cast.secret, authorId: cast.ids.member, body: `Fenouil confidentiel ${i}` });
    for (const who of ['outsider', 'editor'] as const) {
      const response = await cast.get(searchUrl('fenouil'), who);
      expect(hrefs(response), who).toEqual([`/content/${shown}`]);
      expect(kindCounts(response), who).toEqual(['All results', 'Posts (1 result)']);
      expect(html(response).querySelector('.search-capped'), who).toBeNull();
      expect(hrefs(await cast.get('/search/suggest?q=fenou', who, PARTIAL)), who).toEqual([`/content/${shown}`]);
    }
    // A member reads the newest matches: many words, "at least" (each kind's own window on the overview,
    // the larger one once the kind is chosen).
    const member = await cast.get(searchUrl('fenouil'), 'member');
    expect(kindCounts(member)).toEqual(['All results', `Posts (at least ${KIND_WINDOW} results)`]);
    expect(html(member).querySelector('.search-capped')).not.toBeNull();
    const posts = await cast.get(searchUrl('fenouil', { kind: 'post' }), 'member');
    expect(kindCounts(posts)).toEqual(['All results', `Posts (at least ${SEARCH_WINDOW} results)`]);
  });

  it('finds spaces by name and description, private ones only for their members', async () => {
    expect(hrefs(await cast.get(searchUrl('workshop'), 'outsider'))).toEqual([`/spaces/${cast.open}`]);
    expect(hrefs(await cast.get(searchUrl('board'), 'outsider'))).toEqual([]);
    expect(hrefs(await cast.get(searchUrl('board'), 'member'))).toEqual([`/spaces/${cast.secret}`]);
    expect(hrefs(await cast.get(searchUrl('board'), 'admin'))).toEqual([`/spaces/${cast.secret}`]);
  });

  it('finds active people by name and profile, never a deactivated person', async () => {
    await cast.app.db.updateTable('users').set({ job_title: 'Comptable principale' }).where('id', '=', cast.ids.outsider).execute();
    const byName = await cast.get(searchUrl('carol'), 'member');
    expect(results(byName).map((r) => [r.kind, r.href])).toEqual([['person', `/people/${cast.ids.outsider}`]]);
    expect(hrefs(await cast.get(searchUrl('comptable'), 'member'))).toEqual([`/people/${cast.ids.outsider}`]);
    // Gaston was deactivated: neither his name nor anything else leads to him.
    expect(hrefs(await cast.get(searchUrl('gaston'), 'member'))).toEqual([]);
    expect((await cast.get('/search/suggest?q=gast', 'member', PARTIAL)).body).not.toContain('Gaston');
  });
});

describe('keeping in step with changes', () => {
  it('forgets deleted content, and hidden content', async () => {
    const doomed = await createPost(cast.app, { spaceId: cast.company, authorId: cast.ids.member, body: 'Tombola éphémère' });
    const hidden = await createPost(cast.app, { spaceId: cast.company, authorId: cast.ids.editor, body: 'Tombola cachée' });
    expect(hrefs(await cast.get(searchUrl('tombola'), 'outsider'))).toEqual(expect.arrayContaining([`/content/${doomed}`, `/content/${hidden}`]));

    expect((await cast.post(`/content/${doomed}/delete`, 'member')).statusCode).toBe(303);
    expect((await cast.post(`/content/${hidden}/hide`, 'admin', { reason: 'Hors sujet' })).statusCode).toBe(303);
    for (const who of ['outsider', 'member', 'editor', 'admin'] as const) {
      const response = await cast.get(searchUrl('tombola'), who);
      expect(hrefs(response), who).toEqual([]);
      expect(kindCounts(response), who).toEqual([]);
    }
    expect(hrefs(await cast.get('/search/suggest?q=tombo', 'admin', PARTIAL))).toEqual([]);
  });

  it('finds again what is restored or shown again', async () => {
    const restored = await createPost(cast.app, { spaceId: cast.company, authorId: cast.ids.member, body: 'Kermesse revenante' });
    const unhidden = await createPost(cast.app, { spaceId: cast.company, authorId: cast.ids.editor, body: 'Kermesse masquée' });
    expect((await cast.post(`/content/${restored}/delete`, 'member')).statusCode).toBe(303);
    expect((await cast.post(`/content/${unhidden}/hide`, 'admin', { reason: 'Hors sujet' })).statusCode).toBe(303);
    expect(hrefs(await cast.get(searchUrl('kermesse'), 'outsider'))).toEqual([]);
    expect((await cast.post(`/admin/deleted/${restored}/restore`, 'admin')).statusCode).toBe(303);
    expect((await cast.post(`/content/${unhidden}/unhide`, 'admin')).statusCode).toBe(303);
    expect(new Set(hrefs(await cast.get(searchUrl('kermesse'), 'outsider')))).toEqual(new Set([`/content/${restored}`, `/content/${unhidden}`]));
  });

  it('follows a space’s visibility: made private, its content leaves non-members’ results, and comes back when opened', async () => {
    const space = await createSpace(cast.app, { name: 'Chorale', visibility: 'open', members: [[cast.ids.member, 'admin']] });
    const id = await createPost(cast.app, { spaceId: space, authorId: cast.ids.member, body: 'Répétition solfège' });
    expect(hrefs(await cast.get(searchUrl('solfege'), 'outsider'))).toEqual([`/content/${id}`]);
    await cast.app.db.updateTable('spaces').set({ visibility: 'private' }).where('id', '=', space).execute();
    expect(hrefs(await cast.get(searchUrl('solfege'), 'outsider'))).toEqual([]);
    expect(hrefs(await cast.get(searchUrl('chorale'), 'outsider'))).toEqual([]);
    expect(html(await cast.get(searchUrl('solfege'), 'outsider')).querySelectorAll('#search-page-space option').map((o) => o.text.trim())).not.toContain('Chorale');
    expect(hrefs(await cast.get(searchUrl('solfege'), 'member'))).toEqual([`/content/${id}`]);
    await cast.app.db.updateTable('spaces').set({ visibility: 'open' }).where('id', '=', space).execute();
    expect(hrefs(await cast.get(searchUrl('solfege'), 'outsider'))).toEqual([`/content/${id}`]);
  });

  it('forgets a person deactivated, and finds them again once reactivated', async () => {
    const { id } = await personWithSession(cast.app, { email: 'hortense@example.com', name: 'Hortense Quintal' });
    expect(hrefs(await cast.get(searchUrl('quintal'), 'member'))).toEqual([`/people/${id}`]);
    expect((await cast.post(`/admin/members/${id}/deactivate`, 'admin')).statusCode).toBe(303);
    expect(hrefs(await cast.get(searchUrl('quintal'), 'member'))).toEqual([]);
    expect((await cast.get('/search/suggest?q=quint', 'member', PARTIAL)).body).not.toContain('Hortense');
    expect((await cast.post(`/admin/members/${id}/reactivate`, 'admin')).statusCode).toBe(303);
    expect(hrefs(await cast.get(searchUrl('quintal'), 'member'))).toEqual([`/people/${id}`]);
  });

  it('never finds drafts or scheduled items, not even their author', async () => {
    const draft = await createPost(cast.app, { spaceId: cast.company, authorId: cast.ids.member, body: 'Brouillon Zanzibar', publishedAt: null });
    const later = await createPost(cast.app, { spaceId: cast.company, authorId: cast.ids.member, body: 'Programmé Zanzibar', publishedAt: Date.now() + 86_400_000 });
    for (const who of ['member', 'admin'] as const) {
      const response = await cast.get(searchUrl('zanzibar'), who);
      expect(hrefs(response), who).not.toContain(`/content/${draft}`);
      expect(hrefs(response), who).not.toContain(`/content/${later}`);
    }
  });

  it('forgets hidden comments', async () => {
    const commentId = await createComment(cast.app, { contentId: companyPost, authorId: cast.ids.member, body: 'Remarque déplacée sur le gymnase' });
    expect(hrefs(await cast.get(searchUrl('gymnase'), 'outsider'))).toEqual([`/content/${companyPost}#comment-${commentId}`]);
    expect((await cast.post(`/comments/${commentId}/hide`, 'admin', { reason: 'Hors sujet' })).statusCode).toBe(303);
    for (const who of ['outsider', 'member', 'admin'] as const) expect(hrefs(await cast.get(searchUrl('gymnase'), who)), who).toEqual([]);
  });

  it('pages through the results of one kind', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 23; i++) ids.push(await createPost(cast.app, { spaceId: cast.company, authorId: cast.ids.member, body: `Inventaire numéro ${i}` }));
    const overview = await cast.get(searchUrl('inventaire'), 'outsider');
    expect(results(overview)).toHaveLength(5);
    const more = html(overview).querySelector('.search-group__more a');
    expect(more?.text).toBe('All Posts (23 results)');
    const first = await cast.get(more!.getAttribute('href')!.replace(/&amp;/g, '&'), 'outsider');
    expect(results(first)).toHaveLength(20);
    const next = html(first).querySelector('a[rel="next"]')!.getAttribute('href')!;
    expect(next).toBe('/search?q=inventaire&kind=post&page=2');
    const second = await cast.get(next, 'outsider');
    expect(results(second)).toHaveLength(3);
    expect(html(second).querySelector('a[rel="next"]')).toBeNull();
    expect(new Set([...results(first), ...results(second)].map((r) => r.href))).toEqual(new Set(ids.map((id) => `/content/${id}`)));
    // Past the last page: an empty page, not an error, leading back to the last page of results.
    const beyond = await cast.get(searchUrl('inventaire', { kind: 'post', page: '99' }), 'outsider');
    expect(beyond.statusCode).toBe(200);
    expect(results(beyond)).toEqual([]);
    expect(html(beyond).querySelector('a[rel="prev"]')?.getAttribute('href')).toBe('/search?q=inventaire&kind=post&page=2');
    expect(html(beyond).querySelector('a[rel="next"]')).toBeNull();
  });

  it('finds edited content by its new words, not its old ones', async () => {
    const id = await createPost(cast.app, { spaceId: cast.company, authorId: cast.ids.member, body: 'Pique-nique samedi' });
    expect(hrefs(await cast.get(searchUrl('pique-nique'), 'outsider'))).toEqual([`/content/${id}`]);
    const edit = await cast.post(`/posts/${id}/edit`, 'member', { body: 'Barbecue dimanche' });
    expect(edit.statusCode).toBe(303);
    expect(hrefs(await cast.get(searchUrl('pique'), 'outsider'))).toEqual([]);
    expect(hrefs(await cast.get(searchUrl('barbecue'), 'outsider'))).toEqual([`/content/${id}`]);
  });

  it('finds comments, linked to their place on their item, and forgets deleted ones', async () => {
    const commentId = await createComment(cast.app, { contentId: openPost, authorId: cast.ids.member, body: 'Je viendrai avec mes aquarelles' });
    const response = await cast.get(searchUrl('aquarelle'), 'outsider');
    const hit = results(response).find((r) => r.kind === 'comment');
    expect(hit?.href).toBe(`/content/${openPost}#comment-${commentId}`);
    expect(hit?.title).toContain('Atelier de peinture');
    expect((await cast.post(`/comments/${commentId}/delete`, 'member')).statusCode).toBe(303);
    expect(hrefs(await cast.get(searchUrl('aquarelle'), 'outsider'))).toEqual([]);
  });

  it('never finds a comment on a private item for someone outside its space', async () => {
    await createComment(cast.app, { contentId: secretPost, authorId: cast.ids.member, body: 'Négociation secrète' });
    expect(hrefs(await cast.get(searchUrl('negociation'), 'outsider'))).toEqual([]);
    expect(hrefs(await cast.get(searchUrl('negociation'), 'member'))).toEqual([expect.stringMatching(new RegExp(`^/content/${secretPost}#comment-`))]);
  });

  it('renames and profile changes are found at once', async () => {
    await cast.app.db.updateTable('spaces').set({ name: 'Salle du conseil' }).where('id', '=', cast.secret).execute();
    expect(hrefs(await cast.get(searchUrl('conseil'), 'member'))).toEqual([`/spaces/${cast.secret}`]);
    expect(hrefs(await cast.get(searchUrl('conseil'), 'outsider'))).toEqual([]);
    await cast.app.db.updateTable('users').set({ name: 'Bruno Lefèvre' }).where('id', '=', cast.ids.member).execute();
    expect(hrefs(await cast.get(searchUrl('lefevre'), 'outsider'))).toEqual([`/people/${cast.ids.member}`]);
  });
});

describe('GET /search/suggest', () => {
  it('answers a fragment with a few results per kind and a count for screen readers', async () => {
    const response = await cast.get('/search/suggest?q=evene', 'outsider', PARTIAL);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).not.toContain('<html');
    const root = html(response);
    expect(root.querySelectorAll('.search-suggest__list a').map((a) => a.getAttribute('href'))).toEqual(
      expect.arrayContaining([`/content/${article}`, `/content/${companyPost}`]),
    );
    expect(root.querySelector('#search-suggest-status')?.text).toBe('2 suggestions');
    expect(root.querySelector('.search-suggest__all a')?.getAttribute('href')).toBe('/search?q=evene');
  });

  it('answers nothing to show for no word, and escapes what was typed', async () => {
    const empty = await cast.get('/search/suggest?q=%2A', 'outsider', PARTIAL);
    expect(empty.statusCode).toBe(200);
    expect(html(empty).querySelectorAll('a')).toHaveLength(0);
    const script = await cast.get(`/search/suggest?q=${encodeURIComponent('<script>x</script>')}`, 'outsider', PARTIAL);
    expect(script.statusCode).toBe(200);
    expect(script.body).not.toContain('<script>');
  });
});

describe('in French', () => {
  it('speaks French, with French typography, in the page and the suggestions', async () => {
    const { id, cookie } = await personWithSession(cast.app, { email: 'francoise@example.com', name: 'Françoise Ardent' });
    await cast.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', id).execute();
    const get = (url: string, headers: Record<string, string> = {}) => cast.app.inject({ method: 'GET', url, headers: { cookie, ...headers } });
    const none = await get(searchUrl('introuvablexyz'));
    expect(none.statusCode).toBe(200);
    expect(html(none).querySelector('h1')?.text).toBe('Recherche');
    // The raw text: narrow and no-break spaces are not spaces there.
    expect(html(none).querySelector('.empty-state')?.rawText.trim()).toBe('Aucun résultat pour «\u00A0introuvablexyz\u00A0».');
    expect(html(none).querySelector('title')?.text).toContain('Recherche\u202F: introuvablexyz');
    expect(html(await get(searchUrl('*'))).querySelector('.notice')?.rawText).toContain('Saisissez au moins un mot (lettres ou chiffres)\u202F:');
    const found = await get(searchUrl('evenement'));
    expect(kindCounts(found)).toEqual(expect.arrayContaining(['Actualités (1 résultat)']));
    const suggest = await get('/search/suggest?q=evene', PARTIAL);
    expect(html(suggest).querySelector('.search-suggest__all a')?.text).toBe('Tous les résultats pour «\u00A0evene\u00A0»');
  });
});

describe('the header', () => {
  it('has a labelled search box leading to the results page', async () => {
    const response = await cast.get('/', 'member');
    const form = html(response).querySelector('header form[role="search"]');
    expect(form?.getAttribute('action')).toBe('/search');
    expect(form?.getAttribute('method')).toBe('get');
    const input = form?.querySelector('input[name="q"]');
    expect(input?.getAttribute('hx-get')).toBe('/search/suggest');
    expect(form?.querySelector(`label[for="${input?.getAttribute('id')}"]`)).toBeTruthy();
    expect(html(await cast.get('/login', null)).querySelector('form[role="search"]')).toBeNull();
  });
});
