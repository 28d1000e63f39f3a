// Where the project's non-code files are, whether we run from src/ (tsx, vitest) or dist/src/ (npm start).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'views'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the Hameau project root above ${start}`);
    dir = parent;
  }
}

export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
export const viewsDir = path.join(projectRoot, 'views');
export const staticDir = path.join(projectRoot, 'static');
export const localesDir = path.join(projectRoot, 'src', 'i18n', 'locales');
