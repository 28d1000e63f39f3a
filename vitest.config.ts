import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'plugins/**/test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', 'dist/**'],
    // Password hashing is deliberately slow (argon2id); HTTP tests sign in often.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
