// Feed cards are rendered once and reused (src/content/cards.ts): whoever's page showed a card first,
// each viewer's card offers what the policy lets that viewer do, in their language, and returns them
// to the page they are on.
import type { HTMLElement } from 'node-html-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html } from '../helpers/app.js';
import { createPost } from '../helpers/content.js';
import { createCast, type Cast, type Who } from '../helpers/conversation.js';

let c: Cast;
let post: number;
beforeEach(async () => {
  c = await createCast();
  post = await createPost(c.app, { spaceId: c.open, authorId: c.ids.member, body: 'Our **plan**' });
});
afterEach(async () => c.t.close());

async function card(url: string, who: Who): Promise<HTMLElement> {
  const response = await c.get(url, who);
  expect(response.statusCode).toBe(200);
  return html(response).querySelector(`#content-${post}`)!;
}
const actions = (el: HTMLElement) => el.querySelectorAll('.item-actions__list a, .item-actions__list button').map((a) => a.getAttribute('href') ?? a.text.trim());

describe('feed cards shown to several people', () => {
  it('offers each viewer their own actions, whoever saw the card first', async () => {
    const seen: Partial<Record<Who, string[]>> = {};
    // Those who may do more first, then the author, then a colleague; twice, so the second round is reused.
    for (const round of [1, 2]) {
      for (const who of ['admin', 'member', 'editor'] as const) {
        const shown = actions(await card(`/spaces/${c.open}`, who));
        if (round === 1) seen[who] = shown;
        else expect(shown).toEqual(seen[who]);
      }
    }
    expect(seen.admin).toContain(`/content/${post}/hide`);
    expect(seen.member).toEqual([`/posts/${post}/edit`, `/content/${post}/delete`]);
    expect(seen.editor).toEqual([`/content/${post}/report`]);
  });

  it('speaks each viewer’s language, and sends reactions back to the page they came from', async () => {
    // Two colleagues the policy treats alike (neither wrote the post), one reading in French.
    await c.app.db.updateTable('users').set({ locale: 'fr' }).where('id', '=', c.ids.outsider).execute();
    const english = await card(`/spaces/${c.open}`, 'editor');
    const french = await card(`/spaces/${c.open}`, 'outsider');
    expect(english.querySelector('.content-card__comments')!.text).toContain('No comments');
    expect(french.querySelector('.content-card__comments')!.text).toContain('Aucun commentaire');
    const home = await card('/', 'editor');
    expect(home.querySelector('input[name="next"]')!.getAttribute('value')).toBe('/');
    expect(english.querySelector('input[name="next"]')!.getAttribute('value')).toBe(`/spaces/${c.open}`);
  });
});
