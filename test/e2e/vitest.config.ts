// Browser tests: Debian's Chromium driven by playwright-core against the built server.
// Run with `npm run test:e2e` (it builds first). See "Browser tests" in TESTING.md.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/e2e/**/*.e2e.ts'],
    setupFiles: ['test/e2e/support/require-chromium.ts'],
    // Each journey starts its own server and browser; running files one at a time keeps
    // two Chromiums from fighting over two cores and makes a failure easy to read.
    fileParallelism: false,
    // A whole journey (several argon2id hashes, many page loads) in one test.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
