import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: Baton on a production-shaped Temporal (PostgreSQL, four separate
 * services: scripts/cluster/), with the cluster's own failures, and the docker-compose drift check.
 * Not part of `npm test`. The global setup builds the pinned server when it is not built yet
 * (`npm run cluster -- --build-only` does the same; ~6 minutes on 2 cores from empty Go caches).
 */
export default defineConfig({
  test: {
    // The Temporal native bridge crashes vitest's worker threads at exit; forks are safe.
    pool: 'forks',
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/cluster/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 10 * 60_000,
    hookTimeout: 5 * 60_000,
    reporters: process.env.BATON_TEST_REPORT ? ['default', ['json', { outputFile: process.env.BATON_TEST_REPORT }]] : ['default'],
  },
});
