// `npm run seed -- --items 10000`: fills an empty DATA_DIR with a realistic organisation for
// benchmarks and demonstrations (people, spaces, two years of posts and news with comments and
// reactions). Refuses to touch a database that already holds anything. The same parameters,
// --random-seed and --now (default: the present moment) give the same rows.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { coreMigrations } from '../../migrations/index.js';
import { hashPassword } from '../auth/passwords.js';
import { insertPeople, makePeople, Random, seedContent, type SeedParameters } from './seed-content.js';
import { seedProfiles } from './seed-people.js';
import { coreSearchApp } from '../search/core-app.js';
import { rebuildSearchIndex } from '../search/sync.js';

/** Every seeded person's password. */
export const SEED_PASSWORD = 'seeded pass phrase for demos';
/** The first person: an organisation admin (sees every space). */
export const SEED_ADMIN_EMAIL = 'admin@example.com';
/** The second person: a plain member of five spaces (two private), who has not confirmed the two newest must-reads. The bench signs in as them. */
export const SEED_MEMBER_EMAIL = 'member@example.com';
export const SEED_ORGANISATION = 'Coopérative Hameau';

export const SEED_DEFAULTS = { users: 1000, spaces: 50, items: 100_000, invitations: 50, randomSeed: 1 } as const;

export interface SeedOptions {
  dataDir: string;
  users?: number;
  /** Spaces besides the company space. */
  spaces?: number;
  /** Posts and news articles (about 10% articles). */
  items?: number;
  /** Default: three per item. */
  comments?: number;
  /** Default: five per item. */
  reactions?: number;
  invitations?: number;
  randomSeed?: number;
  now?: number;
}

export interface SeedResult {
  dataDir: string;
  parameters: SeedParameters;
  /** Rows per table after seeding. */
  counts: Record<string, number>;
  /** Milliseconds per phase, and in total. */
  timings: Record<string, number>;
  durationMs: number;
}

const COUNTED_TABLES = [
  'users', 'invitations', 'spaces', 'space_members', 'space_requests', 'content', 'posts', 'news_articles', 'comments',
  'reactions', 'mentions', 'topics', 'content_topics', 'read_confirmations', 'notifications', 'charter_acceptances', 'feed_visits',
] as const;

