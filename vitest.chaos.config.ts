import { defineConfig } from 'vitest/config';

/**
 * `npm run test:chaos`: load and fault tests (test/chaos/), not part of `npm test`. Each file starts
 * its own Temporal dev server and worker process; files run one after another, each bounded in time.
 */
export default defineConfig({
  test: {
    // The Temporal native bridge crashes vitest's worker threads at exit; forks are safe.
    pool: 'forks',
    include: ['test/chaos/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 8 * 60_000,
    hookTimeout: 120_000,
    reporters: process.env.BATON_TEST_REPORT ? ['default', ['json', { outputFile: process.env.BATON_TEST_REPORT }]] : ['default'],
  },
});
