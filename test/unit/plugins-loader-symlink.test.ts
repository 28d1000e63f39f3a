// An external plugin's code is its own folder's: an entry file that is a symbolic link to a file
// outside DATA_DIR/plugins/<id> is refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadExternalPlugins } from '../../src/plugins/loader.js';

describe('external plugin entry confined to its folder', () => {
  let root: string;
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses an entry file that is a symlink to a file outside the plugin folder', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'review-loader-'));
    const outside = path.join(root, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(
      path.join(outside, 'evil.mjs'),
      `export default { id: 'evil', name: { fr: 'E', en: 'E' }, description: { fr: 'E', en: 'E' }, stage: 1, version: '1.0.0', hameau: '^0.1.0' };\n`,
    );
    const plugins = path.join(root, 'plugins');
    fs.mkdirSync(path.join(plugins, 'evil'), { recursive: true });
    fs.writeFileSync(path.join(plugins, 'evil', 'package.json'), JSON.stringify({ main: 'index.mjs', engines: { hameau: '^0.1.0' } }));
    fs.symlinkSync(path.join(outside, 'evil.mjs'), path.join(plugins, 'evil', 'index.mjs'));
    const [found] = await loadExternalPlugins(plugins);
    expect(found?.definition).toBeNull();
  });
});
