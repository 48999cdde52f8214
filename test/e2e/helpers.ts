import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = join(repoRoot, 'bin/ex-esdb-console.js');
export const COOKIE = 'test_cookie';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(join(repoRoot, 'dist/cli/main.js')).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Builds dist/ when a source file is newer than it (`npm test` builds first; `vitest run test/e2e` may not).
 * A lock directory keeps two test workers from compiling at once; compile errors in files unrelated to the CLI
 * do not stop tsc from emitting, so only a missing entry point fails.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(repoRoot, 'node_modules/.ex-esdb-e2e-build.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (builtAt() >= newestMtime(join(repoRoot, 'src'))) return;
    try {
      mkdirSync(lock);
    } catch {
      if (Date.now() > deadline) throw new Error(`build lock ${lock} held for 2 minutes; remove it`);
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (builtAt() < newestMtime(join(repoRoot, 'src'))) {
        spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
          cwd: repoRoot,
          stdio: 'ignore',
        });
        if (builtAt() === 0) throw new Error('npm run build produced no dist/cli/main.js');
      }
      return;
    } finally {
      rmdirSync(lock);
    }
  }
}

export interface CliResult {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout lines parsed as JSON (non-JSON lines fail the parse loudly). */
  json: Record<string, unknown>[];
}

/** Environment without the user's cluster settings, so the tests run the same anywhere. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('EX_ESDB_') && k !== 'RELEASE_COOKIE' && k !== 'LOG_LEVEL') env[k] = v;
  }
  return { ...env, CI: '1', NO_COLOR: '1', LOG_LEVEL: 'warn', ...extra };
}

/** Runs the built binary to completion; `input` goes to stdin (else stdin is /dev/null). */
export function cli(
  args: string[],
  opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      env: cleanEnv(opts.env),
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `ex-esdb-console ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 20_000} ms\nstderr: ${stderr}`,
        ),
      );
    }, opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        const json = stdout
          .split('\n')
          .filter((l) => l.trim().startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        resolveRun({ args, code, stdout, stderr, json });
      } catch (e) {
        reject(new Error(`bad JSON on stdout of ${args.join(' ')}: ${String(e)}\n${stdout}`));
      }
    });
  });
}

export interface NodeProcess {
  address: string;
  name: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `ex-esdb-console node` on loopback (no gossip unless asked) and resolves with its address from the first JSON line. */
export function startNodeProcess(
  extraArgs: string[] = [],
  env: Record<string, string> = {},
  gossip = false,
): Promise<NodeProcess> {
  return new Promise((resolveStart, reject) => {
    const args = [
      'node',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--json',
      ...(gossip ? [] : ['--no-gossip', '--cookie', COOKIE]),
      ...extraArgs,
    ];
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node did not start in 15 s\n${err}`));
    }, 15_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`node exited early with ${code}\n${err}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const started = JSON.parse(out.slice(0, nl)) as { event: string; address: string; name: string };
      resolveStart({
        address: started.address,
        name: started.name,
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** A suffix unique to this test run, so streams never collide on a shared node. */
export const uniq = (): string => Math.random().toString(36).slice(2, 10);

export interface RunningCli {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout holds at least `n` lines (rejects after `timeoutMs`). */
  waitForLines(n: number, timeoutMs?: number): Promise<string[]>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts the built binary and leaves it running (live commands: `read --follow`, `follow --live`). */
export function spawnCli(args: string[], opts: { env?: Record<string, string> } = {}): RunningCli {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: cleanEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const lines = () => out.split('\n').filter((l) => l.length > 0);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLines: (n, timeoutMs = 15_000) =>
      new Promise((resolveWait, reject) => {
        const check = () => {
          if (lines().length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolveWait(lines());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${args.join(' ')}: ${lines().length} of ${n} lines after ${timeoutMs} ms\n${out}\n${err}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}
