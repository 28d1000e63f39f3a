// GDPR erasure and export when a plugin holding personal data has failed: its part still runs, and
// an erasure is never reported done while its data stays.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { definePlugin } from '../../src/plugins/contract.js';
import { ErasurePartFailed } from '../../src/plugins/runtime.js';
import { createTestApp, setupOrganisation } from '../helpers/app.js';
import { createTestAppWithPlugins } from '../helpers/plugins.js';
import { deactivate } from '../helpers/conversation.js';
import { createUser, gdprWorld, noteOf, spyPlugin, writeNote, type Ear, type GdprWorld } from '../helpers/gdpr.js';

describe('erasure and export with a plugin that failed after its migrations ran', () => {
  let w: GdprWorld;
  afterEach(async () => {
    await w?.t.close();
  });

  async function build() {
    const ear: Ear = [];
    // Same as the spy, but its routes throw while registering: it is marked failed AFTER its tables were made.
    const broken = { ...spyPlugin('spy', ear), routes: async () => { throw new Error('routes broke'); } };
    w = await gdprWorld([broken], { disabled: ['spy'] });
    expect(w.app.plugins.get('spy')?.status).toBe('failed');
    const gaston = await createUser(w.app, { email: 'gaston@example.com', name: 'Gaston Z' });
    await writeNote(w.app, 'spy', gaston, 'Gaston’s private note');
    return gaston;
  }

  it('does not report the erasure complete while the failed plugin still holds the person’s data', async () => {
    const gaston = await build();
    await deactivate(w.app, gaston);
    const response = await w.post(`/admin/members/${gaston}/erase`, w.admin, { email: 'gaston@example.com' });
    // Either the erasure is refused naming the plugin, or the plugin's part ran: never "done" with the note left.
    const note = await noteOf(w.app, 'spy', gaston);
    const claimedDone = response.statusCode === 303;
    expect({ claimedDone, note }).not.toEqual({ claimedDone: true, note: 'Gaston’s private note' });
  });

  it('does not silently leave the failed plugin’s part out of the person’s export', async () => {
    const gaston = await build();
    const cookie = await w.sessionOf(gaston);
    const response = await w.get('/account/export', cookie);
    expect(response.statusCode).toBe(200);
    const document = JSON.parse(response.body) as Record<string, unknown>;
    // Its data is the person's: exported, or at least marked unavailable so the person knows a part is missing.
    expect(document.spy).toBeDefined();
  });
});

describe('a plugin that stored data and no longer loads', () => {
  it('stops an erasure, naming it, and shows as unavailable in an export, until it loads again', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-gdpr-'));
    // It once loaded and made its table ("import-throws" is also the id of the broken fixture below).
    const before = definePlugin({
      id: 'import-throws',
      name: { fr: 'Notes', en: 'Notes' },
      description: { fr: 'Notes', en: 'Notes' },
      stage: 1,
      version: '1.0.0',
      hameau: '^0.1.0',
      tables: ['import_throws_notes'],
      migrations: { '001': { up: async (db) => void (await db.schema.createTable('import_throws_notes').addColumn('user_id', 'integer').execute()) } },
    });
    const first = await createTestAppWithPlugins([before], {}, { dataDir });
    await first.app.close();
    // Now its code throws at import.
    const broken = path.join(projectRoot, 'test', 'fixtures', 'plugins', 'broken');
    const t = await createTestApp({}, { dataDir, pluginDirs: { code: broken, assets: broken } });
    try {
      expect(t.app.plugins.get('import-throws')).toMatchObject({ status: 'failed', definition: null });
      // A fixture that never loaded has no table: it takes no part.
      expect(t.app.plugins.get('bad-definition')?.status).toBe('failed');
      await setupOrganisation(t.app);
      const erase = t.app.db.transaction().execute((trx) => t.app.plugins.eraseUser(trx, 1, Date.now()));
      await expect(erase).rejects.toBeInstanceOf(ErasurePartFailed);
      await expect(erase).rejects.toMatchObject({ part: 'import-throws' });
      const parts = await t.app.plugins.exportUser(1);
      expect(parts['import-throws']).toEqual({ error: 'unavailable' });
      expect(parts['bad-definition']).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
