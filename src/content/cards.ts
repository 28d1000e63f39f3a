// Feed cards, rendered once and reused. A card's HTML is a function of what the card shows: the item,
// the viewer's own state on it (their reactions, their confirmation, what the policy lets them do), the
// language, the time zone and the page's address. Each card is rendered from exactly those inputs, and
// the HTML is kept under a key made of all of them: a page that shows the same card to another viewer
// in the same state (most colleagues, most of the time) reuses it, and nothing a card shows to one
// viewer can reach another whose inputs differ.
import type { Eta } from 'eta';
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
  timeZone: string | undefined;
  dateTime: (millis: number) => string;
  /** Where the reaction buttons return without JavaScript (the page's address). */
  next: string;
  /** The reaction set (it.layout.reactionSet): the same array for the whole application. */
  reactionSet: unknown;
}

export interface CardCacheLimits {
  /** Cards kept at most. */
  entries: number;
  /** Characters of HTML kept at most (about twice as many bytes in memory). */
  chars: number;
}

/** About 1,000 cards of 4 kB: a few pages of every space, within a few MB. */
export const CARD_CACHE_LIMITS: CardCacheLimits = { entries: 1_000, chars: 4_000_000 };

/**
 * Renders content cards (views/content/card.eta and the kind's card template) from their inputs only,
 * and keeps the HTML of each set of inputs, least recently used dropped first.
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
  readonly #entries = new Map<string, string>();
  #chars = 0;
  readonly #tokens = new WeakMap<object, number>();
  #nextToken = 1;

  constructor(
    private readonly eta: Eta,
    private readonly helpers: Record<string, unknown>,
    /** Off while templates are edited (development): every card is rendered afresh. */
    private readonly keep: boolean,
    private readonly limits: CardCacheLimits = CARD_CACHE_LIMITS,
  ) {}

  html(context: CardContext, item: ContentItem, headingLevel = 3): string {
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
          context.next,
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
        return kept;
      }
    }
    const html = this.eta.render('/content/card', {
      ...this.helpers,
      item,
      headingLevel,
      t: context.t,
      locale: context.locale,
      dateTime: context.dateTime,
      now,
      currentUrl: context.next,
      layout: { reactionSet: context.reactionSet },
      user: viewer === null ? null : Object.freeze({ id: viewer.id }),
      can: (action: string, asked: unknown) => {
        if (asked !== subject || !(action in decisions)) {
          throw new Error(`A card may only ask ${CARD_ACTIONS.join(', ')} about its own item (asked ${action})`);
        }
        return decisions[action as CardAction];
      },
    });
    if (keep) this.#keep(key, html);
    return html;
  }

  /** How many cards are kept (for tests). */
  get size(): number {
    return this.#entries.size;
  }

  #keep(key: string, html: string): void {
    const chars = key.length + html.length;
    if (chars > this.limits.chars) return;
    this.#entries.set(key, html);
    this.#chars += chars;
    while (this.#entries.size > this.limits.entries || this.#chars > this.limits.chars) {
      const [oldKey, oldHtml] = this.#entries.entries().next().value!;
      this.#entries.delete(oldKey);
      this.#chars -= oldKey.length + oldHtml.length;
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
