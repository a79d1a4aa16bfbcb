import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal native bridge crashes vitest's worker threads at exit; forks are safe.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    // Load and fault tests run separately (`npm run test:chaos`), and so do real-model tests (`npm run test:model`).
    exclude: ['test/chaos/**', 'test/model/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    // .ci/run asks for a JSON report to print the plain totals line.
    reporters: process.env.BATON_TEST_REPORT ? ['default', ['json', { outputFile: process.env.BATON_TEST_REPORT }]] : ['default'],
    hookTimeout: 120_000,
  },
});
