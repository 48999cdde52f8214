import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Multi-process cluster tests and the tmux smoke test each start their own children; two cores is all we have.
    maxWorkers: 2,
  },
});
