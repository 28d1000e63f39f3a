// A purge drops only the plugin's own tables: a definition naming a core table is refused.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { setupOrganisation, type TestApp } from '../helpers/app.js';
import { createTestAppWithPlugins } from '../helpers/plugins.js';

describe('purge only drops the plugin’s own tables', () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  it('refuses (at load or at purge) a plugin whose `tables` names a core table', async () => {
    t = await createTestAppWithPlugins([
      {
        id: 'careless',
        name: { fr: 'Distrait', en: 'Careless' },
        description: { fr: 'Oublie.', en: 'Forgets.' },
        stage: 1,
        version: '1.0.0',
        hameau: '^0.1.0',
        // A typo or a copy-paste in trusted code: the core's sessions table.
        tables: ['sessions'],
      },
    ]);
    await setupOrganisation(t.app);
    const admin = await t.app.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    await t.app.plugins.purge('careless', admin.id).catch(() => undefined);
    const exists = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = 'sessions'`.execute(t.app.db);
    expect(exists.rows).toHaveLength(1);
  });
});
