// House rules the code keeps, checked on the source: route files hold no SQL (it lives in queries and
// services), and the small readers of URLs (ids, cursors, a parameter given once) exist once, in
// src/http, instead of being copied into each feature; templates do not copy their data into includes.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

describe('the source', () => {
  it('keeps SQL out of route files', () => {
    const routeFiles = sourceFiles('src').filter((file) => /routes\.ts$/.test(file));
    expect(routeFiles.length).toBeGreaterThan(10);
    const withSql = routeFiles.filter((file) => /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`/.test(fs.readFileSync(path.join(root, file), 'utf8')));
    expect(withSql).toEqual([]);
  });

  it('reads ids and cursors of URLs with the shared helpers of src/http only', () => {
    const copies = sourceFiles('src')
      .filter((file) => !file.startsWith('src/http/'))
      .filter((file) => {
        const code = fs.readFileSync(path.join(root, file), 'utf8');
        // A hand-written id pattern (outside a form schema's `pattern`), or a local single().
        return /\/\^\\d\{1,15\}\$\//.test(code) || /\/\^\(\\d\{1,15\}\)/.test(code) || /function single\(|const single = /.test(code);
      });
    expect(copies).toEqual([]);
  });

  it('gives includes only what they add: Eta already merges the including template\'s data (src/http/templates.ts)', () => {
    const views = fs.readdirSync(path.join(root, 'views'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.eta'))
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
    expect(views.length).toBeGreaterThan(50);
    const copying = views.filter((file) => /include(Async)?\([^)]*\{\s*\.\.\.it\s*,/.test(fs.readFileSync(path.join(root, file), 'utf8')));
    expect(copying).toEqual([]);
  });
});
