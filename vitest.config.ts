import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal native bridge crashes vitest's worker threads at exit; forks are safe.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    // Load, fault, cluster and real-model tests run separately: `npm run test:chaos`, `test:cluster`, `test:model`.
    exclude: ['test/chaos/**', 'test/cluster/**', 'test/model/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    // .ci/run asks for a JSON report to print the plain totals line.
    reporters: process.env.BATON_TEST_REPORT ? ['default', ['json', { outputFile: process.env.BATON_TEST_REPORT }]] : ['default'],
    hookTimeout: 120_000,
  },
});
