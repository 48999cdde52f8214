import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const BIN = fileURLToPath(new URL('../../bin/ex-esdb-console.js', import.meta.url));

export interface NodeProcess {
  proc: ChildProcess;
  name: string;
  address: string;
  /** Everything the node wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface SpawnNodeOptions {
  cookie?: string;
  secret?: string;
  gossipPort: number;
  heartbeatMs?: number;
  storage?: string;
  stores?: string[];
  poolSize?: number;
  name?: string;
  /** TCP port to listen on (default 0 = OS-assigned); e.g. the old port, to restart a node where gateways dial. */
  port?: number;
  extraArgs?: string[];
  env?: Record<string, string>;
}

/**
 * Starts `ex-esdb-console node` as a child process on loopback (gossip on interface 127.0.0.1) and waits
 * for its `node_started` line.
 */
export async function spawnNode(o: SpawnNodeOptions): Promise<NodeProcess> {
  const args = [
    BIN,
    '--json',
    '--log-level',
    'debug',
    '--gossip-if',
    '127.0.0.1',
    '--gossip-port',
    String(o.gossipPort),
    ...(o.cookie ? ['--cookie', o.cookie] : []),
    ...(o.secret ? ['--secret', o.secret] : []),
    ...(o.storage ? ['--storage', o.storage] : []),
    'node',
    '--port',
    String(o.port ?? 0),
    ...(o.poolSize ? ['--pool-size', String(o.poolSize)] : []),
    ...(o.stores ? ['--stores', o.stores.join(',')] : []),
    ...(o.name ? ['--name', o.name] : []),
    ...(o.extraArgs ?? []),
  ];
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, EX_ESDB_HEARTBEAT_MS: String(o.heartbeatMs ?? 200), CI: '1', ...o.env },
  });
  let out = '';
  proc.stderr!.on('data', (d) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, sig) => resolve(code ?? sig ?? -1)),
  );
  const started = await new Promise<{ name: string; address: string }>((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    const timer = setTimeout(() => reject(new Error(`node did not start within 15 s:\n${out}`)), 15_000);
    rl.on('line', (line) => {
      out += `${line}\n`;
      try {
        const msg = JSON.parse(line) as { event?: string; name: string; address: string };
        if (msg.event === 'node_started') {
          clearTimeout(timer);
          resolve(msg);
        }
      } catch {
        // not JSON: keep it in the output
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`node exited (${code}) before starting:\n${out}`));
    });
  });
  return {
    proc,
    name: started.name,
    address: started.address,
    output: () => out,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** A gossip port per test file so parallel files never hear each other. */
export function randomGossipPort(): number {
  return 40000 + Math.floor(Math.random() * 20000);
}

export async function waitFor<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 10_000,
  what = 'condition',
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
