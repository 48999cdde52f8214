/**
 * Real Erlang nodes for the BEAM bridge tests: a private EPMD on a random loopback port (so no test touches an
 * EPMD anyone else uses, and stopping it stops only what we started), and fixture nodes (`erl -sname … -hidden`)
 * running test/fixtures/erlang, compiled with `erlc` once per test process. Erlang is a hard requirement: a
 * missing `erl`/`erlc`/`epmd` fails the test with an install hint.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_SRC = fileURLToPath(new URL('../fixtures/erlang/', import.meta.url));
export const ERLANG_MISSING =
  'Erlang/OTP is not installed (erl/erlc/epmd not found): install erlang-base (apt-get install erlang-base); CI installs it. This test fails rather than skips.';

let compiled: Promise<string> | undefined;
const tempDirs: string[] = [];

/** Compiles the fixture modules with erlc into a temp dir (once per process); returns the ebin dir. */
export function compileFixture(): Promise<string> {
  compiled ??= new Promise((resolve, reject) => {
    const out = mkdtempSync(join(tmpdir(), 'beam-fixture-'));
    tempDirs.push(out);
    // The .beam files live as long as this test process; nothing is left in /tmp afterwards.
    process.once('exit', () => rmSync(out, { recursive: true, force: true }));
    const files = readdirSync(FIXTURE_SRC)
      .filter((f) => f.endsWith('.erl'))
      .map((f) => join(FIXTURE_SRC, f));
    execFile('erlc', ['-o', out, ...files], (err, _stdout, stderr) => {
      if (err) reject(new Error((err as NodeJS.ErrnoException).code === 'ENOENT' ? ERLANG_MISSING : `erlc: ${stderr}`));
      else resolve(out);
    });
  });
  return compiled;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface Epmd {
  port: number;
  /** Environment for erl and for our client: this EPMD, loopback only. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** A private EPMD on a random loopback port, in the foreground so we own (and later kill) exactly it. */
export async function startEpmd(): Promise<Epmd> {
  const port = await freePort();
  const env = { ERL_EPMD_ADDRESS: '127.0.0.1', ERL_EPMD_PORT: String(port) };
  const proc = spawn('epmd', ['-port', String(port)], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) =>
    proc.once('error', (e) =>
      reject(new Error((e as NodeJS.ErrnoException).code === 'ENOENT' ? ERLANG_MISSING : e.message)),
    ),
  );
  const deadline = Date.now() + 5000;
  for (;;) {
    if (await Promise.race([canConnect(port), failed])) break;
    if (Date.now() > deadline) throw new Error(`epmd did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, env, stop: () => killChild(proc) };
}

function killChild(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}

export interface FixtureNode {
  /** `alive@localhost`. */
  name: string;
  proc: ChildProcess;
  output(): string;
  /** Resolves once the node printed `line` (rejects after 20 s). */
  waitFor(line: string): Promise<void>;
  /** SIGKILL: the node vanishes mid-whatever, as a crashed VM would. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface FixtureNodeOptions {
  alive: string;
  cookie: string;
  epmd: Epmd;
  leader: string;
  cluster: string[];
  stores?: string[];
  /** `-kernel net_ticktime` in seconds (default 60). */
  netTicktime?: number;
}

/** Starts one fixture node and waits for its `FIXTURE READY` line. */
export async function startFixtureNode(o: FixtureNodeOptions): Promise<FixtureNode> {
  const ebin = await compileFixture();
  const name = `${o.alive}@localhost`;
  const args = [
    '-sname',
    name,
    '-hidden',
    '-setcookie',
    o.cookie,
    '-noshell',
    '-pa',
    ebin,
    ...(o.netTicktime ? ['-kernel', 'net_ticktime', String(o.netTicktime)] : []),
    '-s',
    'fixture_node',
    'start',
    '-fixture_leader',
    o.leader,
    '-fixture_cluster',
    ...o.cluster,
    '-fixture_stores',
    ...(o.stores ?? ['reg_gh']),
  ];
  const proc = spawn('erl', args, { env: { ...process.env, ...o.epmd.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), 20_000);
    const check = (): void => {
      if (out.includes(`FIXTURE READY ${name}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', check);
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error((e as NodeJS.ErrnoException).code === 'ENOENT' ? ERLANG_MISSING : e.message));
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${out}`));
    });
  });
  const waitFor = (line: string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (out.includes(line)) return resolve();
      const timer = setTimeout(() => reject(new Error(`${name} never printed "${line}":\n${out}`)), 20_000);
      const check = (): void => {
        if (!out.includes(line)) return;
        clearTimeout(timer);
        proc.stdout!.off('data', check);
        resolve();
      };
      proc.stdout!.on('data', check);
    });
  return {
    name,
    proc,
    output: () => out,
    waitFor,
    kill: () => killChild(proc, 'SIGKILL'),
    stop: () => killChild(proc),
  };
}

export interface FixtureCluster {
  epmd: Epmd;
  cookie: string;
  nodes: FixtureNode[];
  stop(): Promise<void>;
}

/** A private EPMD and `n` fixture nodes (the first is the store leader), all on loopback. */
export async function startFixtureCluster(
  n: number,
  opts: { cookie?: string; prefix?: string; netTicktime?: number } = {},
): Promise<FixtureCluster> {
  const epmd = await startEpmd();
  const cookie = opts.cookie ?? 'fixture_cookie';
  const prefix = opts.prefix ?? `fx${process.pid}`;
  const names = Array.from({ length: n }, (_, i) => `${prefix}_${String.fromCharCode(97 + i)}@localhost`);
  const nodes: FixtureNode[] = [];
  try {
    for (const full of names) {
      nodes.push(
        await startFixtureNode({
          alive: full.split('@')[0]!,
          cookie,
          epmd,
          leader: names[0]!,
          cluster: names,
          netTicktime: opts.netTicktime,
        }),
      );
    }
    await Promise.all(nodes.map((x) => x.waitFor(`FIXTURE LINKED ${x.name}`)));
  } catch (e) {
    await Promise.all(nodes.map((x) => x.kill()));
    await epmd.stop();
    throw e;
  }
  return {
    epmd,
    cookie,
    nodes,
    async stop() {
      await Promise.all(nodes.map((x) => x.stop()));
      await epmd.stop();
    },
  };
}

/** Removes the compiled fixture directories (call from afterAll of the last suite using them). */
export function removeFixtureBuilds(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  compiled = undefined;
}
