import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Test kinds, told apart by file name (README "Tests"):
//   *.test.ts(x)      unit: no sockets, no services, no child processes; `npm run test:unit`
//   *.int.test.ts(x)  sqlite files, PostgreSQL, loopback sockets, child processes, Erlang; `npm run test:int`
//   *.e2e.test.ts     the built binary (CLI or `node` processes from dist/) or tmux; `npm run test:e2e`
const services = 'test/setup/services.ts';
const roots = ['src', 'test'];
const files = (suffix: string) => roots.map((r) => `${r}/**/*${suffix}.{ts,tsx}`);

// Options every kind shares; each project below repeats them rather than `extends: true`, which would also
// inherit the root's project list.
const shared = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  // Nodes and gateways started without a cookie or secret generate one in the user's config directory; tests
  // (and the child processes they start) keep theirs in a scratch directory instead of the developer's home.
  env: { XDG_CONFIG_HOME: join(tmpdir(), `ex-esdb-console-test-config-${process.getuid?.() ?? 'user'}`) },
};

export default defineConfig({
  test: {
    // Multi-process cluster tests and the tmux smoke test each start their own children; two cores is all we have.
    // Applies to the whole run (`npm test` runs every project).
    maxWorkers: 2,
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          // A unit test that opens a socket or starts a process fails at the call (see the file).
          setupFiles: ['test/setup/unitIsolation.ts'],
          // Unit files share their workers' module cache: importing Ink and React once per worker instead of once
          // per file is most of the run (95 s -> 39 s on a loaded box). Nothing here mutates process.env or mocks
          // modules; the setup file above is the one global change, and no int or e2e file runs in these workers.
          isolate: false,
          include: files('.test'),
          exclude: [...files('.int.test'), ...files('.e2e.test'), '**/node_modules/**'],
        },
      },
      // Both check Erlang (and e2e tmux) up front and choose or start the PostgreSQL test server (see the file).
      { test: { ...shared, name: 'int', include: files('.int.test'), globalSetup: [services] } },
      { test: { ...shared, name: 'e2e', include: files('.e2e.test'), globalSetup: [services] } },
    ],
  },
});
