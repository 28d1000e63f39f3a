// `npm run seed -- --users 2000`: fills an empty DATA_DIR with a realistic organisation for
// benchmarks and demonstrations. Refuses to touch a database that is already set up.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { coreMigrations } from '../../migrations/index.js';
import { hashPassword } from '../auth/passwords.js';
import { sortName } from '../auth/users.js';

export const SEED_PASSWORD = 'seeded pass phrase for demos';
export const SEED_ADMIN_EMAIL = 'admin@example.com';

const FIRST = ['Camille', 'Louis', 'Léa', 'Hugo', 'Chloé', 'Gabriel', 'Manon', 'Arthur', 'Inès', 'Jules', 'Emma', 'Noah', 'Zoé', 'Raphaël', 'Alice', 'Adam'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'García', 'Nguyen'];

/** Fills an empty data directory with an organisation, `users` members and `invitations` open invitations. */
export async function seed(options: { dataDir: string; users: number; invitations: number }): Promise<void> {
  const handle = openDatabase({ dataDir: options.dataDir, synchronous: 'NORMAL' });
  try {
    await migrateToLatest(handle.db, coreMigrations, 'core_migrations');
    if (await handle.db.selectFrom('organisation').select('id').executeTakeFirst()) {
      throw new Error(`${options.dataDir} already holds an organisation; seed an empty DATA_DIR.`);
    }
    // One hash for everyone: hashing thousands of passwords would take minutes for nothing.
    const passwordHash = await hashPassword(SEED_PASSWORD);
    const now = Date.now();
    await handle.db.transaction().execute(async (trx) => {
      await trx.insertInto('organisation').values({ id: 1, name: 'Coopérative Hameau', default_locale: 'fr', time_zone: 'Europe/Paris', created_at: now, updated_at: now }).execute();
      const rows = Array.from({ length: options.users }, (_, i) => {
        const name = i === 0 ? 'Admin Hameau' : `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`;
        return {
        email: i === 0 ? SEED_ADMIN_EMAIL : `person${i}@example.com`,
        name,
        sort_name: sortName(name),
        password_hash: passwordHash,
        role: i === 0 || i % 200 === 0 ? ('admin' as const) : ('member' as const),
        locale: i % 3 === 0 ? ('en' as const) : null,
        created_at: now - i * 60_000,
        updated_at: now,
        password_changed_at: now,
        };
      });
      for (let start = 0; start < rows.length; start += 500) {
        await trx.insertInto('users').values(rows.slice(start, start + 500)).execute();
      }
      const invitations = Array.from({ length: options.invitations }, (_, i) => ({
        email: `invited${i}@example.com`,
        role: 'member' as const,
        locale: 'fr' as const,
        token_hash: Buffer.from(`seed-invitation-${i}`.padEnd(32, '.')),
        invited_by: 1,
        created_at: now - i * 3_600_000,
        expires_at: now + 7 * 86_400_000 - i * 3_600_000,
        last_sent_at: now - i * 3_600_000,
      }));
      for (let start = 0; start < invitations.length; start += 500) {
        await trx.insertInto('invitations').values(invitations.slice(start, start + 500)).execute();
      }
    });
  } finally {
    await handle.close();
  }
}

async function main() {
  const { values } = parseArgs({
    options: { users: { type: 'string', default: '1000' }, invitations: { type: 'string', default: '50' } },
  });
  const users = Number(values.users);
  const invitations = Number(values.invitations);
  if (!Number.isInteger(users) || users < 1 || !Number.isInteger(invitations) || invitations < 0) {
    throw new Error('--users must be a whole number of at least 1 and --invitations a whole number.');
  }
  const config = loadConfig();
  await seed({ dataDir: config.dataDir, users, invitations });
  process.stdout.write(`Seeded ${config.dataDir}: ${users} members (sign in as ${SEED_ADMIN_EMAIL} / "${SEED_PASSWORD}"), ${invitations} invitations.\n`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`Seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
