// The feed's filters as they arrive in a URL (?space=3&kind=news&topic=securite&after=...): read
// leniently. A value that is not one (a word for a space id, an unknown kind, a malformed cursor) is
// ignored rather than answered with an error page: these URLs are shared, bookmarked and edited.
import { topicSlug } from '../../content/markdown.js';
import { parseTimeCursor } from '../../http/cursor.js';
import { optionalId, single } from '../../http/params.js';

export interface FeedQuery {
  spaceId?: number;
  kind?: string;
  /** Folded: "?topic=Sécurité" and "?topic=%23securite" filter on the topic "securite". */
  topicSlug?: string;
  /** A well-formed cursor: the page asked for continues a list. */
  after?: string;
  /** `?filter=must-read`: the viewer's unconfirmed must-reads only. */
  mustRead: boolean;
}

/**
 * Reads the feed's query string against the kinds that exist.
 *
 * @example
 * const query = parseFeedQuery(request.query, app.contentKinds.active().map((k) => k.kind));
 */
export function parseFeedQuery(raw: unknown, kinds: readonly string[]): FeedQuery {
  const query = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const result: FeedQuery = { mustRead: single(query.filter) === 'must-read' };
  const spaceId = optionalId(query.space);
  if (spaceId !== null) result.spaceId = spaceId;
  const kind = single(query.kind);
  if (kind && kinds.includes(kind)) result.kind = kind;
  const topic = single(query.topic)?.trim().replace(/^#/, '');
  if (topic) result.topicSlug = topicSlug(topic).slice(0, 100);
  const after = single(query.after);
  if (after && parseTimeCursor(after)) result.after = after;
  return result;
}

/** True when the list is narrowed by space, kind or topic (the home page then shows that list alone). */
export function isFiltered(query: FeedQuery): boolean {
  return query.spaceId !== undefined || query.kind !== undefined || query.topicSlug !== undefined;
}

/** The query string of these filters, without the cursor: "?space=3&kind=news", or "" for none. */
export function feedQueryString(query: FeedQuery): string {
  const params = new URLSearchParams();
  if (query.mustRead) params.set('filter', 'must-read');
  if (query.spaceId !== undefined) params.set('space', String(query.spaceId));
  if (query.kind !== undefined) params.set('kind', query.kind);
  if (query.topicSlug !== undefined) params.set('topic', query.topicSlug);
  const text = params.toString();
  return text ? `?${text}` : '';
}
