// Feed cards, rendered once and reused. A card's HTML is a function of what the card shows: the item,
// the viewer's own state on it (their reactions, their confirmation, what the policy lets them do), the
// language and the time zone. Each card is rendered from exactly those inputs, and the HTML is kept
// under a key made of all of them: a page that shows the same card to another viewer in the same state
// (most colleagues, most of the time) reuses it, and nothing a card shows to one viewer can reach
// another whose inputs differ. The page's address (where the reaction buttons return) is written into
// the card's bytes when a page uses it, so one card serves every page and filter that shows it.
import { randomBytes } from 'node:crypto';
import type { Eta } from 'eta';
import { formatDateTime } from '../http/view-helpers.js';
import type { Locale, Translate } from '../i18n/index.js';
import { can, type Action, type Viewer } from '../policy/index.js';
import type { ContentItem } from './items.js';

/** What the policy is asked about an item on its card (actions menu, reactions, must-read panel). */
export const CARD_ACTIONS = [
  'content.edit',
  'content.delete',
  'content.hide',
  'content.moderate',
  'content.report',
  'content.react',
  'content.confirmRead',
  'mustRead.track',
] as const satisfies readonly Action[];

type CardAction = (typeof CARD_ACTIONS)[number];

/** What a page gives for its cards (request.viewLocals()). */
export interface CardContext {
  /** Null for a visitor (cards are for signed-in people; the policy then allows nothing). */
  viewer: Viewer | null;
  locale: Locale;
  t: Translate;
  /** The organisation's time zone: dates are shown in it (it.dateTime). */
  timeZone: string | undefined;
  /** Where the reaction buttons return without JavaScript (the page's address). */
  next: string;
  /** The reaction set (it.layout.reactionSet): the same array for the whole application. */
  reactionSet: unknown;
}

/** A kept card: its UTF-8, and the pieces of it around each place the page's address goes. */
interface KeptCard {
  html: Buffer;
  pieces: Buffer[];
}

export interface CardCacheLimits {
  /** Cards kept at most. */
  entries: number;
  /** Bytes kept at most: the cards' UTF-8 and their keys. */
  bytes: number;
}

/** About 1,000 cards of 4 kB: a few pages of every space, within a few MB. */
export const CARD_CACHE_LIMITS: CardCacheLimits = { entries: 1_000, bytes: 4_000_000 };

/**
 * Renders content cards (views/content/card.eta and the kind's card template) from their inputs only,
 * and keeps the HTML of each set of inputs, encoded as UTF-8 once (a page writes the bytes as they
 * are: PageCards, src/http/render.ts), least recently used dropped first.
 *
 * The template sees `it.item`, `it.t`, `it.locale`, `it.dateTime`, `it.now`, `it.layout.reactionSet`,
 * `it.currentUrl`, `it.headingLevel`, `it.user` (its `id` only: whether the viewer wrote the item is part
 * of the key) and `it.can`, which answers only CARD_ACTIONS on the card's item: anything else a card
 * template reads is not there, so it cannot depend on something the key does not hold.
 *
 * @example
 * const html = cards.html(context, item, 3); // in a template: <%~ it.card(item) %>
 */
export class CardRenderer {
  readonly #entries = new Map<string, KeptCard>();
  #bytes = 0;
  readonly #tokens = new WeakMap<object, number>();
  #nextToken = 1;
  /** Stands for the page's address in a kept card; random, so that no text in a card can pass for it. */
  readonly #address = `\u0001${randomBytes(6).toString('hex')}\u0001`;
  readonly #addressBytes = Buffer.from(this.#address);

  constructor(
    private readonly eta: Eta,
    private readonly helpers: Record<string, unknown>,
    /** Off while templates are edited (development): every card is rendered afresh. */
    private readonly keep: boolean,
    private readonly limits: CardCacheLimits = CARD_CACHE_LIMITS,
  ) {}

  /** The card as a string, for a page put together as a string. */
  html(context: CardContext, item: ContentItem, headingLevel = 3): string {
    return Buffer.concat(this.pieces(context, item, headingLevel)).toString('utf8');
  }

