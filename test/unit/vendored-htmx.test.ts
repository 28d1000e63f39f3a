// htmx is served from our own static files (the intranet may be offline): the copy must be
// exactly the release the project depends on.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, staticDir } from '../../src/paths.js';

describe('vendored htmx', () => {
  it('is htmx 4.0.1, byte for byte the file of the installed release', () => {
    const installed = path.join(projectRoot, 'node_modules/htmx.org');
    const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { version: string };
    expect(pkg.version).toBe('4.0.1');
    const served = fs.readFileSync(path.join(staticDir, 'vendor/htmx-4.0.1.min.js'));
    expect(served.equals(fs.readFileSync(path.join(installed, 'dist/htmx.min.js')))).toBe(true);
  });
});
