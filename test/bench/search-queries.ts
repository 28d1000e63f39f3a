// The searches the bench runs (test/bench/bench.ts) and test/bench/search-cost.ts times: words of the
// seeded texts (src/cli/seed-content.ts), chosen for how many items they match.
export const SEARCH_QUERIES = [
  // In most comments and many posts: each kind's window (KIND_WINDOW) bounds the work.
  { name: 'common word', q: 'merci' },
  // In about 0.1 % of the items and comments (37 news on 10,000 items, 240 on 100,000): fewer than the
  // count by kind reads (SEARCH_WINDOW), more than a kind's window on 100,000.
  { name: 'rare word', q: 'fermeture' },
  // Typing: the beginning of a common word, answered from the prefix index.
  { name: 'prefix', q: 'equi' },
] as const;

/** The directory's search by the beginning of a common name (PEOPLE's /people?q=). */
export const DIRECTORY_QUERY = 'mar';
