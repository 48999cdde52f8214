#!/usr/bin/env node
// React's development build records a performance measure per render and checks invariants on every update:
// the console is a long-running program, so it gets the production build unless NODE_ENV says otherwise. Set
// before main loads (React reads NODE_ENV once, when it is first imported), hence the dynamic import.
process.env.NODE_ENV ??= 'production';
const { main } = await import('../dist/cli/main.js');

main().catch((e) => {
  process.stderr.write(`❌ ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
