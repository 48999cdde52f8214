import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Multi-process cluster tests and the tmux smoke test each start their own children; two cores is all we have.
    maxWorkers: 2,
    // Nodes and gateways started without a cookie or secret generate one in the user's config directory; tests
    // (and the child processes they start) keep theirs in a scratch directory instead of the developer's home.
    env: { XDG_CONFIG_HOME: join(tmpdir(), `ex-esdb-console-test-config-${process.getuid?.() ?? 'user'}`) },
  },
});
