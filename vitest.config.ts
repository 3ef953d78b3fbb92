import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Database suites start PGlite (WASM) and real PostgreSQL databases; two cores cannot run many at once.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