/** Fills `options.dataDir`, which must hold no database yet or an empty one. */
export async function seed(options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const items = options.items ?? SEED_DEFAULTS.items;
  const parameters: SeedParameters = {
    users: options.users ?? SEED_DEFAULTS.users,
    spaces: options.spaces ?? SEED_DEFAULTS.spaces,
    items,
    comments: options.comments ?? items * 3,
    reactions: options.reactions ?? items * 5,
    invitations: options.invitations ?? SEED_DEFAULTS.invitations,
    randomSeed: options.randomSeed ?? SEED_DEFAULTS.randomSeed,
    now: options.now ?? Date.now(),
  };
  if (parameters.users < 2) throw new Error('--users must be at least 2 (an admin and the member the bench signs in as).');

  const handle = openDatabase({ dataDir: options.dataDir, synchronous: 'NORMAL' });
  const { sqlite, db } = handle;
  const timings: Record<string, number> = {};
  try {
    const tables = new Set(sqlite.prepare<[], { name: string }>("select name from sqlite_master where type = 'table'").all().map((r) => r.name));
    const holds = (table: string) => tables.has(table) && sqlite.prepare(`select 1 from ${table} limit 1`).get() !== undefined;
    if (holds('organisation') || holds('users')) {
      throw new Error(`${path.join(options.dataDir, 'hameau.db')} already holds an organisation; seed an empty DATA_DIR (or delete that file).`);
    }
    await migrateToLatest(db, coreMigrations, 'core_migrations');

    // One hash for everyone: hashing thousands of passwords would take minutes for nothing.
    const passwordHash = await hashPassword(SEED_PASSWORD);
    // Bulk loading: nothing to lose if the machine stops now (the seed starts again from an empty directory).
    sqlite.pragma('synchronous = OFF');
    sqlite.pragma('cache_size = -262144');
    sqlite.pragma('temp_store = MEMORY');

    const now = parameters.now;
    const rng = new Random(parameters.randomSeed);
    const people = makePeople(rng, parameters.users, now, { admin: SEED_ADMIN_EMAIL, member: SEED_MEMBER_EMAIL });
    const organisationAt = now - 3 * 365 * 86_400_000;
    sqlite.transaction(() => {
      sqlite
        .prepare("insert into organisation (id, name, default_locale, time_zone, created_at, updated_at) values (1, ?, 'fr', 'Europe/Paris', ?, ?)")
        .run(SEED_ORGANISATION, organisationAt, now);
      insertPeople(sqlite, people, passwordHash, now);
      seedProfiles(sqlite, people, parameters.randomSeed);
      sqlite
        .prepare("insert into audit_log (actor_id, action, subject_type, subject_id, details, created_at) values (1, 'organisation.setup', 'organisation', '1', ?, ?)")
        .run(JSON.stringify({ name: SEED_ORGANISATION, locale: 'fr' }), organisationAt);
      const invite = sqlite.prepare(
        "insert into invitations (email, role, locale, token_hash, invited_by, created_at, expires_at, last_sent_at) values (?, 'member', 'fr', ?, 1, ?, ?, ?)",
      );
      for (let i = 0; i < parameters.invitations; i++) {
        const at = now - i * 3_600_000;
        invite.run(`invited${i}@example.com`, Buffer.from(`seed-invitation-${i}`.padEnd(32, '.')), at, at + 7 * 86_400_000, at);
      }
    })();
    timings['setup and people'] = Math.round(performance.now() - started);

    Object.assign(timings, await seedContent(db, sqlite, parameters, people, SEED_ORGANISATION, 2));
    // The search index, built once from everything (the triggers only queued what was written).
    const indexing = performance.now();
    await rebuildSearchIndex(coreSearchApp(db));
    timings['search index'] = Math.round(performance.now() - indexing);

    const counts: Record<string, number> = {};
    for (const table of COUNTED_TABLES) counts[table] = (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    sqlite.pragma('synchronous = NORMAL');
    const closing = performance.now();
    await handle.close();
    timings.checkpoint = Math.round(performance.now() - closing);
    const durationMs = Math.round(performance.now() - started);
    return { dataDir: options.dataDir, parameters, counts, timings, durationMs };
  } finally {
    await handle.close();
  }
}

/** What the seed made, for people reading a terminal. */
export function describeSeed(result: SeedResult): string {
  const c = result.counts;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `Seeded ${result.dataDir} in ${seconds(result.durationMs)} (random seed ${result.parameters.randomSeed}):`,
    `  ${c.users} people, ${c.invitations} open invitations`,
    `  ${c.spaces} spaces (the company space included), ${c.space_members} memberships, ${c.space_requests} requests and invitations to join`,
    `  ${c.content} items (${c.news_articles} news articles, ${c.posts} posts), ${c.read_confirmations} must-read confirmations`,
    `  ${c.comments} comments, ${c.reactions} reactions, ${c.mentions} mentions, ${c.topics} topics, ${c.notifications} notifications`,
    `  phases: ${Object.entries(result.timings)
      .map(([name, ms]) => `${name} ${seconds(ms)}`)
      .join(', ')}`,
    `Sign in as ${SEED_ADMIN_EMAIL} (admin) or ${SEED_MEMBER_EMAIL} (member), password "${SEED_PASSWORD}".`,
  ].join('\n');
}

function wholeNumber(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min) throw new Error(`--${name} must be a whole number of at least ${min} (got "${raw}").`);
  return value;
}

async function main() {
  const { values } = parseArgs({
    options: {
      users: { type: 'string' },
      spaces: { type: 'string' },
      items: { type: 'string' },
      comments: { type: 'string' },
      reactions: { type: 'string' },
      invitations: { type: 'string' },
      'random-seed': { type: 'string' },
      'data-dir': { type: 'string' },
      now: { type: 'string' },
    },
  });
  const options = {
    users: wholeNumber('users', values.users, 2),
    spaces: wholeNumber('spaces', values.spaces, 0),
    items: wholeNumber('items', values.items, 0),
    comments: wholeNumber('comments', values.comments, 0),
    reactions: wholeNumber('reactions', values.reactions, 0),
    invitations: wholeNumber('invitations', values.invitations, 0),
    randomSeed: wholeNumber('random-seed', values['random-seed'], 0),
  };
  const now = values.now === undefined ? undefined : Date.parse(values.now);
  if (now !== undefined && Number.isNaN(now)) throw new Error(`--now must be a date such as 2026-11-30T09:00:00Z (got "${values.now}").`);
  const dataDir = values['data-dir'] !== undefined ? path.resolve(values['data-dir']) : loadConfig().dataDir;
  const result = await seed({ dataDir, ...options, now });
  process.stdout.write(`${describeSeed(result)}\n`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`Seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
