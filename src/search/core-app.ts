// The search index outside the web application (the seed, the rebuild command): the core's content
// kinds and search sources on a database, without building the app. Plugins' kinds are not known
// here: their items are indexed by the running app the first time it searches (search_kinds).
import type { Kysely } from 'kysely';
import { ContentKinds } from '../content/kinds.js';
import type { Database } from '../db/schema.js';
import { newsKind } from '../features/news/kind.js';
import { postKind } from '../features/posts/kind.js';
import { createSearchSources } from './core-sources.js';
import type { SearchApp } from './sync.js';

/**
 * @example
 * await rebuildSearchIndex(coreSearchApp(db));
 */
export function coreSearchApp(db: Kysely<Database>): SearchApp {
  const contentKinds = new ContentKinds();
  contentKinds.register(newsKind);
  contentKinds.register(postKind);
  return { db, contentKinds, searchSources: createSearchSources(contentKinds) };
}
