// `node dist/src/cli/search-rebuild.js [--data-dir DIR]`: makes the whole search index again from the
// database (after a restore, a bulk import done outside Hameau, or to compact it). One transaction:
// run it with Hameau stopped, since a write of the running app would wait for it only busy_timeout
// (5 s) and then fail; reads go on meanwhile (WAL) and see the previous index.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { coreMigrations } from '../../migrations/index.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { coreSearchApp } from '../search/core-app.js';
import { rebuildSearchIndex } from '../search/sync.js';

async function main() {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
  const dataDir = values['data-dir'] !== undefined ? path.resolve(values['data-dir']) : loadConfig().dataDir;
  const handle = openDatabase({ dataDir, synchronous: 'NORMAL' });
  try {
    await migrateToLatest(handle.db, coreMigrations, 'core_migrations');
    const started = performance.now();
    const entries = await rebuildSearchIndex(coreSearchApp(handle.db));
    process.stdout.write(`Search index of ${dataDir} rebuilt: ${entries} entries in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Search rebuild failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