  /** The card's HTML as UTF-8, in pieces to be written one after the other (the page's address between them). */
  pieces(context: CardContext, item: ContentItem, headingLevel = 3): Buffer[] {
    const { viewer } = context;
    const subject = item.subject;
    const decisions = {} as Record<CardAction, boolean>;
    let bits = '';
    for (const action of CARD_ACTIONS) {
      const allowed = can(viewer, action, subject);
      decisions[action] = allowed;
      bits += allowed ? '1' : '0';
    }
    const now = Date.now();
    const isAuthor = viewer !== null && subject.authorId !== null && subject.authorId === viewer.id;
    // Both change with time alone: a scheduled item's badge, a must-read's "not yet published".
    const upcoming = subject.publishedAt === null ? 'd' : subject.publishedAt > now ? 'u' : 'p';
    // Only data that cannot change under the key (the item cache's frozen objects) is kept.
    const keep = this.keep && typeof item.data === 'object' && item.data !== null && Object.isFrozen(item.data);
    const key = keep
      ? [
          context.locale,
          context.timeZone ?? '',
          headingLevel,
          this.#token(context.reactionSet),
          bits,
          isAuthor ? 'a' : '',
          upcoming,
          item.kind.kind,
          item.kind.cardTemplate,
          this.#token(item.data),
          JSON.stringify([
            subject,
            item.author,
            item.space,
            item.createdAt,
            item.publishedAt,
            item.editedAt,
            item.pinnedUntil,
            item.hiddenReason,
            item.reactions,
            item.commentCount,
            item.attachments,
            item.topics,
            item.confirmedAt,
            item.isNew,
            item.isPinned,
          ]),
        ].join('\u0001')
      : '';
    if (keep) {
      const kept = this.#entries.get(key);
      if (kept !== undefined) {
        // Map keeps insertion order: moved to the end, it is the most recently used.
        this.#entries.delete(key);
        this.#entries.set(key, kept);
        return this.#withAddress(kept, context.next);
      }
    }
    const text = this.eta.render('/content/card', {
      ...this.helpers,
      item,
      headingLevel,
      t: context.t,
      locale: context.locale,
      dateTime: (millis: number) => formatDateTime(context.locale, millis, context.timeZone),
      now,
      // A kept card is shared by every page that shows it: the address goes in when a page uses it.
      currentUrl: keep ? this.#address : context.next,
      layout: { reactionSet: context.reactionSet },
      user: viewer === null ? null : Object.freeze({ id: viewer.id }),
      can: (action: string, asked: unknown) => {
        if (asked !== subject || !(action in decisions)) {
          throw new Error(`A card may only ask ${CARD_ACTIONS.join(', ')} about its own item (asked ${action})`);
        }
        return decisions[action as CardAction];
      },
    });
    if (!keep) return [Buffer.from(text)];
    // Its own memory: Buffer.from cuts small buffers out of a shared 8 kB pool, which a kept card
    // would hold whole.
    const html = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    html.write(text);
    const card: KeptCard = { html, pieces: [] };
    for (let from = 0; ; ) {
      const at = html.indexOf(this.#addressBytes, from);
      card.pieces.push(html.subarray(from, at === -1 ? html.length : at));
      if (at === -1) break;
      from = at + this.#addressBytes.length;
    }
    this.#keep(key, card);
    return this.#withAddress(card, context.next);
  }

  /** A kept card's pieces with the page's address, escaped as the template would have, between them. */
  #withAddress(card: KeptCard, address: string): Buffer[] {
    if (card.pieces.length === 1) return card.pieces;
    const escaped = Buffer.from(this.eta.config.escapeFunction(address));
    return card.pieces.flatMap((piece, i) => (i === 0 ? [piece] : [escaped, piece]));
  }


  /** How many cards are kept (for tests). */
  get size(): number {
    return this.#entries.size;
  }

  #keep(key: string, card: KeptCard): void {
    const bytes = 2 * key.length + card.html.length;
    if (bytes > this.limits.bytes) return;
    this.#entries.set(key, card);
    this.#bytes += bytes;
    while (this.#entries.size > this.limits.entries || this.#bytes > this.limits.bytes) {
      const [oldKey, old] = this.#entries.entries().next().value!;
      this.#entries.delete(oldKey);
      this.#bytes -= 2 * oldKey.length + old.html.length;
    }
  }

  /**
   * A number standing for an object: the kind's data, which the item cache hands out frozen (deeply) and
   * the same until the item changes, and the application's reaction set.
   */
  #token(value: unknown): number {
    if (typeof value !== 'object' || value === null) return 0;
    let token = this.#tokens.get(value);
    if (token === undefined) {
      token = this.#nextToken++;
      this.#tokens.set(value, token);
    }
    return token;
  }
}

/**
 * The cards of one page. Its template gets a short mark for each card, and the page's bytes are put
 * together around them: the cards' kept UTF-8 is copied, never encoded again. (Encoding the whole
 * page, about 115 kB, cost as much as building it.) Each page's marks carry a random part, so no
 * text on the page can pass for one.
 *
 * @example
 * const cards = new PageCards(app.cards, () => request.cardContext());
 * const page = await reply.viewAsync('home/index', { ...locals, card: cards.mark });
 * reply.send(cards.bytes(page));
 */
export class PageCards {
  // Made with the first card: most pages have none.
  #mark = '';
  readonly #cards: Buffer[][] = [];
  #context: CardContext | undefined;

  /** `context` is asked for with the first card: most pages have none. */
  constructor(
    private readonly renderer: CardRenderer,
    private readonly contextOf: () => CardContext,
  ) {}

  /** The mark standing for this item's card in the page's text (a template's `it.card(item)`). */
  readonly mark = (item: ContentItem, headingLevel?: number): string => {
    if (this.#mark === '') this.#mark = `\u0000${randomBytes(6).toString('hex')}:`;
    this.#context ??= this.contextOf();
    this.#cards.push(this.renderer.pieces(this.#context, item, headingLevel));
    return `${this.#mark}${this.#cards.length - 1}\u0000`;
  };

  /** The page as UTF-8, each mark replaced by its card. */
  bytes(page: string): Buffer {
    if (this.#cards.length === 0) return Buffer.from(page);
    const parts: Buffer[] = [];
    let from = 0;
    for (let at = page.indexOf(this.#mark); at !== -1; at = page.indexOf(this.#mark, from)) {
      const end = page.indexOf('\u0000', at + this.#mark.length);
      parts.push(Buffer.from(page.slice(from, at)), ...this.#cards[Number(page.slice(at + this.#mark.length, end))]!);
      from = end + 1;
    }
    parts.push(Buffer.from(page.slice(from)));
    return Buffer.concat(parts);
  }
}
