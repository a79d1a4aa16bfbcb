import { defineConfig } from 'vitest/config';

/**
 * `npm run test:model`: Baton against a small real model (Gemma 3 270M on the CPU through
 * node-llama-cpp, behind scripts/llm-server.ts), not part of `npm test`. The first run installs the
 * model and the runtime into .tools/ (test/model/global-setup.ts).
 */
export default defineConfig({
  test: {
    // node-llama-cpp's and Temporal's native modules are safest in forks.
    pool: 'forks',
    include: ['test/model/**/*.test.ts'],
    fileParallelism: false,
    globalSetup: ['test/model/global-setup.ts'],
    testTimeout: 15 * 60_000,
    hookTimeout: 10 * 60_000,
    reporters: process.env.BATON_TEST_REPORT ? ['default', ['json', { outputFile: process.env.BATON_TEST_REPORT }]] : ['default'],
  },
});
