import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000, // generous: a first PGlite open (WASM start + migrations) on a loaded 2-core machine can take 30 s
    hookTimeout: 120_000,
    // Database suites start PGlite (WASM) and real PostgreSQL databases; two cores cannot run many at once.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
