// The card cache’s memory bound (src/content/cards.ts): what it counts for a kept card must
// be what the card keeps alive. Buffer.from(string) cuts buffers under 4 kB out of Node's shared 8 kB
// pool: a kept card made so holds the whole 8 kB slab (and whatever else was cut from it) for as long as
// it is kept, while the cache counts only its own length. A page's cards are 1 to 4 kB: the heap kept
// is then 2 to 8 times the bound.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CardRenderer, type CardContext } from '../../src/content/cards.js';
import { loadItems } from '../../src/content/load-items.js';
import { REACTIONS } from '../../src/features/conversation/reactions.js';
import { createTemplateEngine } from '../../src/http/templates.js';
import { viewHelpers } from '../../src/http/view-helpers.js';
import { translator } from '../../src/i18n/index.js';
import { viewsDir } from '../../src/paths.js';
import { loadViewer, type Viewer } from '../../src/policy/viewer.js';
import { createTestApp, createUser, setupOrganisation, type TestApp } from '../helpers/app.js';
import { companySpaceId, createPost } from '../helpers/content.js';

describe('the card cache’s memory', () => {
  let t: TestApp;
  let reader: Viewer;
  let post: number;

  beforeEach(async () => {
    t = await createTestApp();
    await setupOrganisation(t.app, { locale: 'en' });
    const id = await createUser(t.app, { email: 'reader@example.com', name: 'Reader' });
    const user = await t.app.db.selectFrom('users').select(['id', 'email', 'name', 'role', 'locale']).where('id', '=', id).executeTakeFirstOrThrow();
    reader = await loadViewer(t.app.db, user, await t.app.organisation.get());
    post = await createPost(t.app, { spaceId: await companySpaceId(t.app), authorId: 1, body: 'Short and sweet' });
  });
  afterEach(async () => t.close());

  const context = (next: string): CardContext => ({
    viewer: reader,
    locale: 'en',
    t: translator('en'),
    timeZone: 'Europe/Paris',
    next,
    reactionSet: REACTIONS,
  });

  it('keeps alive no more memory than each kept card’s own bytes', async () => {
    const cards = new CardRenderer(createTemplateEngine(viewsDir, true), viewHelpers, true);
    // Loaded through the item cache: the kind's data frozen, so the card is kept.
    const [item] = await loadItems(t.app, reader, [post]);
    const kept = cards.pieces(context('/'), item!);
    // Kept: the same bytes again, on another page too.
    expect(cards.pieces(context('/spaces/1'), item!)[0]!.buffer).toBe(kept[0]!.buffer);
    const card = kept[0]!.buffer.byteLength;
    // What the kept card holds on to: its own ArrayBuffer, the card's size (well under the pool's 8 kB).
    expect(card).toBeGreaterThan(1000);
    expect(card).toBeLessThan(4096);
  });
});
