import type * as Dgram from 'node:dgram';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type * as Net from 'node:net';

/**
 * Setup file of the `unit` project (vitest.config.ts): a unit test may not open a socket or start a process.
 * Whatever does belongs in a `*.int.test.ts` (loopback sockets, services, child processes) or `*.e2e.test.ts`
 * (the built binary, tmux) file, which `npm run test:unit` does not run. The calls throw where they are made, so
 * the failure names the offending line instead of a slow or flaky test somewhere later.
 */
const require = createRequire(import.meta.url);
const net = require('node:net') as typeof Net;
const dgram = require('node:dgram') as typeof Dgram;
const childProcess = require('node:child_process') as Record<string, unknown>;

function refuse(what: string): () => never {
  return () => {
    throw new Error(`${what} in a unit test: name the file *.int.test.ts (or *.e2e.test.ts for the built binary)`);
  };
}

net.Server.prototype.listen = refuse('net.Server#listen');
net.Socket.prototype.connect = refuse('net.Socket#connect');
dgram.Socket.prototype.bind = refuse('dgram.Socket#bind');
dgram.Socket.prototype.send = refuse('dgram.Socket#send');
for (const fn of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  childProcess[fn] = refuse(`child_process.${fn}`);
}
// Named ESM imports of node: builtins (`import { spawn } from 'node:child_process'`) see the patched functions
// only after this.
syncBuiltinESMExports();
